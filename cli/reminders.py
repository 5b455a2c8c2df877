"""The daily reminder: send-reminders e-mails each responsable the late and coming tasks of their centre."""

import click
from flask import current_app
from flask.cli import with_appcontext

from cli.errors import CommandError
from documents import reminder_mail
from documents.links import group_link
from domain import reminders
from domain.vocabulary import plural
from formats import local_today
from models import db


@click.command("send-reminders")
@click.option("--dry-run", is_flag=True, help="Afficher les messages au lieu de les envoyer.")
@with_appcontext
def send_reminders_command(dry_run):
    """E-mail each responsable the late tasks of their centre and those due within 7 days."""
    today = current_app.config["TODAY"] or local_today()
    with db.connection_context(), current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
        messages = [reminder_mail.message(digest, today, group_link) for digest in reminders.digests(
            today, current_app.config["SUIVI_INSERTION_MOIS"], current_app.config["SUIVI_PARTIELS_MOIS"])]
    if dry_run:
        for msg in messages:
            click.echo(f"À : {msg['To']}\nObjet : {msg['Subject']}\n\n{msg.get_content()}\n")
        click.echo(f"{plural(len(messages), 'rappel préparé', 'rappels préparés')}.")
        return
    failures = reminder_mail.send(messages)
    click.echo(f"{plural(len(messages) - len(failures), 'rappel envoyé', 'rappels envoyés')}.")
    if failures:
        for msg, reason in failures:
            click.echo(f"Échec pour {msg['To']} : {reason}", err=True)
        raise CommandError(f"{plural(len(failures), 'rappel non envoyé', 'rappels non envoyés')} par "
                           f"{current_app.config['SMTP_HOST']} "
                           "(les autres destinataires les ont reçus).")


COMMANDS = (send_reminders_command,)
