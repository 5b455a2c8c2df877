"""Fixtures: an app on a fresh copy of the template database, its client, a logged-in helper, and
sessions to work on. Shared helpers live in helpers.py."""
import pytest
from aiosmtpd.controller import Controller

import helpers
import models
from helpers import (CANDIDATE, EPREUVE, JUROR, NAMES, PASSWORD, POSTGRES_URL, Inbox, TemplateDatabase, create_session,
                     free_port, make_app)

# Modules that do not depend on the engine (the browser drives the same pages whatever the
# database): run in the SQLite pass only.
# Modules whose subject is not the database engine (the browser, page and PDF layout, the guide file, the
# deadline rules): run once, in the SQLite pass.
ENGINE_AGNOSTIC = {"test_browser.py", "test_timeline.py", "test_operators.py", "test_checks.py", "test_html.py",
                   "test_pdf.py", "test_documents.py", "test_deadlines.py", "test_guide.py"}


def pytest_collection_modifyitems(config, items):
    if not POSTGRES_URL:
        network_only = pytest.mark.skip(reason="several servers on one database: a network's, run in the PostgreSQL pass")
        for item in items:
            if "postgresql_only" in item.keywords:
                item.add_marker(network_only)
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


@pytest.fixture
def runner(app):
    """The app's command line, run in the test's process (flask --app app …)."""
    return app.test_cli_runner()


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


@pytest.fixture
def register(client, auth, session):
    """A session with four candidates of hard names, two épreuves, deliberations, a juror and a surveillant."""
    auth.login()
    for nom, prenom in NAMES:
        client.post(f"/sessions/{session.id}/candidats", data={
            **CANDIDATE, "nom": nom, "prenom": prenom, "adresse": f"3 rue de l’Église\nBâtiment {nom[:3]}\n69007 Lyon"})
    for candidat in models.Candidat.select():
        mode = "lrar" if candidat.nom == "Strauß" else "main_propre"
        client.post(f"/candidats/{candidat.id}/convocation", data={"envoyee_le": "2027-01-29", "mode": mode, "version": "aucune",
                                                                   "reference": "1A 234 567"})
    client.post(f"/sessions/{session.id}/epreuves", data=EPREUVE)
    client.post(f"/sessions/{session.id}/epreuves", data={**EPREUVE, "libelle": "Entretien final", "date": "2027-03-16",
                                                          "heure_debut": "14:00", "heure_fin": "15:30",
                                                          "lieu": "Salle <b>Lumière</b> & « bureau 3 »"})
    client.post(f"/sessions/{session.id}/epreuves", data={**EPREUVE, "libelle": "Délibérations", "date": "2027-03-16",
                                                          "heure_debut": "16:00", "heure_fin": "17:00",
                                                          "categorie": "deliberation"})
    client.post("/jures", data=JUROR)
    client.post(f"/sessions/{session.id}/jury", data={"jure_id": str(models.Jure.get().id)})
    client.post(f"/sessions/{session.id}/intervenants", data={"role": "surveillant", "nom": "Marc Veille", "version": "aucun",
                                                              "email": "marc@centre-a.fr"})
    return session


@pytest.fixture
def smtp(app):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=controller.port, MAIL_FROM="jalon@centre-a.fr",
                      BASE_URL="http://intranet.centre-a.fr/jalon")
    yield inbox
    controller.stop()


@pytest.fixture
def exam_day(monkeypatch):
    """The app's clock at the first épreuve's morning (sign-ins are taken on the épreuve's day only)."""
    import formats
    monkeypatch.setattr(formats, "clock", lambda: helpers.EXAM_DAY)
    return helpers.EXAM_DAY
