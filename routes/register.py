"""The register: the centre's directory of jurors (/jures), a session's jury, candidates and épreuves.

Each page is a full page; for an htmx request its `content` block alone, which replaces itself (the
forms inherit hx-target from the page's container). A change answers a plain post with a redirect
and an htmx post with the page's updated content, its message out of band; a refusal answers 422
with the same content, the messages beside the fields and what was typed kept."""
from flask import Blueprint, current_app, flash, jsonify, redirect, request, url_for
from flask_htmx import make_response as htmx_response
from flask_login import current_user, login_required
from werkzeug.utils import secure_filename

from extensions import is_partial

from documents.session_documents import DEFAULT_TENUE
from documents import json_export
import domain.candidates
import domain.jurors
import domain.jury
from domain import DomainError, access, evidence, forms, insertion, intervenants, results, schedule
from domain.inputs import whole_number
from domain.vocabulary import CHOOSE_A_CENTRE, INTERVENANT_ROLES, plural
from domain.agrements import covering
from models import Agrement, Candidat, Centre, Epreuve, ExamSession, Jure, SuiviInsertion
from routes import (centres_for_form, changed, chosen_centre, editable_session, page, register_row, session_page, today,
                    user, visible_session)

bp = Blueprint("register", __name__)

JUROR_FIELDS = ("civilite", "nom", "prenom", "email", "telephone", "adresse", "code_postal", "ville", "professionnalise_le")
HABILITATION_FIELDS = ("sigle", "valide_jusqu_au", "ccp")


@bp.before_request
@login_required
def _require_login():
    pass


def _shared():
    """Whether the installation's centres share one directory of jurors (JURES_PARTAGES)."""
    return current_app.config["JURES_PARTAGES"]


def _juror(jure_id, edit=False):
    """A juror the user may see (a shared directory shows every centre's active jurors), or change (their
    centre of attachment's responsables and the administrators only)."""
    jure = Jure.select(Jure, Centre).join(Centre).where(Jure.id == jure_id).first()
    if jure is None or not access.can_see_juror(current_user, jure, _shared()):
        raise access.Unknown()
    if edit and not access.can_edit_centre(current_user, jure.centre_id):
        raise access.Forbidden()
    return jure


def _render_directory(form=None, errors=None, status=200):
    return page("register/jures.html", status, jures=domain.jurors.directory(current_user, _shared()), form=form or {}, errors=errors or {},
                 can_add=access.can_edit_directory(current_user), centres=centres_for_form(), shared=_shared())


@bp.get("/jures")
def jurors():
    return _render_directory()


@bp.get("/jures.json")
def jurors_json():
    return jsonify(jures=[json_export.juror_json(jure) for jure in domain.jurors.directory(current_user, _shared())])


@bp.post("/jures")
def create_juror():
    if not access.can_edit_directory(current_user):
        raise access.Forbidden()
    form = {name: request.form.get(name, "") for name in (*JUROR_FIELDS, *HABILITATION_FIELDS, "centre")}
    centre = chosen_centre(form["centre"])
    if centre is None:
        return _render_directory(form, {"centre": CHOOSE_A_CENTRE}, 422)
    try:
        jure = domain.jurors.create_juror(user(), centre, form, _shared())
    except forms.InvalidForm as exc:
        return _render_directory(form, exc.errors, 422)
    return changed(f"{jure.label} ajouté(e) à l'annuaire des jurés.",
                   url_for("register.jurors", _anchor=f"jure-{jure.id}"), _render_directory)


def _render_juror(jure, form=None, errors=None, hab_form=None, hab_errors=None, status=200):
    jure = domain.jurors.with_habilitations(jure.id)
    return page(
        "register/jure.html", status, jure=jure, can_edit=access.can_edit_centre(current_user, jure.centre_id),
        sits_on=domain.jurors.sessions_of(jure),
        form=form or {**{name: getattr(jure, name) or "" for name in JUROR_FIELDS}, "version": jure.version},
        errors=errors or {},
        hab_form=hab_form or {}, hab_errors=hab_errors or {},
    )


@bp.get("/jures/<int:jure_id>")
def juror(jure_id):
    return _render_juror(_juror(jure_id))


def _juror_change(jure_id, fields, change, done, **refused):
    """Apply a change to a juror from the form's `fields`; a refusal shows the juror's page again with
    the messages and what was typed (as `refused` names them: form/errors or hab_form/hab_errors)."""
    jure = _juror(jure_id, edit=True)
    form = {name: request.form.get(name, "") for name in fields}
    try:
        change(user(), jure, form)
    except forms.InvalidForm as exc:
        return _render_juror(jure, **{refused["form"]: form, refused["errors"]: exc.errors}, status=422)
    except forms.StaleRecord as exc:  # what was typed kept, on the version now stored: saving again keeps it
        return _render_juror(jure, **{refused["form"]: {**form, "version": exc.stored.version},
                                      refused["errors"]: {"version": exc.message}}, status=409)
    return changed(done, url_for("register.juror", jure_id=jure.id), lambda: _render_juror(jure))


@bp.post("/jures/<int:jure_id>")
def update_juror(jure_id):
    return _juror_change(jure_id, (*JUROR_FIELDS, "version"),
                         lambda u, jure, form: domain.jurors.update_juror(u, jure, form, _shared()),
                         "Fiche du juré enregistrée.",
                         form="form", errors="errors")


@bp.post("/jures/<int:jure_id>/deactivate")
def deactivate_juror(jure_id):
    return _juror_change(jure_id, (), lambda u, jure, _: domain.jurors.set_juror_active(u, jure, False),
                         "Juré désactivé : les sessions passées le gardent dans leur jury.", form="form", errors="errors")


@bp.post("/jures/<int:jure_id>/activate")
def activate_juror(jure_id):
    return _juror_change(jure_id, (), lambda u, jure, _: domain.jurors.set_juror_active(u, jure, True), "Juré réactivé.",
                         form="form", errors="errors")


@bp.post("/jures/<int:jure_id>/habilitations")
def add_habilitation(jure_id):
    return _juror_change(jure_id, HABILITATION_FIELDS, domain.jurors.add_habilitation, "Habilitation ajoutée.",
                         form="hab_form", errors="hab_errors")


# --- A session's candidates and épreuves ------------------------------------------------------------

def _render_candidates(session, form=None, errors=None, status=200, import_problems=(), tenue=None, tenue_error=None):
    return session_page(session, "register/candidats.html", "register.candidates", status,
                         candidats=list(Candidat.of_session(session)),
                         withdrawn=list(Candidat.of_session(session, withdrawn=True)),
                         form=form or {"parcours": "formation"}, errors=errors or {}, import_problems=import_problems,
                         import_columns=domain.candidates.IMPORT_COLUMNS, default_tenue=DEFAULT_TENUE,
                         tenue=session.tenue_professionnelle if tenue is None else tenue, tenue_error=tenue_error,
                         evaluators=results.evaluators(session),
                         jury={m.jure_id: m for m in domain.jury.jury_members(session)})


@bp.get("/sessions/<int:session_id>/candidats")
def candidates(session_id):
    return _render_candidates(visible_session(session_id))


def _add_to_session(session_id, fields, add, render, page, done):
    """Add a row to the session's register from the form's `fields`; a refusal shows `render`'s page
    again with the messages and what was typed."""
    session = editable_session(session_id)
    form = {name: request.form.get(name, "") for name in fields}
    try:
        row = add(user(), session, form)
    except forms.InvalidForm as exc:
        return render(session, form, exc.errors, 422)
    return changed(done(row), url_for(page, session_id=session.id, _anchor=f"{row._meta.table_name}-{row.id}"),
                   lambda: render(session))


@bp.post("/sessions/<int:session_id>/candidats")
def add_candidate(session_id):
    return _add_to_session(session_id, domain.candidates.CANDIDATE_FIELDS,
                           lambda u, s, form: domain.candidates.add_candidate(u, s, form, today()), _render_candidates,
                           "register.candidates", lambda c: f"{c.label} ajouté(e) aux candidats de la session.")


@bp.post("/sessions/<int:session_id>/tenue")
def set_tenue(session_id):
    """The convocation's « tenue professionnelle » (candidates page)."""
    session = editable_session(session_id)
    text = request.form.get("tenue_professionnelle", "")
    try:
        domain.candidates.set_tenue(user(), session, text)
    except DomainError as exc:
        return _render_candidates(session, tenue=text, tenue_error=exc.message, status=422)
    return changed("Tenue professionnelle de la convocation enregistrée.",
                   url_for("register.candidates", session_id=session.id, _anchor="convocations-title"),
                   lambda: _render_candidates(ExamSession.get_by_id(session.id)))


@bp.post("/sessions/<int:session_id>/candidats/import")
def import_candidates(session_id):
    session = editable_session(session_id)
    upload = request.files.get("fichier")
    if upload is None or not upload.filename:
        return _render_candidates(session, import_problems=["choisissez un fichier CSV"], status=422)
    try:
        count = domain.candidates.import_candidates(user(), session, upload.read(),
                                                    secure_filename(upload.filename) or "fichier", today())
    except domain.candidates.InvalidImport as exc:
        return _render_candidates(session, import_problems=exc.problems, status=422)
    return changed(f"{plural(count, 'candidat importé', 'candidats importés')}.", url_for("register.candidates", session_id=session.id),
                   lambda: _render_candidates(session))


def _candidate(candidat_id, edit=False):
    candidat = register_row(Candidat, candidat_id, edit)
    return candidat, candidat.session


def render_candidate(candidat, session, status=200, **forms):
    values = {**{name: getattr(candidat, name) or "" for name in domain.candidates.CANDIDATE_FIELDS},
              "version": candidat.version}
    convocation = {"envoyee_le": candidat.convocation_envoyee_le or "", "mode": candidat.convocation_mode,
                   "reference": candidat.convocation_reference,
                   "version": domain.candidates.convocation_version(candidat)}
    return session_page(session, "register/candidat.html", "register.candidates", status, candidat=candidat,
                         holds=candidat.id in evidence.holders(session)["candidat"],
                         form=forms.get("form", values), errors=forms.get("errors", {}),
                         conv_form=forms.get("conv_form", convocation), conv_errors=forms.get("conv_errors", {}),
                         membres=domain.jury.jury_members(session),
                         evaluators=forms.get("eval_form", [str(j) for j in results.evaluators_of(candidat)]),
                         eval_errors=forms.get("eval_errors", {}),
                         follow_up=SuiviInsertion.get_or_none(SuiviInsertion.candidat == candidat.id),
                         present=candidat.id in insertion.present_ids([session.id]),
                         follow_up_due=insertion.due_on(session, current_app.config["SUIVI_INSERTION_MOIS"]),
                         can_follow=access.refusal(current_user, session, after_closing=True) is None,
                         ins_form=forms.get("ins_form", {}), ins_errors=forms.get("ins_errors", {}))


@bp.get("/candidats/<int:candidat_id>")
def candidate(candidat_id):
    return render_candidate(*_candidate(candidat_id))


def _candidate_change(candidat_id, fields, change, done, form, errors, version_of=lambda c: c.version):
    candidat, session = _candidate(candidat_id, edit=True)
    values = {name: request.form.get(name, "") for name in fields}
    try:
        change(user(), candidat, values)
    except forms.InvalidForm as exc:
        return render_candidate(candidat, session, 422, **{form: values, errors: exc.errors})
    except forms.StaleRecord as exc:  # what was typed kept, on the version now stored: saving again keeps it
        return render_candidate(exc.stored, session, 409, **{form: {**values, "version": version_of(exc.stored)},
                                                               errors: {"version": exc.message}})
    return changed(done, url_for("register.candidate", candidat_id=candidat.id),
                   lambda: render_candidate(Candidat.get_by_id(candidat.id), session))


@bp.post("/candidats/<int:candidat_id>")
def update_candidate(candidat_id):
    return _candidate_change(candidat_id, (*domain.candidates.CANDIDATE_FIELDS, "version"),
                             lambda u, c, form: domain.candidates.update_candidate(u, c, form, today()),
                             "Candidat enregistré.", "form", "errors")


@bp.post("/candidats/<int:candidat_id>/convocation")
def record_convocation(candidat_id):
    return _candidate_change(candidat_id, (*domain.candidates.CONVOCATION_FIELDS, "version"),
                             lambda u, c, form: domain.candidates.record_convocation(u, c, form, today()),
                             "Convocation enregistrée.", "conv_form", "conv_errors", domain.candidates.convocation_version)


@bp.post("/candidats/<int:candidat_id>/remove")
def remove_candidate(candidat_id):
    candidat, session = _candidate(candidat_id, edit=True)
    domain.candidates.remove_candidate(user(), candidat)  # refused (409) when they hold sign-ins
    flash(f"{candidat.label} supprimé(e) des candidats de la session.", "success")
    # Its page no longer exists: htmx goes to the list of candidates too.
    url = url_for("register.candidates", session_id=session.id)
    return htmx_response("", redirect=url) if is_partial() else redirect(url)


@bp.post("/candidats/<int:candidat_id>/withdraw")
def withdraw_candidate(candidat_id):
    candidat, session = _candidate(candidat_id, edit=True)
    try:
        domain.candidates.withdraw_candidate(user(), candidat)
    except DomainError as exc:
        return render_candidate(candidat, session, 409, errors={"retrait": exc.message})
    return changed(f"{candidat.label} retiré(e) de la session : sa fiche et ses émargements sont gardés.",
                   url_for("register.candidate", candidat_id=candidat.id),
                   lambda: render_candidate(Candidat.get_by_id(candidat.id), session))


def _render_epreuves(session, form=None, errors=None, status=200):
    return session_page(session, "register/epreuves.html", "register.epreuves", status,
                         epreuves=list(Epreuve.of_session(session)), withdrawn=list(Epreuve.of_session(session, withdrawn=True)),
                         holders=evidence.holders(session), form=form or {}, errors=errors or {})


@bp.get("/sessions/<int:session_id>/epreuves")
def epreuves(session_id):
    return _render_epreuves(visible_session(session_id))


@bp.post("/sessions/<int:session_id>/epreuves")
def add_epreuve(session_id):
    return _add_to_session(session_id, schedule.EPREUVE_FIELDS, schedule.add_epreuve, _render_epreuves,
                           "register.epreuves", lambda e: "Épreuve ajoutée au planning.")


@bp.post("/epreuves/<int:epreuve_id>/remove")
def remove_epreuve(epreuve_id):
    epreuve = register_row(Epreuve, epreuve_id, edit=True)
    session = epreuve.session
    schedule.remove_epreuve(user(), epreuve)  # refused (409) when it holds sign-ins
    return changed("Épreuve supprimée du planning.", url_for("register.epreuves", session_id=session.id),
                   lambda: _render_epreuves(session))


@bp.post("/epreuves/<int:epreuve_id>/withdraw")
def withdraw_epreuve(epreuve_id):
    epreuve = register_row(Epreuve, epreuve_id, edit=True)
    session = epreuve.session
    try:
        schedule.withdraw_epreuve(user(), epreuve)
    except DomainError as exc:
        return _render_epreuves(session, errors={"retrait": exc.message}, status=409)
    return changed("Épreuve retirée du planning : ses émargements sont gardés.",
                   url_for("register.epreuves", session_id=session.id), lambda: _render_epreuves(session))


@bp.get("/sessions/<int:session_id>/agrement")
def agrement(session_id):
    """The agréments of the session's site against the session (the check `agrement` is put right here)."""
    session = visible_session(session_id)
    recorded = list(Agrement.select().where(Agrement.site == session.site_id).order_by(Agrement.valide_au.desc()))
    return session_page(session, "register/agrement.html", "register.agrement", agrements=recorded,
                         covering=covering(recorded, session))


# --- The jury of a session ------------------------------------------------------------------------------

def _render_jury(session, errors=None, status=200, form=None):
    membres = domain.jury.jury_members(session)
    jures = domain.jury.centre_jurors(session, _shared())
    seated = {m.jure_id for m in membres}
    named = {i.role: i for i in session.intervenants}
    return session_page(
        session, "register/jury.html", "register.jury", status, membres=membres, jures=jures,
        withdrawn=domain.jury.jury_members(session, withdrawn=True), holders=evidence.holders(session),
        available=[j for j in jures.values() if j.active and j.id not in seated],
        candidats=list(Candidat.of_session(session)),
        intervenants=named, versions={role: intervenants.version_of(named.get(role)) for role in INTERVENANT_ROLES},
        roles=INTERVENANT_ROLES, errors=errors or {}, form=form or {})


@bp.get("/sessions/<int:session_id>/jury")
def jury(session_id):
    return _render_jury(visible_session(session_id))


def _jury_change(session, change, done):
    try:
        change()
    except forms.InvalidForm as exc:
        return _render_jury(session, exc.errors, 422, form=request.form)
    except forms.StaleRecord as exc:  # what was typed kept, on the version now stored: saving again keeps it
        return _render_jury(session, {"version": exc.message}, 409,
                            form={**request.form.to_dict(), "version": intervenants.version_of(exc.stored)})
    return changed(done, url_for("register.jury", session_id=session.id), lambda: _render_jury(session))


@bp.post("/sessions/<int:session_id>/jury")
def add_to_jury(session_id):
    session = editable_session(session_id)
    jure_id = whole_number(request.form.get("jure_id", ""))
    return _jury_change(session, lambda: domain.jury.add_to_jury(user(), session, jure_id, _shared()),
                        "Juré ajouté au jury.")


def _membre(session, jure_id):
    membre = domain.jury.member(session, jure_id)
    if membre is None:
        raise access.Unknown()
    return membre


@bp.post("/sessions/<int:session_id>/jury/<int:jure_id>/remove")
def remove_from_jury(session_id, jure_id):
    session = editable_session(session_id)
    domain.jury.remove_from_jury(user(), _membre(session, jure_id))  # refused (409) when they hold sign-ins
    return changed("Juré supprimé du jury.", url_for("register.jury", session_id=session.id), lambda: _render_jury(session))


@bp.post("/sessions/<int:session_id>/jury/<int:jure_id>/withdraw")
def withdraw_from_jury(session_id, jure_id):
    session = editable_session(session_id)
    membre = _membre(session, jure_id)
    try:
        domain.jury.withdraw_from_jury(user(), membre)
    except DomainError as exc:
        return _render_jury(session, {"retrait": exc.message}, 409)
    return changed(f"{membre.jure.label} retiré(e) du jury : ses émargements sont gardés.",
                   url_for("register.jury", session_id=session.id), lambda: _render_jury(session))


@bp.post("/sessions/<int:session_id>/jury/<int:jure_id>/declaration")
def record_declaration(session_id, jure_id):
    session = editable_session(session_id)
    membre = _membre(session, jure_id)
    return _jury_change(session, lambda: domain.jury.record_declaration(
        user(), membre, request.form.get("declaration_le", ""), request.form.getlist("liens"), today()),
        f"Déclaration de {membre.jure.label} enregistrée.")


@bp.post("/sessions/<int:session_id>/intervenants")
def set_intervenant(session_id):
    session = editable_session(session_id)
    return _jury_change(session, lambda: intervenants.set_intervenant(user(), session, request.form),
                        "Intervenant enregistré.")
