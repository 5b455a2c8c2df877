"""Blueprints, one per area, and the few helpers they share."""
from dataclasses import dataclass

from flask import current_app, flash, redirect, render_template
from flask_login import current_user
from jinja2_fragments.flask import render_block
from werkzeug.routing import BaseConverter

from domain import access, checklist, checks
from extensions import is_partial
from domain.inputs import MAX_DIGITS
from formats import local_today
from models import Centre, ExamSession


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
    return current_app.config["TODAY"] or local_today()


def user():
    """The logged-in user as a model instance (not Flask-Login's proxy), for the domain functions."""
    return current_user._get_current_object()


def visible_session(session_id):
    """The session (with its centre and site) if the current user may see it: 404 otherwise, as for a
    session that does not exist (other centres' sessions stay unknown)."""
    return access.require_visible(current_user, ExamSession.with_places().where(ExamSession.id == session_id).first())


def editable_session(session_id, after_closing=False):
    """The session if the current user may change it: 404, 403, or 409 when it is closed (domain.access),
    unless the change is one the guide makes `after_closing`."""
    return access.require_editable(current_user, visible_session(session_id), after_closing)


def allowed_session(session_id, right):
    """The session if the current user may see it and has `right` on it (a right of domain.access taking
    the user and the session: archiving, reopening...), whether it is closed or not; 404 or 403 otherwise."""
    session = visible_session(session_id)
    if not right(current_user, session):
        raise access.Forbidden()
    return session


def register_row(model, row_id, edit=False, query=None, after_closing=False):
    """A row of a register table, if the current user may see it (or change it, with `edit`): a
    session's row (a candidate, an épreuve, an attachment), whose `session` is then the session with
    its places, or a centre's own (a juror). 404, 403 or 409 as for the session or centre otherwise.
    `query` narrows the rows looked in (e.g. an attachment not removed yet)."""
    row = (model.select() if query is None else query).where(model.id == row_id).first()
    if row is None:
        raise access.Unknown()
    if "session" in model._meta.fields:
        row.session = editable_session(row.session_id, after_closing) if edit else visible_session(row.session_id)
    else:
        access.require_centre(current_user, row.centre_id, edit)
    return row


def page(template, status=200, **context):
    """A register page, or for htmx its content with the flash messages out of band."""
    if is_partial():
        return render_block(template, "content", **context) + render_template("_flash.html", oob=True), status
    return render_template(template, **context), status


def changed(message, url, render):
    """A change was saved: a plain post goes to `url` (the message flashed there); htmx gets the
    page's content as `render()` makes it now."""
    flash(message, "success")
    if is_partial():
        return render()
    return redirect(url)

def session_page(session, template, endpoint, status=200, **context):
    """A page of the session's register, with the guide's checks put right on it (declared with this
    page's `endpoint`)."""
    page_checks = [check for check in checks.SessionChecks.of(session, today()).checks if check.page == endpoint]
    return page(template, status, session=session, can_edit=access.can_edit(current_user, session),
                page_checks=page_checks, **context)

def centres_for_form():
    """The centres the current user may make a session or a juror for: any (administrators), or their own."""
    if access.can_choose_centre(current_user):
        return list(Centre.select().order_by(Centre.name))
    return [current_user.centre]


def chosen_centre(name):
    """The centre of a new session or juror: the one the form names (administrators), or the user's own;
    None when the name is none of the centres."""
    if not access.can_choose_centre(current_user):
        return current_user.centre
    name = (name or "").strip()
    return Centre.get_or_none(Centre.name == name) if name else None


def editable_item(item_id):
    """The item with its session (one compiled query), if the current user may change it."""
    item = checklist.item_with_session(item_id)
    access.require_editable(current_user, item.session if item is not None else None)
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
