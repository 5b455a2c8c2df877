"""Supporting documents on a task: checked by their content, limited in size, stored in the database
with their SHA-256, downloaded safely, removed with a trace, listed in the JSON and the guide PDF."""
import hashlib
import io

import pytest
from PIL import Image
from pypdf import PdfReader, PdfWriter

import models
from helpers import HTMX, item_at, jpeg_bytes, pdf_bytes, png_bytes, text_of, upload


@pytest.fixture
def item(client, auth, session):
    auth.login()
    return item_at(session, 33)


def test_a_pdf_a_photo_and_a_png_are_kept_with_their_hash_and_listed(client, item, tmp_path):
    for data, name in ((pdf_bytes(), "LRAR Martin.pdf"), (jpeg_bytes(), "IMG_0042.JPG"), (png_bytes(), "capture.png")):
        response = upload(client, item, data, name)
        assert response.status_code == 200, text_of(response)
    stored = list(models.Piece.select().order_by(models.Piece.id))
    assert [(p.nom, p.type) for p in stored] == [("LRAR Martin.pdf", "application/pdf"), ("IMG_0042.jpg", "image/jpeg"),
                                                 ("capture.png", "image/png")]
    assert stored[0].sha256 == hashlib.sha256(pdf_bytes()).hexdigest() and bytes(stored[0].contenu) == pdf_bytes()
    row = upload(client, item, png_bytes(), "encore.png").get_data(as_text=True)
    assert "LRAR Martin.pdf" in row and "Aperçu" in row
    data = client.get(f"/sessions/{item.session_id}.json").get_json()
    listed = next(i for t in data["phases"] for i in t["items"] if i["id"] == item.id)["pieces"]
    assert [p["nom"] for p in listed][:1] == ["LRAR Martin.pdf"] and listed[0]["sha256"] == stored[0].sha256
    assert listed[0]["taille"] == len(pdf_bytes())
    guide = client.get(f"/sessions/{item.session_id}/guide.pdf")
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(guide.data)).pages).split())
    assert f"Pièce : LRAR Martin.pdf ({stored[0].sha256[:12]})" in text
    assert "Pièce ajoutée : LRAR Martin.pdf" in text_of(client.get(f"/sessions/{item.session_id}/history"))


@pytest.mark.parametrize("data, name, message", [
    (b"<html><script>alert(1)</script></html>", "faux.pdf", "Type de fichier refusé"),
    (b"%PDF-1.4 pas vraiment un pdf", "casse.pdf", "PDF illisible"),
    (b"\xff\xd8\xff\xe0" + b"x" * 100, "photo.jpg", "Image illisible"),
    (b"\x00\x00\x00\x18ftypheic" + b"\x00" * 64, "IMG_0001.HEIC", "choisissez JPEG"),
    (b"", "vide.pdf", "Fichier vide"),
])
def test_a_file_refused_by_its_content_is_not_stored(client, item, data, name, message):
    response = upload(client, item, data, name)
    assert response.status_code == 422 and message in text_of(response)
    assert models.Piece.select().count() == 0 and models.AuditEvent.select().where(
        models.AuditEvent.field == "piece").count() == 0


def test_size_limits_per_file_and_per_session(app, client, item):
    small = pdf_bytes()
    app.config.update(PIECE_MAX_BYTES=2000, SESSION_PIECES_MAX_BYTES=2 * len(small) + 10)
    big = jpeg_bytes(size=(400, 400))
    assert len(big) > 2000
    refused = upload(client, item, big, "grande.jpg")
    assert refused.status_code == 422 and "Fichier trop volumineux" in text_of(refused) and "au plus" in text_of(refused)
    assert upload(client, item, small, "a.pdf").status_code == 200
    assert upload(client, item, small, "b.pdf").status_code == 200
    full = upload(client, item, small, "c.pdf")
    assert full.status_code == 422 and "Place épuisée pour cette session" in text_of(full)
    assert models.Piece.select().count() == 2
    # Beyond what the request may carry at all: a French 413, nothing stored.
    app.config.update(PIECE_MAX_BYTES=1000)  # the request may carry the file and 64 KB of form
    huge = upload(client, item, b"%PDF-" + b"0" * (100 * 1024), "enorme.pdf")
    assert huge.status_code == 413 and "Envoi trop volumineux" in text_of(huge)


def test_a_download_is_an_attachment_that_is_never_sniffed_and_photos_preview_upright(client, item):
    upload(client, item, jpeg_bytes(orientation=6), "photo tournée.jpg")  # EXIF: rotate 90°
    piece = models.Piece.get()
    response = client.get(f"/pieces/{piece.id}")
    assert response.status_code == 200 and response.data == bytes(piece.contenu)
    assert response.headers["Content-Type"] == "image/jpeg"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="photo tourn_e.jpg"')
    assert "filename*=UTF-8''photo%20tourn%C3%A9e.jpg" in response.headers["Content-Disposition"]
    preview = client.get(f"/pieces/{piece.id}/apercu")
    assert preview.headers["Content-Disposition"].startswith("inline")
    assert Image.open(io.BytesIO(preview.data)).size == (30, 60)  # 60 × 30 stored, shown turned upright


def test_removing_keeps_the_bytes_and_says_who(client, item):
    upload(client, item, pdf_bytes(), "decharge.pdf")
    piece = models.Piece.get()
    response = client.post(f"/pieces/{piece.id}/remove", headers=HTMX)
    assert response.status_code == 200 and "decharge.pdf" not in text_of(response)
    kept = models.Piece.get_by_id(piece.id)
    assert kept.retiree_le is not None and kept.retiree_par.email == "resp@a.fr" and bytes(kept.contenu) == pdf_bytes()
    assert "decharge.pdf (SHA-256" in text_of(client.get(f"/sessions/{piece.session_id}/history"))


def test_a_lecteur_downloads_but_never_uploads_and_other_centres_see_nothing(client, auth, item):
    upload(client, item, pdf_bytes(), "pv.pdf")
    piece = models.Piece.get()
    auth.logout()
    auth.login("lecteur@a.fr")
    assert client.get(f"/pieces/{piece.id}").status_code == 200
    assert upload(client, item, pdf_bytes(), "autre.pdf").status_code == 403
    assert client.post(f"/pieces/{piece.id}/remove").status_code == 403
    auth.logout()
    auth.login("resp@b.fr")
    assert client.get(f"/pieces/{piece.id}").status_code == 404
    assert client.get(f"/pieces/{piece.id}/apercu").status_code == 404
    assert models.Piece.select().count() == 1


def pdf_protected(user_password="", owner_password="propriétaire"):
    """An AES-256 PDF: with an empty user password it opens without one (an owner password only)."""
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.encrypt(user_password=user_password, owner_password=owner_password, algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_pdf_protected_by_an_owner_password_only_is_kept_one_that_asks_a_password_is_refused(client, item):
    """AES needs `cryptography`: without it pypdf raised DependencyError, which no except caught (500)."""
    assert upload(client, item, pdf_protected(), "décharge protégée.pdf").status_code == 200
    refused = upload(client, item, pdf_protected(user_password="secret"), "verrouillé.pdf")
    assert refused.status_code == 422 and "mot de passe d'ouverture" in text_of(refused)
    assert [p.nom for p in models.Piece.select()] == ["décharge protégée.pdf"]


def test_a_truncated_jpeg_is_refused_at_upload_not_at_its_preview(client, item):
    """verify() does not decode a JPEG's data: a cut file passed, and its preview was a 500."""
    data = jpeg_bytes(size=(400, 300))
    refused = upload(client, item, data[:len(data) // 2], "coupée.jpg")
    assert refused.status_code == 422 and "Image illisible" in text_of(refused)
    assert models.Piece.select().count() == 0


def test_an_image_over_the_pixel_limit_is_refused_and_previews_are_made_once(app, client, item):
    """A small PNG may decode to gigabytes (13,000 × 13,000 took 1.3 GB per preview): the number of
    pixels is capped at upload (PIECE_MAX_MEGAPIXELS), and the preview is made then, reduced, once."""
    app.config.update(PIECE_MAX_PIXELS=1_000_000)
    out = io.BytesIO()
    Image.new("L", (1200, 1000)).save(out, "PNG")  # 1.2 MP of black: a few KB
    refused = upload(client, item, out.getvalue(), "capture.png")
    assert refused.status_code == 422
    assert "Image trop grande : 1200 × 1000 pixels (1,2 mégapixels pour 1,0 mégapixels au plus)" in text_of(refused)
    out = io.BytesIO()
    Image.new("RGB", (1000, 1000), (10, 200, 10)).save(out, "PNG")
    assert upload(client, item, out.getvalue(), "carré.png").status_code == 200
    piece = models.Piece.get()
    assert piece.apercu is not None  # made at upload
    models.Piece.update(contenu=b"").where(models.Piece.id == piece.id).execute()  # never decoded again
    preview = client.get(f"/pieces/{piece.id}/apercu")
    assert preview.status_code == 200 and Image.open(io.BytesIO(preview.data)).size == (1000, 1000)


def test_a_large_photo_is_previewed_reduced_and_a_file_kept_before_previews_gets_one_once(client, item):
    upload(client, item, jpeg_bytes(size=(3200, 2400)), "grande photo.jpg")
    piece = models.Piece.get()
    assert Image.open(io.BytesIO(bytes(piece.apercu))).size == (1600, 1200)
    models.Piece.update(apercu=None).where(models.Piece.id == piece.id).execute()  # kept before migration 15
    assert Image.open(io.BytesIO(client.get(f"/pieces/{piece.id}/apercu").data)).size == (1600, 1200)
    assert models.Piece.get().apercu is not None


def test_a_phones_multi_picture_jpeg_is_a_jpeg(client, item):
    out = io.BytesIO()
    first, second = Image.new("RGB", (80, 60), (200, 0, 0)), Image.new("RGB", (80, 60), (0, 0, 200))
    first.save(out, "MPO", save_all=True, append_images=[second])
    assert Image.open(io.BytesIO(out.getvalue())).format == "MPO"
    response = upload(client, item, out.getvalue(), "IMG_0007.JPG")
    assert response.status_code == 200, text_of(response)
    assert models.Piece.get().type == "image/jpeg"


def test_a_file_one_byte_over_the_limit_says_sizes_that_differ(app, client, item):
    app.config.update(PIECE_MAX_BYTES=100 * 1024)  # « 0,1 Mo pour 0,1 Mo » at one, two and three decimals
    data = b"%PDF-" + b"0" * (100 * 1024 + 1 - 5)
    refused = upload(client, item, data, "juste trop.pdf")
    assert refused.status_code == 422
    assert "Fichier trop volumineux : 102 401 octets pour 102 400 octets au plus" in text_of(refused)
    app.config.update(PIECE_MAX_BYTES=300 * 1024)  # the file's own size is said, not the limit plus one
    refused = upload(client, item, b"%PDF-" + b"0" * (300 * 1024 + 3000), "trop.pdf")
    assert "Fichier trop volumineux : 0,30 Mo pour 0,29 Mo au plus" in text_of(refused)
