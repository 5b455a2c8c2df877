"""After the exam: evaluators, results, the PV's steps and their delay, the posted results (issue
« Après la session »). The session runs from 15 to 18/03/2027; its épreuve is on the 15th (helpers)."""
import datetime as dt

import pytest

import formats
import models
from domain import checks
from helpers import (CANDIDATE, EPREUVE, HTMX, create_session, fill_register, pdf_bytes, printed, settle_regulatory_tasks,
                     signin, text_of)

CCPS = "CP-01;Développer le front-end\nCP-02;Développer le back-end"


@pytest.fixture
def exam(app, client, auth, session, exam_day):
    """A session whose register holds, its titre recorded with two CCPs, Martin present and Bernard
    absent at its épreuve (signed on the tablet); today is after the deliberation."""
    auth.login("admin@test.fr")
    assert client.post("/admin/titres", data={"sigle": "DWWM", "millesime": "2023", "libelle": "Développeur web",
                                              "ccps": CCPS}).status_code == 302
    auth.login()
    fill_register(client, session)
    epreuve = models.Epreuve.get()
    martin = models.Candidat.get(models.Candidat.nom == "Martin")
    bernard = models.Candidat.get(models.Candidat.nom == "Bernard")
    assert signin(client, session, epreuve, {"candidat_id": str(martin.id)}, submission="m" * 16).status_code == 200
    assert signin(client, session, epreuve, {"candidat_id": str(bernard.id)}, "absent", submission="b" * 16).status_code == 200
    app.config["TODAY"] = dt.date(2027, 3, 18)
    client.get("/account")  # the messages of the changes above shown once, not on the pages tested
    return session, martin, bernard


def result(client, candidat, decision, **ccps):
    return client.post(f"/candidats/{candidat.id}/resultat", data={"decision": decision, **{
        f"ccp_{code.replace('_', '-')}": value for code, value in ccps.items()}})


def json_of(client, session):
    return client.get(f"/sessions/{session.id}.json").get_json()


def test_each_result_that_contradicts_itself_or_the_day_is_refused_and_nothing_is_saved(app, client, exam):
    session, martin, bernard = exam
    refusals = [
        (martin, "titre", {"CP_01": "acquis", "CP_02": "non_acquis"}, "tous les CCP doivent être acquis"),
        (martin, "partiel", {"CP_01": "non_acquis", "CP_02": "non_acquis"}, "au moins un CCP acquis"),
        (martin, "partiel", {"CP_01": "acquis", "CP_02": "acquis"}, "la décision est le titre obtenu"),
        (martin, "non_obtenu", {"CP_01": "acquis", "CP_02": "non_acquis"}, "la décision est une validation partielle"),
        (martin, "absent", {}, "a émargé présent(e)"),
        (bernard, "non_obtenu", {"CP_01": "non_acquis", "CP_02": "non_acquis"}, "absent(e) à toutes les épreuves"),
        (martin, "obtenu", {"CP_01": "acquis", "CP_02": "acquis"}, "Décision : choisissez"),
        (martin, "titre", {"CP_01": "acquis"}, "CP-02 : indiquez acquis ou non acquis"),
    ]
    for candidat, decision, ccps, message in refusals:
        answer = result(client, candidat, decision, **ccps)
        assert answer.status_code == 422 and message in text_of(answer), (decision, ccps)
    app.config["TODAY"] = dt.date(2027, 3, 17)  # before the deliberation (the last day: no « délibérations » slot)
    answer = result(client, martin, "titre", CP_01="acquis", CP_02="acquis")
    assert answer.status_code == 422 and "après la délibération du jury, le 18/03/2027" in text_of(answer)
    assert models.Resultat.select().count() == 0 and json_of(client, session)["resultats"] == []
    # A « délibérations » slot on the 17th: results from that day.
    client.post(f"/sessions/{session.id}/epreuves", data={**EPREUVE, "libelle": "Délibération", "date": "2027-03-17",
                                                         "categorie": "deliberation"})
    assert result(client, martin, "titre", CP_01="acquis", CP_02="acquis").status_code == 302
    assert result(client, bernard, "absent").status_code == 302
    assert json_of(client, session)["resultats"] == [
        {"candidat_id": martin.id, "decision": "titre", "ccp": {"CP-01": "acquis", "CP-02": "acquis"}},
        {"candidat_id": bernard.id, "decision": "absent", "ccp": {"CP-01": "non_acquis", "CP-02": "non_acquis"}}]
    history = text_of(client.get(f"/sessions/{session.id}/history"))
    assert "Martin Léa : Titre obtenu (CP-01 acquis, CP-02 acquis)" in history


def test_a_candidate_without_any_sign_in_may_have_any_result_and_a_titre_session_needs_its_titre(app, client, auth, db):
    session = create_session(sigle="RPCT", millesime="2022", date_debut="2027-01-10", date_fin="2027-01-12")
    auth.login()
    client.post(f"/sessions/{session.id}/candidats", data={**CANDIDATE, "parcours": "formation",
                                                          "recevabilite_valide_jusqu_au": ""})
    candidat = models.Candidat.get()
    answer = result(client, candidat, "non_obtenu")
    assert answer.status_code == 422 and "RPCT millésime 2022 n'est pas enregistré" in text_of(answer)
    assert "Administration → Titres" in text_of(client.get(f"/sessions/{session.id}/resultats"))
    auth.login("admin@test.fr")
    client.post("/admin/titres", data={"sigle": "RPCT", "millesime": "2022", "libelle": "Réparateur", "ccps": "CP-9;Réparer"})
    auth.login()
    assert result(client, candidat, "non_obtenu", CP_9="non_acquis").status_code == 302
    assert result(client, candidat, "absent").status_code == 302  # no sign-in: a centre that signs in on paper
    # A CCP session: obtenu, non_obtenu or absent; no CCP columns.
    ccp = create_session(nature="CCP", libelle_ccp="Réparer", code_ccp="CP-9", date_debut="2027-01-10",
                         date_fin="2027-01-12", sigle="RPCT", millesime="2022")
    client.post(f"/sessions/{ccp.id}/candidats", data={**CANDIDATE, "parcours": "formation", "recevabilite_valide_jusqu_au": ""})
    other = models.Candidat.get(models.Candidat.session == ccp.id)
    assert result(client, other, "titre").status_code == 422
    assert result(client, other, "obtenu").status_code == 302


def test_results_are_refused_once_the_session_is_closed(app, client, auth, exam):
    session, martin, _ = exam
    settle_regulatory_tasks(session)
    auth.login()
    assert client.post(f"/sessions/{session.id}/cloture", data={"motif": "Test"}).status_code in (200, 302)
    assert models.ExamSession.get_by_id(session.id).closed_at is not None
    assert result(client, martin, "titre", CP_01="acquis", CP_02="acquis").status_code == 409
    assert models.Resultat.select().count() == 0


def test_evaluators_are_jurors_of_the_session_who_do_not_know_the_candidate_and_the_check_follows(app, client, exam):
    session, martin, bernard = exam
    durand, petit = (models.Jure.get(models.Jure.nom == nom) for nom in ("Durand", "Petit"))
    app.config["TODAY"] = dt.date(2027, 3, 14)
    assert checks_of(client, session)["evaluateurs"]["ok"] is None  # before the first day
    app.config["TODAY"] = dt.date(2027, 3, 18)
    found = checks_of(client, session)["evaluateurs"]
    assert found["ok"] is False and found["details"] == ["Martin Léa : 0 évaluateur désigné(s), il en faut 2."]
    outsider = models.Jure.create(centre=durand.centre, nom="Hors", prenom="Jury", email="hors@jury.fr")
    answer = client.post(f"/candidats/{martin.id}/evaluateurs", data={"jure_id": [str(durand.id), str(outsider.id)]})
    assert answer.status_code == 422 and "un juré choisi n'en fait pas partie" in text_of(answer)
    assert client.post(f"/candidats/{martin.id}/evaluateurs", data={"jure_id": ["abc"]}).status_code == 422
    client.post(f"/sessions/{session.id}/jury/{petit.id}/declaration",
                data={"declaration_le": "2027-01-20", "liens": [str(martin.id)]})
    answer = client.post(f"/candidats/{martin.id}/evaluateurs", data={"jure_id": [str(durand.id), str(petit.id)]},
                         headers=HTMX)
    assert answer.status_code == 422 and "Hélène" not in text_of(answer) and "un juré n'évalue pas un candidat qu'il connaît" in text_of(answer)
    assert models.Evaluateur.select().count() == 0
    client.post(f"/sessions/{session.id}/jury/{petit.id}/declaration", data={"declaration_le": "2027-01-20"})
    assert client.post(f"/candidats/{martin.id}/evaluateurs",
                       data={"jure_id": [str(durand.id), str(petit.id)]}).status_code == 302
    data = json_of(client, session)
    assert {c["nom"]: c["evaluateurs"] for c in data["candidats"]} == {"Bernard": [], "Martin": [durand.id, petit.id]}
    assert {c["code"]: c["ok"] for c in data["controles"]}["evaluateurs"] is True  # Bernard was absent
    # A link declared afterwards: both checks see the assigned evaluator who knows the candidate.
    client.post(f"/sessions/{session.id}/jury/{petit.id}/declaration",
                data={"declaration_le": "2027-01-20", "liens": [str(martin.id)]})
    found = checks_of(client, session)
    assert found["evaluateurs"]["ok"] is False and "évalué(e) par Paul Petit" in found["evaluateurs"]["details"][0]
    assert found["jury_liens"]["ok"] is False and "Martin Léa est évalué(e) par Paul Petit" in found["jury_liens"]["details"][0]
    assert "Paul Durand, Paul Petit" in text_of(client.get(f"/sessions/{session.id}/candidats"))


def checks_of(client, session):
    return {c["code"]: c for c in json_of(client, session)["controles"]}


def step(client, session, etape, date, **extra):
    return client.post(f"/sessions/{session.id}/pv", data={"etape": etape, "date": date, **extra})


def item_state(session, key):
    item = models.ChecklistItem.get((models.ChecklistItem.session == session) & (models.ChecklistItem.key == key))
    return item.state, item.done_on


def test_the_pv_steps_keep_their_order_mark_their_tasks_and_run_on_after_the_closing(app, client, auth, exam):
    session = exam[0]
    app.config["TODAY"] = dt.date(2027, 4, 20)
    answer = step(client, session, "contresigne", "2027-03-19")
    assert answer.status_code == 422 and "enregistrez d'abord l'étape « PV global signé par le jury »" in text_of(answer)
    answer = step(client, session, "signe_jury", "2027-03-17")
    assert answer.status_code == 422 and "le 18/03/2027 au plus tôt" in text_of(answer)
    assert step(client, session, "signe_jury", "2027-03-21").status_code == 302
    assert item_state(session, "pv_global_signe") == ("done", dt.date(2027, 3, 21))
    answer = step(client, session, "contresigne", "2027-03-20")
    assert answer.status_code == 422 and "ne peut pas la précéder" in text_of(answer)
    assert step(client, session, "contresigne", "2027-03-22").status_code == 302
    assert step(client, session, "envoye_ud", "2027-03-23", mode="pigeon").status_code == 422
    assert step(client, session, "envoye_ud", "2027-03-23", mode="lrar").status_code == 422  # its number
    assert step(client, session, "copie_ud_recue", "2027-03-25").status_code == 422  # not sent yet
    assert step(client, session, "envoye_ud", "2030-03-23", mode="depot").status_code == 422  # to come
    # Closed: the steps before the countersignature are refused, those after it go on, journalled.
    settle_regulatory_tasks(session)
    assert client.post(f"/sessions/{session.id}/cloture", data={"motif": "Test"}).status_code in (200, 302)
    assert step(client, session, "pv_individuels", "2027-03-21").status_code == 409
    answer = client.post(f"/sessions/{session.id}/pv", data={"etape": "envoye_ud", "date": "2027-03-23", "mode": "lrar",
                                                             "reference": "1A 123"},
                         content_type="multipart/form-data")
    assert answer.status_code == 302
    assert item_state(session, "pv_ud") == ("done", dt.date(2027, 3, 23))
    answer = client.post(f"/sessions/{session.id}/pv", data={
        "etape": "copie_ud_recue", "date": "2027-04-02", "fichier": (pdf_bytes_io(), "copie.pdf")},
        content_type="multipart/form-data")
    assert answer.status_code == 302
    copy = models.EtapePv.get(models.EtapePv.etape == "copie_ud_recue")
    assert copy.piece.item.key == "resultats_affichage" and copy.piece.nom == "copie.pdf"
    assert [(s["etape"], s["date"], s["mode"], s["reference"]) for s in json_of(client, session)["pv"]] == [
        ("signe_jury", "2027-03-21", None, None), ("contresigne", "2027-03-22", None, None),
        ("envoye_ud", "2027-03-23", "lrar", "1A 123"), ("copie_ud_recue", "2027-04-02", None, None)]
    assert json_of(client, session)["pv"][3]["piece_id"] == copy.piece_id
    # Rewriting history after the seal is not possible: a closed session's other writes stay refused.
    assert client.post(f"/sessions/{session.id}/epreuves", data=EPREUVE).status_code == 409
    assert models.Piece.select().count() == 1
    assert "procès-verbal" in text_of(client.get(f"/sessions/{session.id}/history"))


def pdf_bytes_io():
    import io
    return io.BytesIO(pdf_bytes())


@pytest.mark.parametrize("sent, ok", [("2027-04-02", True), ("2027-04-03", False)])
def test_the_pv_reaches_the_ud_within_15_days_of_the_last_day(app, client, exam, sent, ok):
    session = exam[0]  # its last day: 18/03/2027, so the 15th day after is 02/04/2027
    app.config["TODAY"] = dt.date(2027, 4, 2)
    assert checks_of(client, session)["pv_delai"]["ok"] is None
    app.config["TODAY"] = dt.date(2027, 4, 3)
    found = checks_of(client, session)["pv_delai"]
    assert found["ok"] is False and "au plus tard le 02/04/2027" in found["message"]
    # Listed on the dashboard once the session is over, like the checks of before it.
    assert "PV original adressé à l'UD dans les délais" in text_of(client.get("/"))
    app.config["TODAY"] = dt.date(2027, 4, 10)
    for etape, date in (("signe_jury", "2027-03-18"), ("contresigne", "2027-03-18")):
        assert step(client, session, etape, date).status_code == 302
    assert step(client, session, "envoye_ud", sent, mode="depot").status_code == 302
    assert checks_of(client, session)["pv_delai"]["ok"] is ok


def test_the_posted_results_wait_for_the_uds_copy_and_never_name_a_failure(app, client, exam, tmp_path, monkeypatch):
    session, martin, bernard = exam
    client.post(f"/sessions/{session.id}/candidats", data={**CANDIDATE, "nom": "Partiel", "parcours": "formation",
                                                          "recevabilite_valide_jusqu_au": ""})
    client.post(f"/sessions/{session.id}/candidats", data={**CANDIDATE, "nom": "Echec", "parcours": "formation",
                                                          "recevabilite_valide_jusqu_au": ""})
    partiel, echec = (models.Candidat.get(models.Candidat.nom == nom) for nom in ("Partiel", "Echec"))
    assert result(client, martin, "titre", CP_01="acquis", CP_02="acquis").status_code == 302
    assert result(client, bernard, "absent").status_code == 302
    assert result(client, partiel, "partiel", CP_01="non_acquis", CP_02="acquis").status_code == 302
    assert result(client, echec, "non_obtenu", CP_01="non_acquis", CP_02="non_acquis").status_code == 302
    issue = {"document": "resultats-affichage"}
    answer = client.post(f"/sessions/{session.id}/emissions", data=issue)
    assert answer.status_code == 422 and "à réception de la copie du PV" in text_of(answer)
    assert client.get(f"/sessions/{session.id}/resultats-affichage.pdf").status_code == 422
    app.config["TODAY"] = dt.date(2027, 4, 10)
    monkeypatch.setattr(formats, "clock", lambda: dt.datetime(2027, 4, 10, 10, 0, tzinfo=formats.ZoneInfo("Europe/Paris")))
    for etape, date, extra in (("signe_jury", "2027-03-18", {}), ("contresigne", "2027-03-19", {}),
                               ("envoye_ud", "2027-03-20", {"mode": "depot"}), ("copie_ud_recue", "2027-04-01", {})):
        assert step(client, session, etape, date, **extra).status_code == 302
    assert client.post(f"/sessions/{session.id}/emissions", data=issue).status_code == 302
    emission = models.Emission.get(models.Emission.document == "resultats-affichage")
    text = printed(client.get(f"/emissions/{emission.id}.pdf"), tmp_path)[0]
    assert "Martin Léa" in text and "le titre professionnel" in text
    assert "Partiel Léa" in text and "CP-02" in text and "CP-01" not in text
    assert "Bernard" not in text and "Echec" not in text
    assert item_state(session, "resultats_affichage") == ("done", dt.date(2027, 4, 10))
    # The relevé: every candidate with their CERES identifier, to check the PV against.
    statement = printed(client.get(f"/sessions/{session.id}/resultats.pdf"), tmp_path, "releve.pdf")[0]
    assert all(name in statement for name in ("Martin Léa", "Bernard Léa", "Echec Léa", "Validation partielle"))


def test_a_task_that_applies_only_en_cas_de_offers_non_survenu_first_and_done_asks_for_its_report(client, auth, session):
    auth.login()
    plis = models.ChecklistItem.get((models.ChecklistItem.session == session)
                                    & (models.ChecklistItem.text == "Annuler la session en cas de plis non scellés"))
    assert plis.conditional and not plis.long_running
    row = client.get(f"/sessions/{session.id}").get_data(as_text=True)
    fragment = row[row.index(f'id="item-{plis.id}"'):]
    assert fragment.index("Non survenu") < fragment.index("Survenu : fait")
    answer = client.post(f"/items/{plis.id}/done", data={"done_on": "2027-01-30"}, headers=HTMX)
    assert answer.status_code == 422 and "écrivez d'abord dans l'observation ce qui est survenu" in text_of(answer)
    assert models.ChecklistItem.get_by_id(plis.id).state == "todo"
    assert client.post(f"/items/{plis.id}/na", data={"reason": "Non survenu"}, headers=HTMX).status_code == 200
    assert (models.ChecklistItem.get_by_id(plis.id).state, models.ChecklistItem.get_by_id(plis.id).na_reason) == (
        "na", "Non survenu")
    # Done once what happened is written (or the report attached).
    fraude = models.ChecklistItem.get((models.ChecklistItem.session == session)
                                      & models.ChecklistItem.text.startswith("En cas de fraude"))
    client.post(f"/items/{fraude.id}/observation", data={"observation": "Téléphone utilisé, rapport au PV.",
                                                         "version": str(fraude.version)}, headers=HTMX)
    assert client.post(f"/items/{fraude.id}/done", data={"done_on": "2027-01-30"}, headers=HTMX).status_code == 200
    # The tasks that run for months do not hold the closing back.
    long_running = {i.key for i in models.ChecklistItem.select().where(
        (models.ChecklistItem.session == session) & models.ChecklistItem.long_running)}
    assert long_running == {"conservation", "suivi_insertion"}


def follow_up(client, candidat, **changes):
    return client.post(f"/candidats/{candidat.id}/insertion", data={
        "situation": "emploi_metier", "canal": "telephone", "date_contact": "2027-09-20", **changes})


def test_the_insertion_follow_up_is_due_months_after_the_session_for_those_present_and_runs_on_after_closing(
        app, client, auth, exam):
    session, martin, bernard = exam  # its last day: 18/03/2027; the follow-up is due 6 months later
    for today, listed in ((dt.date(2027, 7, 1), None), (dt.date(2027, 8, 25), "À venir"),
                          (dt.date(2027, 9, 25), "À faire"), (dt.date(2027, 10, 30), "En retard")):
        app.config["TODAY"] = today
        page = text_of(client.get("/suivi-insertion"))
        assert ("Martin Léa" in page) is (listed is not None), today
        assert "Bernard" not in page  # absent: not followed
        if listed:
            assert f"Martin Léa DWWM du 15/03/2027 18/09/2027 {listed}" in page
    app.config["TODAY"] = dt.date(2027, 9, 25)
    from domain import reminders
    digest = next(d for d in reminders.digests(dt.date(2027, 9, 25), 6) if d.user.email == "resp@a.fr")
    assert digest.insertion_due == 1 and "1 suivi d'insertion à faire" in digest.subject
    refused = follow_up(client, bernard)
    assert refused.status_code == 422 and "n'a pas été présent(e) aux épreuves" in text_of(refused)
    for changes, message in (({"date_contact": "2027-03-10"}, "après la session"),
                             ({"date_contact": "2027-09-30"}, "est à venir"),
                             ({"situation": "rentier"}, "Situation : choisissez"),
                             ({"canal": "pigeon"}, "Moyen de contact : choisissez")):
        answer = follow_up(client, martin, **changes)
        assert answer.status_code == 422 and message in text_of(answer), changes
    assert models.SuiviInsertion.select().count() == 0
    # Closed meanwhile: the follow-up goes on, journalled after the seal; every candidate present followed,
    # the guide's task is done that day.
    settle_regulatory_tasks(session)
    models.ChecklistItem.update(state="todo").where(models.ChecklistItem.key == "suivi_insertion").execute()
    assert client.post(f"/sessions/{session.id}/cloture", data={"motif": "Test"}).status_code in (200, 302)
    assert follow_up(client, martin).status_code == 302
    assert item_state(session, "suivi_insertion") == ("done", dt.date(2027, 9, 20))
    assert json_of(client, session)["insertion"] == [
        {"candidat_id": martin.id, "situation": "emploi_metier", "date_contact": "2027-09-20", "canal": "telephone"}]
    assert "Aucun suivi à faire pour l'instant" in text_of(client.get("/suivi-insertion"))
    assert "Martin Léa : En emploi dans le métier" in text_of(client.get(f"/sessions/{session.id}/history"))


def test_a_partial_candidate_is_listed_with_the_ccps_left_and_registered_to_a_later_session(app, client, auth, exam):
    session, martin, bernard = exam
    assert result(client, martin, "partiel", CP_01="acquis", CP_02="non_acquis").status_code == 302
    later = create_session(date_debut="2027-06-01", date_fin="2027-06-03")
    other = create_session(sigle="CDA", date_debut="2027-06-01", date_fin="2027-06-03")
    page = text_of(client.get("/candidats/partiels"))
    assert "Martin Léa DWWM du 15/03/2027 au 18/03/2027 CP-01 CP-02" in page and "Bernard" not in page
    from domain import reminders
    digest = next(d for d in reminders.digests(dt.date(2027, 3, 18)) if d.user.email == "resp@a.fr")
    assert digest.partials == 1 and "1 validation partielle à suivre" in digest.subject
    assert next(d for d in reminders.digests(dt.date(2028, 4, 1), 6, 12) if d.user.email == "resp@a.fr").partials == 0
    assert f'value="{later.id}"' in client.get("/candidats/partiels").get_data(as_text=True)
    for target, message in ((other.id, "choisissez une session de DWWM"), (session.id, "qui commence après le 18/03/2027")):
        answer = client.post(f"/candidats/{martin.id}/inscrire", data={"session_id": str(target)})
        assert answer.status_code == 422 and message in text_of(answer)
    answer = client.post(f"/candidats/{bernard.id}/inscrire", data={"session_id": str(later.id)})
    assert answer.status_code == 422 and "n'a pas de validation partielle" in text_of(answer)
    assert client.post(f"/candidats/{martin.id}/inscrire", data={"session_id": str(later.id)}).status_code == 302
    again = models.Candidat.get(models.Candidat.session == later.id)
    assert (again.nom, again.email, again.adresse, again.precedent) == ("Martin", martin.email, martin.adresse, martin.id)
    answer = client.post(f"/candidats/{martin.id}/inscrire", data={"session_id": str(later.id)})
    assert answer.status_code == 422 and "déjà inscrit(e)" in text_of(answer)
    assert "Inscrit(e) à la session du 01/06/2027" in text_of(client.get("/candidats/partiels"))
    from domain import reminders
    digest = next(d for d in reminders.digests(dt.date(2027, 3, 18)) if d.user.email == "resp@a.fr")
    assert digest.partials == 0  # registered again: nothing to remind
    assert "CCP restant : CP-02" in text_of(client.get(f"/sessions/{later.id}/history"))


def seed_results(session_header, decisions, copy_back=True):
    """A session with candidates and their results (and follow-ups), as the routes would leave them."""
    session = create_session(**session_header)
    for number, (decision, ccp, situation) in enumerate(decisions):
        candidat = models.Candidat.create(session=session, nom=f"Nom{number}", prenom="P", date_naissance="1990-01-01",
                                          parcours="formation")
        models.Resultat.create(candidat=candidat, session=session, decision=decision, ccp=ccp)
        if situation:
            models.SuiviInsertion.create(candidat=candidat, session=session, situation=situation,
                                         date_contact=session.date_fin + dt.timedelta(days=190), canal="telephone")
    if copy_back:
        models.EtapePv.create(session=session, etape="copie_ud_recue", date=session.date_fin + dt.timedelta(days=20))
    return session


def test_the_rates_match_a_hand_count_and_are_published_without_names(app, client, auth, db):
    both, one, none = ({"CP-01": "acquis", "CP-02": "acquis"}, {"CP-01": "acquis", "CP-02": "non_acquis"},
                       {"CP-01": "non_acquis", "CP-02": "non_acquis"})
    seed_results({"date_debut": "2026-06-08", "date_fin": "2026-06-10"}, [
        ("titre", both, "emploi_metier"), ("titre", both, "recherche"), ("partiel", one, "sans_nouvelles"),
        ("non_obtenu", none, None), ("absent", none, None)])
    seed_results({"date_debut": "2026-11-02", "date_fin": "2026-11-04"}, [("titre", both, None)] * 3, copy_back=False)
    seed_results({"sigle": "TP SEC", "nature": "CCP", "libelle_ccp": "Comptabilité", "code_ccp": "CP-3",
                  "date_debut": "2027-02-08", "date_fin": "2027-02-10"}, [("obtenu", None, None), ("non_obtenu", None, None)])
    app.config["TODAY"] = dt.date(2027, 3, 1)  # the June session's follow-ups are due (10/12/2026), not February's
    auth.login()
    page = text_of(client.get("/indicateurs"))
    # By hand. DWWM 2026 (the November session's PV copy is not back: not counted): 5 registered, 4 present
    # (80 %), 2 titres (2 / 4), 1 partial, 5 CCPs; 4 follow-ups due, 2 answered (« sans nouvelles » is not an
    # answer), 1 in a job (1 / 2). TP SEC 2027: 2 registered and present, 1 obtained, no follow-up due yet.
    assert ("2026 DWWM Développeur web et web mobile 1 5 80 % (4 / 5) 50 % (2 / 4) 1 5 50 % (1 / 2) 50 % (2 / 4)"
            in page), page
    assert "2027 TP SEC" in page and "2 100 % (2 / 2) 50 % (1 / 2) 0 0 — —" in page
    assert "Toutes les sessions comptées 2 7 86 % (6 / 7) 50 % (3 / 6) 1 5 50 % (1 / 2) 50 % (2 / 4)" in page
    only = text_of(client.get("/indicateurs?annee=2026&titre=DWWM"))
    assert "2026 DWWM" in only and "2027 TP SEC" not in only
    csv = client.get("/indicateurs.csv?annee=2026").get_data(as_text=True)
    assert "2026;DWWM;Développeur web et web mobile;1;5;4;80 %;2;50 %;1;5;4;2;1;50 %;50 %;10/06/2026" in csv
    # Public once an administrator publishes them: aggregates only, never a name.
    auth.logout()
    centre = models.Centre.get(models.Centre.name == "Centre A")
    assert client.get(f"/public/{centre.id}/indicateurs").status_code == 404
    auth.login("admin@test.fr")
    assert client.post(f"/admin/centres/{centre.id}/indicateurs", data={"publier": "1"}).status_code == 302
    auth.logout()
    public = client.get(f"/public/{centre.id}/indicateurs")
    assert public.status_code == 200
    text = text_of(public)
    assert "80 % (4 / 5)" in text and "Dernière session comptée : terminée le 10/02/2027" in text
    assert "Nom0" not in text and "Nom1" not in text
    assert client.get("/public/999/indicateurs").status_code == 404


def test_a_candidate_with_a_result_is_withdrawn_not_deleted_and_a_juror_removed_evaluates_no_more(app, client, exam):
    session, martin, bernard = exam
    assert result(client, bernard, "absent").status_code == 302
    refused = client.post(f"/candidats/{bernard.id}/remove")
    assert refused.status_code == 409 and "1 émargement, 1 résultat" in text_of(refused)
    assert client.post(f"/candidats/{bernard.id}/withdraw").status_code == 302
    durand, petit = (models.Jure.get(models.Jure.nom == nom) for nom in ("Durand", "Petit"))
    client.post(f"/candidats/{martin.id}/evaluateurs", data={"jure_id": [str(durand.id), str(petit.id)]})
    assert client.post(f"/sessions/{session.id}/jury/{petit.id}/remove").status_code == 302
    assert [e.jure_id for e in models.Evaluateur.select()] == [durand.id]


def test_the_rates_read_as_many_queries_for_one_session_as_for_many(client, auth, db):
    from database import counting_queries
    auth.login()
    counts = []
    for number in (1, 6):
        for _ in range(number):
            seed_results({"date_debut": "2026-06-08", "date_fin": "2026-06-10"},
                         [("titre", None, "emploi_metier"), ("absent", None, None)])
        with counting_queries() as queries:
            assert client.get("/indicateurs").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_after_the_closing_the_posted_results_and_attestations_are_issued_and_nothing_else(app, client, exam, monkeypatch):
    session, martin, bernard = exam
    assert result(client, martin, "titre", CP_01="acquis", CP_02="acquis").status_code == 302
    app.config["TODAY"] = dt.date(2027, 4, 10)
    monkeypatch.setattr(formats, "clock", lambda: dt.datetime(2027, 4, 10, 10, 0, tzinfo=formats.ZoneInfo("Europe/Paris")))
    for etape, date, extra in (("signe_jury", "2027-03-18", {}), ("contresigne", "2027-03-19", {})):
        assert step(client, session, etape, date, **extra).status_code == 302
    settle_regulatory_tasks(session)
    assert client.post(f"/sessions/{session.id}/cloture", data={"motif": "Test"}).status_code in (200, 302)
    for etape, date, extra in (("envoye_ud", "2027-03-20", {"mode": "depot"}), ("copie_ud_recue", "2027-04-01", {})):
        assert step(client, session, etape, date, **extra).status_code == 302
    assert client.post(f"/sessions/{session.id}/emissions", data={"document": "resultats-affichage"}).status_code == 302
    assert client.post(f"/sessions/{session.id}/emissions", data={"document": "affichage"}).status_code == 409
    page = text_of(client.get(f"/sessions/{session.id}/emissions"))
    assert "les attestations de présence des jurés et les résultats à afficher s'émettent encore" in page
    assert [e.document for e in models.Emission.select().where(models.Emission.session == session)
            if e.document != "convocations-jury"] == ["resultats-affichage"]
