"""Administration: accounts, centres and sites, guide versions, and the journal of these changes."""
from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from peewee import JOIN, fn

from documents import signing
from documents.spreadsheet import csv_bytes
from domain import DomainError, access, administration, agrements, identity, spreadsheets, titres
from domain.guides import guide_tableaux
from domain.inputs import whole_number
from domain.vocabulary import ROLES, plural
from models import AdminEvent, Centre, CleSignature, ExamSession, GuideVersion, Site, Titre, User
from routes import centres as centres_routes

bp = Blueprint("admin", __name__, url_prefix="/admin")
JOURNAL_PAGE = 50


@bp.before_request
@login_required
def _require_admin():
    if not access.administers(current_user):
        raise access.Forbidden()


def _admin():
    return current_user._get_current_object()


def _get(model, pk):
    return model.get_or_none(model.id == pk) or abort(404)


@bp.get("")
def index():
    events = list(AdminEvent.select().order_by(AdminEvent.at.desc(), AdminEvent.id.desc()).limit(10))
    signing.current(current_app.instance_path, current_app.config["SIGNING_KEY"])  # made on first use
    keys = list(CleSignature.select().order_by(CleSignature.creee_le.desc(), CleSignature.id.desc()))
    return render_template("admin/index.html", events=events, users=User.select().count(),
                           centres=Centre.select().count(), guide=GuideVersion.current(), keys=keys)


# --- Accounts -----------------------------------------------------------------------------------

def _render_users(error=None, form=None, status=200, password=None):
    users = list(User.select(User, Centre).join(Centre, join_type=JOIN.LEFT_OUTER).order_by(User.email))
    return render_template("admin/users.html", users=users, centres=list(Centre.select().order_by(Centre.name)),
                           roles=ROLES, error=error, form=form or {}, password=password), status


@bp.get("/users")
def users():
    return _render_users()


@bp.post("/users")
def create_user():
    form = {k: request.form.get(k, "") for k in ("email", "display_name", "role", "centre")}
    password = administration.generated_password()
    try:
        user = administration.create_user(_admin(), form["email"], form["display_name"], form["role"], form["centre"],
                                    password)
    except DomainError as exc:
        return _render_users(error=exc, form=form, status=422)
    return _render_users(password=(user, password))


def _render_user(user, error=None, status=200, password=None):
    return render_template("admin/user.html", user=user, centres=list(Centre.select().order_by(Centre.name)),
                           roles=ROLES, error=error, password=password), status


@bp.get("/users/<int:user_id>")
def user(user_id):
    return _render_user(_get(User, user_id))


@bp.post("/users/<int:user_id>")
def update_user(user_id):
    user = _get(User, user_id)
    try:
        administration.update_user(_admin(), user, request.form.get("display_name", ""), request.form.get("role", ""),
                             request.form.get("centre", ""))
    except DomainError as exc:
        return _render_user(User.get_by_id(user_id), error=exc, status=422)
    flash(f"Compte {user.email} enregistré.", "success")
    return redirect(url_for("admin.user", user_id=user.id))


def _set_active(user_id, active):
    user = _get(User, user_id)
    try:
        administration.set_active(_admin(), user, active)
    except DomainError as exc:
        return _render_user(User.get_by_id(user_id), error=exc, status=422)
    flash(f"Compte {user.email} {'réactivé' if active else 'désactivé'}.", "success")
    return redirect(url_for("admin.user", user_id=user.id))


@bp.post("/users/<int:user_id>/deactivate")
def deactivate_user(user_id):
    return _set_active(user_id, False)


@bp.post("/users/<int:user_id>/activate")
def activate_user(user_id):
    return _set_active(user_id, True)


@bp.post("/users/<int:user_id>/password")
def reset_password(user_id):
    user = _get(User, user_id)
    return _render_user(user, password=administration.reset_password(_admin(), user))


# --- Centres and sites --------------------------------------------------------------------------

def _render_centres(error=None, status=200, target=None):
    """The centres and sites with their identity; after a refusal, `target` (« centre-3 », « site-5 »)
    is the form shown again with what was typed and the messages beside the fields."""
    centres = list(Centre.select().order_by(Centre.name))
    sites = {}
    for site in Site.select().order_by(Site.name):
        sites.setdefault(site.centre_id, []).append(site)
    errors = getattr(error, "errors", None) or ({error.field or "name": error.message} if error else {})
    return render_template("admin/centres.html", centres=centres, sites=sites, error=error, target=target,
                           typed=request.form if target else {}, errors=errors,
                           centre_fields=identity.CENTRE_FIELDS, site_fields=identity.SITE_FIELDS), status


@bp.get("/centres")
def centres():
    return _render_centres()


def _centre_change(change, *args):
    try:
        change(_admin(), *args)
    except DomainError as exc:
        return _render_centres(error=exc, status=422)
    flash("Modification enregistrée.", "success")
    return redirect(url_for("admin.centres"))


@bp.post("/centres")
def create_centre():
    return _centre_change(administration.create_centre, request.form.get("name", ""))


def _identity_change(change, row, target):
    try:
        change(_admin(), row, request.form, request.files)
    except DomainError as exc:
        return _render_centres(error=exc, status=422, target=target)
    flash("Modification enregistrée.", "success")
    return redirect(url_for("admin.centres", _anchor=target))


@bp.post("/centres/<int:centre_id>")
def rename_centre(centre_id):
    """The centre's name and identity (letterhead): only the fields sent change."""
    return _identity_change(identity.update_centre, _get(Centre, centre_id), f"centre-{centre_id}")


@bp.post("/centres/<int:centre_id>/indicateurs")
def publish_indicators(centre_id):
    """Publish the centre's rates without login (/public/<id>/indicateurs), or stop publishing them."""
    return _centre_change(administration.publish_indicators, _get(Centre, centre_id), request.form.get("publier") == "1")


@bp.post("/centres/<int:centre_id>/sites")
def add_site(centre_id):
    return _centre_change(administration.add_site, _get(Centre, centre_id), request.form.get("name", ""))


@bp.post("/sites/<int:site_id>")
def rename_site(site_id):
    """The site's name, address and signatory: only the fields sent change."""
    return _identity_change(identity.update_site, _get(Site, site_id), f"site-{site_id}")


@bp.post("/sites/<int:site_id>/agrements")
def add_agrement(site_id):
    """An agrément of the site, from the DREETS' decision letter (shown on the centre's page)."""
    site = _get(Site, site_id)
    try:
        agrements.add_agrement(_admin(), site, request.form)
    except DomainError as exc:
        return centres_routes.render_refused(site.centre, request.form, getattr(exc, "errors", {}), f"site-{site.id}")
    flash("Agrément enregistré.", "success")
    return redirect(url_for("centres.show", centre_id=site.centre_id, _anchor=f"site-{site.id}"))


# --- Titres professionnels and their CCPs ------------------------------------------------------

def _render_titres(status=200, target=None, form=None, errors=None, problems=()):
    return render_template("admin/titres.html", titres=titres.all_titres(), target=target, form=form or {},
                           errors=errors or {}, error=None, problems=problems), status


@bp.get("/titres")
def titres_page():
    return _render_titres()


def _titre_change(titre, target):
    try:
        saved = titres.save_titre(_admin(), request.form, titre)
    except DomainError as exc:
        return _render_titres(422, target, request.form, getattr(exc, "errors", {exc.field: exc.message}))
    flash(f"Titre {saved.sigle} millésime {saved.millesime} enregistré.", "success")
    return redirect(url_for("admin.titres_page", _anchor=f"titre-{saved.id}"))


@bp.get("/titres.csv")
def titres_csv():
    """The titres and their CCPs as a French spreadsheet, one line per CCP (the import reads it back)."""
    return Response(csv_bytes(titres.CSV_COLUMNS, titres.csv_rows()), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="titres.csv"'})


@bp.post("/titres/import")
def import_titres():
    upload = request.files.get("fichier")
    try:
        if upload is None or not upload.filename:
            raise DomainError("Choisissez un fichier CSV.", "fichier")
        count = titres.import_titres(_admin(), upload.read())
    except spreadsheets.InvalidFile as exc:
        return _render_titres(422, "import", errors={"fichier": exc.message}, problems=exc.problems)
    except DomainError as exc:
        return _render_titres(422, "import", errors={"fichier": exc.message})
    flash(f"{plural(count, 'titre importé', 'titres importés')}.", "success")
    return redirect(url_for("admin.titres_page"))


@bp.post("/titres")
def create_titre():
    return _titre_change(None, "nouveau")


@bp.post("/titres/<int:titre_id>")
def update_titre(titre_id):
    return _titre_change(_get(Titre, titre_id), f"titre-{titre_id}")


# --- Guide versions -----------------------------------------------------------------------------

def _render_guides(error=None, status=200):
    guides = list(GuideVersion.select().order_by(GuideVersion.imported_at.desc(), GuideVersion.id.desc()))
    counts = dict(ExamSession.select(ExamSession.guide, fn.COUNT(ExamSession.id)).group_by(ExamSession.guide).tuples())
    return render_template("admin/guides.html", guides=guides, counts=counts, current=GuideVersion.current(),
                           error=error), status


@bp.get("/guides")
def guides():
    return _render_guides()


@bp.post("/guides")
def import_guide():
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _render_guides(error=DomainError("Choisissez un fichier de guide (.toml).", "file"), status=422)
    try:
        guide = administration.import_guide_file(_admin(), upload.read())
    except DomainError as exc:
        return _render_guides(error=exc, status=422)
    flash(f"Version « {guide.version} » du guide importée : les nouvelles sessions l'utiliseront.", "success")
    return redirect(url_for("admin.guide", guide_id=guide.id))


@bp.get("/guides/<int:guide_id>")
def guide(guide_id):
    guide = _get(GuideVersion, guide_id)
    return render_template("admin/guide.html", guide=guide, tableaux=guide_tableaux(guide))


@bp.get("/journal")
def journal():
    page = whole_number(request.args.get("page", ""), minimum=1, maximum=99_999) or 1
    query = AdminEvent.select(AdminEvent, User).join(User, join_type=JOIN.LEFT_OUTER)
    events = list(query.order_by(AdminEvent.at.desc(), AdminEvent.id.desc()).paginate(page, JOURNAL_PAGE))
    more = query.count() > page * JOURNAL_PAGE
    return render_template("admin/journal.html", events=events, page=page, more=more)
