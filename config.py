"""Jalon's settings, read from the environment: one attribute per row of the README's settings table.

`Config(environ, instance_path)` reads them once when the app is made; create_app() then applies
the overrides it was given (the tests' settings)."""
import datetime as dt
import os
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click


class ConfigError(click.ClickException):
    """A setting Jalon cannot run with, told in French: the command line shows it without a
    traceback (« Erreur : ... »), and gunicorn's log ends with it."""

    def show(self, file=None):
        click.echo(f"Erreur : {self.format_message()}", err=True)


def masked_url(url):
    """A database URL fit to print: its password replaced by ***."""
    parts = urlsplit(url)
    if parts.password:
        user = parts.username or ""
        host = parts.hostname or ""
        netloc = f"{user}:***@{host}" + (f":{parts.port}" if parts.port else "")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


def _number(environ, name, default):
    text = environ.get(name, default).strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 5):
        raise ConfigError(f"{name} doit être un nombre entier (reçu : « {text[:20]} »).")
    return int(text)


def _date(environ, name):
    text = environ.get(name, "").strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"{name} doit être une date aaaa-mm-jj (reçu : « {text[:20]} »).") from None


def _instant(environ, name):
    text = environ.get(name, "").strip()
    if not text:
        return None
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        value = None
    if value is None or value.tzinfo is None:
        raise ConfigError(f"{name} doit être un instant avec son décalage, aaaa-mm-jjThh:mm:ss+01:00 "
                          f"(reçu : « {text[:40]} »).")
    return value


def _zone(environ, name):
    text = environ.get(name, "").strip() or "Europe/Paris"
    try:
        ZoneInfo(text)
    except (ValueError, ZoneInfoNotFoundError):
        raise ConfigError(f"{name} : fuseau horaire inconnu « {text[:40]} » (exemple : Europe/Paris).") from None
    return text


def _flag(environ, name):
    return environ.get(name, "") == "1"


class Config:
    # Tablets stay on one page for hours: the CSRF token lasts as long as the login session.
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # "Se souvenir de moi" is not offered; should it be, its cookie lasts 14 days at most.
    REMEMBER_COOKIE_DURATION = dt.timedelta(days=14)
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    # Any request: 1 MB (a form, a spreadsheet of candidates); an attachment's route allows one file
    # of PIECE_MAX_BYTES and its form (app.py raises the limit for it before CSRF reads the form).
    MAX_CONTENT_LENGTH = 1024 * 1024
    # What a form adds around its file (the other fields, the multipart boundaries).
    FORM_OVERHEAD_BYTES = 64 * 1024
    # werkzeug's default; the tests use a fast method (hashing is slow by design).
    PASSWORD_HASH_METHOD = "scrypt"

    def __init__(self, environ=os.environ, instance_path="instance"):
        self.DATABASE_URL = environ.get("DATABASE_URL") or "sqlite:///" + os.path.join(instance_path, "jalon.sqlite3")
        self.SECRET_KEY = environ.get("SECRET_KEY")
        # Behind a reverse proxy (nginx, Apache): how many proxies set X-Forwarded-For/-Proto/-Host.
        self.PROXY_COUNT = _number(environ, "PROXY_COUNT", "0")
        self.SESSION_COOKIE_SECURE = self.REMEMBER_COOKIE_SECURE = _flag(environ, "SESSION_COOKIE_SECURE")
        # A fixed date for tests and demos (JALON_TODAY=2027-02-01); None means the real today.
        self.TODAY = _date(environ, "JALON_TODAY")
        # A fixed instant for tests and demos (JALON_NOW=2027-03-15T09:00:00+01:00); None means the clock.
        self.NOW = _instant(environ, "JALON_NOW")
        # The centre's time zone: instants are stored in UTC and shown, and « today » computed, there.
        self.TIME_ZONE = _zone(environ, "JALON_TZ")
        # Reminders by e-mail (flask --app app send-reminders).
        self.BASE_URL = environ.get("JALON_BASE_URL", "http://127.0.0.1:5000")
        self.MAIL_FROM = environ.get("MAIL_FROM", "jalon@localhost")
        self.SMTP_HOST = environ.get("SMTP_HOST", "localhost")
        self.SMTP_PORT = _number(environ, "SMTP_PORT", "25")
        self.SMTP_STARTTLS = _flag(environ, "SMTP_STARTTLS")
        self.SMTP_USER = environ.get("SMTP_USER", "")
        self.SMTP_PASSWORD = environ.get("SMTP_PASSWORD", "")
        # Supporting documents (« pièces justificatives »): at most this many bytes each, and in all per session.
        self.PIECE_MAX_BYTES = _number(environ, "PIECE_MAX_MB", "10") * 1024 * 1024
        self.SESSION_PIECES_MAX_BYTES = _number(environ, "SESSION_PIECES_MAX_MB", "200") * 1024 * 1024
        # An image holds at most this many pixels (a small PNG can decode to gigabytes).
        self.PIECE_MAX_PIXELS = _number(environ, "PIECE_MAX_MEGAPIXELS", "40") * 1_000_000
        # After the exam: the insertion follow-up is due this many months after the session's last day; the
        # candidates with a partial result are followed (listed first, reminded) this many months.
        self.SUIVI_INSERTION_MOIS = _number(environ, "SUIVI_INSERTION_MOIS", "6")
        # A network on one installation: its centres share one directory of jurors (off: each its own).
        self.JURES_PARTAGES = _flag(environ, "JURES_PARTAGES")
        self.SUIVI_PARTIELS_MOIS = _number(environ, "SUIVI_PARTIELS_MOIS", "12")
        # The journals' anchors are also appended to this file, outside the database (append-only: keep
        # it on another disk or have it copied off the server, as the backups).
        self.ANCHOR_FILE = environ.get("JALON_ANCHOR_FILE") or os.path.join(instance_path, "ancres.log")
        # The Ed25519 key the inspection files' manifests are signed with (PEM); by default made on
        # first use in instance/cle-signature.pem (mode 600).
        self.SIGNING_KEY = environ.get("JALON_SIGNING_KEY", "")
        # PostgreSQL reached through a pooler in transaction mode (PgBouncer): a transaction may land on
        # another server connection than the previous one, so no statement is prepared (database.py).
        self.PG_TRANSACTION_POOLING = _flag(environ, "PG_TRANSACTION_POOLING")
