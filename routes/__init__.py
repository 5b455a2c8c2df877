"""Blueprints, one per area, and the few helpers they share."""
import datetime as dt
from dataclasses import dataclass

from flask import abort, current_app, make_response, url_for
from flask_login import current_user
from werkzeug.routing import BaseConverter

from domain import access, closing
from domain.inputs import MAX_DIGITS
from models import ExamSession
from routes.errors import render_error
from statements import ITEM_WITH_SESSION


class IdConverter(BaseConverter):
    """`<int:...>` in every route: ASCII digits only, as many as a 64-bit id holds. Werkzeug's own
    matches any Unicode digit (« /sessions/١ » was session 1) and any length (a 500 in the database);
    anything else is simply no route: 404."""

    regex = f"[0-9]{{1,{MAX_DIGITS}}}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(int(value))


def today():
    """Today's date, or the date fixed by the TODAY setting (tests, demos)."""
    return current_app.config["TODAY"] or dt.date.today()


def group_link(group):
    """The full address of a group of tasks (domain.deadlines.TaskGroup): its first task's row."""
    return url_for("sessions.show", session_id=group.session.id, _anchor=f"item-{group.items[0].id}", _external=True)


def user():
    """The logged-in user as a model instance (not Flask-Login's proxy), for the domain functions."""
    return current_user._get_current_object()


def _check_visible(session):
    """404 unless the current user may see the session: other centres' sessions stay unknown."""
    if session is None or not access.can_see(current_user, session):
        abort(404)
    return session


def visible_session(session_id):
    """The session (with its centre and site) if the current user may see it."""
    return _check_visible(ExamSession.with_places().where(ExamSession.id == session_id).first())


def _check_editable(session):
    """403 unless the current user may change the session; 409 « Session clôturée le … » when they
    could but it is closed. Every change to a session, its items or its register comes through here."""
    if not access.can_edit_centre(current_user, session.centre_id):
        abort(403)
    if session.closed_at is not None:
        abort(make_response(render_error(409, closing.closed_message(session))))
    return session


def editable_session(session_id):
    return _check_editable(visible_session(session_id))


def session_row(model, row_id, edit=False):
    """A row of a session (a candidate, an épreuve, an attachment) and its session, if the current user
    may see it (or change it, with `edit`): 404 as for the session itself otherwise."""
    row = model.get_or_none(model.id == row_id)
    if row is None:
        abort(404)
    return row, (editable_session if edit else visible_session)(row.session_id)


def check_change(session):
    """The rights of a change checked in its own transaction (domain.checklist), on the session it
    locked: 404 (None, or another centre's), 403, or 409 when the session is closed."""
    _check_editable(_check_visible(session))


def editable_item(item_id):
    """The item with its session (one compiled query), if the current user may change it."""
    item = ITEM_WITH_SESSION.first(id=item_id)
    check_change(item.session if item else None)
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
