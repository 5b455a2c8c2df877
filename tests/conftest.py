import contextlib
import datetime as dt
import html
import os
import re

import psycopg2
import pytest
from jinja2 import StrictUndefined

import models
from app import create_app
from werkzeug.security import generate_password_hash

TODAY = dt.date(2027, 2, 1)
PASSWORD = "un mot de passe de test"
PASSWORD_HASH = generate_password_hash(PASSWORD)  # hashed once: scrypt is slow by design
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


# The whole suite runs on SQLite, and again on PostgreSQL when this names a database (`make test`
# starts a throwaway server for it). Tests marked sqlite_only are about SQLite itself.
POSTGRES_URL = os.environ.get("JALON_TEST_DATABASE_URL")


def pytest_collection_modifyitems(config, items):
    if POSTGRES_URL:
        skip = pytest.mark.skip(reason="SQLite-specific (file, pragmas or online backup): run in the SQLite pass")
        for item in items:
            if "sqlite_only" in item.keywords:
                item.add_marker(skip)


def database_url(tmp_path):
    """A new, empty database for one test: an SQLite file, or the PostgreSQL test database emptied."""
    if not POSTGRES_URL:
        return f"sqlite:///{tmp_path / 'jalon.sqlite3'}"
    if models.db.obj is not None and not models.db.is_closed():
        models.db.close()
    with contextlib.closing(psycopg2.connect(POSTGRES_URL)) as conn:
        conn.autocommit = True
        conn.cursor().execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    return POSTGRES_URL


def make_app(tmp_path, **config):
    app = create_app({
        "TESTING": True,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "DATABASE_URL": database_url(tmp_path),
        "SECRET_KEY": "test-secret",
        "WTF_CSRF_ENABLED": False,
        "TODAY": TODAY,
        **config,
    })
    app.jinja_env.undefined = StrictUndefined
    with app.app_context(), models.db.connection_context():
        for email, role, centre, name in USERS:
            centre = models.Centre.get_or_create(name=centre)[0] if centre else None
            models.User.create(email=email, role=role, centre=centre, display_name=name, password_hash=PASSWORD_HASH)
    return app


@pytest.fixture
def app(tmp_path):
    return make_app(tmp_path)


@pytest.fixture
def client(app):
    return app.test_client()


class AuthActions:
    def __init__(self, client):
        self.client = client

    def login(self, email="resp@a.fr", password=PASSWORD):
        response = self.client.post("/login", data={"email": email, "password": password})
        assert response.status_code == 302, "login failed"
        return response

    def logout(self):
        return self.client.post("/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def db(app):
    """A database connection for reading and arranging data directly in a test."""
    with models.db.connection_context():
        yield models.db


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
    return models.create_session(centre, site, header, user)


@pytest.fixture
def session(db):
    return create_session()


@pytest.fixture
def other_session(db):
    return create_session("Centre B", sigle="CDA")


def item_at(session, position):
    return models.ChecklistItem.get((models.ChecklistItem.session == session) & (models.ChecklistItem.position == position))


def reload(item):
    return models.ChecklistItem.get_by_id(item.id)


def text_of(response):
    """The page's text without tags, to assert on what a user reads."""
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))))


HTMX = {"HX-Request": "true"}
