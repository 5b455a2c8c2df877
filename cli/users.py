"""Users from the command line: create-user (or update the one with that e-mail)."""
import click
from flask.cli import with_appcontext

from cli.errors import CommandError
from domain import DomainError, administration
from domain.inputs import clean_email, normalize_email
from domain.vocabulary import ROLES
from models import Centre, User, db


def upsert_user(email, password, role, centre_name, display_name=None):
    """Create or update a user; the centre is created when it does not exist yet."""
    with db.atomic():
        centre = Centre.get_or_create(name=centre_name)[0] if centre_name else None
        email = normalize_email(email)
        user = User.get_or_none(User.email == email) or User(email=email)
        user.display_name = display_name or user.display_name or email.split("@")[0]
        user.role, user.centre, user.active = role, centre, True
        user.set_password(password)
        user.save()
    return user


@click.command("create-user")
@click.argument("email")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--role", type=click.Choice(ROLES), default="responsable", show_default=True)
@click.option("--centre", "centre_name", default=None, help="Nom du centre agréé (créé s'il n'existe pas).")
@click.option("--name", "display_name", default=None, help="Nom affiché.")
@with_appcontext
def create_user_command(email, password, role, centre_name, display_name):
    """Create a user (or update the one with that e-mail)."""
    if User.role_needs_centre(role) and not centre_name:
        raise CommandError("un responsable ou un lecteur appartient à un centre : indiquez --centre.")
    if not User.role_needs_centre(role) and centre_name:
        raise CommandError("un administrateur ou un coordinateur n'appartient à aucun centre : n'indiquez pas --centre.")
    try:
        email = clean_email(email)
        administration.check_password(password, email=email, display_name=display_name or email.split("@")[0])
    except DomainError as exc:
        raise CommandError(exc.message) from None
    with db.connection_context():
        user = upsert_user(email, password, role, centre_name, display_name)
    click.echo(f"Utilisateur {user.email} ({role}) enregistré.")


COMMANDS = (create_user_command,)
