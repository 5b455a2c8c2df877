"""Fixtures: an app on a fresh copy of the template database, its client, a logged-in helper, and
sessions to work on. Shared helpers live in helpers.py."""
import pytest

import helpers
import models
from helpers import PASSWORD, POSTGRES_URL, TemplateDatabase, create_session, make_app

# Modules that do not depend on the engine (the browser drives the same pages whatever the
# database): run in the SQLite pass only.
ENGINE_AGNOSTIC = {"test_browser.py", "test_timeline.py", "test_operators.py", "test_checks.py"}


def pytest_collection_modifyitems(config, items):
    if POSTGRES_URL:
        sqlite_only = pytest.mark.skip(reason="SQLite-specific (file, pragmas or online backup): run in the SQLite pass")
        agnostic = pytest.mark.skip(reason="does not depend on the database engine: run in the SQLite pass")
        for item in items:
            if "sqlite_only" in item.keywords:
                item.add_marker(sqlite_only)
            elif item.path.name in ENGINE_AGNOSTIC:
                item.add_marker(agnostic)


@pytest.fixture(scope="session", autouse=True)
def template_database(tmp_path_factory):
    helpers.TEMPLATE = TemplateDatabase(tmp_path_factory.mktemp("template"))
    yield helpers.TEMPLATE


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


@pytest.fixture
def session(db):
    return create_session()


@pytest.fixture
def other_session(db):
    return create_session("Centre B", sigle="CDA")
