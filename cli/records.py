"""The session's records from the command line: verify-journal (the hash chains, held to their
anchors), anchor-journal (daily, from cron) and purge (the end of the five years of retention)."""

import click
from flask import current_app
from flask.cli import with_appcontext

from documents import signing
from domain import anchors, journal, retention
from formats import local_today
from domain.vocabulary import agree, plural
from models import ExamSession, db


@click.command("verify-journal")
@click.option("--session", "session_id", type=int, help="Vérifier le journal d'une seule session.")
@with_appcontext
def verify_journal_command(session_id):
    """Recompute every session's journal chain: exit 1 naming the first event that no longer matches."""
    with db.connection_context():
        if session_id is not None and not ExamSession.select().where(ExamSession.id == session_id).exists():
            raise click.ClickException(f"Session {session_id} inconnue.")
        path = current_app.config["ANCHOR_FILE"]
        report = anchors.verify(path)
        verdicts = journal.verify(None if session_id is None else [session_id], report.positions, report.purges)
    broken = [v for v in verdicts if not v.intact]
    for problem in report.problems:
        click.echo(f"Ancres altérées : {problem}.", err=True)
    for verdict in broken:
        where = f", événement {verdict.broken_at}" if verdict.broken_at else ""
        click.echo(f"Journal altéré : session {verdict.session_id}{where} ({verdict.reason}).", err=True)
    if broken or report.problems:
        raise SystemExit(1)
    for verdict in verdicts:
        if verdict.purged_at is not None:
            click.echo(f"session {verdict.session_id} purgée le {verdict.purged_at:%d/%m/%Y}, "
                       f"{plural(verdict.events, 'événement')}, tête {verdict.head} (conforme à son ancre)")
    total = sum(v.events for v in verdicts if v.purged_at is None)
    click.echo(f"journal intact : {plural(total, 'événement')} ({plural(len(verdicts), 'session')}) ; "
               f"{plural(report.anchors, 'ancre conforme', 'ancres conformes')} au fichier {path}")


@click.command("anchor-journal")
@with_appcontext
def anchor_journal_command():
    """Anchor the journals' heads (daily, from cron): in the database and appended to the anchors' file."""
    path = current_app.config["ANCHOR_FILE"]
    with db.connection_context():
        anchor = anchors.anchor_now("quotidienne", path)
    click.echo(f"Ancre {anchor.id} : {plural(anchor.sessions, 'journal modifié', 'journaux modifiés')} depuis "
               f"la précédente ; empreinte {anchor.hash} ajoutée à {path}")


@click.command("purge")
@click.option("--dry-run", is_flag=True, help="Lister ce qui serait purgé, sans rien changer.")
@with_appcontext
def purge_command(dry_run):
    """Purge the sessions whose five years of retention have ended (not those held for an inspection)."""
    today = current_app.config["TODAY"] or local_today()
    with db.connection_context():
        entries = retention.due(today)
        if not entries:
            click.echo("Aucune session dont la durée de conservation est échue.")
            return
        for entry in entries:
            s = entry.session
            click.echo(f"{'À purger' if dry_run else 'Purgée'} : session {s.id} {s.sigle} du {s.date_debut:%d/%m/%Y} "
                       f"(conservation jusqu'au {entry.until:%d/%m/%Y}) : {plural(entry.pieces, 'pièce')} "
                       f"({entry.pieces_bytes / 1024 / 1024:.1f} Mo), {plural(entry.candidats, 'candidat')}, "
                       f"{plural(entry.signatures, 'signature')}")
            if not dry_run:
                forgotten = retention.purge(entry, current_app.config["ANCHOR_FILE"])
                if forgotten:
                    click.echo(f"  {plural(forgotten, 'juré inactif', 'jurés inactifs')} sans autre session "
                               f"{agree(forgotten, 'anonymisé', 'anonymisés')}")
    if dry_run:
        click.echo(f"{plural(len(entries), 'session')} à purger ; rien n'a été modifié (--dry-run).")
    else:
        click.echo(f"{plural(len(entries), 'session purgée', 'sessions purgées')} ; le journal de chacune le consigne.")


@click.command("rotate-signing-key")
@with_appcontext
def rotate_signing_key_command():
    """Make a new key for the inspection files' signatures; the replaced one stays listed with its dates."""
    if current_app.config["SIGNING_KEY"]:
        raise click.ClickException("La clé vient de JALON_SIGNING_KEY : remplacez-la dans l'environnement.")
    with db.connection_context():
        key = signing.rotate(current_app.instance_path)
    click.echo(f"Nouvelle clé de signature : empreinte {key.empreinte} ; publiez-la (les anciennes restent listées).")


COMMANDS = (verify_journal_command, anchor_journal_command, purge_command, rotate_signing_key_command)
