"""A session's surveillant and comédien (the « intervenants » the jury's convocations also address)."""
import hashlib

from database import locked
from domain import journal
from domain.forms import InvalidForm, StaleRecord, collect
from domain.inputs import clean_email, clean_field
from domain.vocabulary import INTERVENANT_ROLES, RECORD_FIELD_LABELS
from models import Intervenant, db


def version_of(current):
    """The version a role's form is typed on: what it names now (the row is replaced, not numbered)."""
    if current is None:
        return "aucun"
    return hashlib.sha256(f"{current.nom}\x1f{current.email}".encode("utf-8")).hexdigest()[:16]


def set_intervenant(user, session, form):
    """Name the session's surveillant or comédien; an empty name removes them. The form carries the
    version it was typed on: a colleague's save meanwhile is a StaleRecord (409, both values kept)."""
    role = (form.get("role") or "").strip()
    if role not in INTERVENANT_ROLES:
        raise InvalidForm({"role": "Rôle : surveillant ou comédien."})
    typed_on = (form.get("version") or "").strip()
    if not typed_on:
        raise InvalidForm({"version": "Version manquante : rechargez la page avant d'enregistrer."})
    errors = {}
    nom = collect(errors, "nom", lambda: clean_field("display_name", form.get("nom"), field="nom"))
    email = (form.get("email") or "").strip()
    email = collect(errors, "email", lambda: clean_email(email)) if email else ""
    if errors:
        raise InvalidForm(errors)
    with db.atomic():
        current = locked(Intervenant.select().where((Intervenant.session == session) & (Intervenant.role == role))).first()
        if version_of(current) != typed_on:
            stored = {"nom": current.nom if current else "", "email": current.email if current else ""}
            raise StaleRecord(current, [(name, stored[name], value) for name, value in (("nom", nom), ("email", email))
                                        if stored[name] != value], RECORD_FIELD_LABELS)
        before = f"{current.nom} {current.email}".strip() if current else ""
        if current:
            current.delete_instance()
        if nom:
            Intervenant.create(session=session, role=role, nom=nom, email=email)
        journal.record(user, session, role, before, f"{nom} {email}".strip())
