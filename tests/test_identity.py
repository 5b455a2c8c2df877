"""The centre's identity (the letterhead), its sites' signatory and agréments: changed by an
administrator (only the fields a form sends), read by the centre's users, checked (SIRET key, images
by Pillow), and the check `agrement` on the guide's two agrément tasks."""
import io

import pytest

import models
from domain import checks, identity
from helpers import CANDIDATE, TODAY, jpeg_bytes, png_bytes, text_of

IDENTITY = {"name": "Centre A", "adresse": "12 rue de la Gare\nBâtiment B", "code_postal": "69007", "ville": "Lyon",
            "telephone": "04 72 00 00 00", "email": "Contact@Centre-A.fr", "siret": "732 829 320 00074",
            "nda": "84 69 12345 69"}


def post_centre(client, centre, data, files=None):
    body = {**data, **{name: (io.BytesIO(content), filename) for name, (content, filename) in (files or {}).items()}}
    return client.post(f"/admin/centres/{centre.id}", data=body, content_type="multipart/form-data")


def test_an_administrator_sets_the_centres_identity_and_a_form_changes_only_what_it_sends(client, auth, db):
    auth.login("admin@test.fr")
    centre = models.Centre.get(models.Centre.name == "Centre A")
    assert post_centre(client, centre, IDENTITY, {"logo": (png_bytes(), "logo.png")}).status_code == 302
    stored = models.Centre.get_by_id(centre.id)
    assert (stored.adresse, stored.code_postal, stored.ville, stored.email, stored.siret, stored.nda) == (
        "12 rue de la Gare\nBâtiment B", "69007", "Lyon", "contact@centre-a.fr", "73282932000074", "84691234569")
    assert bytes(stored.logo) == png_bytes()
    # Only the name sent: only the name changes.
    assert post_centre(client, centre, {"name": "Centre A Lyon"}).status_code == 302
    stored = models.Centre.get_by_id(centre.id)
    assert (stored.name, stored.ville, stored.siret, stored.logo is not None) == ("Centre A Lyon", "Lyon", "73282932000074",
                                                                                True)


@pytest.mark.parametrize("change, files, message", [
    ({"siret": "73282932000075"}, None, "SIRET : la clé de contrôle ne correspond pas"),
    ({"siret": "7328293200007"}, None, "SIRET : 14 chiffres"),
    ({"code_postal": "6900"}, None, "Code postal : 5 chiffres"),
    ({"nda": "12"}, None, "Numéro de déclaration d'activité : 11 chiffres"),
    ({}, {"logo": (b"%PDF-1.4 not an image", "logo.png")}, "Logo : image illisible"),
    ({}, {"logo": (b"\x89PNG" + b"0" * 3000, "logo.png")}, "Logo : 3 Ko pour 2 Ko au plus"),
])
def test_a_wrong_identity_is_refused_with_what_was_typed_kept_and_nothing_changed(client, auth, db, change, files,
                                                                                  message, monkeypatch):
    # A logo's limit (1 MB) lowered: the test client spools bigger bodies to files it leaves open.
    import dataclasses
    monkeypatch.setattr(identity, "LOGO_MAX_BYTES", 2048)  # the request's limit (app.py)
    monkeypatch.setattr(identity, "CENTRE", dataclasses.replace(identity.CENTRE, image=("logo", "Logo", 2048,
                                                                                          ("PNG", "JPEG"))))
    auth.login("admin@test.fr")
    centre = models.Centre.get(models.Centre.name == "Centre A")
    response = post_centre(client, centre, {**IDENTITY, **change}, files)
    assert response.status_code == 422 and message in text_of(response), text_of(response)[:600]
    assert 'value="Lyon"' in response.get_data(as_text=True)  # what was typed, shown again
    stored = models.Centre.get_by_id(centre.id)
    assert (stored.ville, stored.siret, stored.logo) == ("", "", None)


def test_a_sites_signatory_and_signature_are_kept_and_a_jpeg_signature_is_refused(client, auth, db, session):
    auth.login("admin@test.fr")
    site = session.site
    data = {"adresse": "3 avenue Tony Garnier", "code_postal": "69007", "ville": "Lyon",
            "signataire_nom": "Karim Benali", "signataire_qualite": "Directeur"}
    refused = client.post(f"/admin/sites/{site.id}", content_type="multipart/form-data",
                          data={**data, "signature": (io.BytesIO(jpeg_bytes()), "signature.jpg")})
    assert refused.status_code == 422 and "Signature : un fichier PNG" in text_of(refused)
    assert models.Site.get_by_id(site.id).signataire_nom == ""
    done = client.post(f"/admin/sites/{site.id}", content_type="multipart/form-data",
                       data={**data, "signature": (io.BytesIO(png_bytes()), "signature.png")})
    assert done.status_code == 302
    stored = models.Site.get_by_id(site.id)
    assert (stored.name, stored.ville, stored.signataire_nom, bytes(stored.signature)) == (
        site.name, "Lyon", "Karim Benali", png_bytes())
    auth.logout()
    # The centre's users read it; another centre's do not.
    auth.login()
    data = client.get(f"/centres/{session.centre_id}.json").get_json()
    assert data["sites"][0]["signataire_nom"] == "Karim Benali" and data["sites"][0]["signature"] is True
    assert "Karim Benali, Directeur" in text_of(client.get(f"/centres/{session.centre_id}"))
    auth.logout()
    auth.login("resp@b.fr")
    assert client.get(f"/centres/{session.centre_id}.json").status_code == 404


def agrement(client, site, **change):
    data = {"sigle": "DWWM", "millesime": "", "reference": "AGR-69-2025-012", "valide_du": "2025-01-01",
            "valide_au": "2028-12-31", "plateau_technique": "Salle informatique de 12 postes", "nombre_candidats": "12",
            **change}
    return client.post(f"/admin/sites/{site.id}/agrements", data=data)


def check_of(session):
    return next(c for c in checks.run(checks.load_register(session), TODAY) if c.code == "agrement")


def test_the_agrement_check_on_the_guides_two_tasks(client, auth, session):
    assert check_of(session).ok is None  # no agrément recorded at all: an installation that keeps none
    auth.login("admin@test.fr")
    assert agrement(client, session.site, valide_au="2027-03-16").status_code == 302  # ends before the last day
    found = check_of(session)
    assert found.ok is False and "Aucun agrément du site ne couvre DWWM" in found.message
    refused = agrement(client, session.site, valide_au="2024-01-01")
    assert refused.status_code == 422 and "la fin de l'agrément doit suivre son début" in text_of(refused)
    assert agrement(client, session.site, millesime=session.millesime).status_code == 302
    assert check_of(session).ok is True
    for index in range(13):
        client.post(f"/sessions/{session.id}/candidats", data={**CANDIDATE, "nom": f"Nom{chr(65 + index)}"})
    found = check_of(session)
    assert found.ok is False and "l'agrément en prévoit 12 au plus" in found.message
    page = text_of(client.get(f"/sessions/{session.id}/agrement"))
    assert "AGR-69-2025-012" in page and "Agrément du site pour la session" in page
    keyed = models.ChecklistItem.select().where((models.ChecklistItem.session == session)
                                                & models.ChecklistItem.key.in_(["agrement_ceres", "agrement_decision"]))
    assert keyed.count() == 2
    assert client.get(f"/centres/{session.centre_id}.json").get_json()["sites"][0]["agrements"][0]["valide_du"] == \
        "2025-01-01"


def test_a_jurors_postal_address_and_civility_are_kept(client, auth, db):
    auth.login()
    response = client.post("/jures", data={"civilite": "Madame", "nom": "Roux", "prenom": "Anne", "email": "anne@jury.fr",
                                           "adresse": "5 place Bellecour", "code_postal": "69002", "ville": "Lyon"})
    assert response.status_code == 302
    jure = models.Jure.get()
    assert (jure.civilite, jure.adresse, jure.code_postal, jure.ville) == ("Madame", "5 place Bellecour", "69002", "Lyon")
    refused = client.post(f"/jures/{jure.id}", data={"nom": "Roux", "prenom": "Anne", "email": "anne@jury.fr",
                                                     "code_postal": "690", "civilite": "Docteur", "version": "0"})
    assert refused.status_code == 422 and "Code postal : 5 chiffres" in text_of(refused)
    assert "Civilité : Madame, Monsieur" in text_of(refused)
