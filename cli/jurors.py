"""Jurors from the command line: `merge-jurors`, the records of one person that centres entered twice
(before sharing their directory, JURES_PARTAGES), merged keeping every session's jury whole."""
import click
from flask.cli import with_appcontext

from domain import jurors
from domain.vocabulary import plural
from models import db


@click.command("merge-jurors")
@click.option("--dry-run", is_flag=True, help="Lister les fiches en double, sans rien changer.")
@with_appcontext
def merge_jurors_command(dry_run):
    """Merge the jurors' records that share an e-mail (normalised): the oldest active one is kept."""
    with db.connection_context():
        groups = jurors.duplicates()
        if not groups:
            click.echo("Annuaire des jurés : aucune fiche en double.")
            return
        merged = 0
        for group in groups:
            click.echo(f"{group[0].email.strip().lower()} : {len(group)} fiches ("
                       + ", ".join(f"n° {j.id} {j.label}, {j.centre.name}{'' if j.active else ', inactif'}" for j in group)
                       + ")")
            if not dry_run:
                kept, sessions = jurors.merge(group)
                merged += len(group) - 1
                click.echo(f"  gardée : n° {kept.id} ({kept.centre.name}) ; "
                           f"{plural(len(sessions), 'session')} dont le journal le consigne")
    if dry_run:
        click.echo(f"{plural(len(groups), 'personne')} en double ; rien n'a été modifié (--dry-run).")
    else:
        click.echo(f"{plural(merged, 'fiche fusionnée', 'fiches fusionnées')}.")


COMMANDS = (merge_jurors_command,)
