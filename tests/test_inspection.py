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
    assert names[:6] == ["guide.pdf", "journal.csv", "journal.jsonl", "candidats.csv", "jury.csv", "emargement.pdf"]
    pieces = [n for n in names if n.startswith("pieces/")]
    assert len(pieces) == 3 and "pieces/033-LRAR.pdf" in pieces and "pieces/040-pli.jpg" in pieces
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["journal_hash"] == journal.head_hash(register.id)
    tools = ["manifest.json", "manifest.sig", "cle-publique.txt", "verifier.py", "LISEZMOI.txt"]
    assert [f["nom"] for f in manifest["fichiers"]] == names[:-len(tools)] and names[-len(tools):] == tools
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


def unzipped(client, session, folder):
    archive = archive_of(client.get(f"/sessions/{session.id}/dossier.zip"))
    archive.extractall(folder)
    return folder


def run_verifier(folder):
    import subprocess
    import sys
    return subprocess.run([sys.executable, "-I", str(folder / "verifier.py"), str(folder)], capture_output=True,
                          text=True, cwd=folder)


def test_the_file_is_checked_without_jalon_by_the_verifier_it_ships(app, client, register, tmp_path):  # noqa: F811
    """verifier.py (standard library only) passes on a fresh file and names what was changed: one byte
    of a file, one journal line, the manifest."""
    upload(client, item_at(register, 33), pdf_bytes(), "LRAR.pdf")
    folder = unzipped(client, register, tmp_path / "dossier")
    good = run_verifier(folder)
    assert good.returncode == 0 and "dossier intègre" in good.stdout, good.stdout + good.stderr
    from documents import signing
    assert signing.current(app.instance_path).empreinte in good.stdout
    # One byte of an attachment.
    piece = folder / "pieces" / "033-LRAR.pdf"
    data = bytearray(piece.read_bytes())
    data[-1] ^= 1
    piece.write_bytes(bytes(data))
    bad = run_verifier(folder)
    assert bad.returncode == 1 and "pieces/033-LRAR.pdf : modifié" in bad.stdout
    # One journal line (its value changed, the manifest's hash of the file matching again would need the key).
    folder = unzipped(client, register, tmp_path / "dossier2")
    lines = (folder / "journal.jsonl").read_text(encoding="utf-8").splitlines()
    event = json.loads(lines[1])
    event["new_value"] = "Autre chose"
    lines[1] = json.dumps(event, ensure_ascii=False)
    (folder / "journal.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    bad = run_verifier(folder)
    assert bad.returncode == 1 and f"journal.jsonl, ligne 2 (événement {event['id']}) : ne suit plus la chaîne" in bad.stdout
    # The manifest rewritten to match a changed file: its signature no longer holds.
    folder = unzipped(client, register, tmp_path / "dossier3")
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["sigle"] = "AUTRE"
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    bad = run_verifier(folder)
    assert bad.returncode == 1 and "manifest.json : la signature ne correspond pas" in bad.stdout


def test_the_verifiers_ed25519_agrees_with_cryptography():
    """The pure-Python verification (RFC 8032's reference code) against the library's signatures."""
    import importlib.util
    from pathlib import Path

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    spec = importlib.util.spec_from_file_location(
        "verifier", Path(__file__).parent.parent / "documents" / "dossier" / "verifier.py")
    verifier = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(verifier)
    for index in range(3):
        key = Ed25519PrivateKey.generate()
        public = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        message = f"manifeste {index}".encode() * (index + 1)
        signature = key.sign(message)
        assert verifier.ed25519_verify(public, message, signature)
        assert not verifier.ed25519_verify(public, message + b"x", signature)
        assert not verifier.ed25519_verify(public, message, bytes([signature[0] ^ 1]) + signature[1:])
