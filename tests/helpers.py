"""What tests share besides fixtures: the test data, a fresh app on a fresh database, and small
readers of pages. Imported by test modules (`from helpers import ...`), never through conftest."""
import contextlib
import datetime as dt
import html
import io
import os
import re
import shutil
import socket
import subprocess
import sys
from email import message_from_bytes, policy

import psycopg2
from jinja2 import StrictUndefined
from PIL import Image
from pypdf import PdfReader, PdfWriter
from werkzeug.security import generate_password_hash

import formats
import models
from app import create_app
from domain import sessions

TODAY = dt.date(2027, 2, 1)
# The first épreuve's morning (EPREUVE), in Paris: the clock of the tests that sign in (exam_day).
EXAM_DAY = dt.datetime(2027, 3, 15, 9, 0, tzinfo=formats.ZoneInfo("Europe/Paris"))
PASSWORD = "un mot de passe de test"
# Passwords are hashed with one cheap round in tests: scrypt is slow by design.
PASSWORD_HASH_METHOD = "pbkdf2:sha256:1"
PASSWORD_HASH = generate_password_hash(PASSWORD, method=PASSWORD_HASH_METHOD)
USERS = (
    ("admin@test.fr", "admin", None, "Alice Admin"),
    ("resp@a.fr", "responsable", "Centre A", "Romain Resp"),
    ("lecteur@a.fr", "lecteur", "Centre A", "Léa Lecteur"),
    ("resp@b.fr", "responsable", "Centre B", "Bruno B"),
    ("coord@test.fr", "coordinateur", None, "Claire Coord"),
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
# starts a throwaway server for it). Under pytest-xdist each worker has its own databases on that
# server (jalon_test_gw0, jalon_template_gw0...): the tests of two workers never share a row.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
_SUFFIX = f"_{WORKER}" if WORKER else ""
TEST_DATABASE, TEMPLATE_DATABASE = f"jalon_test{_SUFFIX}", f"jalon_template{_SUFFIX}"
POSTGRES_URL = os.environ.get("JALON_TEST_DATABASE_URL")
if POSTGRES_URL:
    POSTGRES_URL = POSTGRES_URL.rsplit("/", 1)[0] + "/" + TEST_DATABASE


class TemplateDatabase:
    """A database with the schema, the guide and the test users, built once per run; each test gets a
    copy instead of migrating anew: a file copy on SQLite; on PostgreSQL the test database refilled
    with the template's rows, or made with CREATE DATABASE ... TEMPLATE when that cannot be done."""

    def __init__(self, workdir):
        self.workdir = workdir
        self.sqlite_file = workdir / "template.sqlite3"
        self.built = False
        self.snapshot = None  # PostgreSQL: the template's rows, to reset the test database quickly

    def _build(self):
        url = self._pg_url(TEMPLATE_DATABASE) if POSTGRES_URL else f"sqlite:///{self.sqlite_file}"
        if POSTGRES_URL:
            self._pg_admin(f"DROP DATABASE IF EXISTS {TEMPLATE_DATABASE} WITH (FORCE)",
                           f"CREATE DATABASE {TEMPLATE_DATABASE}")
        app = create_test_app(self.workdir, url, {})
        with app.app_context(), models.db.connection_context():
            for email, role, centre, name in USERS:
                centre = models.Centre.get_or_create(name=centre)[0] if centre else None
                models.User.create(email=email, role=role, centre=centre, display_name=name,
                                   password_hash=PASSWORD_HASH)
            if POSTGRES_URL:  # the rows as stored (JSON as text), tables in foreign-key order
                self.snapshot = [(model._meta.table_name,
                                  models.db.execute_sql(f'SELECT * FROM "{model._meta.table_name}"').fetchall(),
                                  model._meta.primary_key.name == "id")
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
                self._pg_admin(f"DROP DATABASE IF EXISTS {TEST_DATABASE} WITH (FORCE)",
                               f"CREATE DATABASE {TEST_DATABASE} TEMPLATE {TEMPLATE_DATABASE}")
            self.refillable = not copy
            return POSTGRES_URL
        path = tmp_path / "jalon.sqlite3"
        shutil.copyfile(self.sqlite_file, path)
        path.chmod(0o600)
        return f"sqlite:///{path}"

    refillable = False

    def _refill(self):
        """Empty the test database and put the template's rows back; False when that cannot be done."""
        if not self.refillable:
            return False
        tables = [table for table, _, _ in self.snapshot]
        try:
            with contextlib.closing(psycopg2.connect(POSTGRES_URL)) as conn, conn, conn.cursor() as cursor:
                # DELETE rather than TRUNCATE: on tables this small it is several times faster.
                cursor.execute("; ".join(f'DELETE FROM "{table}"' for table in reversed(tables)))
                for table, rows, serial in self.snapshot:
                    if rows:
                        marks = ", ".join(["%s"] * len(rows[0]))
                        cursor.execute(f'INSERT INTO "{table}" VALUES ' + ", ".join([f"({marks})"] * len(rows)),
                                       [value for row in rows for value in row])
                    if serial:  # a table keyed by another's row (journalhead: its session) has no sequence
                        cursor.execute(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                                       f'COALESCE((SELECT MAX(id) FROM "{table}"), 0) + 1, false)')
            return True
        except psycopg2.Error as exc:
            # Copying the template database instead costs about 0.45 s a test: say why, once per worker.
            if not self.refill_failure_said:
                self.refill_failure_said = True
                print(f"\nRemplissage de la base de test impossible, copie du modèle à chaque test : {exc}",
                      file=sys.stderr)
            return False

    refill_failure_said = False

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


def section(page, title_id):
    """The HTML of one section of a page, entities decoded."""
    start = page.index(f'id="{title_id}"')
    return html.unescape(page[start:page.index("</section>", start)])


def text_of(response):
    """The page's text without tags, to assert on what a user reads."""
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))))


# --- The register's test data, and what fills it ------------------------------------------------

JUROR = {"nom": "Durand", "prenom": "Paul", "email": " Paul.Durand@Jury.fr ", "telephone": "06 12 34 56 78",
         "professionnalise_le": "2025-06-12", "sigle": "dwwm", "valide_jusqu_au": "2029-12-31",
         "ccp": "CP-01234 , CP-01235"}


CANDIDATE = {"nom": "Martin", "prenom": "Léa", "date_naissance": "1998-04-02", "email": "lea.martin@mail.fr",
             "adresse": "12 rue des Lilas\n69007 Lyon", "parcours": "vae", "recevabilite_valide_jusqu_au": "2027-09-30"}


EPREUVE = {"libelle": "Mise en situation professionnelle", "date": "2027-03-15", "heure_debut": "08:30",
           "heure_fin": "12:00", "lieu": "Atelier B, bâtiment 2"}


def pdf_bytes():
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def jpeg_bytes(orientation=None, size=(60, 30)):
    image = Image.new("RGB", size, (200, 30, 30))
    out = io.BytesIO()
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def png_bytes():
    out = io.BytesIO()
    Image.new("RGB", (10, 10), (0, 0, 0)).save(out, "PNG")
    return out.getvalue()


def upload(client, item, data, name, htmx=True, field="fichier"):
    return client.post(f"/items/{item.id}/pieces", data={field: (io.BytesIO(data), name)},
                       content_type="multipart/form-data", headers=HTMX if htmx else {})


def juror(client, nom, until="2029-12-31", sigle="DWWM", ccp=""):
    """A juror of the directory habilitated for `sigle` until `until` (for the whole titre by default)."""
    client.post("/jures", data={**JUROR, "nom": nom, "email": f"{nom.lower()}@jury.fr", "sigle": sigle,
                                "valide_jusqu_au": until, "ccp": ccp})
    return models.Jure.get(models.Jure.nom == nom)


def fill_register(client, session):
    """A register where every check holds: two habilitated jurors with declarations, the header's
    candidates (10 formation, 2 VAE... reduced to 1 + 1 by the header), convoked in time."""
    client.post(f"/sessions/{session.id}", data={**header_of(session), "nb_formation": "1", "nb_vae": "1"})
    for nom in ("Durand", "Petit"):
        jure = juror(client, nom)
        client.post(f"/sessions/{session.id}/jury", data={"jure_id": str(jure.id)})
        client.post(f"/sessions/{session.id}/jury/{jure.id}/declaration", data={"declaration_le": "2027-01-20"})
    client.post(f"/sessions/{session.id}/candidats", data=CANDIDATE)  # VAE, recevable until 30/09/2027
    client.post(f"/sessions/{session.id}/candidats", data={**CANDIDATE, "nom": "Bernard", "parcours": "formation",
                                                           "recevabilite_valide_jusqu_au": ""})
    for candidat in models.Candidat.select():
        client.post(f"/candidats/{candidat.id}/convocation", data={"envoyee_le": "2027-01-29", "mode": "lrar", "version": "aucune",
                                                                   "reference": "1A"})
    client.post(f"/sessions/{session.id}/epreuves", data=EPREUVE)
    # The jurors' letters, issued on 20/01 (a month and more ahead), as « Émettre » keeps them.
    for number, membre in enumerate(models.MembreJury.select().where(models.MembreJury.session == session), start=1):
        models.Emission.create(session=session, numero=number, document="convocations-jury", destinataire_type="jure",
                               destinataire_id=membre.jure_id, destinataire_nom=membre.jure.label,
                               emis_le=dt.datetime(2027, 1, 20, 9, 0), pdf=b"%PDF-1.4", sha256="0" * 64, taille=8)
    # The site's agrément, as an administrator records it from the DREETS' decision.
    models.Agrement.create(site=models.ExamSession.get_by_id(session.id).site, sigle="DWWM", reference="AGR-69-001",
                           valide_du=dt.date(2025, 1, 1), valide_au=dt.date(2029, 12, 31), nombre_candidats=15)


def header_of(session):
    s = models.ExamSession.get_by_id(session.id)
    return {"site": s.site.name, "titre": s.titre, "sigle": s.sigle, "millesime": s.millesime, "nature": s.nature,
            "libelle_ccp": s.libelle_ccp, "code_ccp": s.code_ccp, "date_debut": s.date_debut.isoformat(),
            "date_fin": s.date_fin.isoformat(), "nb_formation": str(s.nb_formation), "nb_vae": str(s.nb_vae),
            "responsable": s.responsable, "suppleant": s.suppleant}


SIGNATURE = "M10 20 L40 60 L80 30 L120 90 M200 40 L260 80"


def now_iso(delta=dt.timedelta()):
    """Now by the app's clock (tests fix it: the exam_day fixture), as a tablet sends it (UTC, « Z »)."""
    return (formats.utc_now() + delta).isoformat(timespec="seconds") + "Z"


def signin(client, session, epreuve, person, statut="present", submission="abcdef0123456789", **extra):
    data = {"epreuve_id": str(epreuve.id), "statut": statut, "signe_a": now_iso(), "soumission_id": submission,
            "signature": SIGNATURE if statut == "present" else "", **person, **extra}
    return client.post(f"/sessions/{session.id}/emargement", data=data, headers=HTMX)


def settle_regulatory_tasks(session):
    """Every regulatory task « sans objet » (as the domain would write it, without a journal entry
    per task: the journal is not what these tests are about)."""
    models.ChecklistItem.update(state="na", na_reason="Test").where(
        (models.ChecklistItem.session == session) & (models.ChecklistItem.reglementaire == True)  # noqa: E712
        & (models.ChecklistItem.heading == False)).execute()  # noqa: E712


# Every character of a name prints: Œ, ß, Ñ, the typographic apostrophe, and a 200-character name
# (the longest first and last names the register takes, words that wrap) that is never cut.
LONG_NOM = ("Montmorency Laval " * 6)[:100].strip()


LONG_PRENOM = ("Marie Bernadette " * 6)[:99].strip()


NAMES = [("Œuvray", "Jean-Noël"), ("Strauß", "Ñuria"), ("O’Connor", "Maëlle"), (LONG_NOM, LONG_PRENOM)]


def printed(response, tmp_path, name="document.pdf"):
    """(the text a printer shows, with whitespace collapsed; the number of pages; the PDF's size)."""
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/pdf"
    path = tmp_path / name
    path.write_bytes(response.data)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    reader = PdfReader(io.BytesIO(response.data))
    box = reader.pages[0].mediabox
    return " ".join(text.split()), len(reader.pages), (float(box.width), float(box.height)), path


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content, policy=policy.default)))
        return "250 OK"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
