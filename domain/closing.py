"""Closing a session (« clôture »): once every regulatory task is done or « sans objet », the session
becomes read-only and its completed guide is sealed, the PDF bytes kept with their SHA-256 and the
journal's head at that moment. A session whose register fails a check is closed only with a reason
(« motif »), journalled and printed on the sealed guide. Only an administrator reopens it, with a
reason; a later closing seals a new guide and the earlier ones stay. A closed session is done with:
it leaves the task lists and the reminders, and may be archived.
"""
import hashlib

from peewee import JOIN

from database import locked
from domain import DomainError, anchors, checks, journal
from domain.inputs import clean_text
from formats import fr_datetime
from domain.vocabulary import agree, plural
from models import ExamSession, SealedGuide, User, db


class NotClosable(DomainError):
    """Regulatory tasks are still to do: the session cannot be closed (422, the list in French)."""

    def __init__(self, tasks):
        self.tasks = tasks
        super().__init__(f"Session non clôturée : {plural(len(tasks), 'tâche réglementaire', 'tâches réglementaires')} "
                         "encore à faire.")


class AlreadyClosed(DomainError):
    pass


class ChecksFailing(DomainError):
    """The register fails checks: the session is closed only with a reason (422, the checks listed)."""

    def __init__(self, failed):
        self.failed = failed
        super().__init__(f"{plural(len(failed), 'contrôle du registre non respecté', 'contrôles du registre non respectés')}"
                         f" : indiquez le motif de la clôture malgré {agree(len(failed), 'lui', 'eux')} (il sera "
                         "journalisé et imprimé sur le guide scellé).",
                         "motif")


def closed_message(session, closed_by_name=None):
    """« Session clôturée le 12/04/2027 à 17:05 par Karim Benali » (and what it means)."""
    name = closed_by_name or (session.closed_by.display_name if session.closed_by_id else "un utilisateur supprimé")
    return (f"Session clôturée le {fr_datetime(session.closed_at)} par {name} : elle n'est plus modifiable "
            "(un administrateur peut la rouvrir).")


def regulatory_todo(items):
    """The regulatory tasks still to do that hold the closing back: not the headings, nor the tasks that
    run for months after the exam (`long_running`: the insertion follow-up, keeping the documents)."""
    return [item for item in items if item.reglementaire and item.state == "todo" and not item.heading
            and not item.long_running]


def close(user, session, render_pdf, when, today, anchor_file, reason=""):
    """Close the session and seal its guide; `render_pdf(when, user, journal_hash, exception, anchor)`
    makes the PDF, `exception` None or {"checks": [titles of the failed checks], "reason": reason},
    `anchor` the journals' anchor made by the closing (appended to `anchor_file` once committed). A
    register that fails checks is closed only with a `reason` (ChecksFailing otherwise).

    The tasks and the register are read once the session is locked: a change meanwhile is seen."""
    reason = clean_text(reason, multiline=True, max_length=500, label="Motif")
    with db.atomic():
        current = locked(ExamSession.select().where(ExamSession.id == session.id)).get()
        if current.closed_at is not None:
            raise AlreadyClosed(closed_message(current))
        # The journal's head locked before anything is read: a change either is in the sealed guide or
        # finds the session closed (journal.record).
        head = journal.lock_head(session.id) or journal.genesis(session.id)
        todo = regulatory_todo(current.ordered_items())
        if todo:
            raise NotClosable(todo)
        failed = [check for check in checks.run(checks.load_register(current), today) if check.ok is False]
        if failed and not reason:
            raise ChecksFailing(failed)
        exception = {"checks": [check.title for check in failed], "reason": reason} if failed else None
        anchor = anchors.make(f"clôture de la session {session.id}")
        pdf = render_pdf(when, user, head, exception, anchor)
        digest = hashlib.sha256(pdf).hexdigest()
        seal = SealedGuide.create(session=session.id, at=when, by=user, pdf=pdf, sha256=digest, journal_hash=head)
        ExamSession.update(closed_at=when, closed_by=user).where(ExamSession.id == session.id).execute()
        despite = (f" malgré {plural(len(failed), 'contrôle non respecté', 'contrôles non respectés')} "
                   f"({', '.join(exception['checks'])}) ; "
                   f"motif : {reason}") if failed else ""
        journal.record(user, session.id, "cloture", "",
                       f"Session clôturée{despite} ; guide scellé (SHA-256 {digest[:12]}…) ; ancre {anchor.id}")
    anchors.publish(anchor, anchor_file)
    return seal


def reopen(user, session, reason):
    """Reopen a closed session (administrators), with the reason, in the journal."""
    reason = clean_text(reason, multiline=True, max_length=500, label="Motif")
    if not reason:
        raise DomainError("Motif : indiquez pourquoi la session est rouverte.")
    with db.atomic():
        current = locked(ExamSession.select().where(ExamSession.id == session.id)).get()
        if current.closed_at is None:
            raise DomainError("Cette session n'est pas clôturée.")
        ExamSession.update(closed_at=None, closed_by=None).where(ExamSession.id == session.id).execute()
        journal.record(user, session.id, "reouverture", closed_message(current), f"Rouverte : {reason}")


def seals(session):
    """The session's sealed guides, the latest first (without their bytes)."""
    return list(SealedGuide.select(SealedGuide.id, SealedGuide.at, SealedGuide.sha256, SealedGuide.journal_hash,
                                   SealedGuide.by, User.display_name)
                .join(User, JOIN.LEFT_OUTER, on=(SealedGuide.by == User.id))
                .where(SealedGuide.session == session).order_by(SealedGuide.id.desc()))
