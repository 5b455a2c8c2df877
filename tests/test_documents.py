"""The documents made from the register, read back as a printer shows them (poppler's pdftotext
drops what falls off the page, so a cut name shows). Today is 01/02/2027 (helpers)."""
import datetime as dt
import csv
import io
import re
import subprocess

import pytest
from pypdf import PdfReader

import models
from helpers import EPREUVE, LONG_NOM, LONG_PRENOM, NAMES, printed, text_of


def fonts_embedded(path):
    """Every font that draws text is embedded (DejaVu Sans). reportlab declares Helvetica, not
    embedded, for the empty text blocks it opens (`BT /F1 12 Tf 14.4 TL ET`, no text shown): it
    must draw nothing."""
    listing = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in listing.splitlines()[2:] if line.strip()]
    drawing = [row for row in rows if row[0] != "Helvetica"]
    for page in PdfReader(str(path)).pages:
        content = page.get_contents().get_data().decode("latin-1")
        if content.count("/F1 ") != len(re.findall(r"BT /F1 [\d.]+ Tf [\d.]+ TL ET", content)):
            return False, "Helvetica draws text:\n" + listing
    return bool(drawing) and all(row[-5] == "yes" and "DejaVuSans" in row[0] for row in drawing), listing


def compact(text):
    return re.sub(r"\s+", "", text)


def test_the_convocations_are_one_letter_per_candidate_with_everything_printed(client, register, tmp_path):
    text, pages, _, path = printed(client.get(f"/sessions/{register.id}/convocations.pdf"), tmp_path)
    assert pages == len(NAMES)
    assert len(f"{LONG_PRENOM} {LONG_NOM}") >= 198
    for nom, prenom in NAMES:
        assert compact(f"{prenom} {nom}") in compact(text), nom
    assert "3 rue de l’Église" in text and "69007 Lyon" in text
    assert "Mise en situation professionnelle lundi 15 mars 2027 de 8 h 30 à 12 h Atelier B, bâtiment 2" in text
    # Hostile text prints verbatim (a narrow cell wraps it: pdftotext reads the row line by line).
    assert "Salle <b>Lumière</b> &" in text and "bureau 3 »" in text
    assert "Délibérations" not in text  # the candidates' documents show the épreuves only
    assert "Tenue :" in text and "pièce d'identité en cours de validité" in text and "dossier professionnel (DP)" in text
    assert "Madame, Monsieur," in text and "aménagement des épreuves" in text and "Téléphones et objets connectés" in text
    assert "Lettre recommandée avec accusé de réception n° 1A 234 567" in text
    assert text.count("Décharge à détacher") == len(NAMES) - 1  # not for the registered letter
    ok, listing = fonts_embedded(path)
    assert ok, listing
    # Every page says which session it belongs to.
    assert text.count("DWWM (TITRE) du 15/03/2027 au 18/03/2027") == pages


def test_one_candidates_convocation_and_the_tenue_of_the_session(client, register, tmp_path):
    strauss = models.Candidat.get(models.Candidat.nom == "Strauß")
    response = client.post(f"/sessions/{register.id}/tenue",
                           data={"tenue_professionnelle": "Chaussures de sécurité et blouse de travail."})
    assert response.status_code == 302
    text, pages, _, _ = printed(client.get(f"/candidats/{strauss.id}/convocation.pdf"), tmp_path)
    assert pages == 1 and "Ñuria Strauß" in text and "Œuvray" not in text
    assert "Chaussures de sécurité et blouse de travail." in text
    page = client.get(f"/sessions/{register.id}/candidats").get_data(as_text=True)
    assert ">Chaussures de sécurité et blouse de travail.</textarea>" in page
    assert "tenue professionnelle (convocation)" in text_of(client.get(f"/sessions/{register.id}/history"))
    refused = client.post(f"/sessions/{register.id}/tenue", data={"tenue_professionnelle": "x" * 1001})
    assert refused.status_code == 422 and "trop long" in text_of(refused)
    assert models.ExamSession.get_by_id(register.id).tenue_professionnelle.startswith("Chaussures")


def test_the_jurys_convocations_the_planning_and_the_poster(client, register, tmp_path):
    text, pages, _, _ = printed(client.get(f"/sessions/{register.id}/convocations-jury.pdf"), tmp_path, "jury.pdf")
    assert pages == 2  # the juror and the surveillant
    assert "Paul Durand" in text and "Marc Veille" in text and "REAC" in text
    assert "Délibérations (délibérations du jury)" in text and "de 16 h à 17 h" in text
    text, pages, _, path = printed(client.get(f"/sessions/{register.id}/planning.pdf"), tmp_path, "planning.pdf")
    for label in ("Désignation du Centre Agréé", "Désignation du Site Agréé", "Libellé du Titre Professionnel",
                  "Sigle du TP", "Millésime", "Nature de la session", "Code CCP", "Nom du Responsable de Session"):
        assert label in text
    assert "Formation : 0" in text and "VAE : 4" in text and "Karim Benali" in text and "Nadia Morel" in text
    assert "16/03/2027 16 h – 17 h" in text and "Délibérations (délibérations du" in text
    assert "15/03/2027 8 h 30 – 12 h 3 h 30 Mise en situation professionnelle" in text
    assert "en annonçait" not in text  # the planning never prints Jalon's internal notes
    text, pages, (width, height), _ = printed(client.get(f"/sessions/{register.id}/affichage.pdf"), tmp_path, "a.pdf")
    assert width > height  # A4 landscape
    assert "lundi 15 mars 2027" in text and "8 h 30 – 12 h" in text and "Entretien final" in text
    assert not any(nom in text for nom, _ in NAMES)  # no candidate's name on the poster
    assert "Délibérations" not in text


def test_the_annual_programme_in_pdf_and_csv(client, register, other_session, tmp_path):
    text, pages, _, _ = printed(client.get("/programme/2027.pdf"), tmp_path)
    assert "Programme prévisionnel des sessions d'examen 2027" in text
    assert "DWWM Développeur web et web mobile TITRE du 15/03/2027 au 18/03/2027 Lyon Gerland" in text
    assert "CDA" not in text  # another centre's session
    response = client.get("/programme/2027.csv")
    assert response.status_code == 200 and response.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Centre", "Sigle", "Titre"] and rows[1][:2] == ["Centre A", "DWWM"]
    assert rows[1][5:8] == ["15/03/2027", "18/03/2027", "Lyon Gerland"]
    empty = client.get("/programme/2031.pdf")
    assert empty.status_code == 422 and "Aucune session en 2031" in text_of(empty)
    assert client.get("/programme/2031.csv").status_code == 422


@pytest.mark.parametrize("path, message", [
    ("/sessions/{s}/convocations.pdf", "Ajoutez d'abord les épreuves"),
    ("/sessions/{s}/planning.pdf", "Ajoutez d'abord les épreuves"),
    ("/sessions/{s}/affichage.pdf", "Ajoutez d'abord les épreuves"),
    ("/sessions/{s}/emargement.pdf", "Ajoutez d'abord les épreuves"),
    ("/sessions/{s}/convocations-jury.pdf", "Ajoutez d'abord les épreuves"),
])
def test_a_document_without_its_data_is_not_produced(client, auth, session, path, message):
    auth.login()
    response = client.get(path.format(s=session.id))
    assert response.status_code == 422 and message in text_of(response)
    client.post(f"/sessions/{session.id}/epreuves", data=EPREUVE)
    if "planning" in path or "affichage" in path:
        assert client.get(path.format(s=session.id)).status_code == 200
    else:
        later = client.get(path.format(s=session.id))
        assert later.status_code == 422 and ("candidats" in text_of(later) or "jury" in text_of(later))


def test_other_centres_get_404_and_a_lecteur_downloads(client, auth, register):
    candidat = models.Candidat.select().first()
    auth.logout()
    auth.login("resp@b.fr")
    for path in (f"/sessions/{register.id}/convocations.pdf", f"/candidats/{candidat.id}/convocation.pdf",
                 f"/sessions/{register.id}/planning.pdf", f"/sessions/{register.id}/emargement.pdf"):
        assert client.get(path).status_code == 404, path
    auth.logout()
    auth.login("lecteur@a.fr")
    assert client.get(f"/sessions/{register.id}/convocations.pdf").status_code == 200
    assert client.post(f"/sessions/{register.id}/tenue", data={"tenue_professionnelle": "x"}).status_code == 403


def test_every_document_is_declared_against_the_guide_and_gets_its_route(app):
    """A declaration of documents.catalogue is enough: its route (its file's address), its links on the
    session page and on the tasks it serves, and its place in the inspection file come from it."""
    from documents import catalogue
    from guide import read_guide
    keys = {task["key"] for tableau in read_guide()["phases"] for task in tableau["tasks"] if "key" in task}
    rules = {rule.endpoint: rule.rule for rule in app.url_map.iter_rules()}
    for document in catalogue.DOCUMENTS:
        assert rules[document.endpoint] == f"/sessions/<int:session_id>/{document.file}.pdf", document.name
        assert document.tasks and set(document.tasks) <= keys, document.name
    for link in catalogue.LINKS:
        assert link.endpoint in rules and set(link.tasks) <= keys, link.endpoint
    assert [d.name for d in catalogue.in_inspection_file()] == ["resultats", "emargement_pdf"]  # the letters: their issued originals
    with app.test_request_context():
        session = models.ExamSession(id=7, date_debut=dt.date(2027, 3, 15))
        every = catalogue.links(session)
        assert len(every) == len(catalogue.DOCUMENTS) + len(catalogue.LINKS)
        assert catalogue.links(session, "convocation_candidats") == [
            ("Convocations des candidats (PDF)", "/sessions/7/convocations.pdf"),
            ("Documents émis (convocations, planning, affichage envoyés)", "/sessions/7/emissions")]
        assert catalogue.links(session, "programmation_annuelle") == [
            ("Programme annuel des sessions (PDF)", "/programme/2027.pdf")]
