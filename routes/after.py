"""After the exam: the session's PV step by step, the results, who evaluated whom (domain/pv.py,
domain/results.py).

Pages answer as the register's do: a full page, or for htmx its `content` block; a change answers a
plain post with a redirect and an htmx post with the page's content; a refusal answers 422 with the
page, the messages beside the fields and what was typed kept."""
from flask import Blueprint, Response, current_app, request, url_for
from flask_login import current_user, login_required

from documents.spreadsheet import csv_bytes
from domain import DomainError, access, emargement, forms, insertion, pieces, pv, results
from domain import indicators as indicators_domain
from domain.inputs import whole_number
from domain.jury import jury_members
from models import Candidat, Centre, ExamSession
from routes import changed, editable_session, page, register_row, session_page, today, user, visible_session
from routes.register import render_candidate

bp = Blueprint("after", __name__)


@bp.before_request
@login_required
def _require_login():
    pass


# --- The PV --------------------------------------------------------------------------------------------

def _render_pv(session, status=200, form=None, errors=None):
    recorded = pv.steps(session)
    standing = emargement.current(emargement.of_session(session))
    signed = {person for (_, kind, person), s in standing.items() if kind == "jure" and s.statut == "present"}
    membres = jury_members(session)
    return session_page(session, "after/pv.html", "after.show_pv", status, steps=recorded,
                         signers=[m for m in membres if m.jure_id in signed], deliberation=results.deliberation_day(session),
                         open_steps={step for step, (_, _, later) in pv.STEPS.items()
                                     if access.refusal(current_user, session, after_closing=later) is None},
                         form=form or {}, errors=errors or {})


@bp.get("/sessions/<int:session_id>/pv")
def show_pv(session_id):
    return _render_pv(visible_session(session_id))


@bp.post("/sessions/<int:session_id>/pv")
def record_pv(session_id):
    etape = request.form.get("etape", "")
    later = pv.STEPS.get(etape, (None, None, False))[2]
    session = editable_session(session_id, after_closing=later)
    upload = next((f for f in request.files.getlist("fichier") if f.filename), None)
    form = request.form.to_dict()
    try:
        step = pv.record_step(user(), session.id, form, upload and pv.Upload(
            upload.read(), upload.filename, pieces.Limits.of(current_app.config)), today())
    except forms.InvalidForm as exc:
        return _render_pv(session, 422, form, {f"{etape}-{name}": message for name, message in exc.errors.items()})
    except DomainError as exc:
        return _render_pv(session, 422, form, {f"{etape}-{exc.field or 'etape'}": exc.message})
    return changed(f"{pv.PV_STEPS[step.etape]} : enregistré le {step.date:%d/%m/%Y}.",
                   url_for("after.show_pv", session_id=session.id, _anchor=f"etape-{step.etape}"),
                   lambda: _render_pv(visible_session(session.id)))


# --- Results -----------------------------------------------------------------------------------------

def _render_results(session, status=200, focus=None, form=None, errors=None):
    try:
        shape, missing = results.results_form(session), None
    except DomainError as exc:
        shape, missing = None, exc.message
    return session_page(session, "after/resultats.html", "after.results", status, shape=shape, missing=missing,
                         candidats=list(Candidat.of_session(session)), recorded=results.results(session),
                         evaluators=results.evaluators(session), jury={m.jure_id: m for m in jury_members(session)},
                         deliberation=results.deliberation_day(session), focus=focus, form=form or {},
                         errors=errors or {})


@bp.get("/sessions/<int:session_id>/resultats")
def results_page(session_id):
    return _render_results(visible_session(session_id))


@bp.post("/candidats/<int:candidat_id>/resultat")
def record_result(candidat_id):
    candidat = register_row(Candidat, candidat_id, edit=True)
    session = candidat.session
    if candidat.retire_le is not None:
        return _render_results(session, 409, candidat.id, request.form,
                               {"decision": f"{candidat.label} a été retiré(e) de la session : pas de résultat."})
    try:
        results.save_result(user(), candidat, request.form, today())
    except forms.InvalidForm as exc:
        return _render_results(session, 422, candidat.id, request.form, exc.errors)
    return changed(f"Résultat de {candidat.label} enregistré.",
                   url_for("after.results_page", session_id=session.id, _anchor=f"candidat-{candidat.id}"),
                   lambda: _render_results(session))


@bp.post("/candidats/<int:candidat_id>/evaluateurs")
def set_evaluators(candidat_id):
    candidat = register_row(Candidat, candidat_id, edit=True)
    session = candidat.session
    try:
        results.set_evaluators(user(), candidat, request.form.getlist("jure_id"))
    except forms.InvalidForm as exc:
        return render_candidate(candidat, session, 422, eval_errors=exc.errors,
                                 eval_form=request.form.getlist("jure_id"))
    return changed(f"Évaluateurs de {candidat.label} enregistrés.",
                   url_for("register.candidate", candidat_id=candidat.id, _anchor="evaluateurs-title"),
                   lambda: render_candidate(Candidat.get_by_id(candidat.id), session))


# --- Where candidates went (insertion follow-up) ------------------------------------------------------

@bp.post("/candidats/<int:candidat_id>/insertion")
def record_insertion(candidat_id):
    candidat = register_row(Candidat, candidat_id, edit=True, after_closing=True)
    session = candidat.session
    try:
        insertion.record(user(), candidat, request.form, today())
    except forms.InvalidForm as exc:
        return render_candidate(candidat, session, 422, ins_form=request.form.to_dict(), ins_errors=exc.errors)
    return changed(f"Suivi de l'insertion de {candidat.label} enregistré.",
                   url_for("register.candidate", candidat_id=candidat.id, _anchor="insertion-title"),
                   lambda: render_candidate(Candidat.get_by_id(candidat.id), session))


@bp.get("/suivi-insertion")
def insertion_due():
    months = current_app.config["SUIVI_INSERTION_MOIS"]
    due = insertion.due_list(access.visible_to(ExamSession.select(), current_user), months, today())
    return page("after/suivi_insertion.html", due=due, months=months, labels=insertion.DUE_LABELS,
                sees_all=access.sees_every_centre(current_user))


# --- Candidates with some CCPs and not yet the titre --------------------------------------------------------

def _open_sessions():
    """The sessions the user may register candidates to (open, not over)."""
    S = ExamSession
    return list(access.visible_to(S.select(), current_user).where(
        S.closed_at.is_null() & (S.archived == False) & (S.date_debut > today()))  # noqa: E712
        .order_by(S.date_debut)) if access.can_create_sessions(current_user) else []


def _render_partials(status=200, focus=None, error=None):
    found = results.partials(access.visible_to(ExamSession.select(), current_user),
                             current_app.config["SUIVI_PARTIELS_MOIS"], today())
    editable = [s for s in _open_sessions() if access.can_edit(current_user, s)]
    return page("after/partiels.html", status, partials=found, months=current_app.config["SUIVI_PARTIELS_MOIS"],
                choices={p.candidat.id: results.later_sessions(p, editable) for p in found}, focus=focus, error=error)


@bp.get("/candidats/partiels")
def partials():
    return _render_partials()


@bp.post("/candidats/<int:candidat_id>/inscrire")
def register_again(candidat_id):
    candidat = register_row(Candidat, candidat_id)
    target_id = whole_number(request.form.get("session_id", ""))
    target = ExamSession.with_places().where(ExamSession.id == target_id).first() if target_id else None
    if target is not None:
        target = editable_session(target.id)  # 404, 403 or 409 as for any change to it
    try:
        added = results.register_again(user(), candidat, target, today())
    except forms.InvalidForm as exc:
        return _render_partials(422, candidat.id, exc.errors["session_id"])
    return changed(f"{added.label} inscrit(e) à la session du {added.session.date_debut:%d/%m/%Y}.",
                   url_for("register.candidate", candidat_id=added.id), lambda: _render_partials())


# --- The centre's rates ----------------------------------------------------------------------------------

def _filters():
    annee = whole_number(request.args.get("annee", ""))
    titre = (request.args.get("titre") or "").strip()[:30]
    return (annee if annee and 2000 <= annee <= 2100 else None), titre


@bp.get("/indicateurs")
def indicators():
    annee, titre = _filters()
    sessions = access.visible_to(ExamSession.select(), current_user)
    rows, total = indicators_domain.compute(sessions, current_app.config["SUIVI_INSERTION_MOIS"], today(), annee, titre)
    S = ExamSession
    years = sorted({d.year for (d,) in sessions.select(S.date_fin).distinct().tuples()}, reverse=True)
    sigles = sorted({s for (s,) in sessions.select(S.sigle).distinct().tuples()})
    return page("after/indicateurs.html", rows=rows, total=total, method=indicators_domain.METHOD, annee=annee,
                titre=titre, years=years, sigles=sigles, months=current_app.config["SUIVI_INSERTION_MOIS"],
                centres=access.visible_to(Centre.select(), current_user, Centre.id).order_by(Centre.name))


@bp.get("/indicateurs.csv")
def indicators_csv():
    annee, titre = _filters()
    rows, _ = indicators_domain.compute(access.visible_to(ExamSession.select(), current_user),
                                        current_app.config["SUIVI_INSERTION_MOIS"], today(), annee, titre)
    return Response(csv_bytes(indicators_domain.CSV_COLUMNS, indicators_domain.csv_rows(rows)), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="indicateurs.csv"'})
