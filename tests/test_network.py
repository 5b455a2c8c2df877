"""A network of centres on one installation (issue « Réseau »): the coordinator's view of every centre
and site, its figures and the rows behind them. Today is 01/02/2027 (helpers)."""
import datetime as dt

import pytest

import models
from helpers import create_session, juror, text_of


def test_the_network_shows_each_site_with_its_figures_and_the_rows_behind_them(app, client, auth, db):
    auth.login()  # Centre A's responsable arranges its register
    coming = create_session()  # 15-18/03/2027: in preparation, its first tasks late
    durand = juror(client, "Durand", until="2027-04-01")  # habilitation ending within 3 months
    client.post(f"/sessions/{coming.id}/jury", data={"jure_id": str(durand.id)})  # a jury of one
    models.Agrement.create(site=coming.site, sigle="DWWM", valide_du=dt.date(2024, 1, 1), valide_au=dt.date(2027, 6, 30))
    running = create_session("Centre B", sigle="CDA", date_debut="2027-01-31", date_fin="2027-02-03")
    auth.login("coord@test.fr")
    page = text_of(client.get("/reseau"))
    late = models.ChecklistItem.select().join(models.ExamSession).where(
        (models.ExamSession.centre == coming.centre) & (models.ChecklistItem.due_on < dt.date(2027, 2, 1))
        & (models.ChecklistItem.state == "todo")).count()
    assert late > 0
    data = {line["site"]["id"]: line for line in client.get("/reseau.json").get_json()["reseau"]}
    lyon = data[coming.site_id]
    assert lyon["centre"]["nom"] == "Centre A"
    assert (lyon["sessions_en_preparation"], lyon["sessions_en_cours"], lyon["taches_en_retard"]) == (1, 0, late)
    assert lyon["controles_non_respectes"]["jury_effectif"] == 1
    assert (lyon["agrements_echeance_6_mois"], lyon["jures_habilitation_3_mois"]) == (1, 1)
    other = data[running.site_id]
    assert other["centre"]["nom"] == "Centre B" and other["sessions_en_cours"] == 1
    assert "Centre A · Lyon Gerland" in page and "jury_effectif (1)" in page
    # Each figure links to what it counts.
    site = coming.site_id
    assert "Paul Durand" in text_of(client.get(f"/reseau/liste?site={site}&quoi=jures"))
    assert "DWWM du 15/03/2027" in text_of(client.get(f"/reseau/liste?site={site}&quoi=preparation"))
    assert "jury ne compte que 1 membre" in text_of(client.get(f"/reseau/liste?site={site}&quoi=controle:jury_effectif"))
    assert "valable jusqu'au 30/06/2027" in text_of(client.get(f"/reseau/liste?site={site}&quoi=agrements"))
    assert client.get(f"/reseau/liste?site={site}&quoi=rien").status_code == 404
    # Filters: by titre, by site.
    assert client.get("/reseau.json?titre=CDA").get_json()["reseau"][0]["sessions_en_preparation"] == 0
    assert [line["site"]["id"] for line in client.get(f"/reseau.json?site={site}").get_json()["reseau"]] == [site]
    csv = client.get("/reseau.csv").get_data(as_text=True)
    assert "Centre A;Lyon Gerland;1;0;" in csv
    # A coordinator reads every centre and changes nothing of theirs.
    assert client.get(f"/sessions/{running.id}").status_code == 200
    assert client.post(f"/sessions/{running.id}/candidats", data={"nom": "X"}).status_code == 403
    auth.login()
    assert client.get("/reseau").status_code == 403


def test_the_network_reads_as_many_queries_for_two_centres_as_for_many(client, auth, db):
    from database import counting_queries
    auth.login("coord@test.fr")
    counts = []
    for number in (1, 5):
        for n in range(number):
            centre = models.Centre.create(name=f"Centre {number}-{n}")
            models.User.create(email=f"r{number}-{n}@x.fr", display_name="R", role="responsable", centre=centre,
                               password_hash="x")
            create_session(centre.name, site=f"Site {number}-{n}")
        with counting_queries() as queries:
            assert client.get("/reseau").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_a_coordinator_is_created_from_the_command_line_for_no_centre(runner, client, db):
    refused = runner.invoke(args=["create-user", "coord@reseau.fr", "--role", "coordinateur", "--centre", "Centre A",
                                  "--password", "mot de passe du réseau"])
    assert refused.exit_code != 0 and "n'appartient à aucun centre" in refused.output
    done = runner.invoke(args=["create-user", "coord@reseau.fr", "--role", "coordinateur",
                               "--password", "mot de passe du réseau"])
    assert done.exit_code == 0, done.output
    assert client.post("/login", data={"email": "coord@reseau.fr", "password": "mot de passe du réseau"}).status_code == 302
    assert 'href="/reseau"' in client.get("/").get_data(as_text=True)
    assert client.get("/reseau").status_code == 200


def _jury_of(client, session, jure):
    return client.post(f"/sessions/{session.id}/jury", data={"jure_id": str(jure.id)})


def test_without_sharing_each_centre_keeps_its_directory(app, client, auth, db):
    auth.login()
    durand = juror(client, "Durand")
    other = create_session("Centre B", sigle="DWWM")
    auth.login("resp@b.fr")
    assert client.get(f"/jures/{durand.id}").status_code == 404
    assert "Durand" not in text_of(client.get("/jures"))
    assert _jury_of(client, other, durand).status_code == 422
    # The same person entered by centre B: allowed (each centre its directory), merged later.
    assert client.post("/jures", data={"nom": "Durand", "prenom": "Paul", "email": "PAUL.durand@jury.fr"}).status_code == 302


def test_a_shared_directory_shows_every_active_juror_picked_by_every_centre_changed_by_its_own(app, client, auth, db):
    app.config["JURES_PARTAGES"] = True
    auth.login()
    mine = create_session()
    durand = juror(client, "Durand")
    assert _jury_of(client, mine, durand).status_code == 302
    client.post(f"/sessions/{mine.id}/candidats", data={"nom": "Secret", "prenom": "Candidat", "date_naissance": "1999-01-01",
                                                       "parcours": "formation"})
    other = create_session("Centre B", sigle="DWWM", date_debut="2027-04-05", date_fin="2027-04-06")
    auth.login("resp@b.fr")
    directory = text_of(client.get("/jures"))
    assert "Durand" in directory and "Centre A" in directory
    page = text_of(client.get(f"/jures/{durand.id}"))
    assert "DWWM du 15/03/2027 au 18/03/2027 · Centre A" in page and "Secret" not in page
    assert client.post(f"/jures/{durand.id}", data={"nom": "Durand", "prenom": "Pierre", "email": "d@x.fr",
                                                   "version": "0"}).status_code == 403
    assert client.get(f"/sessions/{mine.id}/jury").status_code == 404  # never the other centre's session
    assert _jury_of(client, other, durand).status_code == 302
    assert "(Centre A)" in text_of(client.get(f"/sessions/{other.id}/jury"))
    # One person, one juror: the e-mail is unique across the installation.
    answer = client.post("/jures", data={"nom": "Durand", "prenom": "Paul", "email": " DURAND@Jury.fr"})
    assert answer.status_code == 422 and "Un juré du centre Centre A a déjà cette adresse e-mail" in text_of(answer)
    assert models.Jure.select().count() == 1


@pytest.mark.parametrize("start, end, ok", [("2027-03-18", "2027-03-20", False), ("2027-03-19", "2027-03-20", True),
                                           ("2027-03-10", "2027-03-15", False), ("2027-03-10", "2027-03-14", True)])
def test_a_juror_booked_on_overlapping_days_fails_both_sessions(app, client, auth, db, start, end, ok):
    app.config["JURES_PARTAGES"] = True
    auth.login()
    mine = create_session()  # 15 to 18/03/2027
    durand = juror(client, "Durand")
    _jury_of(client, mine, durand)
    other = create_session("Centre B", sigle="DWWM", date_debut=start, date_fin=end)
    auth.login("resp@b.fr")
    assert _jury_of(client, other, durand).status_code == 302
    found = {c["code"]: c for c in client.get(f"/sessions/{other.id}.json").get_json()["controles"]}
    assert found["jury_disponibilite"]["ok"] is ok
    if not ok:
        assert found["jury_disponibilite"]["details"] == ["Paul Durand siège aussi à la session DWWM du 15/03/2027 au "
                                                          "18/03/2027 (Centre A)."]
    auth.login()
    found = {c["code"]: c for c in client.get(f"/sessions/{mine.id}.json").get_json()["controles"]}
    assert found["jury_disponibilite"]["ok"] is ok
    if not ok:
        assert "(Centre B)" in found["jury_disponibilite"]["details"][0]


def test_merge_jurors_joins_the_records_centres_entered_twice_keeping_every_jury_whole(app, client, auth, runner, db):
    auth.login()
    mine = create_session()
    first = juror(client, "Durand")
    _jury_of(client, mine, first)
    client.post(f"/sessions/{mine.id}/jury/{first.id}/declaration", data={"declaration_le": "2027-01-20"})
    other = create_session("Centre B", sigle="DWWM", date_debut="2027-05-03", date_fin="2027-05-04")
    auth.login("resp@b.fr")
    client.post("/jures", data={"nom": "Durand", "prenom": "Paul", "email": " DURAND@jury.fr", "sigle": "CDA",
                                "valide_jusqu_au": "2029-01-01"})
    second = models.Jure.get(models.Jure.centre == other.centre)
    assert _jury_of(client, other, second).status_code == 302
    listed = runner.invoke(args=["merge-jurors", "--dry-run"])
    assert listed.exit_code == 0 and "durand@jury.fr : 2 fiches" in listed.output, listed.output
    assert models.Jure.select().count() == 2
    done = runner.invoke(args=["merge-jurors"])
    assert done.exit_code == 0 and "1 fiche fusionnée" in done.output, done.output
    assert [j.id for j in models.Jure.select()] == [first.id]
    assert {m.session_id for m in models.MembreJury.select().where(models.MembreJury.jure == first.id)} == {mine.id, other.id}
    assert sorted(h.sigle for h in models.Habilitation.select()) == ["CDA", "DWWM"]
    assert "Fiches en double fusionnées : Paul Durand" in text_of(client.get(f"/sessions/{other.id}/history"))
    assert runner.invoke(args=["verify-journal"]).exit_code == 0
    assert "aucune fiche en double" in runner.invoke(args=["merge-jurors"]).output


def test_the_checks_kept_by_journal_head_follow_every_change_that_decides_them(app, client, auth, db):
    auth.login()
    session = create_session()
    durand = juror(client, "Durand", until="2027-03-01")  # ends before the session: jury_habilitations fails
    _jury_of(client, session, durand)

    def failing():
        auth.login("coord@test.fr")
        line = next(line for line in client.get("/reseau.json").get_json()["reseau"] if line["site"]["id"] == session.site_id)
        auth.login()
        return line["controles_non_respectes"]

    assert {"jury_effectif", "jury_habilitations"} <= set(failing())
    petit = juror(client, "Petit")
    _jury_of(client, session, petit)  # in the session's journal
    assert "jury_effectif" not in failing() and "jury_habilitations" in failing()
    client.post(f"/jures/{durand.id}/habilitations", data={"sigle": "DWWM", "valide_jusqu_au": "2029-12-31"})
    assert "jury_habilitations" not in failing()  # a directory change: the administrators' journal
    app.config["JURES_PARTAGES"] = True
    other = create_session("Centre B", sigle="CDA", date_debut="2027-03-16", date_fin="2027-03-17")
    auth.login("resp@b.fr")
    _jury_of(client, other, petit)  # another centre's session: never kept, found again each time
    assert failing().get("jury_disponibilite") == 1


def test_what_several_servers_share_must_come_from_the_environment_on_postgresql():
    from cli.deploy import shared_settings_problems
    problems = shared_settings_problems({"SIGNING_KEY": ""}, {})
    assert [p.split(" ")[0] for p in problems] == ["SECRET_KEY", "JALON_SIGNING_KEY", "JALON_ANCHOR_FILE"]
    assert shared_settings_problems({"SIGNING_KEY": "-----BEGIN PRIVATE KEY-----"},
                                    {"SECRET_KEY": "k", "JALON_ANCHOR_FILE": "/srv/partage/ancres.log"}) == []


@pytest.mark.live
@pytest.mark.postgresql_only
def test_two_application_servers_on_one_database_share_logins_changes_and_keys(app, tmp_path):
    """Two application processes (gunicorn each) on one database, with the shared settings from the
    environment: a login opened on one is valid on the other, a change made on one is seen on the other,
    and both sign the inspection file with the same key."""
    import io
    import zipfile

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from helpers import PASSWORD, item_at
    from liveserver import LiveServer, login
    with app.app_context(), models.db.connection_context():
        session = create_session()
        item = item_at(session, 3)
    pem = Ed25519PrivateKey.generate().private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                     serialization.NoEncryption()).decode()
    shared = {"JALON_SIGNING_KEY": pem, "JALON_ANCHOR_FILE": str(tmp_path / "ancres.log"), "JALON_TODAY": "2027-02-01"}
    servers = []
    for name in ("un", "deux"):
        (tmp_path / name).mkdir()
        servers.append(LiveServer(app.config["DATABASE_URL"], tmp_path / name, workers=1, env=shared))
    one, two = servers
    try:
        one.start()
        two.start()
        browser = login(one.url, "resp@a.fr", PASSWORD)
        assert browser.post(f"{one.url}/items/{item.id}/done", data={"done_on": "2027-01-30"}, timeout=10).ok
        seen = browser.get(f"{two.url}/sessions/{session.id}", timeout=10)  # the same cookie, the other server
        assert seen.status_code == 200 and "Fait le 30/01/2027" in seen.text
        keys = []
        for server in servers:
            archive = zipfile.ZipFile(io.BytesIO(browser.get(f"{server.url}/sessions/{session.id}/dossier.zip",
                                                             timeout=60).content))
            keys.append(archive.read("cle-publique.txt"))
        assert keys[0] == keys[1]
        assert not (tmp_path / "un" / "instance" / "cle-signature.pem").exists()
    finally:
        for server in servers:
            server.stop()


def test_a_shared_jury_page_offers_other_centres_jurors_habilitated_for_the_titre_only(app, client, auth, db):
    app.config["JURES_PARTAGES"] = True
    auth.login()
    juror(client, "Durand")  # DWWM
    juror(client, "Moreau", sigle="CDA")
    mine = create_session("Centre B", sigle="DWWM")
    auth.login("resp@b.fr")
    client.get("/account")  # the messages of the changes above, shown once
    page = text_of(client.get(f"/sessions/{mine.id}/jury"))
    assert "Durand Paul (Centre A)" in page and "Moreau" not in page
