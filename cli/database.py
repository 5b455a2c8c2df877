"""The database from the command line: init-db (schema migrations, then the current guide; also run at
the app's start), db-upgrade, and SQLite's online backup and restore."""
import contextlib
import datetime as dt
import os
import sqlite3
from pathlib import Path

import click
import peewee
from flask import current_app
from flask.cli import with_appcontext

import migrations
from cli.errors import CommandError
from config import ConfigError, masked_url
from database import PostgresqlPool, sqlite_path
from domain.guides import import_guide
from guide import read_guide
from models import db


def init_db():
    """Bring the schema up to date (migrations) and load the current guide version; safe to run again.

    A new SQLite file is made readable by its owner only: it holds candidates' personal data."""
    path = sqlite_path()
    new_file = path is not None and not path.exists()
    try:
        with db.connection_context():
            migrations.upgrade(db.obj)
            if isinstance(db.obj, PostgresqlPool):
                db.obj.forget_prepared()
            import_guide(read_guide())
    except peewee.OperationalError as exc:
        url = masked_url(current_app.config["DATABASE_URL"])
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ConfigError(f"Base de données injoignable ({url}) : {reason}") from exc
    if new_file and path.exists():
        path.chmod(0o600)


@click.command("init-db")
@with_appcontext
def init_db_command():
    """Create the tables and load the current guide (safe to run again)."""
    init_db()
    click.echo(f"Base de données prête : {masked_url(current_app.config['DATABASE_URL'])}")


@click.command("db-upgrade")
@with_appcontext
def db_upgrade_command():
    """Apply the schema migrations the database lacks (the app also does it at start)."""
    with db.connection_context():
        before = migrations.current_version(db.obj)
        applied = migrations.upgrade(db.obj)
        after = migrations.current_version(db.obj)
    for migration in applied:
        click.echo(f"Migration {migration.version} appliquée : {migration.name}")
    click.echo(f"Schéma à jour : version {after}" + ("" if applied else f" (inchangée depuis la version {before})") + ".")


REQUIRED_TABLES = {"centre", "user", "examsession", "checklistitem", "auditevent", "guideversion"}


def _live_database_file():
    path = sqlite_path()
    if path is None:
        raise CommandError("Sauvegarde intégrée pour SQLite seulement : avec PostgreSQL, utilisez pg_dump.")
    return path


SQLITE_SIDE_FILES = ("-journal", "-wal", "-shm")


def _copy_database(source, destination, *, standalone=False):
    """A consistent copy through SQLite's online backup API, while the app goes on writing.

    A `standalone` copy (a backup file) is switched out of WAL, so that it is one file that opening
    it never adds -wal and -shm files to; a new destination file is made private (mode 600) first,
    so that SQLite's side files, which take its mode, are private too."""
    if not Path(destination).exists():
        os.close(os.open(destination, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    with contextlib.closing(sqlite3.connect(source, timeout=30)) as src, \
            contextlib.closing(sqlite3.connect(destination, timeout=30)) as dst:
        src.backup(dst)
        if standalone:
            dst.execute("PRAGMA journal_mode=DELETE")


def _remove_with_side_files(path):
    for name in (path.name, *(path.name + suffix for suffix in SQLITE_SIDE_FILES)):
        path.with_name(name).unlink(missing_ok=True)


def check_backup_file(path):
    """A French message saying why this file cannot be restored, or None."""
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            result = conn.execute("PRAGMA integrity_check").fetchone()[0]
            tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as exc:
        return f"{path} n'est pas une base SQLite lisible ({exc})."
    if result != "ok":
        return f"{path} est endommagée : {result}"
    if not REQUIRED_TABLES <= tables:
        return f"{path} n'est pas une sauvegarde de Jalon (tables manquantes : {', '.join(sorted(REQUIRED_TABLES - tables))})."
    return None


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(path):
    """Copy the database to PATH while the app runs (SQLite's online backup, not a file copy)."""
    source = _live_database_file()
    temporary = path.with_name(path.name + ".partiel")
    try:
        _remove_with_side_files(temporary)  # what an interrupted backup may have left
        _copy_database(source, temporary, standalone=True)
        if problem := check_backup_file(temporary):
            raise CommandError(problem)
        os.replace(temporary, path)
    except (OSError, sqlite3.Error) as exc:
        raise CommandError(f"Sauvegarde impossible vers {path} : {exc}") from exc
    finally:
        _remove_with_side_files(temporary)
    click.echo(f"Sauvegarde écrite : {path}")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Ne pas demander de confirmation.")
@with_appcontext
def restore_command(path, yes):
    """Put a backup back in place of the database, after checking it (stop the app first)."""
    live = _live_database_file()
    if problem := check_backup_file(path):
        raise CommandError(problem)
    if not yes:
        click.confirm(f"Remplacer {live} par {path} ?", abort=True)
    safety = live.with_name(f"{live.name}.avant-restauration-{dt.datetime.now():%Y%m%d-%H%M%S}")
    try:
        if live.exists():
            _copy_database(live, safety, standalone=True)
        _copy_database(path, live)
        with contextlib.closing(sqlite3.connect(live)) as conn:
            conn.execute("PRAGMA journal_mode=wal")
    except (OSError, sqlite3.Error) as exc:
        raise CommandError(f"Restauration impossible : {exc}") from exc
    click.echo(f"Base restaurée depuis {path}. L'ancienne base est gardée dans {safety}.")


COMMANDS = (init_db_command, db_upgrade_command, backup_command, restore_command)
