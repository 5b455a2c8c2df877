"""A centre's own page for its users: its identity (the letterhead), its sites with their signatory
and agréments (/centres/<id>, and /centres/<id>.json). Administrators change them (routes/admin.py)."""
from flask import Blueprint, jsonify, render_template
from flask_login import current_user, login_required

from domain import access, titres
from models import Agrement, Centre, Site

bp = Blueprint("centres", __name__)


@bp.before_request
@login_required
def _require_login():
    pass


def _centre(centre_id):
    centre = Centre.get_or_none(Centre.id == centre_id)
    if centre is None:
        raise access.Unknown()
    access.require_centre(current_user, centre.id)
    return centre


def _sites(centre):
    sites = list(Site.select().where(Site.centre == centre).order_by(Site.name))
    agrements = {}
    for agrement in Agrement.select().where(Agrement.site.in_([s.id for s in sites])).order_by(
            Agrement.valide_au.desc(), Agrement.id):
        agrements.setdefault(agrement.site_id, []).append(agrement)
    return sites, agrements


@bp.get("/centres/<int:centre_id>")
def show(centre_id):
    centre = _centre(centre_id)
    sites, agrements = _sites(centre)
    return render_template("centres/show.html", centre=centre, sites=sites, agrements=agrements,
                           form={}, errors={}, target=None)


def agrement_json(agrement):
    return {"id": agrement.id, "sigle": agrement.sigle, "millesime": agrement.millesime,
            "reference": agrement.reference, "valide_du": agrement.valide_du.isoformat(),
            "valide_au": agrement.valide_au.isoformat(), "plateau_technique": agrement.plateau_technique,
            "nombre_candidats": agrement.nombre_candidats}


@bp.get("/centres/<int:centre_id>.json")
def show_json(centre_id):
    """The centre's identity (no image bytes: whether a logo or signature is recorded), its sites and agréments."""
    centre = _centre(centre_id)
    sites, agrements = _sites(centre)
    return jsonify({
        "id": centre.id, "nom": centre.name, "adresse": centre.adresse, "code_postal": centre.code_postal,
        "ville": centre.ville, "telephone": centre.telephone, "email": centre.email, "siret": centre.siret,
        "nda": centre.nda, "logo": centre.logo is not None,
        "sites": [{"id": s.id, "nom": s.name, "adresse": s.adresse, "code_postal": s.code_postal, "ville": s.ville,
                   "signataire_nom": s.signataire_nom, "signataire_qualite": s.signataire_qualite,
                   "signature": s.signature is not None,
                   "agrements": [agrement_json(a) for a in agrements.get(s.id, [])]} for s in sites],
    })


@bp.get("/titres.json")
def titres_json():
    """The titres professionnels recorded, each version with its CCPs in order (every user reads them)."""
    return jsonify([titres.titre_json(titre, ccps) for titre, ccps in titres.all_titres()])


def render_refused(centre, form, errors, target):
    """The centre's page again after a refused agrément, with what was typed."""
    sites, agrements = _sites(centre)
    return render_template("centres/show.html", centre=centre, sites=sites, agrements=agrements,
                           form=form, errors=errors, target=target), 422


