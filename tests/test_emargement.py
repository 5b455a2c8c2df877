"""Exam day's sign-in, as the tablet sends it: recorded once per submission, a second signature only as
an explicit correction, absences on the checklist and in the JSON, signatures drawn on the sheets."""
import datetime as dt
import subprocess

import pytest

import models
from helpers import SIGNATURE, now_iso, printed, signin, text_of


@pytest.fixture
def day(register, exam_day):  # noqa: F811
    epreuve = models.Epreuve.get(models.Epreuve.libelle == "Mise en situation professionnelle")
    strauss = models.Candidat.get(models.Candidat.nom == "Strauß")
    oconnor = models.Candidat.get(models.Candidat.nom == "O’Connor")
    return register, epreuve, strauss, oconnor


def test_a_signature_is_recorded_once_whatever_the_number_of_times_it_arrives(client, day):
    session, epreuve, strauss, _ = day
    first = signin(client, session, epreuve, {"candidat_id": str(strauss.id)})
    assert first.status_code == 200
    line = text_of(first)
    assert "Strauß Ñuria" in line and "Présent(e), signé à" in line
    assert f'id="signin-{epreuve.id}-candidat-{strauss.id}"' in first.get_data(as_text=True)
    assert '<path d="M10 20 L40 60 L80 30 L120 90 M200 40 L260 80"/>' in first.get_data(as_text=True)
    again = signin(client, session, epreuve, {"candidat_id": str(strauss.id)})  # the tablet sent it again
    assert again.status_code == 200
    assert models.Emargement.select().count() == 1
    row = models.Emargement.get()
    assert (row.statut, row.user.email, row.correction) == ("present", "resp@a.fr", False)
    assert row.signature == SIGNATURE and row.recu_a is not None
    data = client.get(f"/sessions/{session.id}.json").get_json()
    assert [(e["epreuve_id"], e["personne"], e["statut"]) for e in data["emargement"]] == [
        (epreuve.id, {"type": "candidat", "id": strauss.id}, "present")]
    assert "Strauß Ñuria, Mise en situation professionnelle du 15/03/2027 : présent(e), signé à" in text_of(
        client.get(f"/sessions/{session.id}/history"))


def test_a_second_signature_needs_an_explicit_correction_and_both_stay(client, day):
    session, epreuve, strauss, _ = day
    signin(client, session, epreuve, {"candidat_id": str(strauss.id)}, submission="first-submission")
    refused = signin(client, session, epreuve, {"candidat_id": str(strauss.id)}, statut="absent",
                     submission="second-submission")
    assert refused.status_code == 409 and "a déjà émargé" in text_of(refused) and "Corriger" in text_of(refused)
    assert models.Emargement.select().count() == 1
    corrected = signin(client, session, epreuve, {"candidat_id": str(strauss.id)}, statut="absent",
                       submission="third-submission", correction="1")
    assert corrected.status_code == 200 and "Absent(e), noté à" in text_of(corrected) and "(corrigé)" in text_of(corrected)
    assert [e.statut for e in models.Emargement.select().order_by(models.Emargement.id)] == ["present", "absent"]
    history = text_of(client.get(f"/sessions/{session.id}/history"))
    assert "présent(e) (corrigé)" in history


def test_absences_show_on_the_checklist_and_signatures_on_the_sheet(client, day, tmp_path):
    session, epreuve, strauss, oconnor = day
    signin(client, session, epreuve, {"candidat_id": str(strauss.id)}, submission="strauss-present", identite_verifiee="1")
    signin(client, session, epreuve, {"candidat_id": str(oconnor.id)}, statut="absent", submission="oconnor-absent",
           identite_verifiee="1")  # not for an absence
    jure = models.Jure.get()
    signin(client, session, epreuve, {"jure_id": str(jure.id)}, submission="jure-present")
    signin(client, session, epreuve, {"surveillant": "1"}, submission="surveillant-present")
    page = text_of(client.get(f"/sessions/{session.id}"))
    assert "Absences notées à l'émargement O’Connor Maëlle : Mise en situation professionnelle du 15/03/2027" in page
    text, pages, _, path = printed(client.get(f"/sessions/{session.id}/emargement.pdf"), tmp_path, "sheet.pdf")
    assert pages == 4  # one sheet per épreuve (deliberations are not one), one for the jury per day
    assert "Identité vérifiée" in text and "Strauß Ñuria VAE Oui" in text and "Visa du responsable de session" in text
    assert text.count("Feuille de présence du jury") == 2 and "Arrivée (heure)" in text
    signins = {s["personne"]["id"]: s for s in client.get(f"/sessions/{session.id}.json").get_json()["emargement"]
               if s["personne"]["type"] == "candidat"}
    assert (signins[strauss.id]["identite_verifiee"], signins[oconnor.id]["identite_verifiee"]) == (True, False)
    assert "Feuille d'émargement · Mise en situation professionnelle" in text and "Absent(e)" in text
    assert "Veille Surveillant" in text and "Durand Paul Membre du jury" in text
    images = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True).stdout
    drawn = [line.split() for line in images.splitlines()[2:]]
    assert [(row[0], row[2]) for row in drawn if row[2] == "image"] == [("1", "image")] * 3  # three signatures, page 1


@pytest.mark.parametrize("change, status, message", [
    ({"signature": ""}, 422, "Signature vide"),
    ({"signature": "M10 20"}, 422, "Signature vide"),
    ({"signature": "M10 20 L<script>"}, 422, "Signature illisible"),
    ({"signature": "M10 20 L9000 20"}, 422, "Signature illisible"),
    ({"signature": "M1 1 " + "L1 1 " * 14000}, 422, "trop volumineuse"),
    ({"statut": "peut-etre"}, 422, "Statut : présent ou absent"),
    ({"signe_a": "hier"}, 422, "Heure de signature illisible"),
    ({"signe_a": now_iso(dt.timedelta(days=2))}, 422, "vérifiez l'horloge"),
    ({"soumission_id": "x"}, 422, "sans identifiant"),
    ({"candidat_id": "999999"}, 422, "Personne inconnue"),
    ({"epreuve_id": "999999"}, 422, "Épreuve inconnue"),
])
def test_a_refused_sign_in_says_why_and_records_nothing(client, day, change, status, message):
    session, epreuve, strauss, _ = day
    data = {"candidat_id": str(strauss.id), **change}
    response = signin(client, session, epreuve, {}, **data) if "statut" not in change else \
        signin(client, session, epreuve, {"candidat_id": str(strauss.id)}, statut=change["statut"])
    assert response.status_code == status and message in text_of(response), text_of(response)[:300]
    assert models.Emargement.select().count() == 0


def test_a_lecteur_reads_the_sign_in_but_does_not_sign_and_other_centres_see_nothing(client, auth, day):
    session, epreuve, strauss, _ = day
    auth.logout()
    auth.login("lecteur@a.fr")
    page = client.get(f"/sessions/{session.id}/emargement?epreuve={epreuve.id}")
    assert page.status_code == 200 and "Strauß Ñuria" in text_of(page) and "data-sign" not in page.get_data(as_text=True)
    assert signin(client, session, epreuve, {"candidat_id": str(strauss.id)}).status_code == 403
    auth.logout()
    auth.login("resp@b.fr")
    assert client.get(f"/sessions/{session.id}/emargement").status_code == 404
    assert signin(client, session, epreuve, {"candidat_id": str(strauss.id)}).status_code == 404
    assert models.Emargement.select().count() == 0


def test_the_page_shows_todays_epreuves_with_a_line_per_person(client, auth, day):
    session, epreuve, _, _ = day
    page = text_of(client.get(f"/sessions/{session.id}/emargement"))
    assert "Aucune épreuve aujourd'hui (01/02/2027)" in page  # the épreuves are in March
    chosen = client.get(f"/sessions/{session.id}/emargement?epreuve={epreuve.id}")
    text = text_of(chosen)
    assert "Candidats" in text and "Jury et surveillant" in text and "Marc Veille Surveillant" in text
    assert chosen.get_data(as_text=True).count("data-signin") == 4 + 2
