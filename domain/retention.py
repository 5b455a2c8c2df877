"""The five years the guide asks the documents to be kept (« Conserver les documents relatifs aux
candidats et aux sessions d'examen pendant une période de cinq ans »), and what happens after: the
purge removes the session's attachments and replaces the people's personal data by neutral
placeholders, keeping the guide, the counts, the dates and the journal (whose chain stays valid: the
purge is one more event). A session under inspection can be held (« conservation prolongée »).
"""
import datetime as dt
from dataclasses import dataclass

from peewee import fn

from domain import DomainError, journal
from domain.inputs import clean_text
from domain.vocabulary import plural
from domain.sessions import retention_until
from models import Candidat, Emargement, ExamSession, Intervenant, Jure, MembreJury, Piece, db, now

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


def purge(entry):
    """Purge one session: its attachments deleted, its people's personal data replaced; journalled."""
    session = entry.session
    with db.atomic():
        Piece.delete().where(Piece.session == session).execute()
        # Every candidate, withdrawn ones too.
        candidats = Candidat.select().where(Candidat.session == session).order_by(Candidat.nom, Candidat.prenom, Candidat.id)
        for number, candidat in enumerate(candidats, start=1):
            Candidat.update(nom=f"Candidat {number}", prenom="", date_naissance=PLACEHOLDER_BIRTH, email="", adresse="",
                            recevabilite_valide_jusqu_au=None, convocation_reference="").where(
                Candidat.id == candidat.id).execute()
        Emargement.update(signature="", appareil="").where(Emargement.session == session).execute()
        Intervenant.update(nom="Intervenant", email="").where(Intervenant.session == session).execute()
        ExamSession.update(purged_at=now()).where(ExamSession.id == session.id).execute()
        journal.record(None, session.id, "purge", "",
                       f"Durée de conservation échue le {entry.until:%d/%m/%Y} : "
                       f"{plural(entry.pieces, 'pièce supprimée', 'pièces supprimées')}, "
                       f"{plural(entry.candidats, 'candidat')} et {plural(entry.signatures, 'signature')} anonymisés")
    return _forget_jurors()


def _forget_jurors():
    """Jurors who no longer sit (inactive) and whose every session is purged: their personal data
    goes too (an active juror is still the centre's, for its coming sessions)."""
    kept = MembreJury.select(MembreJury.jure).join(ExamSession).where(ExamSession.purged_at.is_null())
    forgotten = Jure.select(Jure.id).where((Jure.active == False) & Jure.id.not_in(kept) & (Jure.prenom != ""))  # noqa: E712
    ids = [j.id for j in forgotten]
    for jure_id in ids:
        Jure.update(nom=f"Juré {jure_id}", prenom="", email=f"jure-{jure_id}@anonyme.invalid", telephone="",
                    professionnalise_le=None).where(Jure.id == jure_id).execute()
    return len(ids)


def hold(user, session, reason):
    """« Conservation prolongée » (administrators): the purge skips the session; an empty reason lifts it."""
    reason = clean_text(reason, multiline=False, max_length=500, label="Motif")
    if reason == session.conservation_prolongee:
        raise DomainError("Rien à changer : indiquez un motif, ou videz-le pour lever la conservation prolongée.")
    with db.atomic():
        ExamSession.update(conservation_prolongee=reason).where(ExamSession.id == session.id).execute()
        journal.record(user, session.id, "conservation", session.conservation_prolongee, reason)
