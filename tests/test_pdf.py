"""The guide as a PDF: the official form, filled with everything the app knows."""
import io
import re
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

import models
from documents.pdf import render_slot
from helpers import HTMX, PASSWORD, item_at, text_of
from guide import read_guide


def pdf_text(response):
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    return reader, " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def words(text):
    return " ".join(text.split())


@pytest.fixture
def filled(client, auth, session):
    auth.login()
    post = lambda position, action, **data: client.post(f"/items/{item_at(session, position).id}/{action}",
                                                       data=data, headers=HTMX)
    post(1, "done", done_on="2027-01-15")
    post(2, "na", reason="Aucun candidat concerné par ce dispositif")
    post(3, "observation", observation='<script>alert("x")</script> & l’œuvre «ok»\nligne 2', version="0")
    return session


def test_the_completed_guide_carries_the_header_and_every_task(client, filled):
    reader, text = pdf_text(client.get(f"/sessions/{filled.id}/guide.pdf"))
    for value in ("Guide de préparation de la session", "Désignation du Centre Agréé Centre A",
                  "Désignation du Site Agréé Lyon Gerland", "Développeur web et web mobile", "Sigle du TP DWWM",
                  "Millésime 2023", "TITRE : ☒ CCP : ☐ CCS : ☐", "De début : 15/03/2027", "De fin : 18/03/2027",
                  "Formation : 10", "VAE : 2", "Karim Benali", "Nadia Morel"):
        assert value in text, value
    for phase in read_guide()["phases"]:
        assert words(phase["title"]) in text
        for task in phase["tasks"]:
            assert words(task["text"]) in text, task["text"]
    assert "▶ La version du titre visé" in text and "matière d'œuvre" in text
    assert 4 <= len(reader.pages) <= 12


def test_marks_dates_and_observations_are_printed_literally(client, filled):
    _, text = pdf_text(client.get(f"/sessions/{filled.id}/guide.pdf"))
    assert "15/01/2027" in text
    assert "Sans objet : Aucun candidat concerné par ce dispositif" in text
    assert '<script>alert("x")</script> & l’œuvre «ok» ligne 2' in text


def test_flags_are_an_x_as_on_paper(client, auth, session):
    auth.login()
    _, text = pdf_text(client.get(f"/sessions/{session.id}/guide-vierge.pdf"))
    # 75 Réglementaire + 14 Conseil marks, nothing else is a lone "x" on an empty guide.
    assert len(re.findall(r"(?<!\S)x(?!\S)", text)) == 89


def test_the_summary_lists_the_regulatory_tasks_still_to_do(client, filled):
    _, text = pdf_text(client.get(f"/sessions/{filled.id}/guide.pdf"))
    assert "Tâches faites 1 sur 98" in text
    assert "Tâches sans objet 1" in text
    assert "Tâches restant à faire 96 (dont 73 réglementaires)" in text
    assert "▶ 7. Contresigner le PV de session" in text
    # The tasks that run for months after the exam do not hold the closing back: not listed.
    assert "▶ 7. Conserver les documents relatifs aux candidats" not in text
    assert "Responsable de session Date Signature Karim Benali" in text


def test_every_page_has_the_footer(client, filled):
    reader, _ = pdf_text(client.get(f"/sessions/{filled.id}/guide.pdf"))
    total = len(reader.pages)
    for number, page in enumerate(reader.pages, start=1):
        page_text = words(page.extract_text())
        assert f"Page {number} / {total}" in page_text
        assert "Centre A · DWWM du 15/03/2027 au 18/03/2027" in page_text
        assert "par Romain Resp" in page_text


def test_a_long_observation_is_printed_in_full_and_headers_repeat(client, auth, session):
    auth.login()
    long_text = " ".join(f"mot{i}" for i in range(700))
    item = item_at(session, 40)
    client.post(f"/items/{item.id}/observation", data={"observation": long_text, "version": "0"})
    reader, text = pdf_text(client.get(f"/sessions/{session.id}/guide.pdf"))
    assert long_text in text
    # Seven tables; a table that runs over a page repeats its header on the next one.
    assert text.count("Tâches à réaliser Réglementaire Conseil Fait le Observations") > 7


def test_the_blank_guides_have_no_marks(client, filled):
    _, text = pdf_text(client.get(f"/sessions/{filled.id}/guide-vierge.pdf"))
    assert "Développeur web et web mobile" in text
    assert "15/01/2027" not in text and "Aucun candidat concerné" not in text and "alert" not in text
    _, text = pdf_text(client.get("/guide-vierge.pdf"))
    assert "Développeur web" not in text and "TITRE : ☐ CCP : ☐ CCS : ☐" in text
    assert words(read_guide()["phases"][6]["tasks"][-1]["text"]) in text


def test_downloads_are_named_from_the_session(client, filled):
    response = client.get(f"/sessions/{filled.id}/guide.pdf")
    assert response.headers["Content-Disposition"] == 'inline; filename="guide-DWWM-2027-03-15.pdf"'
    response = client.get(f"/sessions/{filled.id}/guide-vierge.pdf")
    assert response.headers["Content-Disposition"] == 'inline; filename="guide-vierge-DWWM-2027-03-15.pdf"'


def test_the_font_is_embedded(client, filled):
    reader, _ = pdf_text(client.get(f"/sessions/{filled.id}/guide.pdf"))
    fonts = {str(font["/BaseFont"]) for page in reader.pages for font in page["/Resources"]["/Font"].values()
             if "/FontFile2" in font.get_object().get("/FontDescriptor", {})}
    assert any("DejaVuSans" in f for f in fonts)


def test_links_to_the_pdfs_are_on_the_session_page_and_the_list(client, auth, session):
    auth.login()
    page = client.get(f"/sessions/{session.id}").get_data(as_text=True)
    assert f'href="/sessions/{session.id}/guide.pdf"' in page
    assert f'href="/sessions/{session.id}/guide-vierge.pdf"' in page
    assert 'href="/guide-vierge.pdf"' in client.get("/").get_data(as_text=True)
    assert f'href="/sessions/{session.id}/guide.pdf"' in client.get("/").get_data(as_text=True)


def test_pdf_access_follows_the_session_rules(client, auth, session, other_session):
    assert client.get(f"/sessions/{session.id}/guide.pdf").status_code == 302
    assert client.get("/guide-vierge.pdf").status_code == 302
    auth.login("lecteur@a.fr")
    assert client.get(f"/sessions/{session.id}/guide.pdf").status_code == 200
    assert client.get(f"/sessions/{other_session.id}/guide.pdf").status_code == 404
    assert client.get(f"/sessions/{other_session.id}/guide-vierge.pdf").status_code == 404


def printed_words(pdf_bytes, tmp_path):
    """What a printer shows, read by poppler: the text of the page (what lies off the page is not
    in it, unlike pypdf's extraction), each word with its box, and the pages' widths."""
    path = tmp_path / "guide.pdf"
    path.write_bytes(pdf_bytes)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    bbox = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True).stdout
    width = float(re.search(r'<page width="([\d.]+)"', bbox).group(1))
    boxes = [(float(x0), float(x1), word) for x0, x1, word in
             re.findall(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>', bbox)]
    return text, boxes, width


def test_long_unbroken_text_is_printed_whole_inside_the_page(client, auth, session, tmp_path):
    token = "".join(chr(ord("a") + n % 26) for n in range(300))
    url = "https://intranet.centre-a.fr/documents/" + "convocation-" * 12 + "candidats.pdf?jeton=" + "x9" * 40
    reason = "Motif_sans_objet_" * 30  # (no hyphen: pdftotext joins a word hyphenated at a line end)
    auth.login()
    client.post(f"/items/{item_at(session, 1).id}/observation", data={"observation": f"Voir {url}\n{token}",
                                                                         "version": "0"})
    client.post(f"/items/{item_at(session, 2).id}/na", data={"reason": reason[:500]})
    client.post(f"/sessions/{session.id}", data={
        "site": "Lyon Gerland", "titre": "T" * 300, "sigle": "DWWM", "millesime": "2023", "nature": "TITRE",
        "date_debut": "2027-03-15", "date_fin": "2027-03-18", "nb_formation": "1", "nb_vae": "0",
        "responsable": "R" * 200, "suppleant": ""})
    response = client.get(f"/sessions/{session.id}/guide.pdf")
    assert response.status_code == 200
    text, boxes, width = printed_words(response.data, tmp_path)
    printed = "".join(text.split())
    for value in (token, url, reason[:500], "T" * 300, "R" * 200):
        assert "".join(value.split()) in printed
    margin = 1.2 * 72 / 2.54  # the page's side margins (1.2 cm)
    assert boxes and all(x1 <= width - margin + 1 for _, x1, _ in boxes), max(boxes, key=lambda b: b[1])


def test_a_pdf_is_laid_out_once_per_state_of_the_session_and_stamped_for_each_reader(app, client, auth, session):
    auth.login()
    cache = Path(app.instance_path) / "pdf-cache"
    first = client.get(f"/sessions/{session.id}/guide.pdf")
    assert [p.name.split("--")[0] for p in cache.iterdir()] == [f"session-{session.id}-complete"]
    cached = next(cache.iterdir()).read_bytes()
    client.get(f"/sessions/{session.id}/guide.pdf")
    assert next(cache.iterdir()).read_bytes() == cached  # served from the cache, not laid out again
    reader = app.test_client()
    reader.post("/login", data={"email": "lecteur@a.fr", "password": PASSWORD})
    _, text = pdf_text(reader.get(f"/sessions/{session.id}/guide.pdf"))
    assert "par Léa Lecteur" in text and "par Romain Resp" in pdf_text(first)[1]
    client.post(f"/items/{item_at(session, 1).id}/observation", data={"observation": "Nouvelle note", "version": "0"})
    _, text = pdf_text(client.get(f"/sessions/{session.id}/guide.pdf"))
    assert "Nouvelle note" in text
    assert len(list(cache.iterdir())) == 1  # the older layout is gone
    assert oct(next(cache.iterdir()).stat().st_mode & 0o777) == "0o600"


def test_a_user_makes_one_pdf_at_a_time(app, client, auth, session):
    auth.login()
    user = models.User.get(models.User.email == "resp@a.fr")
    with render_slot(Path(app.instance_path) / "pdf-renders", user.id):  # as if another worker were at it
        response = client.get(f"/sessions/{session.id}/guide.pdf")
        assert response.status_code == 429 and "déjà en préparation" in response.get_data(as_text=True)
    assert client.get(f"/sessions/{session.id}/guide.pdf").status_code == 200


def test_the_inspection_file_goes_through_the_same_gate_and_cache_as_the_pdfs(app, client, register, monkeypatch):
    """dossier.zip laid its PDFs out again on every download, outside the cache and the one-document
    limit: a lecteur starting 8 downloads held every worker (a login took 89 s)."""
    from documents import pdf
    user = models.User.get(models.User.email == "resp@a.fr")
    with render_slot(Path(app.instance_path) / "pdf-renders", user.id):  # another of the user's being made
        response = client.get(f"/sessions/{register.id}/dossier.zip")
        assert response.status_code == 429 and "déjà en préparation" in text_of(response)
    laid_out = []
    monkeypatch.setattr(pdf, "html_to_pdf", lambda html, real=pdf.html_to_pdf: laid_out.append(1) or real(html))
    assert client.get(f"/sessions/{register.id}/convocations.pdf").status_code == 200
    assert client.get(f"/sessions/{register.id}/guide.pdf").status_code == 200
    assert len(laid_out) == 2
    first = client.get(f"/sessions/{register.id}/dossier.zip")
    assert first.status_code == 200 and len(laid_out) == 3  # the sign-in sheets only: the others from the cache
    assert client.get(f"/sessions/{register.id}/dossier.zip").status_code == 200 and len(laid_out) == 3


def test_a_document_is_laid_out_again_when_anything_it_shows_changes(client, register):
    """The cache was keyed by the session's last journal entry: renaming a juror in the directory (the
    centre's, not the session's journal) left the jury's letters with the old name."""
    before = pdf_text(client.get(f"/sessions/{register.id}/convocations-jury.pdf"))[1]
    jure = models.Jure.get()
    assert "Durand" in before
    client.post(f"/jures/{jure.id}", data={"nom": "Duranton", "prenom": jure.prenom, "email": jure.email, "version": "0",
                                           "telephone": "", "professionnalise_le": ""})
    after = pdf_text(client.get(f"/sessions/{register.id}/convocations-jury.pdf"))[1]
    assert "Duranton" in after and "Durand " not in after.replace("Duranton", "")


def test_the_completed_guide_lists_the_registers_checks_under_the_tables(client, auth, session, tmp_path):
    from helpers import printed
    auth.login()
    text, _, _, _ = printed(client.get(f"/sessions/{session.id}/guide.pdf"), tmp_path)
    assert "Contrôles du registre" in text and "Jury d'au moins deux membres (jury_effectif) Contrôle en attente" in text
