"""The register, first part: the centre's directory of jurors and their habilitations."""
import datetime as dt

import pytest

import models
from helpers import text_of

JUROR = {"nom": "Durand", "prenom": "Paul", "email": " Paul.Durand@Jury.fr ", "telephone": "06 12 34 56 78",
         "professionnalise_le": "2025-06-12", "sigle": "dwwm", "valide_jusqu_au": "2029-12-31",
         "ccp": "CP-01234 , CP-01235"}


def test_a_juror_is_created_with_a_first_habilitation_and_listed_for_the_centre(client, auth, db):
    auth.login()
    response = client.post("/jures", data=JUROR)
    assert response.status_code == 302
    jure = models.Jure.get()
    assert (jure.centre.name, jure.nom, jure.email, jure.professionnalise_le) == (
        "Centre A", "Durand", "paul.durand@jury.fr", dt.date(2025, 6, 12))
    habilitation = jure.habilitations.get()
    assert (habilitation.sigle, habilitation.valide_jusqu_au, habilitation.ccp_codes) == (
        "DWWM", dt.date(2029, 12, 31), ["CP-01234", "CP-01235"])
    data = client.get("/jures.json").get_json()
    assert data == {"jures": [{
        "id": jure.id, "centre": "Centre A", "nom": "Durand", "prenom": "Paul", "email": "paul.durand@jury.fr",
        "telephone": "06 12 34 56 78", "professionnalise_le": "2025-06-12", "active": True,
        "habilitations": [{"id": habilitation.id, "sigle": "DWWM", "valide_jusqu_au": "2029-12-31",
                           "ccp": ["CP-01234", "CP-01235"]}]}]}
    page = text_of(client.get("/jures"))
    assert "Durand Paul" in page and "DWWM jusqu'au 31/12/2029 (CCP CP-01234, CP-01235)" in page
    events = [(e.action, e.centre.name) for e in models.AdminEvent.select().order_by(models.AdminEvent.id)]
    assert events == [("Juré ajouté à l'annuaire", "Centre A"), ("Habilitation ajoutée", "Centre A")]


@pytest.mark.parametrize("change, field, message", [
    ({"nom": ""}, "nom", "Nom : ce champ est obligatoire."),
    ({"email": "paul@intranet"}, "email", "Adresse e-mail invalide"),
    ({"telephone": "06 <script>"}, "telephone", "chiffres, espaces"),
    ({"professionnalise_le": "31/02/2025"}, "professionnalise_le", "n'existe pas"),
    ({"valide_jusqu_au": ""}, "valide_jusqu_au", "indiquez une date"),
    ({"ccp": "CP-1;DROP"}, "ccp", "séparés par des virgules"),
    ({"prenom": "x" * 101}, "prenom", "trop long"),
])
def test_a_refused_juror_keeps_what_was_typed_and_saves_nothing(client, auth, db, change, field, message):
    auth.login()
    response = client.post("/jures", data={**JUROR, **change})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in text_of(response)
    assert f'id="{field}-error"' in page or f'id="hab-{field}-error"' in page
    assert 'value="Durand"' in page or field == "nom"  # what was typed is kept
    assert models.Jure.select().count() == 0 and models.AdminEvent.select().count() == 0


def test_one_email_per_juror_in_a_centre(client, auth, db):
    auth.login()
    client.post("/jures", data=JUROR)
    response = client.post("/jures", data={**JUROR, "nom": "Autre"})
    assert response.status_code == 422 and "déjà cette adresse" in text_of(response)
    auth.logout()
    auth.login("resp@b.fr")  # another centre may have the same person in its own directory
    assert client.post("/jures", data=JUROR).status_code == 302


def test_habilitations_are_added_and_a_juror_is_deactivated_never_deleted(client, auth, db):
    auth.login()
    client.post("/jures", data={k: v for k, v in JUROR.items() if k not in ("sigle", "valide_jusqu_au", "ccp")})
    jure = models.Jure.get()
    assert jure.habilitations.count() == 0
    response = client.post(f"/jures/{jure.id}/habilitations", data={"sigle": "CDA", "valide_jusqu_au": "2028-01-31"})
    assert response.status_code == 302
    refused = client.post(f"/jures/{jure.id}/habilitations", data={"sigle": "", "valide_jusqu_au": "2028-13-01"})
    assert refused.status_code == 422 and "Sigle du titre : ce champ est obligatoire." in text_of(refused)
    assert client.post(f"/jures/{jure.id}/deactivate").status_code == 302
    assert not models.Jure.get_by_id(jure.id).active
    assert client.get("/jures.json").get_json()["jures"][0]["active"] is False
    assert "Réactiver ce juré" in text_of(client.get(f"/jures/{jure.id}"))
    client.post(f"/jures/{jure.id}", data={**JUROR, "telephone": "+33 6 12 34 56 78"})
    assert models.Jure.get_by_id(jure.id).telephone == "+33 6 12 34 56 78"


def test_another_centres_jurors_stay_unknown(client, auth, db):
    other = models.Jure.create(centre=models.Centre.get(models.Centre.name == "Centre B"), nom="Martin",
                               prenom="Anne", email="anne@b.fr")
    auth.login()
    assert client.get("/jures.json").get_json() == {"jures": []}
    assert "Martin" not in text_of(client.get("/jures"))
    assert client.get(f"/jures/{other.id}").status_code == 404
    auth.logout()
    auth.login("admin@test.fr")
    assert [j["centre"] for j in client.get("/jures.json").get_json()["jures"]] == ["Centre B"]
