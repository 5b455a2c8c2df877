"""A session's schedule: its épreuves (what, when, where, for whom), written in the session's journal."""
from domain import evidence
from domain.forms import InvalidForm, collect, create_in_session
from domain.inputs import clean_field, parse_date, parse_time
from domain.vocabulary import EPREUVE_CATEGORIES
from models import Epreuve


EPREUVE_FIELDS = ("libelle", "date", "heure_debut", "heure_fin", "lieu", "categorie")


def clean_epreuve(form):
    errors = {}
    values = {
        "libelle": collect(errors, "libelle", lambda: clean_field("libelle", form.get("libelle"), required=True)),
        "date": collect(errors, "date", lambda: parse_date(form.get("date"), "Date de l'épreuve")),
        "heure_debut": collect(errors, "heure_debut", lambda: parse_time(form.get("heure_debut"), "Début")),
        "heure_fin": collect(errors, "heure_fin", lambda: parse_time(form.get("heure_fin"), "Fin")),
        "lieu": collect(errors, "lieu", lambda: clean_field("lieu", form.get("lieu"), required=True)),
        # Optional: an épreuve unless the form says corrections or deliberations.
        "categorie": (form.get("categorie") or "epreuve").strip(),
    }
    if values["categorie"] not in EPREUVE_CATEGORIES:
        errors["categorie"] = "Type : épreuve, corrections ou délibérations du jury."
    if values["heure_debut"] and values["heure_fin"] and values["heure_fin"] <= values["heure_debut"]:
        errors["heure_fin"] = "Fin : l'épreuve doit finir après son début."
    if errors:
        raise InvalidForm(errors)
    return values


def _describe_epreuve(epreuve):
    return f"{epreuve.libelle}, le {epreuve.date:%d/%m/%Y} de {epreuve.heure_debut} à {epreuve.heure_fin}, {epreuve.lieu}"


def add_epreuve(user, session, form):
    return create_in_session(user, session, Epreuve, clean_epreuve(form), "epreuve", _describe_epreuve)


def remove_epreuve(user, epreuve):
    """Delete an épreuve that holds no evidence (HoldsEvidence otherwise)."""
    evidence.remove(user, epreuve, f"L'épreuve « {epreuve.libelle} »", _describe_epreuve(epreuve), "epreuve",
                    "Supprimée du planning")


def withdraw_epreuve(user, epreuve):
    """Withdraw an épreuve from the schedule, its sign-ins kept."""
    evidence.withdraw(user, epreuve, _describe_epreuve(epreuve), "epreuve", "Retirée du planning (gardée avec ses émargements)")
