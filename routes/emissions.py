"""Issued documents (« Documents émis »): issuing a session's document for sending, the list of what
was issued, and each issued document's bytes, exactly as sent (documents/issuing.py)."""
from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from peewee import JOIN

import domain.candidates
import domain.jury
from documents import catalogue, issuing
from documents.inspection import emission_file_name
from domain import DomainError, access, forms
from domain.vocabulary import plural
from formats import fr_date
from models import Candidat, Emission, User
from routes import editable_session, register_row, today, user, visible_session
from routes.errors import purged
from routes.exports import pdf_maker

bp = Blueprint("emissions", __name__)

# What the list shows of an issued document (not its bytes).
LISTED = (Emission.id, Emission.session, Emission.numero, Emission.document, Emission.destinataire_type,
          Emission.destinataire_id, Emission.destinataire_nom, Emission.emis_le, Emission.emis_par, Emission.sha256,
          Emission.taille)


@bp.before_request
@login_required
def _require_login():
    pass


def listed(session):
    """The session's issued documents, newest first, with who issued them and their reference (their
    bytes not read)."""
    rows = list(Emission.select(*LISTED, User.display_name).join(User, on=(Emission.emis_par == User.id),
                                                                  join_type=JOIN.LEFT_OUTER)
                .where(Emission.session == session).order_by(Emission.numero.desc()).objects())
    for row in rows:
        row.reference = catalogue.reference(row.document, row.session_id, row.numero)
    return rows


def _render(session, status=200, failures=(), error=None, form=None):
    documents = [d for d in catalogue.DOCUMENTS if d.file in ISSUABLE]
    return render_template("sessions/emissions.html", session=session, emissions=listed(session), documents=documents,
                           candidats=list(Candidat.of_session(session)), membres=domain.jury.jury_members(session),
                           failures=failures, error=error,
                           form=form or {}, can_edit=access.can_edit(current_user, session),
                           can_issue_after=access.refusal(current_user, session, after_closing=True) is None), status


# The documents issued from the list (the sign-in sheets render records: they are not sent).
ISSUABLE = tuple(d.file for d in catalogue.DOCUMENTS if d.issuable)


@bp.get("/sessions/<int:session_id>/emissions")
def index(session_id):
    return _render(visible_session(session_id))


@bp.post("/sessions/<int:session_id>/emissions")
def issue(session_id):
    """Issue a document for everyone it addresses, or for `destinataire`; with `enregistrer_envoi`, a
    candidate's convocation is recorded as sent by it (mode, référence) in the same step."""
    form = request.form
    declared = catalogue.BY_FILE.get(form.get("document", "").strip())
    session = editable_session(session_id, after_closing=declared is not None and declared.after_closing)
    record = form.get("enregistrer_envoi") == "1"
    try:
        if record:  # the sending's fields checked before anything is issued
            if not form.get("destinataire", "").startswith("candidat:"):
                raise DomainError("Enregistrer l'envoi : choisissez le candidat convoqué.", "destinataire")
            domain.candidates.clean_convocation({"envoyee_le": today().isoformat(), "mode": form.get("mode"),
                                                 "reference": form.get("reference")}, today())
        rows = issuing.issue(user(), session, form.get("document"), form.get("destinataire"), pdf_maker(), today())
        if record:
            candidat = Candidat.get_by_id(rows[0].destinataire_id)
            issuing.record_sent(user(), candidat, rows[0], form, today())
    except issuing.NotIssuable as exc:
        return _render(session, 422, failures=exc.failures, form=form)
    except (forms.InvalidForm, DomainError) as exc:
        return _render(session, 422, error=exc.message, form=form)
    message = f"{plural(len(rows), 'document émis', 'documents émis')} ; ils sont gardés tels qu'envoyés."
    if record:
        message += f" Envoi enregistré le {fr_date(today())}."
    flash(message, "success")
    back = form.get("retour") == "candidats"
    return redirect(url_for("register.candidates", session_id=session.id) if back else
                    url_for("emissions.index", session_id=session.id))


@bp.get("/emissions/<int:emission_id>.pdf")
def pdf(emission_id):
    """The issued document's bytes, exactly as issued (the same SHA-256 every time); 410 once purged."""
    emission = register_row(Emission, emission_id)
    session = emission.session
    if session.purged_at is not None:
        return purged(session, emission.sha256, "Ce document émis")
    name = emission_file_name(emission)
    return Response(bytes(emission.pdf), mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{name}"', "X-Content-SHA256": emission.sha256})
