"""The centre's directory of jurors: each juror holds habilitations (a titre's sigle, valid until a
date, possibly restricted to some CCPs). A juror is never deleted, only made inactive: past sessions
keep their jury. A change to the directory is written in the administrators' journal with the centre
it concerns, in the change's transaction.

Personal data (RGPD): name, e-mail, an optional telephone, the training date, the habilitations; no
free-text notes.
"""
import re

from domain import access
from domain.forms import InvalidForm, collect, locked_current
from domain.vocabulary import RECORD_FIELD_LABELS
from domain.inputs import clean_civilite, clean_email, clean_field, clean_postcode, parse_date
from models import AdminEvent, Centre, Habilitation, Jure, db


_TELEPHONE = re.compile(r"^[0-9+().\- ]*$")


_CCP_CODE = re.compile(r"^[\w.\-/ ]{1,30}$")


def clean_juror(form):
    """The juror's fields from a form (civilite, nom, prenom, email, telephone, postal address,
    professionnalise_le)."""
    errors = {}
    values = {
        "nom": collect(errors, "nom", lambda: clean_field("nom", form.get("nom"), required=True)),
        "prenom": collect(errors, "prenom", lambda: clean_field("prenom", form.get("prenom"), required=True)),
        "email": collect(errors, "email", lambda: clean_email(form.get("email"))),
        "telephone": collect(errors, "telephone", lambda: clean_field("telephone", form.get("telephone"))),
    }
    if values["telephone"] and not _TELEPHONE.match(values["telephone"]):
        errors["telephone"] = "Téléphone : chiffres, espaces et + ( ) . - seulement."
    values["civilite"] = collect(errors, "civilite", lambda: clean_civilite(form.get("civilite")))
    values["adresse"] = collect(errors, "adresse", lambda: clean_field("adresse", form.get("adresse"), multiline=True))
    values["code_postal"] = collect(errors, "code_postal", lambda: clean_postcode(form.get("code_postal")))
    values["ville"] = collect(errors, "ville", lambda: clean_field("ville", form.get("ville")))
    trained = (form.get("professionnalise_le") or "").strip()
    values["professionnalise_le"] = collect(
        errors, "professionnalise_le", lambda: parse_date(trained, "Professionnalisé le")) if trained else None
    if errors:
        raise InvalidForm(errors)
    return values


def clean_habilitation(form):
    """A habilitation's fields from a form (sigle, valide_jusqu_au, ccp as codes separated by commas)."""
    errors = {}
    sigle = collect(errors, "sigle", lambda: clean_field("hab_sigle", form.get("sigle"), required=True, field="sigle"))
    until = collect(errors, "valide_jusqu_au", lambda: parse_date(form.get("valide_jusqu_au"), "Valide jusqu'au"))
    ccp = collect(errors, "ccp", lambda: clean_field("ccp", form.get("ccp")))
    codes = [code.strip() for code in (ccp or "").split(",") if code.strip()]
    if any(not _CCP_CODE.match(code) for code in codes):
        errors["ccp"] = "Codes CCP : des codes séparés par des virgules (ex. CP-01234, CP-01235)."
    if errors:
        raise InvalidForm(errors)
    return {"sigle": sigle.upper(), "valide_jusqu_au": until, "ccp": ", ".join(codes)}


def _log(user, centre, action, jure, details=""):
    AdminEvent.create(user=user, centre=centre, action=action, target=f"{centre.name} · {jure.label}", details=details)


def _check_unique_email(centre, email, jure_id=None):
    query = Jure.select().where((Jure.centre == centre) & (Jure.email == email))
    if jure_id is not None:
        query = query.where(Jure.id != jure_id)
    if query.exists():
        raise InvalidForm({"email": "Un juré de ce centre a déjà cette adresse e-mail."})


def create_juror(user, centre, form):
    """A new juror of the centre, with a first habilitation when the form gives a sigle."""
    values = clean_juror(form)
    habilitation = clean_habilitation(form) if (form.get("sigle") or "").strip() else None
    with db.atomic():
        _check_unique_email(centre, values["email"])
        jure = Jure.create(centre=centre, **values)
        _log(user, centre, "Juré ajouté à l'annuaire", jure, values["email"])
        if habilitation:
            _add_habilitation(user, jure, habilitation)
    return jure


def update_juror(user, jure, form):
    """Save a juror's record typed on `form["version"]` of it (StaleRecord when a colleague saved it
    meanwhile)."""
    values = clean_juror(form)
    with db.atomic():
        current = locked_current(Jure, jure, form.get("version"), values, RECORD_FIELD_LABELS)
        _check_unique_email(jure.centre, values["email"], jure.id)
        before = {name: getattr(current, name) for name in values}
        changed = [name for name, value in values.items() if before[name] != value]
        if changed:
            Jure.update(**values, version=current.version + 1).where(Jure.id == jure.id).execute()
            jure = Jure.get_by_id(jure.id)
            _log(user, jure.centre, "Juré modifié", jure, ", ".join(changed))
    return jure


def set_juror_active(user, jure, active):
    """Deactivate a juror who no longer sits (never deleted: past juries keep them), or bring them back."""
    with db.atomic():
        if jure.active != active:
            Jure.update(active=active).where(Jure.id == jure.id).execute()
            _log(user, jure.centre, "Juré réactivé" if active else "Juré désactivé", jure)
    return Jure.get_by_id(jure.id)


def _add_habilitation(user, jure, values):
    habilitation = Habilitation.create(jure=jure, **values)
    scope = f" (CCP {values['ccp']})" if values["ccp"] else ""
    _log(user, jure.centre, "Habilitation ajoutée", jure,
         f"{values['sigle']} jusqu'au {values['valide_jusqu_au']:%d/%m/%Y}{scope}")
    return habilitation


def add_habilitation(user, jure, form):
    values = clean_habilitation(form)
    with db.atomic():
        return _add_habilitation(user, jure, values)


def directory(user):
    """The jurors the user sees (their centre's; every centre's for an administrator), with their centre
    and habilitations, by centre, the active first, in name order."""
    query = access.visible_to(Jure.select(Jure, Centre).join(Centre), user, Jure.centre)
    return Jure.with_habilitations(query.order_by(Centre.name, Jure.active.desc(), Jure.nom, Jure.prenom))


def with_habilitations(jure_id):
    """A juror with their centre and habilitations."""
    return Jure.with_habilitations(Jure.select(Jure, Centre).join(Centre).where(Jure.id == jure_id))[0]
