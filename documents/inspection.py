"""The inspection file (« dossier d'inspection »): one ZIP with the guide (the sealed one when the
session is closed), the journal, the register, the generated documents that apply, every attachment,
and a manifest listing each file with its SHA-256 and size plus the journal's head hash.

Streamed (zipstream-ng, stored without compression: PDFs and photos are compressed already): the
attachments are read from the database one at a time while the archive is sent, so a session of
200 MB never sits in the worker's memory.
"""
import base64
import hashlib
import json
from pathlib import Path

import zipstream

from documents import catalogue, session_documents as docs, signing
from documents.spreadsheet import csv_bytes
from domain import journal
from formats import fr_date, fr_datetime, local
from domain.jury import jury_members
from domain.vocabulary import AUDIT_FIELD_LABELS, PARCOURS_LABELS
from models import AuditEvent, Candidat, ChecklistItem, Emission, Piece, SealedGuide, User, now


def journal_csv(session):
    positions = dict(ChecklistItem.select(ChecklistItem.id, ChecklistItem.position)
                     .where(ChecklistItem.session == session).tuples())
    users = dict(User.select(User.id, User.display_name).tuples())
    events = AuditEvent.select().where(AuditEvent.session == session).order_by(AuditEvent.id)
    return csv_bytes(("Date", "Par", "Tâche", "Élément", "Avant", "Après", "Empreinte (SHA-256)"), (
        (fr_datetime(e.at, "%d/%m/%Y %H:%M:%S"), users.get(e.user_id, ""), positions.get(e.item_id, ""),
         AUDIT_FIELD_LABELS.get(e.field, e.field), e.old_value, e.new_value, e.hash) for e in events))


def journal_jsonl(session):
    """Every event with every field its hash covers, exactly (the time as hashed) and the previous
    hash: the chain recomputed from this file alone (verifier.py). UTF-8, one JSON object per line."""
    events = AuditEvent.select().where(AuditEvent.session == session).order_by(AuditEvent.id)
    lines, previous = [], journal.genesis(session.id)
    for e in events:
        lines.append(json.dumps({
            "id": e.id, "session": e.session_id, "item": e.item_id, "item_version": e.item_version, "user": e.user_id,
            "field": e.field, "old_value": e.old_value, "new_value": e.new_value, "at": journal.hashed_time(e),
            "previous": previous, "hash": e.hash}, ensure_ascii=False))
        previous = e.hash
    return ("\n".join(lines) + ("\n" if lines else "")).encode("utf-8")


# The inspector's tools, shipped in every file (standard library only).
TOOLS = Path(__file__).parent / "dossier"


def candidates_csv(candidats):
    return csv_bytes(("Nom", "Prénom", "Date de naissance", "Parcours", "Recevabilité VAE jusqu'au", "Convocation envoyée le",
                 "Mode", "Référence"), (
        (c.nom, c.prenom, fr_date(c.date_naissance), PARCOURS_LABELS.get(c.parcours, c.parcours),
         fr_date(c.recevabilite_valide_jusqu_au), fr_date(c.convocation_envoyee_le), c.convocation_mode,
         c.convocation_reference) for c in candidats))


def jury_csv(membres, candidats):
    labels = {c.id: c.label for c in candidats}
    return csv_bytes(("Nom", "Prénom", "E-mail", "Déclaration signée le", "Candidats connus"), (
        (m.jure.nom, m.jure.prenom, m.jure.email, fr_date(m.declaration_le), ", ".join(labels[i] for i in m.known))
        for m in membres))


def emission_file_name(emission):
    """« CONV-12-3-convocations-candidat-45.pdf »: its reference, the document, for whom."""
    whom = f"-{emission.destinataire_type}" if emission.destinataire_type else ""
    whom += f"-{emission.destinataire_id}" if emission.destinataire_id else ""
    return f"{catalogue.reference(emission.document, emission.session_id, emission.numero)}-{emission.document}{whom}.pdf"


def _piece_chunks(piece_id):
    """The attachment's bytes, read from the database only when the archive reaches it."""
    yield bytes(Piece.select(Piece.contenu).where(Piece.id == piece_id).scalar())


def inspection_zip(session, render_guide, render_document, signer):
    """A ZipStream of the session's file; `render_guide()` and `render_document(document)` (a declaration
    of documents.catalogue) make PDFs; `signer(bytes)` gives (the Ed25519 signature, the public key) of
    the manifest."""
    archive = zipstream.ZipStream(compress_type=zipstream.ZIP_STORED, sized=True)
    manifest = []

    def add(name, body):
        archive.add(body, name)
        manifest.append({"nom": name, "sha256": hashlib.sha256(body).hexdigest(), "taille": len(body)})

    seal = SealedGuide.latest(session)
    if session.closed_at is not None and seal is not None and session.purged_at is None:
        add("guide.pdf", bytes(seal.pdf))
    else:
        add("guide.pdf", render_guide())
    add("journal.csv", journal_csv(session))
    add("journal.jsonl", journal_jsonl(session))
    candidats = list(Candidat.of_session(session))
    membres = jury_members(session)
    if candidats:
        add("candidats.csv", candidates_csv(candidats))
    if membres:
        add("jury.csv", jury_csv(membres, candidats))
    for document in catalogue.in_inspection_file():
        try:
            add(f"{document.file}.pdf", render_document(document))
        except docs.MissingData:
            pass  # a document whose data is missing is not part of the file
    # The issued originals, as sent: a letter is never made again for the file.
    if session.purged_at is None:
        for emission in Emission.select().where(Emission.session == session).order_by(Emission.numero):
            add(f"emis/{emission_file_name(emission)}", bytes(emission.pdf))
    positions = dict(ChecklistItem.select(ChecklistItem.id, ChecklistItem.position)
                     .where(ChecklistItem.session == session).tuples())
    names = set()
    for piece in Piece.attached().where(Piece.session == session):
        name = f"pieces/{positions[piece.item_id]:03d}-{piece.nom}"
        if name in names:
            name = f"pieces/{positions[piece.item_id]:03d}-{piece.id}-{piece.nom}"
        names.add(name)
        archive.add(_piece_chunks(piece.id), name, size=piece.taille)
        manifest.append({"nom": name, "sha256": piece.sha256, "taille": piece.taille})
    body = json.dumps({
        "session": session.id, "sigle": session.sigle, "centre": session.centre.name,
        # Local time without offset, as the JSON export's (its readers expect it so).
        "genere_le": local(now()).isoformat(), "journal_hash": journal.head_hash(session.id),
        "journal_purge": session.purged_at is not None,
        "cloturee_le": local(session.closed_at).isoformat() if session.closed_at else None, "fichiers": manifest,
    }, ensure_ascii=False, indent=2).encode("utf-8")
    signature, public = signer(body)
    archive.add(body, "manifest.json")
    archive.add(base64.b64encode(signature) + b"\n", "manifest.sig")
    archive.add(f"{base64.b64encode(public).decode('ascii')}\nEmpreinte : {signing.fingerprint(public)}\n"
                .encode("utf-8"), "cle-publique.txt")
    for tool in ("verifier.py", "LISEZMOI.txt"):
        archive.add((TOOLS / tool).read_bytes(), tool)
    return archive
