"""A site's agréments, as the guide asks them checked (« la version du titre visé, la date de fin
d'agrément, le plateau technique de l'agrément, le nombre de candidats prévu dans l'agrément »):
recorded by an administrator from the DREETS' decision letter, read by the check `agrement`."""
from domain import administration
from domain.forms import InvalidForm, collect
from domain.inputs import clean_text, parse_date, whole_number
from models import Agrement, db


def clean_agrement(form):
    errors = {}

    def text(name, label, max_length, required=False, multiline=False):
        def clean():
            value = clean_text(form.get(name), multiline=multiline, max_length=max_length, label=label)
            if required and not value:
                raise administration.DomainError(f"{label} : ce champ est obligatoire.", name)
            return value
        return collect(errors, name, clean)

    values = {
        "sigle": text("sigle", "Sigle du titre", 30, required=True),
        "millesime": text("millesime", "Millésime (version du titre ; vide : toute version)", 20),
        "reference": text("reference", "Référence de la décision", 100),
        "valide_du": collect(errors, "valide_du", lambda: parse_date(form.get("valide_du"), "Valide du")),
        "valide_au": collect(errors, "valide_au", lambda: parse_date(form.get("valide_au"), "Valide au")),
        "plateau_technique": text("plateau_technique", "Plateau technique", 1000, multiline=True),
    }
    count = (form.get("nombre_candidats") or "").strip()
    values["nombre_candidats"] = whole_number(count, 1, 999) if count else None
    if count and values["nombre_candidats"] is None:
        errors["nombre_candidats"] = "Nombre de candidats : un nombre entier de 1 à 999, ou vide."
    if values["valide_du"] and values["valide_au"] and values["valide_au"] < values["valide_du"]:
        errors["valide_au"] = "Valide au : la fin de l'agrément doit suivre son début."
    if errors:
        raise InvalidForm(errors)
    values["sigle"] = values["sigle"].upper()
    return values


def add_agrement(admin, site, form):
    values = clean_agrement(form)
    with db.atomic():
        agrement = Agrement.create(site=site, **values)
        administration.log(admin, "Agrément enregistré", f"{site.centre.name} · {site.name}", agrement.label)
    return agrement


def covering(agrements, session):
    """The agréments of the session's site for its sigle and millésime that cover every day from its
    first to its last."""
    return [a for a in agrements if a.sigle.upper() == session.sigle.upper()
            and (not a.millesime or a.millesime == session.millesime)
            and a.valide_du <= session.date_debut and session.date_fin <= a.valide_au]
