"""A session's surveillant and comédien (the « intervenants » the jury's convocations also address)."""
from domain import journal
from domain.forms import InvalidForm, collect
from domain.inputs import clean_email, clean_field
from domain.vocabulary import INTERVENANT_ROLES
from models import Intervenant, db




def set_intervenant(user, session, form):
    """Name the session's surveillant or comédien; an empty name removes them."""
    role = (form.get("role") or "").strip()
    if role not in INTERVENANT_ROLES:
        raise InvalidForm({"role": "Rôle : surveillant ou comédien."})
    errors = {}
    nom = collect(errors, "nom", lambda: clean_field("display_name", form.get("nom"), field="nom"))
    email = (form.get("email") or "").strip()
    email = collect(errors, "email", lambda: clean_email(email)) if email else ""
    if errors:
        raise InvalidForm(errors)
    with db.atomic():
        current = Intervenant.of(session, role)
        before = f"{current.nom} {current.email}".strip() if current else ""
        if current:
            current.delete_instance()
        if nom:
            Intervenant.create(session=session, role=role, nom=nom, email=email)
        journal.record(user, session, role, before, f"{nom} {email}".strip())
