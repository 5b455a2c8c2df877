"""Exam day's sign-in on the tablet (« émargement »): the page of today's épreuves, and the sign-ins
it sends, one person at a time (the answer is that person's line, or a redirect for a plain post)."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from domain import access, emargement
from domain.inputs import whole_number
from extensions import is_partial
from models import Epreuve, now
from routes import editable_session, today, user, visible_session
from routes.errors import render_error

bp = Blueprint("emargement", __name__)


@bp.before_request
@login_required
def _require_login():
    pass


@bp.get("/sessions/<int:session_id>/emargement")
def page(session_id):
    session = visible_session(session_id)
    epreuves, shown = emargement.epreuves_shown(session, today(), whole_number(request.args.get("epreuve", "")))
    candidats, staff = emargement.sheet_lines(session)
    standing = emargement.current(emargement.of_session(session))
    return render_template("emargement/page.html", session=session, epreuves=epreuves, shown=shown,
                           candidats=candidats, staff=staff, standing=standing,
                           can_edit=access.can_edit(current_user, session), today=today())


def _line_of(session, form):
    """The line a posted sign-in concerns, for the answer (None when it names nobody of the session)."""
    epreuve = Epreuve.get_or_none((Epreuve.id == whole_number(form.get("epreuve_id", ""))) & (Epreuve.session == session))
    if epreuve is None:
        return None, None
    candidats, staff = emargement.sheet_lines(session)
    for line in candidats + staff:
        name, value = line.field
        if str(form.get(name, "")) == str(value):
            return epreuve, line
    return epreuve, None


@bp.post("/sessions/<int:session_id>/emargement")
def record(session_id):
    session = editable_session(session_id)
    message, status = None, 200
    try:
        signin, _ = emargement.record(user(), session, request.form, request.user_agent.string, now())
    except emargement.AlreadySigned as exc:
        message, status = exc.message, 409
    except emargement.InvalidSignIn as exc:
        message, status = exc.message, 422
    if not is_partial():
        flash(message or "Émargement enregistré.", "error" if message else "success")
        return redirect(url_for("emargement.page", session_id=session.id))
    epreuve, line = _line_of(session, request.form)
    if line is None:
        return render_error(status if message else 422, message or "Personne inconnue.")
    standing = emargement.current(emargement.of_session(session))
    return render_template("emargement/_line.html", session=session, epreuve=epreuve, line=line, standing=standing,
                           can_edit=True, message=message), status
