"""Blueprints, one per area, and the few helpers they share."""
import datetime as dt
from dataclasses import dataclass

from flask import abort, current_app
from flask_login import current_user

from models import Centre, ChecklistItem, ExamSession, Site


def today():
    """Today's date, or the date fixed by the TODAY setting (tests, demos)."""
    return current_app.config["TODAY"] or dt.date.today()


def visible_session(session_id):
    """The session if the current user may see it; 404 otherwise, so other centres' sessions stay unknown."""
    session = (
        ExamSession.select(ExamSession, Centre, Site)
        .join(Centre).switch(ExamSession).join(Site)
        .where(ExamSession.id == session_id)
        .first()
    )
    if session is None or not current_user.can_see(session):
        abort(404)
    return session


def editable_session(session_id):
    session = visible_session(session_id)
    if not current_user.can_edit(session):
        abort(403)
    return session


def editable_item(item_id):
    item = ChecklistItem.get_or_none(ChecklistItem.id == item_id)
    if item is None:
        abort(404)
    session = editable_session(item.session_id)
    item.session = session
    return item


@dataclass
class RowFocus:
    """A refused change on one checklist row: its message and what the user had typed, shown again."""

    item_id: int
    error: str
    done_on: str | None = None
    reason: str | None = None
    draft: str | None = None
    conflict: str | None = None
    version: int | None = None
