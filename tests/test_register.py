"""The register, first part: the centre's directory of jurors and their habilitations."""
import datetime as dt
import io

import pytest

import models
import domain.candidates
from domain import intervenants
from helpers import CANDIDATE, EPREUVE, HTMX, JUROR, text_of


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
        "id": jure.id, "centre": "Centre A", "civilite": "", "nom": "Durand", "prenom": "Paul",
        "email": "paul.durand@jury.fr", "telephone": "06 12 34 56 78", "adresse": "", "code_postal": "", "ville": "",
        "professionnalise_le": "2025-06-12", "active": True,
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
    client.post(f"/jures/{jure.id}", data={**JUROR, "telephone": "+33 6 12 34 56 78", "version": "0"})
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


# --- A session's candidates and épreuves ----------------------------------------------------------------


def test_a_candidate_is_added_convoked_edited_and_removed_with_the_journal(client, auth, session):
    auth.login()
    assert client.post(f"/sessions/{session.id}/candidats", data=CANDIDATE).status_code == 302
    candidat = models.Candidat.get()
    assert (candidat.date_naissance, candidat.adresse, candidat.recevabilite_valide_jusqu_au) == (
        dt.date(1998, 4, 2), "12 rue des Lilas\n69007 Lyon", dt.date(2027, 9, 30))
    response = client.post(f"/candidats/{candidat.id}/convocation",
                           data={"envoyee_le": "2027-01-29", "mode": "lrar", "reference": "1A 123 456 7890 1",
                                 "version": "aucune"})
    assert response.status_code == 302
    client.post(f"/candidats/{candidat.id}", data={**CANDIDATE, "prenom": "Léa-Rose", "version": "0"})
    data = client.get(f"/sessions/{session.id}.json").get_json()
    assert data["candidats"] == [{
        "id": candidat.id, "civilite": "", "nom": "Martin", "prenom": "Léa-Rose", "date_naissance": "1998-04-02",
        "email": "lea.martin@mail.fr", "adresse": "12 rue des Lilas\n69007 Lyon", "parcours": "vae",
        "recevabilite_valide_jusqu_au": "2027-09-30",
        "convocation": {"envoyee_le": "2027-01-29", "mode": "lrar", "reference": "1A 123 456 7890 1"},
        "identifiant_ceres": "", "evaluateurs": []}]
    page = text_of(client.get(f"/sessions/{session.id}/candidats"))
    assert "Martin Léa-Rose" in page and "Lettre recommandée avec accusé de réception, le 29/01/2027" in page
    assert client.post(f"/candidats/{candidat.id}/remove").status_code == 302
    assert models.Candidat.select().count() == 0
    history = text_of(client.get(f"/sessions/{session.id}/history"))
    for words in ("Ajout : Martin Léa (VAE)", "Lettre recommandée avec accusé de réception le 29/01/2027",
                  "Modification (prenom)", "Supprimé de la session",
                  # What the record held, kept by the journal.
                  "Martin Léa-Rose (VAE), né(e) le 02/04/1998, lea.martin@mail.fr, 12 rue des Lilas 69007 Lyon"):
        assert words in history


@pytest.mark.parametrize("change, field, message", [
    ({"date_naissance": "1899-12-31"}, "date_naissance", "entre 1900 et 2100"),
    ({"parcours": "autre"}, "parcours", "choisissez formation ou VAE"),
    ({"parcours": "formation"}, "recevabilite_valide_jusqu_au", "seulement pour un candidat en VAE"),
    ({"email": "lea@"}, "email", "Adresse e-mail invalide"),
    ({"adresse": "x" * 501}, "adresse", "trop long"),
    ({"nom": " "}, "nom", "ce champ est obligatoire"),
])
def test_a_refused_candidate_keeps_what_was_typed_and_saves_nothing(client, auth, session, change, field, message):
    auth.login()
    response = client.post(f"/sessions/{session.id}/candidats", data={**CANDIDATE, **change})
    assert response.status_code == 422
    assert message in text_of(response) and f'id="{field}-error"' in response.get_data(as_text=True)
    assert {**CANDIDATE, **change}["adresse"][:16] in response.get_data(as_text=True)  # what was typed is kept
    assert models.Candidat.select().count() == 0
    assert models.AuditEvent.select().where(models.AuditEvent.field == "candidat").count() == 0


def test_a_convocation_needs_a_date_and_one_of_the_two_modes_of_the_guide(client, auth, session):
    auth.login()
    client.post(f"/sessions/{session.id}/candidats", data=CANDIDATE)
    candidat = models.Candidat.get()
    response = client.post(f"/candidats/{candidat.id}/convocation", data={"envoyee_le": "", "mode": "courriel"})
    assert response.status_code == 422
    page = text_of(response)
    assert "indiquez une date" in page and "remise en mains propres contre décharge, ou lettre recommandée" in page
    assert models.Candidat.get_by_id(candidat.id).convocation_envoyee_le is None


def test_the_schedule_of_the_epreuves(client, auth, session):
    auth.login()
    assert client.post(f"/sessions/{session.id}/epreuves", data=EPREUVE).status_code == 302
    refused = client.post(f"/sessions/{session.id}/epreuves", data={**EPREUVE, "heure_fin": "08:00"})
    assert refused.status_code == 422 and "finir après son début" in text_of(refused)
    refused = client.post(f"/sessions/{session.id}/epreuves", data={**EPREUVE, "heure_debut": "8h30"})
    assert refused.status_code == 422 and "hh:mm" in text_of(refused)
    assert 'value="Atelier B, bâtiment 2"' in refused.get_data(as_text=True)
    epreuve = models.Epreuve.get()
    assert client.get(f"/sessions/{session.id}.json").get_json()["epreuves"] == [{
        "id": epreuve.id, "libelle": "Mise en situation professionnelle", "date": "2027-03-15",
        "heure_debut": "08:30", "heure_fin": "12:00", "lieu": "Atelier B, bâtiment 2", "categorie": "epreuve"}]
    assert "08:30 – 12:00" in text_of(client.get(f"/sessions/{session.id}/epreuves"))
    deliberation = {**EPREUVE, "libelle": "Délibérations", "heure_debut": "16:00", "heure_fin": "17:00",
                    "categorie": "deliberation"}
    assert client.post(f"/sessions/{session.id}/epreuves", data=deliberation).status_code == 302
    refused = client.post(f"/sessions/{session.id}/epreuves", data={**deliberation, "categorie": "pause"})
    assert refused.status_code == 422 and "Type : épreuve, corrections ou délibérations" in text_of(refused)
    assert "Délibérations (Délibérations du jury)" in text_of(client.get(f"/sessions/{session.id}/epreuves"))
    models.Epreuve.delete().where(models.Epreuve.categorie == "deliberation").execute()
    assert client.post(f"/epreuves/{epreuve.id}/remove").status_code == 302
    assert models.Epreuve.select().count() == 0
    assert "Supprimée du planning" in text_of(client.get(f"/sessions/{session.id}/history"))


# --- The jury of a session --------------------------------------------------------------------------

def seat(client, session, jure):
    return client.post(f"/sessions/{session.id}/jury", data={"jure_id": str(jure.id)})


def test_a_jury_is_made_from_the_directory_with_declarations_links_and_staff(client, auth, session):
    auth.login()
    client.post("/jures", data=JUROR)
    jure = models.Jure.get()
    client.post(f"/sessions/{session.id}/candidats", data=CANDIDATE)
    client.post(f"/sessions/{session.id}/candidats", data={**CANDIDATE, "nom": "Bernard", "prenom": "Luc"})
    martin, bernard = models.Candidat.select().order_by(models.Candidat.id)
    assert seat(client, session, jure).status_code == 302
    twice = seat(client, session, jure)
    assert twice.status_code == 422 and "fait déjà partie du jury" in text_of(twice)
    response = client.post(f"/sessions/{session.id}/jury/{jure.id}/declaration",
                           data={"declaration_le": "2027-01-20", "liens": [str(martin.id)]})
    assert response.status_code == 302
    client.post(f"/sessions/{session.id}/intervenants", data={"role": "surveillant", "nom": "Marc Veille",
                                                              "email": "marc@centre-a.fr", "version": "aucun"})
    data = client.get(f"/sessions/{session.id}.json").get_json()
    assert [(j["nom"], j["declaration_le"], j["liens"], [h["sigle"] for h in j["habilitations"]])
            for j in data["jury"]] == [("Durand", "2027-01-20", [martin.id], ["DWWM"])]
    assert data["surveillant"] == {"nom": "Marc Veille", "email": "marc@centre-a.fr"} and data["comedien"] is None
    page = text_of(client.get(f"/sessions/{session.id}/jury"))
    assert "signée le 20/01/2027 ; connaît Martin Léa" in page
    client.post(f"/sessions/{session.id}/intervenants", data={
        "role": "surveillant", "nom": "", "version": intervenants.version_of(models.Intervenant.get())})
    assert client.get(f"/sessions/{session.id}.json").get_json()["surveillant"] is None
    assert client.post(f"/sessions/{session.id}/jury/{jure.id}/remove").status_code == 302
    assert models.MembreJury.select().count() == 0 and models.LienJury.select().count() == 0
    history = text_of(client.get(f"/sessions/{session.id}/history"))
    assert "Paul Durand ajouté(e) au jury" in history and "connaît Martin Léa" in history
    assert "Supprimé(e) du jury" in history and "Paul Durand : déclaration" in history


def test_the_jury_takes_only_active_jurors_of_the_centre_and_links_only_its_candidates(client, auth, session,
                                                                                      other_session):
    auth.login()
    client.post("/jures", data=JUROR)
    jure = models.Jure.get()
    stranger = models.Jure.create(centre=other_session.centre, nom="Martin", prenom="Anne", email="anne@b.fr")
    foreign = models.Candidat.create(session=other_session, nom="Autre", prenom="Centre", parcours="formation",
                                     date_naissance=dt.date(2001, 1, 1))
    for jure_id in (str(stranger.id), "", "abc", "99999"):
        response = client.post(f"/sessions/{session.id}/jury", data={"jure_id": jure_id})
        assert response.status_code == 422 and "choisissez un juré actif de l'annuaire du centre" in text_of(response)
    client.post(f"/jures/{jure.id}/deactivate")
    assert seat(client, session, jure).status_code == 422
    client.post(f"/jures/{jure.id}/activate")
    seat(client, session, jure)
    response = client.post(f"/sessions/{session.id}/jury/{jure.id}/declaration",
                           data={"membre": str(jure.id), "declaration_le": "2027-03-15", "liens": [str(foreign.id)]})
    assert response.status_code == 422 and "choisissez des candidats de la session" in text_of(response)
    assert 'value="2027-03-15"' in response.get_data(as_text=True)  # the date typed is kept
    assert models.MembreJury.get().declaration_le is None and models.LienJury.select().count() == 0
    assert client.post(f"/sessions/{session.id}/jury/{stranger.id}/declaration").status_code == 404


def test_the_header_shows_the_registers_counts_and_says_when_they_differ(client, auth, session):
    auth.login()
    assert "10 en formation, 2 en VAE" in text_of(client.get(f"/sessions/{session.id}"))  # as typed: no register yet
    client.post(f"/sessions/{session.id}/candidats", data=CANDIDATE)
    page = text_of(client.get(f"/sessions/{session.id}"))
    assert "0 en formation, 1 en VAE (registre)" in page
    assert "L'en-tête indique 10 en formation et 2 en VAE" in page
    for n in range(9):
        client.post(f"/sessions/{session.id}/candidats", data={**CANDIDATE, "parcours": "formation",
                                                                "recevabilite_valide_jusqu_au": "", "nom": f"N{n}"})
    client.post(f"/sessions/{session.id}/candidats", data={**CANDIDATE, "parcours": "formation",
                                                            "recevabilite_valide_jusqu_au": "", "nom": "Bernard"})
    client.post(f"/sessions/{session.id}/candidats", data={**CANDIDATE, "prenom": "Inès"})
    page = text_of(client.get(f"/sessions/{session.id}"))
    assert "10 en formation, 2 en VAE (registre)" in page and "L'en-tête indique" not in page


# --- Importing candidates from a spreadsheet --------------------------------------------------------

HEADER_LINE = "Nom;Prénom;Date de naissance;E-mail;Adresse;Parcours;Recevabilité;Envoyée le;Mode;Référence"


def upload(client, session, text, encoding="utf-8", name="candidats.csv"):
    return client.post(f"/sessions/{session.id}/candidats/import", content_type="multipart/form-data",
                       data={"fichier": (io.BytesIO(text.encode(encoding)), name)})


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_a_spreadsheet_of_candidates_is_imported_whatever_its_encoding(client, auth, session, encoding):
    auth.login()
    text = "\r\n".join([HEADER_LINE,
                        "Martin;Léa;02/04/1998;lea@mail.fr;12 rue des Lilas 69007 Lyon;VAE;30/09/2027;29/01/2027;LRAR;1A 23",
                        "Bernard;Luc;15/11/2001;;;formation;;;;", ""])
    response = upload(client, session, text, encoding)
    assert response.status_code == 302
    martin, bernard = models.Candidat.select().order_by(models.Candidat.nom.desc())
    assert (martin.prenom, martin.date_naissance, martin.parcours, martin.convocation_mode) == (
        "Léa", dt.date(1998, 4, 2), "vae", "lrar")
    assert (bernard.parcours, bernard.convocation_envoyee_le) == ("formation", None)
    assert "Import de 2 candidats depuis candidats.csv" in text_of(client.get(f"/sessions/{session.id}/history"))


def test_one_bad_line_imports_nothing_and_every_problem_is_named(client, auth, session):
    auth.login()
    text = "\n".join([HEADER_LINE, "Martin;Léa;31/02/1998;;;VAE;;;;", "Bernard;Luc;15/11/2001;;;stage;;;;",
                      ";Anne;15/11/2001;;;formation;;;;", "Petit;Jean;01/01/2000;;;formation;;;;"])
    response = upload(client, session, text)
    assert response.status_code == 422
    page = text_of(response)
    for words in ("aucun candidat importé", "ligne 2, colonne « Date de naissance »", "n'existe pas",
                  "ligne 3, colonne « Parcours »", "ligne 4, colonne « Nom »"):
        assert words in page
    assert models.Candidat.select().count() == 0


@pytest.mark.parametrize("text, message", [
    ("Nom;Prénom;Âge\nMartin;Léa;25", "colonne « Âge » inconnue"),
    ("Nom;Prénom\nMartin;Léa", "colonne « date_naissance » manquante"),
    ("", "le fichier est vide"),
])
def test_a_file_without_the_right_columns_is_refused(client, auth, session, text, message):
    auth.login()
    response = upload(client, session, text)
    assert response.status_code == 422 and message in text_of(response)
    assert models.Candidat.select().count() == 0


# --- htmx: the page's content answers a change, plain posts are redirected ------------------------------

def test_htmx_changes_get_the_pages_content_and_its_message_out_of_band(client, auth, session):
    auth.login()
    response = client.post(f"/sessions/{session.id}/candidats", data=CANDIDATE, headers=HTMX)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in page
    assert page.lstrip().startswith('<div id="register-page" hx-target="this" hx-swap="outerHTML">')
    assert "Martin Léa" in text_of(response)
    assert 'id="flash" class="flash-area" aria-live="polite" hx-swap-oob="true"' in page
    assert "Martin Léa ajouté(e) aux candidats de la session." in text_of(response)
    refused = client.post(f"/sessions/{session.id}/candidats", data={**CANDIDATE, "date_naissance": "1998-02-31"},
                          headers=HTMX)
    assert refused.status_code == 422 and "<html" not in refused.get_data(as_text=True)
    assert "n'existe pas" in text_of(refused) and 'value="Martin"' in refused.get_data(as_text=True)
    assert models.Candidat.select().count() == 1
    candidat = models.Candidat.get()
    removed = client.post(f"/candidats/{candidat.id}/remove", headers=HTMX)
    assert removed.headers["HX-Redirect"] == f"/sessions/{session.id}/candidats"
    assert models.Candidat.select().count() == 0


@pytest.mark.parametrize("path, data", [
    ("/jures", JUROR),
    ("/sessions/{s}/epreuves", EPREUVE),
    ("/sessions/{s}/intervenants", {"role": "surveillant", "nom": "Marc Veille", "version": "aucun"}),
])
def test_every_register_form_answers_htmx_with_a_fragment(client, auth, session, path, data):
    auth.login()
    response = client.post(path.format(s=session.id), data=data, headers=HTMX)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in page and 'id="register-page"' in page
    plain = client.post(path.format(s=session.id), data=data)
    assert plain.status_code in (302, 409, 422)  # 409: the surveillant's form typed on the version saved above


def test_a_cell_over_the_parsers_limit_and_a_huge_header_answer_422_in_a_page_of_normal_size(client, auth, session):
    """A 128 KB cell was a 500 (_csv.Error); a header of 100,000 « ; » a 16.8 MB page of errors."""
    auth.login()
    response = upload(client, session, HEADER_LINE + "\nMartin;" + "L" * 140_000 + ";02/04/1998;;;VAE;;;;")
    assert response.status_code == 422 and "ligne 2 : cellule illisible ou de plus de 128 Ko" in text_of(response)
    response = upload(client, session, "Nom;Prénom;Date de naissance;Parcours;" + "x;" * 100_000 + "\nMartin")
    assert response.status_code == 422 and len(response.data) < 50_000
    assert "… et 99950 autres problèmes" in text_of(response)
    assert models.Candidat.select().count() == 0


def test_trailing_empty_columns_are_ignored_and_a_header_alone_is_refused(client, auth, session):
    auth.login()
    text = "\n".join(["Nom;Prénom;Date de naissance;Parcours;;;", "Martin;Léa;02/04/1998;formation;;;", ""])
    assert upload(client, session, text).status_code == 302
    assert models.Candidat.select().count() == 1
    response = upload(client, session, "Nom;Prénom;Date de naissance;Parcours;;\n;;;;;\n")
    assert response.status_code == 422 and "n'a que sa ligne d'en-tête" in text_of(response)
    assert "Import de 0" not in text_of(client.get(f"/sessions/{session.id}/history"))


def test_a_mixed_or_undefined_encoding_is_refused_naming_the_lines(client, auth, session):
    """Windows-1252 decodes UTF-8 bytes without error (« LefÃ¨vre »): a file not UTF-8 as a whole that
    holds UTF-8 lines is mixed; a byte Windows-1252 does not define was stored as « � »."""
    auth.login()
    mixed = ("Nom;Prénom;Date de naissance;Parcours\n".encode("cp1252") + "Lefèvre;Jean;02/04/1998;formation\n"
             .encode("utf-8") + "Bernard;Hélène;15/11/2001;formation\n".encode("cp1252"))
    response = client.post(f"/sessions/{session.id}/candidats/import", content_type="multipart/form-data",
                           data={"fichier": (io.BytesIO(mixed), "mêlé.csv")})
    assert response.status_code == 422 and "UTF-8 à la ligne 2, Windows-1252 ailleurs" in text_of(response)
    undefined = "Nom;Prénom;Date de naissance;Parcours\n".encode("cp1252") + b"Martin;L\x81a;02/04/1998;formation\n"
    response = client.post(f"/sessions/{session.id}/candidats/import", content_type="multipart/form-data",
                           data={"fichier": (io.BytesIO(undefined), "c.csv")})
    assert response.status_code == 422 and "ligne 2 : octet 0x81 sans caractère en Windows-1252" in text_of(response)
    assert models.Candidat.select().count() == 0


def test_the_same_person_twice_is_refused_naming_both_lines(client, auth, session):
    auth.login()
    client.post(f"/sessions/{session.id}/candidats", data=CANDIDATE)  # Martin Léa, 02/04/1998
    text = "\n".join(["Nom;Prénom;Date de naissance;Parcours", "Bernard;Luc;15/11/2001;formation",
                      "MARTIN;Lea;02/04/1998;formation", "bernard;luc;15/11/2001;formation"])
    response = upload(client, session, text)
    page = text_of(response)
    assert response.status_code == 422
    assert "ligne 3 : MARTIN Lea, né(e) le 02/04/1998, déjà candidat(e) de la session" in page
    assert "ligne 4 : bernard luc, né(e) le 15/11/2001, comme à la ligne 2" in page
    assert models.Candidat.select().count() == 1


def test_adding_a_candidate_already_in_the_session_is_refused(client, auth, session):
    auth.login()
    assert client.post(f"/sessions/{session.id}/candidats", data=CANDIDATE).status_code == 302
    again = client.post(f"/sessions/{session.id}/candidats", data={**CANDIDATE, "nom": " MARTIN ", "prenom": "lea"})
    assert again.status_code == 422
    assert "MARTIN lea, né(e) le 02/04/1998, est déjà candidat(e) de la session" in text_of(again)
    assert models.Candidat.select().count() == 1


def test_dates_of_what_happened_are_not_in_the_future_and_a_birth_date_gives_a_plausible_age(client, auth, session):
    """A convocation « envoyée le 10/02/2027 » on 01/02/2027, a declaration signed on 31/12/2100 and a
    birth date in 2090 were accepted (the first two then counted as done). Today is 01/02/2027."""
    auth.login()
    born_2090 = client.post(f"/sessions/{session.id}/candidats", data={**CANDIDATE, "date_naissance": "2090-04-02"})
    assert born_2090.status_code == 422 and "donnerait 0 ans" in text_of(born_2090)
    too_young = client.post(f"/sessions/{session.id}/candidats", data={**CANDIDATE, "date_naissance": "2014-01-01"})
    assert too_young.status_code == 422 and "donnerait 13 ans" in text_of(too_young)
    assert client.post(f"/sessions/{session.id}/candidats", data={**CANDIDATE, "date_naissance": "2013-02-01"}
                       ).status_code == 302  # 14 today
    candidat = models.Candidat.get()
    ahead = client.post(f"/candidats/{candidat.id}/convocation", data={"envoyee_le": "2027-02-10", "mode": "lrar",
                                                                       "version": "aucune"})
    assert ahead.status_code == 422 and "le 10/02/2027 est à venir" in text_of(ahead)
    assert client.post(f"/candidats/{candidat.id}/convocation", data={"envoyee_le": "2027-02-01", "mode": "lrar",
                                                                      "version": "aucune"}).status_code == 302
    client.post("/jures", data=JUROR)
    jure = models.Jure.get()
    client.post(f"/sessions/{session.id}/jury", data={"jure_id": str(jure.id)})
    signed = client.post(f"/sessions/{session.id}/jury/{jure.id}/declaration", data={"declaration_le": "2100-12-31"})
    assert signed.status_code == 422 and "le 31/12/2100 est à venir" in text_of(signed)
    assert models.MembreJury.get().declaration_le is None
    assert models.Candidat.get().convocation_envoyee_le == dt.date(2027, 2, 1)


@pytest.mark.parametrize("nom, char", [("李小龙", "李"), ("Martin 😀", "😀"), ("الله", "ا")])
def test_a_character_the_documents_cannot_print_is_refused_naming_it(client, auth, session, nom, char):
    """李小龙 and emoji printed as empty boxes (or « ὠ ») in the convocations, « الله » disappeared:
    reportlab has no per-character fallback and no Arabic shaping, so such a character is refused."""
    auth.login()
    response = client.post(f"/sessions/{session.id}/candidats", data={**CANDIDATE, "nom": nom})
    assert response.status_code == 422
    assert f"le caractère « {char} » (U+{ord(char):04X}) ne s'imprime pas" in text_of(response)
    assert models.Candidat.select().count() == 0
    printable = client.post(f"/sessions/{session.id}/candidats", data={**CANDIDATE, "nom": "Œuvray-Strauß O’Connor",
                                                                          "prenom": "Ñuria Zoë"})
    assert printable.status_code == 302 and models.Candidat.select().count() == 1


def test_two_tabs_on_one_record_lose_nothing(client, auth, session):
    """The second save of a candidate's (or juror's) record silently blanked what the first changed: a
    save typed on an older version is a 409 that shows both values and keeps what was typed; a save
    without a version is a 422."""
    auth.login()
    client.post(f"/sessions/{session.id}/candidats", data=CANDIDATE)
    candidat = models.Candidat.get()
    first = client.post(f"/candidats/{candidat.id}", data={**CANDIDATE, "email": "lea@nouvelle.fr", "version": "0"})
    assert first.status_code == 302 and models.Candidat.get().version == 1
    second = client.post(f"/candidats/{candidat.id}", data={**CANDIDATE, "prenom": "Léa-Rose", "version": "0"})
    page = second.get_data(as_text=True)
    assert second.status_code == 409
    assert "« lea@nouvelle.fr » enregistré, « lea.martin@mail.fr » saisi" in text_of(second)
    assert 'value="Léa-Rose"' in page and 'name="version" value="1"' in page  # what was typed, on the version now
    stored = models.Candidat.get()
    assert (stored.prenom, stored.email, stored.version) == ("Léa", "lea@nouvelle.fr", 1)
    again = client.post(f"/candidats/{candidat.id}", data={**CANDIDATE, "prenom": "Léa-Rose", "email": "lea@nouvelle.fr",
                                                           "version": "1"})
    assert again.status_code == 302 and (models.Candidat.get().prenom, models.Candidat.get().version) == ("Léa-Rose", 2)
    unversioned = client.post(f"/candidats/{candidat.id}", data=CANDIDATE)
    assert unversioned.status_code == 422 and "Version de la fiche manquante" in text_of(unversioned)
    client.post("/jures", data=JUROR)
    jure = models.Jure.get()
    assert client.post(f"/jures/{jure.id}", data={**JUROR, "telephone": "01 02 03 04 05", "version": "0"}).status_code == 302
    stale = client.post(f"/jures/{jure.id}", data={**JUROR, "nom": "Durant", "version": "0"})
    assert stale.status_code == 409 and "« 01 02 03 04 05 » enregistré" in text_of(stale)
    assert models.Jure.get().nom == "Durand" and models.Jure.get().telephone == "01 02 03 04 05"


def test_two_tabs_on_the_surveillant_lose_nothing(client, auth, session):
    """The role's form carries the version it was typed on: the second tab's save is a 409 showing
    what is stored and what was typed, keeping the typing; without a version, a 422."""
    auth.login()
    url = f"/sessions/{session.id}/intervenants"
    opened = "aucun"  # both tabs opened while no surveillant was named
    assert client.post(url, data={"role": "surveillant", "nom": "Marc Veille", "version": opened}).status_code == 302
    stale = client.post(url, data={"role": "surveillant", "nom": "Paul Garde", "version": opened}, headers=HTMX)
    page = text_of(stale)
    assert stale.status_code == 409 and "« Marc Veille » enregistré, « Paul Garde » saisi" in page
    assert 'value="Paul Garde"' in stale.get_data(as_text=True)
    assert models.Intervenant.get().nom == "Marc Veille"
    current = intervenants.version_of(models.Intervenant.get())
    assert f'name="version" value="{current}"' in stale.get_data(as_text=True)
    assert client.post(url, data={"role": "surveillant", "nom": "Paul Garde", "version": current}).status_code == 302
    assert models.Intervenant.get().nom == "Paul Garde"
    missing = client.post(url, data={"role": "surveillant", "nom": "Léa"}, headers=HTMX)
    assert missing.status_code == 422 and models.Intervenant.get().nom == "Paul Garde"


def test_two_tabs_on_a_convocation_lose_nothing(client, auth, session):
    auth.login()
    client.post(f"/sessions/{session.id}/candidats", data=CANDIDATE)
    candidat = models.Candidat.get()
    url = f"/candidats/{candidat.id}/convocation"
    first = {"envoyee_le": "2027-01-29", "mode": "lrar", "reference": "1A 111", "version": "aucune"}
    assert client.post(url, data=first).status_code == 302
    stale = client.post(url, data={**first, "reference": "1A 222"}, headers=HTMX)  # the second tab
    assert stale.status_code == 409 and "« 1A 111 » enregistré, « 1A 222 » saisi" in text_of(stale)
    assert models.Candidat.get().convocation_reference == "1A 111"
    current = domain.candidates.convocation_version(models.Candidat.get())
    assert 'value="1A 222"' in stale.get_data(as_text=True) and f'value="{current}"' in stale.get_data(as_text=True)
    # The record's own version is not the convocation's: a record saved meanwhile does not refuse it.
    assert client.post(f"/candidats/{candidat.id}", data={**CANDIDATE, "version": "0"}).status_code == 302
    assert client.post(url, data={**first, "reference": "1A 222", "version": current}).status_code == 302
    missing = client.post(url, data={**first, "version": ""}, headers=HTMX)
    assert missing.status_code == 422
