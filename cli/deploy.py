"""check-deploy: what makes an installation unsafe to run for real."""
import math
import os
from collections import Counter
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from cli.demo import DEMO_PASSWORD, DEMO_USERS
from database import sqlite_path
from models import User, db


KEY_ADVICE = "créez-en une avec : python3 -c 'import secrets; print(secrets.token_hex(32))'"
KEY_MIN_BITS = 128


def estimated_key_bits(key):
    """A cautious estimate of a key's randomness, in bits: its length times the Shannon entropy of its
    characters, counting a repeated chunk once (« changemechangeme… » is worth one « changeme »).
    A key made by secrets.token_hex(32) scores about 240; 32 × « a » scores 0."""
    if not key:
        return 0
    for size in range(1, len(key) // 2 + 1):  # the shortest chunk the key repeats, if any
        chunk = key[:size]
        if (chunk * (len(key) // size + 1))[:len(key)] == key:
            key = chunk
            break
    counts = Counter(key)
    per_char = -sum(n / len(key) * math.log2(n / len(key)) for n in counts.values())
    return len(key) * per_char


def deployment_problems(app):
    """What makes this installation unsafe to run for real, in French; empty when all is well."""
    config = app.config
    problems = []
    key = config.get("SECRET_KEY") or ""
    if not key:
        problems.append("SECRET_KEY absente : définissez-la dans l'environnement.")
    elif len(key) < 32 or estimated_key_bits(key) < KEY_MIN_BITS:
        problems.append(f"SECRET_KEY trop faible (au moins 32 caractères tirés au hasard) : {KEY_ADVICE}")
    if app.debug or os.environ.get("FLASK_DEBUG", "") not in ("", "0"):
        problems.append("Mode debug actif : il affiche le code et permet d'exécuter des commandes.")
    if not config.get("SESSION_COOKIE_SECURE"):
        problems.append("Cookies de session non sécurisés : servez Jalon en HTTPS et définissez SESSION_COOKIE_SECURE=1.")
    if not config.get("SESSION_COOKIE_HTTPONLY"):
        problems.append("SESSION_COOKIE_HTTPONLY est désactivé.")
    with db.connection_context():
        demo = [u.email for u in User.select().where(User.email.in_([e for e, _, _ in DEMO_USERS]) & (User.active == True))  # noqa: E712
                if u.check_password(DEMO_PASSWORD)]
    if demo:
        problems.append(f"Comptes de démonstration actifs avec leur mot de passe public : {', '.join(demo)}.")
    path = sqlite_path()
    if path is not None:
        for candidate in (path, *(path.with_name(path.name + suffix) for suffix in ("-wal", "-shm"))):
            if candidate.exists() and candidate.stat().st_mode & 0o004:
                problems.append(f"Le fichier {candidate} est lisible par tous les utilisateurs de la machine (chmod o-rwx).")
    if sqlite_path() is None:  # PostgreSQL: several application servers may share the database
        problems.extend(shared_settings_problems(config, os.environ))
    secret_file = Path(app.instance_path) / "secret_key"
    if secret_file.exists() and secret_file.stat().st_mode & 0o077:
        problems.append(f"Le fichier {secret_file} est lisible par d'autres que son propriétaire (chmod 600).")
    return problems


def shared_settings_problems(config, environ):
    """On PostgreSQL, what every application server must share, given by the environment or a shared path
    and never made in one server's instance/: the login cookies' key, the inspection files' signing key, the
    journals' anchors file."""
    problems = []
    if not environ.get("SECRET_KEY"):
        problems.append("SECRET_KEY doit venir de l'environnement (la même pour chaque serveur d'application) : "
                        "générée dans instance/, un serveur ne reconnaîtrait pas les connexions ouvertes sur un autre.")
    if not config.get("SIGNING_KEY"):
        problems.append("JALON_SIGNING_KEY doit donner la clé de signature des dossiers d'inspection (PEM, la même pour "
                        "chaque serveur) : faite dans instance/, chaque serveur signerait avec la sienne.")
    if not environ.get("JALON_ANCHOR_FILE"):
        problems.append("JALON_ANCHOR_FILE doit désigner le fichier des ancres sur un chemin partagé par les serveurs "
                        "(ou copié hors de la machine) : dans instance/, chaque serveur n'en aurait qu'une partie.")
    return problems


@click.command("check-deploy")
@with_appcontext
def check_deploy_command():
    """Check the installation for what must not reach production (exit code 1 if anything is wrong)."""
    problems = deployment_problems(current_app)
    for problem in problems:
        click.echo(f"ERREUR : {problem}")
    if problems:
        raise SystemExit(1)
    click.echo("Aucun problème détecté.")


COMMANDS = (check_deploy_command,)
