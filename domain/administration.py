"""Accounts, centres and guide versions as the administrators manage them.

Every change is written with its AdminEvent (who, when, what) in one transaction. A refused change
raises DomainError with the French message the user sees, and changes nothing.
"""
import re
import secrets

from database import locked
from domain import DomainError, access, logins
from domain.guides import import_guide
from domain.inputs import clean_email, clean_field
from domain.vocabulary import ROLES
from guide import GuideFileError, read_guide_text
from models import AdminEvent, Centre, GuideVersion, Site, User, db

PASSWORD_MIN = 12
PASSWORD_MAX = 128


def log(admin, action, target, details=""):
    AdminEvent.create(user=admin, action=action, target=target, details=details)


def check_password(password, *, email, display_name):
    """DomainError unless the password is long enough and does not contain the user's name or e-mail."""
    if len(password) < PASSWORD_MIN:
        raise DomainError(f"Le mot de passe doit compter au moins {PASSWORD_MIN} caractères.", "password")
    if len(password) > PASSWORD_MAX:
        raise DomainError(f"Le mot de passe doit compter au plus {PASSWORD_MAX} caractères.", "password")
    lowered = password.casefold()
    local_part = email.split("@")[0].casefold()
    names = [w for w in re.split(r"[\W_]+", display_name.casefold()) if len(w) >= 3]
    if (len(local_part) >= 3 and local_part in lowered) or email.casefold() in lowered or any(n in lowered for n in names):
        raise DomainError("Le mot de passe ne doit contenir ni votre nom ni votre adresse e-mail.", "password")


def generated_password():
    """A temporary password an administrator hands over (20 characters, easy to read aloud)."""
    return "-".join(secrets.token_urlsafe(6)[:5] for _ in range(4))


def _clean_user_fields(email, display_name, role, centre_name):
    email = clean_email(email)
    display_name = clean_field("display_name", display_name)
    if not display_name:
        raise DomainError("Indiquez le nom de la personne.", "display_name")
    if role not in ROLES:
        raise DomainError("Rôle inconnu : choisissez administrateur, responsable, lecteur ou coordinateur.", "role")
    centre = Centre.get_or_none(Centre.name == centre_name) if centre_name else None
    if centre_name and centre is None:
        raise DomainError("Centre inconnu : choisissez un centre de la liste.", "centre")
    if User.role_needs_centre(role) and centre is None:
        raise DomainError("Un responsable ou un lecteur appartient à un centre : choisissez-le.", "centre")
    if not User.role_needs_centre(role) and centre is not None:
        raise DomainError("Un administrateur ou un coordinateur n'appartient à aucun centre : ne choisissez pas de "
                          "centre.", "centre")
    return email, display_name, centre


def create_user(admin, email, display_name, role, centre_name, password):
    email, display_name, centre = _clean_user_fields(email, display_name, role, centre_name)
    check_password(password, email=email, display_name=display_name)
    with db.atomic():
        if User.select().where(User.email == email).exists():
            raise DomainError("Un compte existe déjà avec cette adresse e-mail.", "email")
        user = User(email=email, display_name=display_name, role=role, centre=centre)
        user.set_password(password)
        user.save()
        log(admin, "Compte créé", email, f"{role}, {centre.name if centre else 'tous les centres'}")
    return user


def _other_active_admins(user):
    """How many other active administrators there are; their rows stay locked until the change commits,
    so that two administrators removing each other at once cannot leave none."""
    return sum(1 for admin in locked(User.admins()) if admin.id != user.id)


def update_user(admin, user, display_name, role, centre_name):
    """Change a user's name, role and centre; the last active administrator keeps the role."""
    _, display_name, centre = _clean_user_fields(user.email, display_name, role, centre_name)
    with db.atomic():
        if access.administers(user) and not access.administers(User(role=role)) and user.active and not _other_active_admins(user):
            raise DomainError("Impossible : c'est le dernier administrateur actif.", "role")
        before = (user.display_name, user.role, user.centre.name if user.centre else "")
        user.display_name, user.role, user.centre = display_name, role, centre
        after = (user.display_name, user.role, user.centre.name if user.centre else "")
        if before != after:
            user.save()
            log(admin, "Compte modifié", user.email, f"{' · '.join(before)} → {' · '.join(after)}")
    return user


def set_active(admin, user, active):
    """Activate or deactivate an account; deactivating ends every login for good (reactivating
    does not bring old login cookies back)."""
    with db.atomic():
        if user.active == active:
            return user
        if not active and access.administers(user) and not _other_active_admins(user):
            raise DomainError("Impossible : c'est le dernier administrateur actif.", "active")
        user.active = active
        if not active:
            user.login_nonce = secrets.token_hex(8)
            logins.close_all_logins(user)
        user.save()
        log(admin, "Compte réactivé" if active else "Compte désactivé", user.email)
    return user


def reset_password(admin, user):
    """Give the user a new temporary password (returned once, to be handed over) and end their logins."""
    password = generated_password()
    with db.atomic():
        user.set_password(password)
        user.save()
        logins.close_all_logins(user)
        log(admin, "Mot de passe réinitialisé", user.email)
    return password


def change_own_password(user, current, new, confirmation, address):
    """The user's new password; the current one is checked with the login's limits (domain.logins)."""
    if logins.check_password(user.email, current, address, user=user) is None:
        raise DomainError("Le mot de passe actuel est incorrect.", "current")
    if new != confirmation:
        raise DomainError("Les deux saisies du nouveau mot de passe diffèrent.", "confirmation")
    check_password(new, email=user.email, display_name=user.display_name)
    with db.atomic():
        user.set_password(new)
        user.save()
        logins.close_all_logins(user)
        log(user, "Mot de passe changé par l'utilisateur", user.email)
    return user


def _name(value, what):
    """The name of a centre or a site, cleaned; DomainError when empty or not acceptable."""
    name = clean_field(f"{what}_name", value, field="name")
    if not name:
        raise DomainError(f"Indiquez le nom du {what}.", "name")
    return name


def create_centre(admin, name):
    name = _name(name, "centre")
    with db.atomic():
        if Centre.select().where(Centre.name == name).exists():
            raise DomainError("Ce centre existe déjà.", "name")
        centre = Centre.create(name=name)
        log(admin, "Centre créé", name)
    return centre


def rename_centre(admin, centre, name):
    name = _name(name, "centre")
    with db.atomic():
        if Centre.select().where((Centre.name == name) & (Centre.id != centre.id)).exists():
            raise DomainError("Un autre centre porte déjà ce nom.", "name")
        old, centre.name = centre.name, name
        if old != name:
            centre.save()
            log(admin, "Centre renommé", name, f"{old} → {name}")
    return centre


def publish_indicators(admin, centre, published):
    """The centre's rates published without login, or no longer."""
    with db.atomic():
        Centre.update(indicateurs_publics=published).where(Centre.id == centre.id).execute()
        log(admin, "Indicateurs publiés" if published else "Indicateurs retirés de la publication", centre.name)


def add_site(admin, centre, name):
    name = _name(name, "site")
    with db.atomic():
        if any(site.name.casefold() == name.casefold() for site in centre.sites):
            raise DomainError("Ce centre a déjà un site de ce nom.", "name")
        site = Site.create(centre=centre, name=name)
        log(admin, "Site ajouté", f"{centre.name} · {name}")
    return site


def rename_site(admin, site, name):
    name = _name(name, "site")
    with db.atomic():
        if any(s.id != site.id and s.name.casefold() == name.casefold() for s in site.centre.sites):
            raise DomainError("Ce centre a déjà un site de ce nom.", "name")
        old, site.name = site.name, name
        if old != name:
            site.save()
            log(admin, "Site renommé", f"{site.centre.name} · {name}", f"{old} → {name}")
    return site


def import_guide_file(admin, content):
    """Import a guide version from the bytes of a guide file; new sessions take it, existing ones keep theirs."""
    try:
        data = read_guide_text(content)
    except GuideFileError as exc:
        raise DomainError(str(exc), "file") from None
    with db.atomic():
        if GuideVersion.select().where(GuideVersion.version == data["version"]).exists():
            raise DomainError(f"La version « {data['version']} » du guide est déjà importée.", "file")
        guide = import_guide(data)
        count = sum(len(p["tasks"]) for p in data["phases"])
        log(admin, "Version du guide importée", data["version"], f"{data['label']} ({count} tâches)")
    return guide


def new_feed_token(user):
    """A new secret for the user's calendar feeds; the old URLs stop working at once."""
    user.feed_token = secrets.token_urlsafe(32)
    user.save()
    return user.feed_token
