"""The five years the guide asks the documents to be kept (« Conserver les documents relatifs aux
candidats et aux sessions d'examen pendant une période de cinq ans »), and what happens after.

The purge reaches every place the session's personal data lives: its attachments (deleted), its
people (replaced by neutral placeholders), the tasks' observations and « sans objet » reasons (free
text that names people), the sealed guides' bytes (removed; their hash kept, a download answers
410), and the journal itself, whose events name people: the purge is journalled, the heads are
anchored (domain/anchors.py), then the events are removed and the head kept, so that
`verify-journal` reports the session as purged with its head checked against its anchor. The legal
trail ends with the retention. The guide's tasks, dates, states and counts stay. On SQLite the
deleted bytes are overwritten (secure_delete) and the WAL checkpointed, so they do not linger in
free pages; PostgreSQL: see the README. A session under inspection can be held (« conservation
prolongée »).
"""
import datetime as dt
from dataclasses import dataclass

from peewee import fn

from database import checkpoint, secure_delete
from domain import DomainError, anchors, journal
from domain.inputs import clean_text
from domain.vocabulary import plural
from domain.sessions import retention_until
from models import (AuditEvent, Candidat, ChecklistItem, Emargement, Emission, EtapePv, ExamSession, Intervenant, Jure,
                    MembreJury, Piece, SealedGuide, SuiviInsertion, db, now)

PLACEHOLDER_BIRTH = dt.date(1900, 1, 1)


@dataclass
class Due:
    """A session whose retention has ended, and what the purge removes."""

    session: ExamSession
    until: dt.date
    pieces: int
    pieces_bytes: int
    candidats: int
    signatures: int


def due(today):
    """The sessions whose retention ended before today, not held and not purged yet."""
    sessions = (ExamSession.select().where(ExamSession.purged_at.is_null() & (ExamSession.conservation_prolongee == ""))
                .order_by(ExamSession.date_debut, ExamSession.id))
    result = []
    for session in sessions:
        until = retention_until(session, session.items)
        if until is None or until >= today:
            continue
        pieces = Piece.select(fn.COUNT(Piece.id), fn.COALESCE(fn.SUM(Piece.taille), 0)).where(
            Piece.session == session).tuples().get()
        result.append(Due(session, until, pieces[0], pieces[1],
                          Candidat.select().where(Candidat.session == session).count(),
                          Emargement.select().where((Emargement.session == session) & (Emargement.signature != "")).count()))
    return result


PURGED_TEXT = "(effacé à la purge)"


def purge(entry, anchor_file):
    """Purge one session: its attachments, sealed guides' bytes and journal events deleted, its
    people's personal data and its free texts replaced; journalled and anchored before its events go
    (the anchor appended to `anchor_file`). Returns the number of inactive jurors forgotten."""
    session = entry.session
    with db.atomic():
        secure_delete()
        EtapePv.update(piece=None).where(EtapePv.session == session).execute()  # the step stays, its proof goes
        Piece.delete().where(Piece.session == session).execute()
        # Where the candidates went after the exam (RGPD): gone with the rest; results stay, anonymous.
        SuiviInsertion.delete().where(SuiviInsertion.session == session).execute()
        # Every candidate, withdrawn ones too.
        candidats = Candidat.select().where(Candidat.session == session).order_by(Candidat.nom, Candidat.prenom, Candidat.id)
        for number, candidat in enumerate(candidats, start=1):
            Candidat.update(nom=f"Candidat {number}", prenom="", date_naissance=PLACEHOLDER_BIRTH, email="", adresse="",
                            recevabilite_valide_jusqu_au=None, convocation_reference="", identifiant_ceres="").where(
                Candidat.id == candidat.id).execute()
        Emargement.update(signature="", appareil="").where(Emargement.session == session).execute()
        Intervenant.update(nom="Intervenant", email="").where(Intervenant.session == session).execute()
        ChecklistItem.update(observation=PURGED_TEXT).where(
            (ChecklistItem.session == session) & (ChecklistItem.observation != "")).execute()
        ChecklistItem.update(na_reason=PURGED_TEXT).where(
            (ChecklistItem.session == session) & (ChecklistItem.na_reason != "")).execute()
        SealedGuide.update(pdf=b"").where(SealedGuide.session == session).execute()
        Emission.update(pdf=b"").where(Emission.session == session).execute()  # their hashes stay
        ExamSession.update(purged_at=now()).where(ExamSession.id == session.id).execute()
        journal.record(None, session.id, "purge", "",
                       f"Durée de conservation échue le {entry.until:%d/%m/%Y} : "
                       f"{plural(entry.pieces, 'pièce supprimée', 'pièces supprimées')}, "
                       f"{plural(entry.candidats, 'candidat')} et {plural(entry.signatures, 'signature')} anonymisés, "
                       "observations, guides scellés et événements du journal effacés")
        anchor = anchors.make(f"{anchors.PURGE_MOTIF}{session.id}")
        AuditEvent.delete().where(AuditEvent.session == session).execute()
        forgotten = _forget_jurors()
    anchors.publish(anchor, anchor_file)
    checkpoint()
    return forgotten


def _forget_jurors():
    """Jurors who no longer sit (inactive) and whose every session is purged: their personal data
    goes too (an active juror is still the centre's, for its coming sessions)."""
    kept = MembreJury.select(MembreJury.jure).join(ExamSession).where(ExamSession.purged_at.is_null())
    forgotten = Jure.select(Jure.id).where((Jure.active == False) & Jure.id.not_in(kept) & (Jure.prenom != ""))  # noqa: E712
    ids = [j.id for j in forgotten]
    for jure_id in ids:
        Jure.update(nom=f"Juré {jure_id}", prenom="", email=f"jure-{jure_id}@anonyme.invalid", telephone="",
                    professionnalise_le=None, civilite="", adresse="", code_postal="", ville="").where(
            Jure.id == jure_id).execute()
    return len(ids)


def hold(user, session, reason):
    """« Conservation prolongée » (administrators): the purge skips the session; an empty reason lifts it."""
    reason = clean_text(reason, multiline=False, max_length=500, label="Motif")
    if reason == session.conservation_prolongee:
        raise DomainError("Rien à changer : indiquez un motif, ou videz-le pour lever la conservation prolongée.")
    with db.atomic():
        ExamSession.update(conservation_prolongee=reason).where(ExamSession.id == session.id).execute()
        journal.record(user, session.id, "conservation", session.conservation_prolongee, reason)
