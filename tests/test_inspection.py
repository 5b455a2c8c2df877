"""The inspection file: one ZIP whose manifest lists every file with its SHA-256 and size, the sealed
guide when the session is closed, the journal as Excel opens it, the register and the attachments."""
import csv
import hashlib
import io
import json
import zipfile

import models
from domain import journal
from helpers import item_at, jpeg_bytes, pdf_bytes, settle_regulatory_tasks, upload


def archive_of(response):
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/zip" and response.headers["Content-Disposition"].startswith("attachment")
    assert int(response.headers["Content-Length"]) == len(response.data)
    return zipfile.ZipFile(io.BytesIO(response.data))


def test_the_file_holds_everything_and_its_manifest_matches(client, register):  # noqa: F811
    item = item_at(register, 33)
    upload(client, item, pdf_bytes(), "LRAR.pdf")
    upload(client, item, pdf_bytes(), "LRAR.pdf")  # the same name twice: both kept, told apart
    upload(client, item_at(register, 40), jpeg_bytes(), "pli.jpg")
    archive = archive_of(client.get(f"/sessions/{register.id}/dossier.zip"))
    names = archive.namelist()
    assert names[:5] == ["guide.pdf", "journal.csv", "candidats.csv", "jury.csv", "emargement.pdf"]
    pieces = [n for n in names if n.startswith("pieces/")]
    assert len(pieces) == 3 and "pieces/033-LRAR.pdf" in pieces and "pieces/040-pli.jpg" in pieces
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["journal_hash"] == journal.head_hash(register.id)
    assert [f["nom"] for f in manifest["fichiers"]] == names[:-1]
    for entry in manifest["fichiers"]:
        body = archive.read(entry["nom"])
        assert (hashlib.sha256(body).hexdigest(), len(body)) == (entry["sha256"], entry["taille"]), entry["nom"]
    assert archive.read("pieces/040-pli.jpg") == jpeg_bytes()
    rows = list(csv.reader(io.StringIO(archive.read("journal.csv").decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Date", "Par", "Tâche"] and len(rows) - 1 == models.AuditEvent.select().where(
        models.AuditEvent.session == register).count()
    assert any("Pièce ajoutée : pli.jpg" in row[5] for row in rows)


def test_a_closed_sessions_file_holds_the_sealed_guide(client, register):  # noqa: F811
    settle_regulatory_tasks(register)
    assert client.post(f"/sessions/{register.id}/cloture", data={"motif": "Contrôles vus avec l'UD"}).status_code == 302
    archive = archive_of(client.get(f"/sessions/{register.id}/dossier.zip"))
    assert archive.read("guide.pdf") == bytes(models.SealedGuide.get().pdf)
    assert json.loads(archive.read("manifest.json"))["cloturee_le"] is not None


def test_the_file_is_for_the_centre_only(client, auth, register):  # noqa: F811
    auth.logout()
    auth.login("lecteur@a.fr")
    assert client.get(f"/sessions/{register.id}/dossier.zip").status_code == 200
    auth.logout()
    auth.login("resp@b.fr")
    assert client.get(f"/sessions/{register.id}/dossier.zip").status_code == 404
