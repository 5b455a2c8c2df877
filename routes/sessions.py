"""Exam sessions: the list, the header form, the checklist page, its history and its JSON export."""
from flask import Blueprint, Response, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from peewee import JOIN

from documents.json_export import session_export
from documents.timeline import timeline
from documents.pdf import download_name
from domain import DomainError, access, candidates, checks, closing, dashboard, journal, pieces, retention, sessions
from domain.inputs import whole_number
from domain.progress import SessionProgress
from domain.sessions import SessionForm
from domain.vocabulary import CHOOSE_A_CENTRE
from models import AuditEvent, JournalHead, SealedGuide, Site, User, now
from routes import allowed_session, centres_for_form, chosen_centre, editable_session, today, user, visible_session
from routes.errors import purged, render_error
from documents import signing
from documents.guide_pdf import sealed_guide

bp = Blueprint("sessions", __name__)


@bp.before_request
@login_required
def _require_login():
    pass


@bp.get("/")
def index():
    filters = dashboard.Filters.from_args(request.args)
    board = dashboard.build(current_user, filters, today())
    return render_template("sessions/index.html", board=board, filters=filters, today=today())


def _render_form(form, session=None, status=200):
    centres = centres_for_form()
    # The suggested sites: those of the session's centre, or of every centre the user may choose.
    centre_ids = [session.centre_id] if session else [c.id for c in centres]
    sites = sorted({name for (name,) in Site.select(Site.name).where(Site.centre.in_(centre_ids)).tuples()})
    return render_template(
        "sessions/form.html", form=form, session=session, centres=centres, sites=sites,
        selected_centre=request.form.get("centre", ""),
    ), status


def _require_creator():
    if not access.can_create_sessions(current_user):
        raise access.Forbidden()


@bp.get("/sessions/new")
def new():
    _require_creator()
    return _render_form(SessionForm())


@bp.post("/sessions")
def create():
    _require_creator()
    form = SessionForm(request.form)
    valid = form.validate()
    centre = chosen_centre(request.form.get("centre"))
    if centre is None:
        form.errors["centre"] = CHOOSE_A_CENTRE
    if not valid or form.errors:
        return _render_form(form, status=422)
    session = sessions.create_session(centre, form.site, form.header, user())
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
    sessions.update_session(session, form.site, form.header, user())
    flash("En-tête de la session enregistré.", "success")
    return redirect(url_for("sessions.show", session_id=session.id))


@bp.get("/sessions/<int:session_id>")
def show(session_id):
    session = visible_session(session_id)
    return render_checklist(session)


def render_checklist(session, focus=None, status=200):
    """The checklist page; `focus` carries a refused change (its message and the user's input) for one row."""
    items = session.ordered_items()
    session_checks = checks.SessionChecks.of(session, today(), items)
    return render_template(
        "sessions/show.html", session=session, tableaux=sessions.tableaux(items),
        progress=SessionProgress.of(items, today()), can_edit=access.can_edit(current_user, session),
        today=today(), focus=focus, timeline=timeline(items, session.date_debut, today()),
        retention_until=sessions.retention_until(session, items),
        counts=candidates.candidate_counts(session, session_checks.register.candidats), checks=session_checks,
        seals=closing.seals(session), pieces=pieces.listed(session=session),
        closed_message=closing.closed_message(session) if session.closed_at else "",
    ), status


@bp.post("/sessions/<int:session_id>/archive")
def archive(session_id):
    session = sessions.set_archived(allowed_session(session_id, access.can_archive), True, user())
    flash(f"Session {session.label} archivée : elle ne figure plus dans les listes de tâches ni dans les rappels.", "success")
    return redirect(url_for("sessions.show", session_id=session.id))


@bp.post("/sessions/<int:session_id>/unarchive")
def unarchive(session_id):
    session = sessions.set_archived(allowed_session(session_id, access.can_archive), False, user())
    flash(f"Session {session.label} de nouveau active.", "success")
    return redirect(url_for("sessions.show", session_id=session.id))


@bp.post("/sessions/<int:session_id>/cloture")
def close(session_id):
    session = editable_session(session_id)
    reason = request.form.get("motif", "")
    try:
        key = signing.current(current_app.instance_path, current_app.config["SIGNING_KEY"])
        seal = closing.close(user(), session, sealed_guide(session, key.empreinte), now(), today(),
                             current_app.config["ANCHOR_FILE"], reason)
    except closing.AlreadyClosed as exc:
        return render_error(409, exc.message)
    except DomainError as exc:  # regulatory tasks to do (NotClosable), checks failing without a reason
        # (ChecksFailing), or the reason itself
        return render_template("sessions/not_closable.html", session=session, message=exc.message,
                               tasks=getattr(exc, "tasks", []), failed=getattr(exc, "failed", []),
                               reason=reason), 422
    flash(f"Session clôturée : guide scellé (SHA-256 {seal.sha256[:12]}…). Elle n'est plus modifiable.", "success")
    return redirect(url_for("sessions.show", session_id=session.id))


def _admin_change(session_id, allowed, change, done):
    """A change only administrators make (`allowed`, a right of domain.access), with its reason
    (`motif`): 422 with the message if refused."""
    session = allowed_session(session_id, allowed)
    reason = request.form.get("motif", "")
    try:
        change(user(), session, reason)
    except DomainError as exc:
        return render_error(422, exc.message)
    flash(done(reason.strip()), "success")
    return redirect(url_for("sessions.show", session_id=session.id))


@bp.post("/sessions/<int:session_id>/reouverture")
def reopen(session_id):
    return _admin_change(session_id, access.can_reopen, closing.reopen, lambda _: "Session rouverte : le guide scellé reste téléchargeable.")


@bp.post("/sessions/<int:session_id>/conservation")
def hold(session_id):
    """« Conservation prolongée » (administrators, with a reason): the purge skips the session."""
    return _admin_change(session_id, access.can_extend_retention, retention.hold, lambda reason: "Conservation prolongée enregistrée." if reason
                         else "Conservation prolongée levée.")


@bp.get("/sessions/<int:session_id>/guide-cloture.pdf")
def sealed_pdf(session_id):
    """The guide sealed at the latest closing (or ?scellement=<id>, an earlier one), byte for byte."""
    session = visible_session(session_id)
    seal = SealedGuide.latest(session, whole_number(request.args.get("scellement", "")) or None)
    if seal is None:
        return render_error(404, "Cette session n'a pas de guide scellé : il est créé à sa clôture.")
    if session.purged_at is not None:
        return purged(session, seal.sha256, "Ce guide scellé")
    name = download_name(session, stem="guide-cloture")
    return Response(bytes(seal.pdf), mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{name}"', "X-Content-SHA256": seal.sha256})


@bp.get("/sessions/<int:session_id>/jour-j")
def exam_day(session_id):
    """Exam day on a tablet: tableaux 5 and 6, and what is still undone with a deadline by the last day."""
    session = visible_session(session_id)
    items = session.ordered_items()
    shown, still_to_do = sessions.exam_day(session, items)
    return render_template(
        "sessions/jour_j.html", session=session, tableaux=shown, still_to_do=still_to_do,
        still_count=sum(len(late) for _, late in still_to_do),
        progress=SessionProgress.of(items, today()), can_edit=access.can_edit(current_user, session),
        today=today(), focus=None, checks=checks.SessionChecks.of(session, today()),
        pieces=pieces.listed(session=session),
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
    return render_template("sessions/history.html", session=session, events=events, items=items,
                           journal_hash=journal.head_hash(session), head=JournalHead.get_or_none(JournalHead.session == session))


@bp.get("/sessions/<int:session_id>.json")
def export_json(session_id):
    session = visible_session(session_id)
    return jsonify(session_export(session, session.ordered_items(), today()))
