"""Blueprints, one per area, and the few helpers they share."""
import datetime as dt
from dataclasses import dataclass

from flask import abort, current_app
from flask_login import current_user

from models import Centre, ChecklistItem, ExamSession, Site


def today():
    """Today's date, or the date fixed by the TODAY setting (tests, demos)."""
    return current_app.config["TODAY"] or dt.date.today()


def _sessions():
    return ExamSession.select(ExamSession, Centre, Site).join(Centre).switch(ExamSession).join(Site)


def _check_visible(session):
    """404 unless the current user may see the session: other centres' sessions stay unknown."""
    if session is None or not current_user.can_see(session):
        abort(404)
    return session


def visible_session(session_id):
    """The session (with its centre and site) if the current user may see it."""
    return _check_visible(_sessions().where(ExamSession.id == session_id).first())


def editable_session(session_id):
    session = visible_session(session_id)
    if not current_user.can_edit(session):
        abort(403)
    return session


def editable_item(item_id):
    """The item with its session, centre and site (one query), if the current user may change it."""
    item = (ChecklistItem.select(ChecklistItem, ExamSession, Centre, Site)
            .join(ExamSession).join(Centre).switch(ExamSession).join(Site)
            .where(ChecklistItem.id == item_id).first())
    _check_visible(item.session if item else None)
    if not current_user.can_edit(item.session):
        abort(403)
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
