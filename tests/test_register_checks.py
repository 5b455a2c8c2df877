"""The register's checks as users meet them: on the session page and its rows, in the JSON export,
on Jour J, on the dashboard and in the daily reminder; the session page's queries stay constant.

The rules themselves, boundary by boundary, are in test_checks.py. Today is 01/02/2027 (helpers)."""
import datetime as dt

import models
from domain import checks
from database import counting_queries
from domain.candidates import convocation_version
from helpers import CANDIDATE, EPREUVE, HTMX, create_session, fill_register, juror, text_of


def controles(client, session):
    data = client.get(f"/sessions/{session.id}.json").get_json()
    return {c["code"]: c for c in data["controles"]}, data


def test_an_empty_register_has_nothing_to_check_yet(client, auth, session):
    auth.login()
    found, data = controles(client, session)
    assert list(found) == ["jury_effectif", "jury_habilitations", "jury_liens", "candidats_nombre",
                           "convocations_delai", "vae_recevabilite", "epreuves_dates", "agrement",
                           "convocations_jury_delai", "jury_disponibilite", "evaluateurs", "pv_delai"]
    assert all(c["ok"] is None for c in found.values())
    keyed = {item["key"]: item["id"] for tableau in data["phases"] for item in tableau["items"] if item["key"]}
    assert len(keyed) == 27  # 14 tasks that checks concern, 4 more that documents serve, 9 of after the exam
    assert found["jury_effectif"]["items"] == sorted(
        [keyed["recherche_jury"], keyed["convocation_jury"], keyed["jury_present"]])
    assert found["convocations_delai"]["items"] == [keyed["convocation_candidats"]]
    unkeyed = [item for tableau in data["phases"] for item in tableau["items"] if item["key"] is None]
    assert len(unkeyed) == models.ChecklistItem.select().count() - 27


def test_a_full_register_passes_every_check_and_each_fault_fails_its_own(app, client, auth, session):
    auth.login()
    fill_register(client, session)
    found, _ = controles(client, session)
    # Before the exam, the checks of after it have nothing to check yet.
    assert {code: c["ok"] for code, c in found.items()} == {
        code: None if code in checks.AFTER_EXAM else True for code in found}, found
    # One fault of each kind, each failing its own check only.
    durand = models.Jure.get(models.Jure.nom == "Durand")
    bernard = models.Candidat.get(models.Candidat.nom == "Bernard")
    martin = models.Candidat.get(models.Candidat.nom == "Martin")
    client.post(f"/sessions/{session.id}/jury/{durand.id}/declaration",
                data={"declaration_le": "2027-01-20", "liens": [str(bernard.id)]})
    app.config["TODAY"] = dt.date(2027, 2, 20)  # a convocation is recorded once sent: the day after the limit
    client.post(f"/candidats/{martin.id}/convocation", data={"envoyee_le": "2027-02-16", "mode": "lrar",
                                                             "version": convocation_version(martin)})
    client.post(f"/candidats/{martin.id}", data={**CANDIDATE, "recevabilite_valide_jusqu_au": "2027-03-14", "version": "0"})
    found, _ = controles(client, session)
    assert {code for code, c in found.items() if c["ok"] is False} == {
        "jury_liens", "convocations_delai", "vae_recevabilite"}
    assert "Bernard Léa est connu(e) de Paul Durand" in found["jury_liens"]["details"][0]
    assert found["convocations_delai"]["details"] == ["Martin Léa : convoqué(e) le 16/02/2027, après le 15/02/2027."]
    page = text_of(client.get(f"/sessions/{session.id}"))
    assert "Contrôles du registre : 3 non respectés" in page
    assert "Contrôle non respecté (Recevabilité des candidats VAE)" in page
    assert "Martin Léa : recevabilité valable jusqu'au 14/03/2027, la session commence le 15/03/2027." in page


def test_a_row_a_check_concerns_shows_it_and_a_tick_answers_with_it(client, auth, session):
    auth.login()
    juror_alone = juror(client, "Seul", until="2027-03-17")  # ends the day before the last day
    client.post(f"/sessions/{session.id}/jury", data={"jure_id": str(juror_alone.id)})
    item = models.ChecklistItem.get(models.ChecklistItem.key == "habilitations_jury")
    response = client.post(f"/items/{item.id}/done", data={"done_on": "2027-01-30"}, headers=HTMX)
    row = text_of(response)
    assert "Contrôle non respecté (Habilitations des membres de jury)" in row
    assert "Paul Seul : habilitation DWWM valable jusqu'au 17/03/2027, la session finit le 18/03/2027." in row
    assert 'href="/sessions/%d/jury"' % session.id in response.get_data(as_text=True)
    # A row no check concerns says nothing of the register.
    other = models.ChecklistItem.get((models.ChecklistItem.session == session) & (models.ChecklistItem.position == 2))
    assert "Contrôle" not in text_of(client.post(f"/items/{other.id}/done", data={"done_on": "2027-01-30"}, headers=HTMX))
    exam_day = text_of(client.get(f"/sessions/{session.id}/jour-j"))
    assert "Contrôle non respecté (Jury d'au moins deux membres)" in exam_day
    assert "Le jury ne compte que 1 membre : il en faut au moins 2." in exam_day


def test_the_dashboard_lists_sessions_with_failing_checks_of_the_users_centre(client, auth, session, other_session):
    auth.login()
    client.post(f"/sessions/{session.id}/epreuves", data={**EPREUVE, "date": "2027-03-20"})  # after the last day
    page = text_of(client.get("/"))
    assert "Contrôles du registre non respectés (1 session)" in page
    assert "DWWM (15/03/2027) Dates et horaires des épreuves" in page
    # A late task a failing check concerns says so in the dashboard's list.
    assert "Contrôle non respecté Nombre de candidats" not in page
    client.post(f"/sessions/{session.id}/candidats", data=CANDIDATE)
    page = text_of(client.get("/"))
    late = page[page.index("En retard ("):page.index("À faire dans les")]
    assert "Transmettre à l'UD de la DIRECCTE compétente" in late
    assert "Contrôle non respecté Nombre de candidats transmis à l'UD" in late
    auth.logout()
    auth.login("resp@b.fr")  # another centre does not see it
    assert "Contrôles du registre non respectés (0 session)" in text_of(client.get("/"))


def test_the_daily_reminder_includes_failing_checks(app, runner, client, auth, session, smtp):  # noqa: F811
    auth.login()
    juror_alone = juror(client, "Seul")
    client.post(f"/sessions/{session.id}/jury", data={"jure_id": str(juror_alone.id)})
    result = runner.invoke(args=["send-reminders"])
    assert result.exit_code == 0, result.output
    mail = {tuple(rcpt): msg for rcpt, msg in smtp.messages}[("resp@a.fr",)]
    assert "2 contrôles non respectés" in mail["Subject"]
    body = mail.get_content()
    assert "CONTRÔLES DU REGISTRE NON RESPECTÉS" in body
    assert "Jury d'au moins deux membres : Le jury ne compte que 1 membre" in body
    assert "Absence de lien entre le jury et les candidats" in body


def test_the_session_page_reads_the_register_in_a_constant_number_of_queries(client, auth, db):
    auth.login()
    counts = []
    for size in (3, 60):
        session = create_session(sigle=f"S{size}")
        for n in range(size):
            models.Candidat.create(session=session, nom=f"Nom{n}", prenom="P", date_naissance="1990-01-01",
                                   parcours="vae" if n % 3 else "formation", recevabilite_valide_jusqu_au="2028-01-01")
        for n in range(size // 3):
            jure = models.Jure.create(centre=session.centre, nom=f"Jure{size}-{n}", prenom="J", email=f"j{size}-{n}@x.fr")
            models.Habilitation.create(jure=jure, sigle=f"S{size}", valide_jusqu_au="2030-01-01")
            membre = models.MembreJury.create(session=session, jure=jure)
            models.LienJury.create(membre=membre, candidat=models.Candidat.select().where(
                models.Candidat.session == session).first())
        for n in range(size // 10 + 1):
            models.Epreuve.create(session=session, libelle=f"E{n}", date="2027-03-15", heure_debut="09:00",
                                  heure_fin="12:00", lieu="Salle")
        with counting_queries() as queries:
            response = client.get(f"/sessions/{session.id}")
        assert response.status_code == 200 and "Contrôles du registre" in text_of(response)
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 17, counts  # the register's twelve queries among them
    # Without jurors, neither their links, their habilitations, whom they evaluate nor their other seats are read.
    bare = create_session(sigle="VIDE")
    with counting_queries() as queries:
        assert client.get(f"/sessions/{bare.id}").status_code == 200
    assert len(queries) == counts[0] - 4 <= 13, queries
