"""Checklist items: set a state (never flip one), save an observation without overwriting a
colleague's newer text. Each change and its journal entry are written in one transaction, and the
item comes back with `audit_event`: the event written, None when nothing changed.

Each change takes `check`, the caller's rights: it is called with the item's session (None when there
is no such item) once the item is locked, in the change's transaction, and raises to refuse. Checked
there rather than before, a session closed between the check and the change cannot take it.
"""
from database import retry_on_conflict
from domain import DomainError, journal
from domain.inputs import clean_field, fr_date
from models import ChecklistItem, db, now
from statements import (HEAD_OF_ITEM_LOCKED, ITEM_LOCKED, ITEM_TO_CHANGE, ITEM_WRITE, ITEM_WRITTEN,
                        SESSION_OF_ITEM_SHARED)


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


def _locked_item(item_id, check):
    """The item with its session and its journal's head, locked until the transaction ends (in the order
    every writer locks them; one round trip on PostgreSQL), once `check` let it be changed."""
    key = {"id": item_id}
    locks = [(SESSION_OF_ITEM_SHARED, key), (ITEM_LOCKED, key), (HEAD_OF_ITEM_LOCKED, key)] if db.obj.for_update else []
    item = ITEM_TO_CHANGE.first(before=locks, **key)
    if check is not None:
        check(item.session if item is not None else None)
    if item is None:
        raise ChecklistItem.DoesNotExist(f"No checklist item {item_id}")
    item.audit_event = None
    return item


@retry_on_conflict
def _set_state(item_id, user, state, done_on=None, na_reason="", check=None):
    """Set an item's state; setting the state it already has changes nothing (a double tap is harmless)."""
    with db.atomic():
        item = _locked_item(item_id, check)
        if item.heading:
            raise DomainError("Cet intitulé n'est pas une tâche : cochez une à une les tâches « ▶ » qui le suivent.")
        old = describe_state(item.state, item.done_on, item.na_reason)
        new = describe_state(state, done_on, na_reason)
        if old == new:
            return item
        item.state, item.done_on, item.na_reason = state, done_on, na_reason
        _write(item, user, "state", old, new, check)
    return item


def _write(item, user, field, old, new, check):
    """Write the change made to the locked item, as a new version by `user` now, with its journal
    entry (`field`, old and new values): the UPDATE goes with the event, one round trip on PostgreSQL."""
    item.version += 1
    item.updated_by = user
    item.updated_at = now()
    item._dirty.clear()
    write = (ITEM_WRITE, {"id": item.id, **{name: item.__data__[name] for name in ITEM_WRITTEN}})
    item.audit_event = journal.record(user, item.session_id, field, old, new, item=item, along=[write],
                                      checked=check is not None, head=item.journal_head)


def mark_done(item_id, user, done_on, today, check=None):
    if done_on > today:
        raise DomainError("La date « Fait le » ne peut pas être dans le futur.", "done_on")
    return _set_state(item_id, user, "done", done_on=done_on, check=check)


def mark_todo(item_id, user, check=None):
    return _set_state(item_id, user, "todo", check=check)


def mark_na(item_id, user, reason, check=None):
    reason = clean_field("reason", reason)
    if not reason:
        raise DomainError("Indiquez pourquoi cette tâche est sans objet.", "reason")
    return _set_state(item_id, user, "na", na_reason=reason, check=check)


def save_observation(item_id, user, text, version, check=None):
    """Save an observation typed against `version` of the item; never overwrite a newer text silently."""
    text = clean_field("observation", text, multiline=True)
    return _save_observation(item_id, user, text, version, check)


@retry_on_conflict
def _save_observation(item_id, user, text, version, check):
    with db.atomic():
        item = _locked_item(item_id, check)
        if version > item.version:
            raise DomainError("Version de l'observation inconnue : rechargez la page.", "observation")
        if item.observation == text:
            return item
        if item.observation_version > version:
            raise StaleObservation(item, text)
        old = item.observation
        item.observation = text
        item.observation_version = item.version + 1
        _write(item, user, "observation", old, text, check)
    return item
