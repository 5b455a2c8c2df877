"""Exam sessions: the list, the header form, the checklist page, its history and its JSON export."""
from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from peewee import JOIN

import dashboard
import deadlines
from dashboard import Filters
from forms import SessionForm
from models import (
    AuditEvent, Centre, ExamSession, SessionProgress, Site, User, create_session, set_archived, update_session,
)
from routes import editable_session, today, visible_session

bp = Blueprint("sessions", __name__)


@bp.before_request
@login_required
def _require_login():
    pass


@bp.get("/")
def index():
    filters = Filters.from_args(request.args)
    board = dashboard.build(current_user, filters, today())
    return render_template("sessions/index.html", board=board, filters=filters, today=today(),
                           stages=dashboard.STAGES, natures=dashboard.NATURES)


def _centres_for_form():
    """Centres a user may create a session for: admins choose, others use their own."""
    if current_user.role == "admin":
        return list(Centre.select().order_by(Centre.name))
    return [current_user.centre]


def _render_form(form, session=None, status=200):
    centres = _centres_for_form()
    # The suggested sites: those of the session's centre, or of every centre the user may choose.
    centre_ids = [session.centre_id] if session else [c.id for c in centres]
    sites = sorted({name for (name,) in Site.select(Site.name).where(Site.centre.in_(centre_ids)).tuples()})
    return render_template(
        "sessions/form.html", form=form, session=session, centres=centres, sites=sites,
        selected_centre=request.form.get("centre", ""),
    ), status


def _require_creator():
    if not current_user.can_create_sessions:
        abort(403)


@bp.get("/sessions/new")
def new():
    _require_creator()
    return _render_form(SessionForm())


def _chosen_centre(form):
    """The centre of a new session: the user's own, or for an admin the one chosen in the form."""
    if current_user.role != "admin":
        return current_user.centre
    name = request.form.get("centre", "").strip()
    centre = Centre.get_or_none(Centre.name == name) if name else None
    if centre is None:
        form.errors["centre"] = "Centre agréé : choisissez un centre dans la liste."
    return centre


@bp.post("/sessions")
def create():
    _require_creator()
    form = SessionForm(request.form)
    valid = form.validate()
    centre = _chosen_centre(form)
    if not valid or form.errors:
        return _render_form(form, status=422)
    session = create_session(centre, form.site, form.header, current_user._get_current_object())
    flash(f"Session {session.label} créée : son guide compte {session.items.count()} tâches.", "success")
    return redirect(url_for("sessions.show", session_id=session.id))


@bp.get("/sessions/<int:session_id>/edit")
def edit(session_id):
    session = editable_session(session_id)
    return _render_form(SessionForm(session=session), session=session)


@bp.post("/sessions/<int:session_id>")
def update(session_id):
    session = editable_session(session_id)
    form = SessionForm(request.form)
    if not form.validate():
        return _render_form(form, session=session, status=422)
    update_session(session, form.site, form.header, current_user._get_current_object())
    flash("En-tête de la session enregistré.", "success")
    return redirect(url_for("sessions.show", session_id=session.id))


@bp.get("/sessions/<int:session_id>")
def show(session_id):
    session = visible_session(session_id)
    return render_checklist(session)


def render_checklist(session, focus=None, status=200):
    """The checklist page; `focus` carries a refused change (its message and the user's input) for one row."""
    items = session.ordered_items()
    return render_template(
        "sessions/show.html", session=session, phases=session.phases(items),
        progress=SessionProgress.of(items, today()), can_edit=current_user.can_edit(session),
        today=today(), focus=focus, timeline=deadlines.timeline(items, session.date_debut, today()),
        retention_until=session.retention_until(items),
    ), status


@bp.post("/sessions/<int:session_id>/archive")
def archive(session_id):
    session = set_archived(editable_session(session_id), True, current_user._get_current_object())
    flash(f"Session {session.label} archivée : elle ne figure plus dans les listes de tâches ni dans les rappels.", "success")
    return redirect(url_for("sessions.show", session_id=session.id))


@bp.post("/sessions/<int:session_id>/unarchive")
def unarchive(session_id):
    session = set_archived(editable_session(session_id), False, current_user._get_current_object())
    flash(f"Session {session.label} de nouveau active.", "success")
    return redirect(url_for("sessions.show", session_id=session.id))


@bp.get("/sessions/<int:session_id>/jour-j")
def exam_day(session_id):
    """Exam day on a tablet: tables 5 and 6, and what is still undone with a deadline by the last day."""
    session = visible_session(session_id)
    items = session.ordered_items()
    exam_tables, still_to_do = session.exam_day(items)
    return render_template(
        "sessions/jour_j.html", session=session, phases=exam_tables, still_to_do=still_to_do,
        progress=SessionProgress.of(items, today()), can_edit=current_user.can_edit(session), today=today(),
        focus=None,
    )


@bp.get("/sessions/<int:session_id>/history")
def history(session_id):
    session = visible_session(session_id)
    events = list(
        AuditEvent.select(AuditEvent, User)
        .join(User, on=(AuditEvent.user == User.id), join_type=JOIN.LEFT_OUTER)
        .where(AuditEvent.session == session)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    )
    items = {item.id: item for item in session.items}
    return render_template("sessions/history.html", session=session, events=events, items=items)


@bp.get("/sessions/<int:session_id>.json")
def export_json(session_id):
    session = visible_session(session_id)
    items = session.ordered_items()
    header = {name: getattr(session, name) for name in ExamSession.HEADER_FIELDS}
    header.update(
        id=session.id, centre=session.centre.name, site=session.site.name,
        date_debut=_iso(session.date_debut), date_fin=_iso(session.date_fin),
        guide_version=session.guide.version, archived=session.archived,
        retention_until=_iso(session.retention_until(items)),
    )
    phases = [
        {
            "title": phase.title,
            "items": [
                {
                    "id": item.id, "text": item.text, "underline": item.underline,
                    "details": item.details or [], "sub": item.sub,
                    "reglementaire": item.reglementaire, "conseil": item.conseil,
                    "state": item.state, "done_on": _iso(item.done_on),
                    "na_reason": item.na_reason, "observation": item.observation, "version": item.version,
                    "due_on": _iso(item.due_on), "status": item.status(today()),
                }
                for item in phase.items
            ],
        }
        for phase in session.phases(items)
    ]
    return jsonify(session=header, phases=phases)


def _iso(date):
    return date.isoformat() if date else None
