"""Exam day's sign-in on the tablet (« émargement »): the page of today's épreuves, and the sign-ins
it sends, one person at a time (the answer is that person's line, or a redirect for a plain post)."""
from dataclasses import dataclass

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from domain import access, emargement
from domain.inputs import whole_number
from domain.jury import jury_members
from extensions import is_partial
from models import Candidat, Epreuve, Intervenant, now
from routes import editable_session, today, user, visible_session
from routes.errors import render_error

bp = Blueprint("emargement", __name__)


@bp.before_request
@login_required
def _require_login():
    pass


@dataclass
class Line:
    """A person's line on an épreuve's sheet."""

    kind: str  # candidat, jure or surveillant
    id: int | None
    label: str
    detail: str  # parcours, or the role

    @property
    def field(self):
        return {"candidat": ("candidat_id", self.id), "jure": ("jure_id", self.id), "surveillant": ("surveillant", 1)}[self.kind]

    def dom_id(self, epreuve):
        return f"signin-{epreuve.id}-{self.kind}-{self.id or 0}"


def _lines(session):
    candidats = [Line("candidat", c.id, c.label, "VAE" if c.parcours == "vae" else "Formation")
                 for c in Candidat.of_session(session)]
    staff = [Line("jure", m.jure_id, m.jure.label, "Membre du jury") for m in jury_members(session)]
    surveillant = Intervenant.get_or_none((Intervenant.session == session) & (Intervenant.role == "surveillant"))
    if surveillant:
        staff.append(Line("surveillant", None, surveillant.nom, "Surveillant"))
    return candidats, staff


def _epreuves(session):
    """Today's épreuves; or the one chosen (?epreuve=), e.g. a day whose date was typed wrong."""
    epreuves = [e for e in Epreuve.of_session(session) if e.for_candidates]
    chosen = request.args.get("epreuve", "")
    shown = [e for e in epreuves if str(e.id) == chosen] or [e for e in epreuves if e.date == today()]
    return epreuves, shown


@bp.get("/sessions/<int:session_id>/emargement")
def page(session_id):
    session = visible_session(session_id)
    epreuves, shown = _epreuves(session)
    candidats, staff = _lines(session)
    standing = emargement.current(emargement.of_session(session))
    return render_template("emargement/page.html", session=session, epreuves=epreuves, shown=shown,
                           candidats=candidats, staff=staff, standing=standing,
                           can_edit=access.can_edit(current_user, session), today=today())


def _line_of(session, form):
    """The line a posted sign-in concerns, for the answer (None when it names nobody of the session)."""
    epreuve = Epreuve.get_or_none((Epreuve.id == whole_number(form.get("epreuve_id", ""))) & (Epreuve.session == session))
    if epreuve is None:
        return None, None
    candidats, staff = _lines(session)
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
