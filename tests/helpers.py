"""What tests share besides fixtures: the test data, a fresh app on a fresh database, and small
readers of pages. Imported by test modules (`from helpers import ...`), never through conftest."""
import contextlib
import datetime as dt
import html
import os
import re
import shutil

import psycopg2
from jinja2 import StrictUndefined
from werkzeug.security import generate_password_hash

import models
from app import create_app
from domain import sessions

TODAY = dt.date(2027, 2, 1)
PASSWORD = "un mot de passe de test"
# Passwords are hashed with one cheap round in tests: scrypt is slow by design.
PASSWORD_HASH_METHOD = "pbkdf2:sha256:1"
PASSWORD_HASH = generate_password_hash(PASSWORD, method=PASSWORD_HASH_METHOD)
USERS = (
    ("admin@test.fr", "admin", None, "Alice Admin"),
    ("resp@a.fr", "responsable", "Centre A", "Romain Resp"),
    ("lecteur@a.fr", "lecteur", "Centre A", "Léa Lecteur"),
    ("resp@b.fr", "responsable", "Centre B", "Bruno B"),
)

HEADER = {
    "site": "Lyon Gerland",
    "titre": "Développeur web et web mobile",
    "sigle": "DWWM",
    "millesime": "2023",
    "nature": "TITRE",
    "libelle_ccp": "",
    "code_ccp": "",
    "date_debut": "2027-03-15",
    "date_fin": "2027-03-18",
    "nb_formation": "10",
    "nb_vae": "2",
    "responsable": "Karim Benali",
    "suppleant": "Nadia Morel",
}

HTMX = {"HX-Request": "true"}

# The whole suite runs on SQLite, and again on PostgreSQL when this names a database (`make test`
# starts a throwaway server for it).
POSTGRES_URL = os.environ.get("JALON_TEST_DATABASE_URL")


class TemplateDatabase:
    """A database with the schema, the guide and the test users, built once per run; each test gets a
    copy instead of migrating anew: a file copy on SQLite; on PostgreSQL the test database refilled
    with the template's rows, or made with CREATE DATABASE ... TEMPLATE when that cannot be done."""

    def __init__(self, workdir):
        self.workdir = workdir
        self.sqlite_file = workdir / "template.sqlite3"
        self.built = False
        self.snapshot = None  # PostgreSQL: the template's rows, to reset jalon_test quickly

    def _build(self):
        url = self._pg_url("jalon_template") if POSTGRES_URL else f"sqlite:///{self.sqlite_file}"
        if POSTGRES_URL:
            self._pg_admin("DROP DATABASE IF EXISTS jalon_template WITH (FORCE)", "CREATE DATABASE jalon_template")
        app = create_test_app(self.workdir, url, {})
        with app.app_context(), models.db.connection_context():
            for email, role, centre, name in USERS:
                centre = models.Centre.get_or_create(name=centre)[0] if centre else None
                models.User.create(email=email, role=role, centre=centre, display_name=name,
                                   password_hash=PASSWORD_HASH)
            if POSTGRES_URL:  # the rows as stored (JSON as text), tables in foreign-key order
                self.snapshot = [(model._meta.table_name,
                                  models.db.execute_sql(f'SELECT * FROM "{model._meta.table_name}"').fetchall())
                                 for model in models.MODELS]
        _close_pool()
        self.built = True

    def fresh_url(self, tmp_path, copy=False):
        """The URL of a new database for one test, a copy of the template.

        On PostgreSQL, CREATE DATABASE costs about 0.3 s: the test database is rather emptied and
        refilled with the template's rows (TRUNCATE, INSERT), and copied from the template only the
        first time, when `copy` is asked (tests that change the schema) or when refilling fails."""
        if not self.built:
            self._build()
        if POSTGRES_URL:
            _close_pool()
            if copy or not self._refill():
                self._pg_admin("DROP DATABASE IF EXISTS jalon_test WITH (FORCE)",
                               "CREATE DATABASE jalon_test TEMPLATE jalon_template")
            self.refillable = not copy
            return POSTGRES_URL
        path = tmp_path / "jalon.sqlite3"
        shutil.copyfile(self.sqlite_file, path)
        path.chmod(0o600)
        return f"sqlite:///{path}"

    refillable = False

    def _refill(self):
        """Empty jalon_test and put the template's rows back; False when that cannot be done."""
        if not self.refillable:
            return False
        tables = [table for table, _ in self.snapshot]
        try:
            with contextlib.closing(psycopg2.connect(POSTGRES_URL)) as conn, conn, conn.cursor() as cursor:
                # DELETE rather than TRUNCATE: on tables this small it is several times faster.
                cursor.execute("; ".join(f'DELETE FROM "{table}"' for table in reversed(tables)))
                for table, rows in self.snapshot:
                    if rows:
                        marks = ", ".join(["%s"] * len(rows[0]))
                        cursor.execute(f'INSERT INTO "{table}" VALUES ' + ", ".join([f"({marks})"] * len(rows)),
                                       [value for row in rows for value in row])
                    cursor.execute(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                                   f'COALESCE((SELECT MAX(id) FROM "{table}"), 0) + 1, false)')
            return True
        except psycopg2.Error:
            return False

    @staticmethod
    def _pg_url(name):
        return POSTGRES_URL.rsplit("/", 1)[0] + "/" + name

    def _pg_admin(self, *statements):
        with contextlib.closing(psycopg2.connect(self._pg_url("postgres"))) as conn:
            conn.autocommit = True
            for statement in statements:
                conn.cursor().execute(statement)


TEMPLATE = None


def _close_pool():
    if models.db.obj is not None:
        if not models.db.is_closed():
            models.db.close()
        if hasattr(models.db.obj, "close_all"):
            models.db.obj.close_all()


def create_test_app(tmp_path, url, config):
    """An app for tests on the database at `url` (make_app() gives it a fresh copy of the template)."""
    app = create_app({
        "TESTING": True,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "DATABASE_URL": url,
        "SECRET_KEY": "test-secret",
        "WTF_CSRF_ENABLED": False,
        "TODAY": TODAY,
        "PASSWORD_HASH_METHOD": PASSWORD_HASH_METHOD,
        **config,
    })
    app.jinja_env.undefined = StrictUndefined
    return app


def make_app(tmp_path, copy=False, **config):
    """A new app on a new database holding the guide and the test users (USERS); `copy` for tests
    that change the schema itself (PostgreSQL then copies the template database)."""
    return create_test_app(tmp_path, TEMPLATE.fresh_url(tmp_path, copy=copy), config)


def create_session(centre_name="Centre A", **changes):
    """A session created through the domain function, as the form would."""
    header = {**HEADER, **changes}
    site = header.pop("site")
    for name in ("date_debut", "date_fin"):
        header[name] = dt.date.fromisoformat(header[name])
    for name in ("nb_formation", "nb_vae"):
        header[name] = int(header[name])
    centre = models.Centre.get(models.Centre.name == centre_name)
    user = models.User.get(models.User.centre == centre)
    return sessions.create_session(centre, site, header, user)


def item_at(session, position):
    return models.ChecklistItem.get((models.ChecklistItem.session == session) & (models.ChecklistItem.position == position))


def reload(item):
    return models.ChecklistItem.get_by_id(item.id)


def text_of(response):
    """The page's text without tags, to assert on what a user reads."""
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))))
