"""Creating, editing, listing and exporting exam sessions."""
import pytest

import models
from helpers import HEADER, text_of


def post_session(client, url="/sessions", **changes):
    return client.post(url, data={**HEADER, **changes})


def test_creating_a_session_copies_the_99_tasks_of_the_guide(client, auth, db):
    auth.login()
    response = post_session(client)
    assert response.status_code == 302
    session = models.ExamSession.get()
    assert response.headers["Location"] == f"/sessions/{session.id}"
    assert session.centre.name == "Centre A"
    assert (session.sigle, session.nature, str(session.date_debut), session.nb_vae) == ("DWWM", "TITRE", "2027-03-15", 2)
    items = session.ordered_items()
    assert len(items) == 99
    assert [i.position for i in items] == list(range(1, 100))
    assert all(i.state == "todo" for i in items)
    assert models.AuditEvent.get(models.AuditEvent.session == session).field == "created"


def test_the_session_page_reads_like_the_paper_form(client, auth, session):
    auth.login()
    response = client.get(f"/sessions/{session.id}")
    assert response.status_code == 200
    page = text_of(response)
    assert page.count("Tâches à réaliser Réglementaire Conseil Fait le Observations") == 7
    assert "Développeur web et web mobile" in page and "du 15/03/2027 au 18/03/2027" in page
    assert "Toutes les tâches : 0/98" in page and "Tâches réglementaires : 0/75" in page
    assert "Accueillir les membres de jury :" in page
    html = response.get_data(as_text=True)
    assert "<u>3 mois avant la date de la session</u>" in html
    assert html.count('item--sub"') == 7


def test_a_new_site_is_created_for_the_centre_and_an_existing_one_reused(client, auth, db):
    auth.login()
    post_session(client, site="Villeurbanne")
    post_session(client, site="villeurbanne")
    sites = models.Site.select().where(models.Site.name ** "villeurbanne")
    assert [s.name for s in sites] == ["Villeurbanne"]
    response = client.get("/sessions/new")
    assert '<option value="Villeurbanne">' in response.get_data(as_text=True)


def test_a_ccp_session_needs_the_ccp_label(client, auth, db):
    auth.login()
    response = post_session(client, nature="CCP", libelle_ccp="")
    assert response.status_code == 422
    assert "obligatoire pour une session CCP" in text_of(response)
    response = post_session(client, nature="CCP", libelle_ccp="Développer la partie front-end", code_ccp="CP-01")
    assert response.status_code == 302
    assert models.ExamSession.get().libelle_ccp == "Développer la partie front-end"


@pytest.mark.parametrize("changes, message", [
    ({"date_debut": "2027-02-30"}, "le 30/02/2027 n'existe pas"),
    ({"date_debut": "2027-13-01"}, "n'existe pas"),
    ({"date_debut": "0000-00-00"}, "n'existe pas"),
    ({"date_debut": "demain"}, "n'est pas une date"),
    ({"date_fin": ""}, "Date de fin : indiquez une date"),
    ({"date_fin": "2027-03-14"}, "est avant la date de début"),
    ({"nb_formation": "-1"}, "nombre entier positif ou nul"),
    ({"nb_vae": "2.5"}, "nombre entier positif ou nul"),
    ({"nb_vae": "100000000000000000000"}, "999 candidats au plus"),
    ({"nature": "BTS"}, "choisissez TITRE, CCP ou CCS"),
    ({"titre": "   "}, "ce champ est obligatoire"),
    ({"sigle": "x" * 31}, "trop long"),
    ({"responsable": "Karim\x07"}, "caractères non autorisés"),
])
def test_bad_input_is_refused_with_a_french_message_and_nothing_saved(client, auth, db, changes, message):
    auth.login()
    response = post_session(client, **changes)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in text_of(response)
    assert "La session n'a pas été enregistrée" in page
    assert models.ExamSession.select().count() == 0
    assert models.ChecklistItem.select().count() == 0
    # What the user typed is still in the form.
    assert 'value="Nadia Morel"' in page


def test_a_nul_byte_anywhere_is_refused(client, auth, db):
    auth.login()
    response = post_session(client, responsable="Karim\x00")
    assert response.status_code == 400
    assert "caractères non autorisés" in text_of(response)
    assert models.ExamSession.select().count() == 0


def test_missing_fields_are_refused_not_crashed(client, auth, db):
    auth.login()
    response = client.post("/sessions", data={})
    assert response.status_code == 422
    assert models.ExamSession.select().count() == 0


def test_french_dates_typed_by_hand_are_accepted(client, auth, db):
    auth.login()
    assert post_session(client, date_debut="15/03/2027", date_fin="18/03/2027").status_code == 302
    assert str(models.ExamSession.get().date_fin) == "2027-03-18"


def test_editing_the_header_keeps_the_checklist_and_is_audited(client, auth, session):
    auth.login()
    item = session.ordered_items()[0]
    client.post(f"/items/{item.id}/done")
    response = client.get(f"/sessions/{session.id}/edit")
    assert 'value="2027-03-15"' in response.get_data(as_text=True)
    response = post_session(client, f"/sessions/{session.id}", date_debut="2027-04-12", date_fin="2027-04-15")
    assert response.status_code == 302
    session = models.ExamSession.get_by_id(session.id)
    assert str(session.date_debut) == "2027-04-12"
    assert models.ChecklistItem.get_by_id(item.id).state == "done"
    event = models.AuditEvent.get(models.AuditEvent.field == "date_debut")
    assert (event.old_value, event.new_value) == ("15/03/2027", "12/04/2027")
    assert "12/04/2027" in text_of(client.get(f"/sessions/{session.id}/history"))


def test_an_invalid_edit_changes_nothing(client, auth, session):
    auth.login()
    response = post_session(client, f"/sessions/{session.id}", titre="Nouveau titre", date_fin="2027-01-01")
    assert response.status_code == 422
    assert 'value="Nouveau titre"' in response.get_data(as_text=True)
    assert models.ExamSession.get_by_id(session.id).titre == HEADER["titre"]


def test_the_list_shows_the_sessions_of_the_users_centre_with_progress(client, auth, session, other_session):
    auth.login()
    page = text_of(client.get("/"))
    assert "DWWM" in page and "CDA" not in page
    assert "Toutes les tâches : 0/98" in page and "Réglementaires : 0/75" in page


def test_an_admin_sees_every_centre_and_chooses_the_centre_of_a_new_session(client, auth, session, other_session):
    auth.login("admin@test.fr")
    page = text_of(client.get("/"))
    assert "DWWM" in page and "CDA" in page
    response = post_session(client)
    assert response.status_code == 422 and "choisissez un centre" in text_of(response)
    response = post_session(client, centre="Centre B")
    assert response.status_code == 302
    assert models.ExamSession.select().order_by(models.ExamSession.id.desc()).first().centre.name == "Centre B"


def test_an_unknown_session_says_so_in_french(client, auth, db):
    auth.login()
    assert "Page introuvable" in text_of(client.get("/sessions/999999"))


def test_lecteur_sees_a_session_without_its_controls(client, auth, session):
    auth.login("lecteur@a.fr")
    page = client.get(f"/sessions/{session.id}").get_data(as_text=True)
    assert "Marquer sans objet" not in page and "Modifier l'en-tête" not in page


def test_the_json_export_holds_the_whole_session(client, auth, session):
    auth.login()
    item = session.ordered_items()[1]
    client.post(f"/items/{item.id}/done", data={"done_on": "2027-01-20"})
    client.post(f"/items/{item.id}/observation", data={"observation": "Réunion d'information faite", "version": "1"})
    data = client.get(f"/sessions/{session.id}.json").get_json()
    assert data["session"]["centre"] == "Centre A" and data["session"]["site"] == "Lyon Gerland"
    assert data["session"]["date_debut"] == "2027-03-15" and data["session"]["nb_formation"] == 10
    assert [len(p["items"]) for p in data["phases"]] == [14, 15, 11, 15, 19, 16, 9]
    exported = data["phases"][0]["items"][1]
    assert exported["id"] == item.id
    assert (exported["state"], exported["done_on"], exported["version"]) == ("done", "2027-01-20", 2)
    assert exported["observation"] == "Réunion d'information faite"
    assert set(exported) >= {"text", "details", "reglementaire", "conseil", "na_reason"}
    convoquer = data["phases"][2]["items"][1]
    assert convoquer["details"][0] == "le lieu, la date et l'heure de l'examen ;"


def test_markup_typed_by_users_is_shown_as_text(client, auth, db):
    auth.login()
    post_session(client, titre="<script>alert(1)</script> & Cie")
    session = models.ExamSession.get()
    html = client.get(f"/sessions/{session.id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Cie" in html


def test_jour_j_shows_the_exam_day_tables_and_what_is_still_due(client, auth, session):
    auth.login()
    ceres = next(i for i in session.ordered_items() if i.text.startswith("Créer la session dans CERES"))
    client.post(f"/items/{ceres.id}/done")
    page = text_of(client.get(f"/sessions/{session.id}/jour-j"))
    assert "5. Ouverture de la session" in page and "6. Déroulement des épreuves" in page
    # Other tableaux show only their tasks still due, under their title with the tableau's progress.
    assert "7. Après la session" not in page
    still = page[page.index("Encore à faire avant la fin de la session"):page.index("5. Ouverture de la session")]
    assert "1. Programmation" in still and "traitées" in still
    # Still to do before the end: the late three-month tasks, not the one done, not those without deadline.
    assert "Enregistrer la demande d'épreuves dans CERES" in page
    assert "Créer la session dans CERES" not in page
    assert "Créer le dossier administratif de la session" not in page
