"""Checklist items: set a state (never flip one), save an observation without overwriting a
colleague's newer text. Each change and its journal entry are written in one transaction, and the
item comes back with `audit_event`: the event written, None when nothing changed.

Each change checks the user's rights (domain.access.require_editable) on the item's session once the
item is locked, in the change's transaction: checked there rather than before, a session closed
between the check and the change cannot take it.
"""
from peewee import fn

from database import locked, retry_on_conflict
from domain import DomainError, access, journal
from domain.inputs import clean_field
from formats import fr_date
from models import ChecklistItem, ExamSession, JournalHead, Piece, db, now
from statements import Statement, param


def _item_with_session():
    attached = (Piece.select(fn.COUNT(Piece.id))
                .where((Piece.item == ChecklistItem.id) & Piece.retiree_le.is_null()).alias("attached"))
    return (ChecklistItem.select(ChecklistItem, ExamSession, attached).join(ExamSession)
            .where(ChecklistItem.id == param("id", ChecklistItem.id)).limit(1))


# A task with its session (the session's centre and closing decide the rights, the row shows its
# dates) and its number of attachments (`attached`: the row's list is read only when there are some).
ITEM_WITH_SESSION = Statement("item_with_session", _item_with_session)

# A change to a task takes its locks in the order every writer takes them: its session (shared, its key
# only), the task, then the session journal's head (SESSION_OF_ITEM_SHARED, ITEM_LOCKED, HEAD_OF_ITEM_LOCKED),
# and then reads the task as it now stands (ITEM_TO_CHANGE), all in one round trip. A change of the
# session's header locks the session (FOR UPDATE) and then updates its items' deadlines; a closing locks
# the session and then the head: taken in any other order, such locks deadlock. The rights are checked on
# the session read under these locks, where the change is made: a session closed meanwhile refuses it.
# PostgreSQL only (SQLite's write transactions run one at a time).
SESSION_OF_ITEM_SHARED = Statement("session_of_item_shared", lambda: ExamSession.select(ExamSession.id).where(
    ExamSession.id == ChecklistItem.select(ChecklistItem.session).where(
        ChecklistItem.id == param("id", ChecklistItem.id))).for_update("FOR KEY SHARE"))
ITEM_LOCKED = Statement("item_locked", lambda: locked(ChecklistItem.select(ChecklistItem.id).where(
    ChecklistItem.id == param("id", ChecklistItem.id))))
HEAD_OF_ITEM_LOCKED = Statement("head_of_item_locked", lambda: locked(JournalHead.select(JournalHead.session).where(
    JournalHead.session == ChecklistItem.select(ChecklistItem.session).where(
        ChecklistItem.id == param("id", ChecklistItem.id)))))


def _item_to_change():
    head = JournalHead.select(JournalHead.hash).where(JournalHead.session == ChecklistItem.session)
    return _item_with_session().select_extend(head.alias("journal_head"))


# The task with its session, its attachments' number and its journal's head hash (`journal_head`, None
# before the session's first event): what a change needs, read once the locks above are held.
ITEM_TO_CHANGE = Statement("item_to_change", _item_to_change)

# What a change to a task writes: its state, its observation, and its new version, by whom and when.
ITEM_WRITTEN = ("state", "done_on", "na_reason", "observation", "observation_version", "version", "updated_by",
                "updated_at")
ITEM_WRITE = Statement("item_write", lambda: ChecklistItem.update(
    **{name: param(name, ChecklistItem._meta.fields[name]) for name in ITEM_WRITTEN}
).where(ChecklistItem.id == param("id", ChecklistItem.id)))


def item_with_session(item_id):
    """The task with its session and its number of attachments (one compiled query), or None."""
    return ITEM_WITH_SESSION.first(id=item_id)


class StaleObservation(DomainError):
    """An observation saved against an older text than the one stored."""

    def __init__(self, item, draft):
        super().__init__(
            "Un collègue a modifié cette observation pendant que vous écriviez. "
            "Votre texte est conservé ci-dessous : gardez l'un des deux textes ou fusionnez-les, puis enregistrez.",
            "observation",
        )
        self.item = item
        self.draft = draft


def describe_state(state, done_on, na_reason):
    """The state in the journal's words."""
    if state == "done":
        return f"Fait le {fr_date(done_on)}"
    if state == "na":
        return f"Sans objet : {na_reason}"
    return "À faire"


def _locked_item(item_id, user, after_closing=False):
    """The item with its session and its journal's head, locked until the transaction ends (in the order
    every writer locks them; one round trip on PostgreSQL), if `user` may change it (access errors;
    `after_closing` as access.refusal says)."""
    key = {"id": item_id}
    locks = [(SESSION_OF_ITEM_SHARED, key), (ITEM_LOCKED, key), (HEAD_OF_ITEM_LOCKED, key)] if db.obj.for_update else []
    item = ITEM_TO_CHANGE.first(before=locks, **key)
    access.require_editable(user, item.session if item is not None else None, after_closing)
    item.audit_event = None
    return item


@retry_on_conflict
def _set_state(item_id, user, state, done_on=None, na_reason=""):
    """Set an item's state; setting the state it already has changes nothing (a double tap is harmless)."""
    with db.atomic():
        item = _locked_item(item_id, user)
        if item.heading:
            raise DomainError("Cet intitulé n'est pas une tâche : cochez une à une les tâches « ▶ » qui le suivent.")
        if state == "done" and item.conditional and not item.observation and not item.attached:
            raise DomainError("Cette tâche ne s'applique qu'« en cas de » : écrivez d'abord dans l'observation ce qui "
                              "est survenu, ou joignez le rapport ; sinon, marquez-la « Non survenu ».", "done_on")
        old = describe_state(item.state, item.done_on, item.na_reason)
        new = describe_state(state, done_on, na_reason)
        if old == new:
            return item
        item.state, item.done_on, item.na_reason = state, done_on, na_reason
        _write(item, user, "state", old, new)
    return item


def _write(item, user, field, old, new):
    """Write the change made to the locked item, as a new version by `user` now, with its journal
    entry (`field`, old and new values): the UPDATE goes with the event, one round trip on PostgreSQL."""
    item.version += 1
    item.updated_by = user
    item.updated_at = now()
    item._dirty.clear()
    write = (ITEM_WRITE, {"id": item.id, **{name: item.__data__[name] for name in ITEM_WRITTEN}})
    item.audit_event = journal.record(user, item.session_id, field, old, new, item=item, along=[write],
                                      checked=True, head=item.journal_head)


def mark_key_done(user, session_id, key, done_on, after_closing=False):
    """Mark the session's task with this key done on `done_on`, in the caller's transaction (a PV step,
    an issued document: the change that proves the task). None when the session's guide has no such task."""
    found = ChecklistItem.select(ChecklistItem.id).where(
        (ChecklistItem.session == session_id) & (ChecklistItem.key == key)).first()
    if found is None:
        return None
    item = _locked_item(found.id, user, after_closing)
    old = describe_state(item.state, item.done_on, item.na_reason)
    new = describe_state("done", done_on, "")
    if old != new:
        item.state, item.done_on, item.na_reason = "done", done_on, ""
        _write(item, user, "state", old, new)
    return item


def mark_done(item_id, user, done_on, today):
    if done_on > today:
        raise DomainError("La date « Fait le » ne peut pas être dans le futur.", "done_on")
    return _set_state(item_id, user, "done", done_on=done_on)


def mark_todo(item_id, user):
    return _set_state(item_id, user, "todo")


def mark_na(item_id, user, reason):
    reason = clean_field("reason", reason)
    if not reason:
        raise DomainError("Indiquez pourquoi cette tâche est sans objet.", "reason")
    return _set_state(item_id, user, "na", na_reason=reason)


def save_observation(item_id, user, text, version):
    """Save an observation typed against `version` of the item; never overwrite a newer text silently."""
    text = clean_field("observation", text, multiline=True)
    return _save_observation(item_id, user, text, version)


@retry_on_conflict
def _save_observation(item_id, user, text, version):
    with db.atomic():
        item = _locked_item(item_id, user)
        if version > item.version:
            raise DomainError("Version de l'observation inconnue : rechargez la page.", "observation")
        if item.observation == text:
            return item
        if item.observation_version > version:
            raise StaleObservation(item, text)
        old = item.observation
        item.observation = text
        item.observation_version = item.version + 1
        _write(item, user, "observation", old, text)
    return item
