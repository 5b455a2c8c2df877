"""Checklist items: each action sets a state (never flips one) and answers with the updated row.

An htmx request gets the row plus out-of-band progress figures; a plain form post (JavaScript off)
is sent back to the session page. A refused change answers with the row showing the message and
the user's input, so nothing typed is lost.
"""
from dataclasses import dataclass

from flask import Blueprint, make_response, redirect, render_template, request, url_for
from flask_login import login_required

from domain import DomainError
from domain import pieces
from domain.checks import SessionChecks
from domain.checklist import StaleObservation, item_with_session, mark_done, mark_na, mark_todo, save_observation
from domain.inputs import parse_date, whole_number
from domain.progress import SessionProgress, progress_by_tableau
from extensions import is_partial
from routes import RowFocus, editable_item, today, user
from routes.sessions import render_checklist

bp = Blueprint("items", __name__, url_prefix="/items")


@dataclass
class TableauProgress:
    """What the progress line of one tableau needs (sessions/_tableau_progress.html)."""

    number: int
    progress: SessionProgress


@bp.before_request
@login_required
def _require_login():
    pass


def answer_row(item, focus=None, status=200, changed=None):
    """The row as it now stands (with progress), or the session page for a plain form post.

    `changed` is the item a change returned: the X-Jalon-Event header then carries the id of the
    audit event it wrote, so a client knows its change was recorded (no header: nothing to change)."""
    session = item.session
    if not is_partial():
        if focus is None:
            response = redirect(url_for("sessions.show", session_id=session.id, _anchor=f"item-{item.id}"))
        else:
            response = make_response(render_checklist(session, focus=focus, status=status))
    else:
        # The row, and the progress counted by the database: no need to load the other 98 rows.
        tableaux = progress_by_tableau(session.id, today())
        fresh = changed if changed is not None else item_with_session(item.id)
        response = make_response(render_template(
            "sessions/_row_update.html", item=fresh, session=session, can_edit=True,
            today=today(), focus=focus,
            # The register is read only for the few tasks a check concerns, as far as their checks read it.
            checks=SessionChecks.of_task(session, today(), fresh.key),
            pieces=pieces.listed(item=fresh) if fresh.attached else {},
            # A tableau holding only headings counts nothing: no row in the aggregate.
            tableau=TableauProgress(item.tableau_number, tableaux.get(item.tableau_number, SessionProgress.total([]))),
            progress=SessionProgress.total(tableaux.values()),
        ), status)
    if changed is not None and changed.audit_event is not None:
        response.headers["X-Jalon-Event"] = str(changed.audit_event.id)
    return response


def _refused(item, message, status=422, **kept):
    return answer_row(item, RowFocus(item.id, message, **kept), status)


def _apply(item_id, change, **typed):
    """Run a change of the domain on the item, the rights checked in its transaction (domain.access);
    a refusal answers with the row and what was typed."""
    try:
        changed = change()
    except DomainError as exc:
        return _refused(editable_item(item_id), exc.message, **typed)
    return answer_row(changed, changed=changed)


@bp.post("/<int:item_id>/done")
def done(item_id):
    raw = request.form.get("done_on", "")

    def change():
        done_on = parse_date(raw, "Fait le") if raw.strip() else today()
        return mark_done(item_id, user(), done_on, today())

    return _apply(item_id, change, done_on=raw)


@bp.post("/<int:item_id>/todo")
def todo(item_id):
    return _apply(item_id, lambda: mark_todo(item_id, user()))


@bp.post("/<int:item_id>/na")
def na(item_id):
    reason = request.form.get("reason", "")
    return _apply(item_id, lambda: mark_na(item_id, user(), reason), reason=reason)


@bp.post("/<int:item_id>/observation")
def observation(item_id):
    text = request.form.get("observation", "")
    version = whole_number(request.form.get("version", ""))
    if version is None:
        # Without the version the text was typed against, saving could overwrite a colleague's text.
        item = editable_item(item_id)
        return _refused(item, "Version de l'observation manquante : rechargez la page avant d'enregistrer.",
                        status=400, draft=text, conflict=item.observation or None)
    try:
        changed = save_observation(item_id, user(), text, version)
    except StaleObservation as exc:
        return _refused(exc.item, exc.message, status=409, draft=exc.draft,
                        conflict=exc.item.observation, version=exc.item.version)
    except DomainError as exc:
        return _refused(editable_item(item_id), exc.message, draft=text, version=version)
    return answer_row(changed, changed=changed)
