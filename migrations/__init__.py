"""Versioned schema migrations, applied in order at start and by `flask --app app db-upgrade`.

Version 1 is the schema as first released, frozen as SQL for each engine (0001_baseline.*.sql);
each later change is a function using playhouse.migrate and never changes once released. The
table schemaversion records what has been applied. Migrations run one at a time even when several
app processes start together (SQLite's write lock, PostgreSQL's advisory lock).
"""
import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from peewee import (
    BlobField, BooleanField, CharField, DateField, DateTimeField, ForeignKeyField, IntegerField, Model, PostgresqlDatabase,
    SqliteDatabase, TextField,
)
from playhouse.migrate import SchemaMigrator, migrate

HERE = Path(__file__).parent
ADVISORY_LOCK = 7420251  # any constant: Jalon's migrations take this PostgreSQL lock


class SchemaVersion(Model):
    version = IntegerField(primary_key=True)
    name = CharField(max_length=200)
    applied_at = DateTimeField(default=lambda: dt.datetime.now().replace(microsecond=0))

    class Meta:
        table_name = "schemaversion"


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    apply: Callable


def _baseline(database, migrator):
    engine = "postgresql" if isinstance(database, PostgresqlDatabase) else "sqlite"
    script = (HERE / f"0001_baseline.{engine}.sql").read_text(encoding="utf-8")
    for statement in script.split(";\n"):
        lines = [line for line in statement.splitlines() if not line.startswith("--")]
        if "".join(lines).strip():
            database.execute_sql("\n".join(lines))


def _history_index(database, migrator):
    """The history page lists a session's events by date: index them so."""
    if not any(index.columns == ["session_id", "at"] for index in database.get_indexes("auditevent")):
        migrate(migrator.add_index("auditevent", ("session_id", "at"), False))


def _tableau_vocabulary(database, migrator):
    """The guide's tables are « tableaux » in code as on the form, and journal entries are keyed by
    a code (created, state, archived) instead of their French label."""
    migrate(
        migrator.rename_table("guidesection", "guidetableau"),
        migrator.rename_column("guidetask", "section_id", "tableau_id"),
        migrator.rename_column("checklistitem", "phase_number", "tableau_number"),
        migrator.rename_column("checklistitem", "phase_title", "tableau_title"),
    )
    for label, code in (("création", "created"), ("état", "state"), ("archivée", "archived")):
        database.execute_sql(f"UPDATE auditevent SET field = {database.param} WHERE field = {database.param}",
                             (code, label))


def _headings(database, migrator):
    """« Accueillir les membres de jury : » introduces seven « ▶ » tasks: a heading, not a task.
    It showed « En retard » when its seven tasks were done, and counted in the progress."""
    migrate(
        migrator.add_column("guidetask", "heading", BooleanField(default=False)),
        migrator.add_column("checklistitem", "heading", BooleanField(default=False)),
    )
    text = "Accueillir les membres de jury :"
    for table in ("guidetask", "checklistitem"):
        extra = ", due_on = NULL" if table == "checklistitem" else ""
        database.execute_sql(f"UPDATE {table} SET heading = {database.param}, due_rule = NULL{extra} "
                             f"WHERE text = {database.param} AND NOT sub", (True, text))


def _login_failures(database, migrator):
    """Wrong passwords kept in the database, so that every worker counts the same guesses."""

    class LoginFailure(Model):  # as released in version 5
        account = CharField(max_length=254, index=True)
        address = CharField(max_length=64, index=True)
        at = DateTimeField(index=True)

        class Meta:
            table_name = "loginfailure"

    with LoginFailure.bind_ctx(database):
        LoginFailure.create_table()


def _jurors(database, migrator):
    """The centre's directory of jurors and their habilitations; the journal says which centre."""

    class Centre(Model):  # the existing table, as the new ones refer to it
        class Meta:
            table_name = "centre"

    class Jure(Model):  # as released in version 6
        centre = ForeignKeyField(Centre, on_delete="RESTRICT")
        nom = CharField(max_length=100)
        prenom = CharField(max_length=100)
        email = CharField(max_length=254)
        telephone = CharField(max_length=30, default="")
        professionnalise_le = DateField(null=True)
        active = BooleanField(default=True)

        class Meta:
            table_name = "jure"
            indexes = ((("centre", "email"), True),)

    class Habilitation(Model):
        jure = ForeignKeyField(Jure, on_delete="CASCADE")
        sigle = CharField(max_length=30)
        valide_jusqu_au = DateField()
        ccp = CharField(max_length=300, default="")

        class Meta:
            table_name = "habilitation"

    with database.bind_ctx([Centre, Jure, Habilitation]):
        database.create_tables([Jure, Habilitation])
        migrate(migrator.add_column("adminevent", "centre_id",
                                    ForeignKeyField(Centre, null=True, field=Centre.id, on_delete="SET NULL")))


def _candidates_and_epreuves(database, migrator):
    """A session's candidates (with their convocation) and its schedule of épreuves."""

    class ExamSession(Model):  # the existing table, as the new ones refer to it
        class Meta:
            table_name = "examsession"

    class Candidat(Model):  # as released in version 7
        session = ForeignKeyField(ExamSession, on_delete="CASCADE")
        nom = CharField(max_length=100)
        prenom = CharField(max_length=100)
        date_naissance = DateField()
        email = CharField(max_length=254, default="")
        adresse = TextField(default="")
        parcours = CharField(max_length=10)
        recevabilite_valide_jusqu_au = DateField(null=True)
        convocation_envoyee_le = DateField(null=True)
        convocation_mode = CharField(max_length=20, default="")
        convocation_reference = CharField(max_length=100, default="")

        class Meta:
            table_name = "candidat"

    class Epreuve(Model):
        session = ForeignKeyField(ExamSession, on_delete="CASCADE")
        libelle = CharField(max_length=200)
        date = DateField()
        heure_debut = CharField(max_length=5)
        heure_fin = CharField(max_length=5)
        lieu = CharField(max_length=200)

        class Meta:
            table_name = "epreuve"

    with database.bind_ctx([ExamSession, Candidat, Epreuve]):
        database.create_tables([Candidat, Epreuve])


def _jury(database, migrator):
    """The jury of a session (jurors of the directory, their declarations and links) and its
    surveillant and comédien."""

    class ExamSession(Model):  # the existing tables, as the new ones refer to them
        class Meta:
            table_name = "examsession"

    class Jure(Model):
        class Meta:
            table_name = "jure"

    class Candidat(Model):
        class Meta:
            table_name = "candidat"

    class MembreJury(Model):  # as released in version 8
        session = ForeignKeyField(ExamSession, on_delete="CASCADE")
        jure = ForeignKeyField(Jure, on_delete="RESTRICT")
        declaration_le = DateField(null=True)

        class Meta:
            table_name = "membrejury"
            indexes = ((("session", "jure"), True),)

    class LienJury(Model):
        membre = ForeignKeyField(MembreJury, on_delete="CASCADE")
        candidat = ForeignKeyField(Candidat, on_delete="CASCADE")

        class Meta:
            table_name = "lienjury"
            indexes = ((("membre", "candidat"), True),)

    class Intervenant(Model):
        session = ForeignKeyField(ExamSession, on_delete="CASCADE")
        role = CharField(max_length=20)
        nom = CharField(max_length=200)
        email = CharField(max_length=254, default="")

        class Meta:
            table_name = "intervenant"
            indexes = ((("session", "role"), True),)

    with database.bind_ctx([ExamSession, Jure, Candidat, MembreJury, LienJury, Intervenant]):
        database.create_tables([MembreJury, LienJury, Intervenant])


# The tasks of guide version 1 that the register's checks concern, as released with version 9:
# (text, sub) -> key. Frozen here: the guide file may evolve, this migration does not.
_V1_KEYS = {
    ("Transmettre à l'UD de la DIRECCTE compétente les informations concernant la session d'examen au minimum "
     "3 mois avant la date de la session :", False): "informations_ud",
    ("Transmettre à l'UD de la DIRECCTE le planning de la session et les modalités d'organisation de la session "
     "d'examen qui précisent le temps des épreuves, des corrections, des délibérations du jury", False): "planning_ud",
    ("Vérifier la création par le représentant territorial du/des candidat/s VAE sur le millésime du titre visé "
     "et la date de fin de validité de la recevabilité", False): "recevabilite_vae_ceres",
    ("Rechercher les membres de jury habilités sur le titre visé dans CERES", False): "recherche_jury",
    ("Vérifier les habilitations des membres de jury sur le titre visé :", False): "habilitations_jury",
    ("Contrôler l'absence de lien personnel et professionnel entre le jury et le candidat", False): "liens_jury",
    ("Convoquer les membres de jury dûment habilités", False): "convocation_jury",
    ("Convoquer les candidats aux sessions d'examen au moins 1 mois avant le début de la session par lettre "
     "remise en mains propres contre décharge ou par lettre recommandée avec AR en précisant :", False):
        "convocation_candidats",
    ("Afficher les lieux, dates, heures et nature des épreuves (information des candidats)", False):
        "affichage_epreuves",
    ("Collecter la notification de recevabilité du candidat VAE et en vérifier la validité", False):
        "recevabilite_vae",
    ("Avant le début de la session, vérifier qu'au moins deux membres de jury sont présents pour évaluer les "
     "candidats", False): "jury_present",
    ("Contrôler l'absence de lien personnel et professionnel entre le jury et le candidat", True):
        "accueil_liens_jury",
}


def _task_keys(database, migrator):
    """The register's checks attach to guide tasks by a stable key, and read the convocation limit
    from the guide version: existing rows of guide version 1 get theirs (by text, once)."""
    migrate(
        migrator.add_column("guidetask", "key", CharField(max_length=50, null=True)),
        migrator.add_column("checklistitem", "key", CharField(max_length=50, null=True)),
        migrator.add_column("guideversion", "checks", TextField(null=True)),
    )
    _give_keys(database, _V1_KEYS)
    database.execute_sql(f"UPDATE guideversion SET checks = {database.param} WHERE version = {database.param}",
                         ('{"convocation_limit": {"from": "debut", "months": -1}}', "1"))


def _give_keys(database, keys):
    """The tasks of guide version 1 (and the sessions' items made from it) named by `keys`, by text."""
    p = database.param
    for (text, sub), key in keys.items():
        database.execute_sql(
            f"UPDATE guidetask SET key = {p} WHERE text = {p} AND sub = {p} AND tableau_id IN "
            f"(SELECT t.id FROM guidetableau t JOIN guideversion v ON v.id = t.guide_id WHERE v.version = {p})",
            (key, text, sub, "1"))
        database.execute_sql(
            f"UPDATE checklistitem SET key = {p} WHERE text = {p} AND sub = {p} AND session_id IN "
            f"(SELECT s.id FROM examsession s JOIN guideversion v ON v.id = s.guide_id WHERE v.version = {p})",
            (key, text, sub, "1"))


def _documents_and_sign_in(database, migrator):
    """The documents and the tablet's sign-in sheet: épreuve slots for corrections and deliberations,
    the convocation's « tenue professionnelle », the sign-ins, and the keys of the tasks a document
    serves (existing version 1 rows get theirs, by text)."""
    migrate(
        migrator.add_column("epreuve", "categorie", CharField(max_length=20, default="epreuve")),
        migrator.add_column("examsession", "tenue_professionnelle", TextField(default="")),
    )
    p = database.param
    for text, key in (
        ("Programmer et communiquer les sessions d'examen de l'année N avant le 31 janvier (prévisionnel)",
         "programmation_annuelle"),
        ("Convoquer le surveillant et le comédien (si prévu dans le Référentiel d'Évaluation : RE)",
         "convocation_surveillant"),
        ("Vérifier l'identité des candidats (convocation et pièce d'identité)", "identite_candidats"),
        ("Constater les absences éventuelles", "constater_absences"),
    ):
        for table, parent in (("guidetask", "tableau_id IN (SELECT t.id FROM guidetableau t JOIN guideversion v "
                                            "ON v.id = t.guide_id WHERE v.version = '1')"),
                              ("checklistitem", "session_id IN (SELECT s.id FROM examsession s JOIN guideversion v "
                                                "ON v.id = s.guide_id WHERE v.version = '1')")):
            database.execute_sql(f"UPDATE {table} SET key = {p} WHERE text = {p} AND {parent}", (key, text))

    class ExamSession(Model):
        class Meta:
            table_name = "examsession"

    class Epreuve(Model):
        class Meta:
            table_name = "epreuve"

    class Candidat(Model):
        class Meta:
            table_name = "candidat"

    class Jure(Model):
        class Meta:
            table_name = "jure"

    class User(Model):
        class Meta:
            table_name = "user"

    class Emargement(Model):  # as released in version 10
        session = ForeignKeyField(ExamSession, on_delete="CASCADE")
        epreuve = ForeignKeyField(Epreuve, on_delete="CASCADE")
        candidat = ForeignKeyField(Candidat, null=True, on_delete="CASCADE")
        jure = ForeignKeyField(Jure, null=True, on_delete="CASCADE")
        surveillant = BooleanField(default=False)
        statut = CharField(max_length=10)
        signature = TextField(default="")
        signe_a = DateTimeField()
        recu_a = DateTimeField()
        appareil = CharField(max_length=200, default="")
        user = ForeignKeyField(User, null=True, on_delete="SET NULL")
        soumission_id = CharField(max_length=64, unique=True)
        correction = BooleanField(default=False)

        class Meta:
            table_name = "emargement"
            indexes = ((("session", "epreuve"), False),)

    with database.bind_ctx([ExamSession, Epreuve, Candidat, Jure, User, Emargement]):
        database.create_tables([Emargement])


def _journal_chain(database, migrator):
    """The journal becomes a chain that shows tampering: each event's hash, and each session's head.
    Existing events are chained in their order, as domain/journal.py chains new ones (the canonical
    content below is that of version 11, frozen here)."""
    import hashlib
    import json

    migrate(migrator.add_column("auditevent", "hash", CharField(max_length=64, null=True)))

    class ExamSession(Model):
        class Meta:
            table_name = "examsession"

    class AuditEvent(Model):  # the columns the chain reads, as in version 11
        session_id = IntegerField()
        item_id = IntegerField(null=True)
        item_version = IntegerField(null=True)
        at = DateTimeField()
        user_id = IntegerField(null=True)
        field = CharField(max_length=50)
        old_value = TextField()
        new_value = TextField()
        hash = CharField(max_length=64, null=True)

        class Meta:
            table_name = "auditevent"

    class JournalHead(Model):  # as released in version 11
        session = ForeignKeyField(ExamSession, primary_key=True, on_delete="CASCADE")
        hash = CharField(max_length=64)
        events = IntegerField()

        class Meta:
            table_name = "journalhead"

    with database.bind_ctx([ExamSession, AuditEvent, JournalHead]):
        database.create_tables([JournalHead])
        heads, previous, current = {}, None, None
        for event in AuditEvent.select().order_by(AuditEvent.session_id, AuditEvent.id):
            if event.session_id != current:
                current, previous = event.session_id, str(event.session_id)
            content = json.dumps([event.session_id, event.item_id, event.item_version, event.at.isoformat(sep=" "),
                                  event.user_id, event.field, event.old_value, event.new_value],
                                 ensure_ascii=False, separators=(",", ":"))
            previous = hashlib.sha256((previous + content).encode("utf-8")).hexdigest()
            AuditEvent.update(hash=previous).where(AuditEvent.id == event.id).execute()
            heads[current] = (previous, heads.get(current, (None, 0))[1] + 1)
        for session_id, (head, count) in heads.items():
            JournalHead.insert(session=session_id, hash=head, events=count).execute()


def _closing(database, migrator):
    """Closing a session: who closed it and when, and the sealed guides."""

    class User(Model):
        class Meta:
            table_name = "user"

    class ExamSession(Model):
        class Meta:
            table_name = "examsession"

    class SealedGuide(Model):  # as released in version 12
        session = ForeignKeyField(ExamSession, on_delete="CASCADE")
        at = DateTimeField()
        by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        pdf = BlobField()
        sha256 = CharField(max_length=64)
        journal_hash = CharField(max_length=64)

        class Meta:
            table_name = "sealedguide"

    with database.bind_ctx([User, ExamSession]):
        migrate(
            migrator.add_column("examsession", "closed_at", DateTimeField(null=True)),
            migrator.add_column("examsession", "closed_by_id",
                                ForeignKeyField(User, null=True, field=User.id, on_delete="SET NULL")),
        )
    with database.bind_ctx([User, ExamSession, SealedGuide]):
        database.create_tables([SealedGuide])


def _pieces(database, migrator):
    """Supporting documents attached to tasks, stored in the database."""

    class User(Model):
        class Meta:
            table_name = "user"

    class ExamSession(Model):
        class Meta:
            table_name = "examsession"

    class ChecklistItem(Model):
        class Meta:
            table_name = "checklistitem"

    class Piece(Model):  # as released in version 13
        item = ForeignKeyField(ChecklistItem, on_delete="CASCADE")
        session = ForeignKeyField(ExamSession, on_delete="CASCADE")
        nom = CharField(max_length=200)
        type = CharField(max_length=50)
        taille = IntegerField()
        sha256 = CharField(max_length=64)
        contenu = BlobField()
        ajoutee_par = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
        ajoutee_le = DateTimeField()
        retiree_par = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
        retiree_le = DateTimeField(null=True)

        class Meta:
            table_name = "piece"
            indexes = ((("session", "item"), False),)

    with database.bind_ctx([User, ExamSession, ChecklistItem, Piece]):
        database.create_tables([Piece])


def _retention(database, migrator):
    """The purge after the retention period, and the « conservation prolongée » that holds it."""
    migrate(
        migrator.add_column("examsession", "conservation_prolongee", TextField(default="")),
        migrator.add_column("examsession", "purged_at", DateTimeField(null=True)),
    )


def _previews(database, migrator):
    """An image's preview, made once (at upload, or at its first showing for the files kept before)."""
    migrate(migrator.add_column("piece", "apercu", BlobField(null=True)))


def _record_versions(database, migrator):
    """A candidate's and a juror's record carry a version: a save typed on an older one is refused."""
    migrate(migrator.add_column("candidat", "version", IntegerField(default=0)),
            migrator.add_column("jure", "version", IntegerField(default=0)))


def _logins(database, migrator):
    """Each login of a user on a device, ended alone by logging out, listed in « Mon compte »."""

    class User(Model):
        class Meta:
            table_name = "user"

    class Connexion(Model):  # as released in version 17
        user = ForeignKeyField(User, backref="connexions", on_delete="CASCADE")
        token_hash = CharField(max_length=64, unique=True)
        ouverte_le = DateTimeField()
        vue_le = DateTimeField()
        appareil = CharField(max_length=200, default="")
        adresse = CharField(max_length=64, default="")
        fermee_le = DateTimeField(null=True)

        class Meta:
            table_name = "connexion"

    with database.bind_ctx([User, Connexion]):
        database.create_tables([Connexion])


# The evidence a session holds, by table: (column, table it references). No deletion elsewhere may
# take these rows with it (migration 18): a deletion that would is refused by the database.
EVIDENCE_KEYS = {
    "emargement": (("session_id", "examsession"), ("epreuve_id", "epreuve"), ("candidat_id", "candidat"),
                   ("jure_id", "jure")),
    "piece": (("item_id", "checklistitem"), ("session_id", "examsession")),
    "sealedguide": (("session_id", "examsession"),),
    # (emission, migration 22, is made with its key RESTRICT from the start)
    "auditevent": (("session_id", "examsession"), ("item_id", "checklistitem")),
    "journalhead": (("session_id", "examsession"),),
}


def _evidence_kept(database, migrator):
    """Sign-ins, attachments, sealed guides and the journal are never deleted by a cascade (their
    keys become ON DELETE RESTRICT); a candidate, juror or épreuve with evidence is withdrawn from
    the session (`retire_le`) instead of removed."""
    for table, keys in EVIDENCE_KEYS.items():
        if isinstance(database, PostgresqlDatabase):
            for column, target in keys:
                migrate(migrator.drop_foreign_key_constraint(table, column),
                        migrator.add_foreign_key_constraint(table, column, target, "id", on_delete="RESTRICT"))
        else:
            _sqlite_restrict(database, table, [column for column, _ in keys])
    migrate(*(migrator.add_column(table, "retire_le", DateTimeField(null=True))
              for table in ("candidat", "epreuve", "membrejury")))


def _sqlite_restrict(database, table, columns):
    """SQLite cannot alter a foreign key: the table is made again with the same columns and rows, its
    `columns`' keys ON DELETE RESTRICT (foreign keys are off during migrations; no table refers to
    the evidence tables, so dropping the old one touches nothing else)."""
    sql, = database.execute_sql("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).fetchone()
    indexes = [row[0] for row in database.execute_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL", (table,))]
    for column in columns:
        sql, count = re.subn(rf'(FOREIGN KEY \("{column}"\) REFERENCES "\w+" \("id"\)) ON DELETE CASCADE',
                             r"\1 ON DELETE RESTRICT", sql)
        assert count == 1, (table, column)
    rebuilt = f"{table}__restrict"
    database.execute_sql(sql.replace(f'CREATE TABLE "{table}"', f'CREATE TABLE "{rebuilt}"', 1))
    database.execute_sql(f'INSERT INTO "{rebuilt}" SELECT * FROM "{table}"')
    database.execute_sql(f'DROP TABLE "{table}"')
    database.execute_sql(f'ALTER TABLE "{rebuilt}" RENAME TO "{table}"')
    for index in indexes:
        database.execute_sql(index)


def _anchors(database, migrator):
    """The journals' heads anchored outside the rows they describe (domain/anchors.py)."""

    class ExamSession(Model):
        class Meta:
            table_name = "examsession"

    class Ancre(Model):  # as released in version 19
        at = DateTimeField()
        motif = CharField(max_length=200)
        previous = CharField(max_length=64)
        hash = CharField(max_length=64, unique=True)

        class Meta:
            table_name = "ancre"

    class AncreTete(Model):
        ancre = ForeignKeyField(Ancre, backref="tetes", on_delete="RESTRICT")
        session = ForeignKeyField(ExamSession, backref="+", on_delete="RESTRICT")
        hash = CharField(max_length=64)
        events = IntegerField()

        class Meta:
            table_name = "ancretete"
            indexes = ((("session", "ancre"), False),)

    with database.bind_ctx([ExamSession, Ancre, AncreTete]):
        database.create_tables([Ancre, AncreTete])


# The instants stored before version 20, in the server's local time, by table (their key: id).
LOCAL_INSTANTS = {
    "guideversion": ("imported_at",), "examsession": ("closed_at", "purged_at", "created_at"),
    "checklistitem": ("updated_at",), "auditevent": ("at",), "piece": ("ajoutee_le", "retiree_le"),
    "sealedguide": ("at",), "adminevent": ("at",), "emargement": ("signe_a", "recu_a"), "loginfailure": ("at",),
    "connexion": ("ouverte_le", "vue_le", "fermee_le"), "candidat": ("retire_le",), "epreuve": ("retire_le",),
    "membrejury": ("retire_le",),
}


def _utc_instants(database, migrator):
    """Instants are stored in UTC (shown in JALON_TZ): those stored before, in the server's local time,
    are converted. The journal's events keep the time text their hash covers (`at_canonique`): their
    chain stays verifiable, and events written from now on hash their UTC time (journal.canonical)."""
    migrate(migrator.add_column("auditevent", "at_canonique", CharField(max_length=32, null=True)))

    def utc(value):  # a naive value of the server's local time (as datetime.now() gave it)
        return value.astimezone(dt.timezone.utc).replace(tzinfo=None)

    for table, columns in LOCAL_INSTANTS.items():
        class Row(Model):
            class Meta:
                table_name = table
        for column in columns:
            Row._meta.add_field(column, DateTimeField(null=True))
        if table == "auditevent":
            Row._meta.add_field("at_canonique", CharField(null=True))
        with database.bind_ctx([Row]):
            for row in Row.select().iterator():
                values = {c: utc(getattr(row, c)) for c in columns if getattr(row, c) is not None}
                if table == "auditevent":
                    values["at_canonique"] = row.at.isoformat(sep=" ")  # as journal.canonical hashed it
                changed = {c: v for c, v in values.items() if v != getattr(row, c)}
                if changed:
                    Row.update(**changed).where(Row.id == row.id).execute()


def _identity(database, migrator):
    """The centre's and sites' identity for the letterhead and the signature block; jurors' postal
    address and civility, candidates' civility."""
    text = lambda: TextField(default="")  # noqa: E731
    short = lambda length: CharField(max_length=length, default="")  # noqa: E731
    migrate(
        migrator.add_column("centre", "adresse", text()), migrator.add_column("centre", "code_postal", short(5)),
        migrator.add_column("centre", "ville", short(100)), migrator.add_column("centre", "telephone", short(30)),
        migrator.add_column("centre", "email", short(254)), migrator.add_column("centre", "siret", short(14)),
        migrator.add_column("centre", "nda", short(11)), migrator.add_column("centre", "logo", BlobField(null=True)),
        migrator.add_column("site", "adresse", text()), migrator.add_column("site", "code_postal", short(5)),
        migrator.add_column("site", "ville", short(100)), migrator.add_column("site", "signataire_nom", short(200)),
        migrator.add_column("site", "signataire_qualite", short(200)),
        migrator.add_column("site", "signature", BlobField(null=True)),
        migrator.add_column("jure", "civilite", short(10)), migrator.add_column("jure", "adresse", text()),
        migrator.add_column("jure", "code_postal", short(5)), migrator.add_column("jure", "ville", short(100)),
        migrator.add_column("candidat", "civilite", short(10)),
    )

    class Site(Model):
        class Meta:
            table_name = "site"

    class Agrement(Model):  # as released in version 21
        site = ForeignKeyField(Site, backref="agrements", on_delete="RESTRICT")
        sigle = CharField(max_length=30)
        millesime = CharField(max_length=20, default="")
        reference = CharField(max_length=100, default="")
        valide_du = DateField()
        valide_au = DateField()
        plateau_technique = TextField(default="")
        nombre_candidats = IntegerField(null=True)

        class Meta:
            table_name = "agrement"

    with database.bind_ctx([Site, Agrement]):
        database.create_tables([Agrement])
    _give_keys(database, _V1_AGREMENT_KEYS)


# The guide's two agrément tasks, keyed for the check `agrement` (migration 21).
_V1_AGREMENT_KEYS = {
    ("Vérifier dans CERES les dates de validité de l'agrément pour la version du titre visée par la session "
     "d'examen", False): "agrement_ceres",
    ("Vérifier les informations contenues dans le courrier de décision d'agrément envoyé par la Direccte :", False):
        "agrement_decision",
}


def _emissions(database, migrator):
    """Documents issued for sending, kept as sent; a convocation names the issued document it sent."""

    class User(Model):
        class Meta:
            table_name = "user"

    class ExamSession(Model):
        class Meta:
            table_name = "examsession"

    class Emission(Model):  # as released in version 22
        session = ForeignKeyField(ExamSession, backref="emissions", on_delete="RESTRICT")
        numero = IntegerField()
        document = CharField(max_length=30)
        destinataire_type = CharField(max_length=20, default="")
        destinataire_id = IntegerField(null=True)
        destinataire_nom = CharField(max_length=250, default="")
        emis_le = DateTimeField()
        emis_par = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
        pdf = BlobField()
        sha256 = CharField(max_length=64)
        taille = IntegerField()

        class Meta:
            table_name = "emission"
            indexes = ((("session", "numero"), True),)

    with database.bind_ctx([User, ExamSession, Emission]):
        database.create_tables([Emission])
    migrate(migrator.add_column("candidat", "convocation_emission", IntegerField(null=True)))


def _signing_keys(database, migrator):
    """The public keys the inspection files were signed with, current and replaced."""

    class CleSignature(Model):  # as released in version 23
        cle_publique = CharField(max_length=64, unique=True)
        empreinte = CharField(max_length=64)
        creee_le = DateTimeField()
        retiree_le = DateTimeField(null=True)

        class Meta:
            table_name = "clesignature"

    with database.bind_ctx([CleSignature]):
        database.create_tables([CleSignature])


def _ceres_number(database, migrator):
    """The session's number in CERES, printed on the candidates' convocations."""
    migrate(migrator.add_column("examsession", "numero_ceres", CharField(max_length=30, default="")))


def _identity_checked(database, migrator):
    """A sign-in records whether the identity document was checked."""
    migrate(migrator.add_column("emargement", "identite_verifiee", BooleanField(default=False)))


def _titres(database, migrator):
    """The titres professionnels and their CCPs, by version (administration)."""

    class Titre(Model):  # as released in version 26
        sigle = CharField(max_length=30)
        millesime = CharField(max_length=20)
        libelle = CharField(max_length=300)
        niveau = CharField(max_length=10, default="")
        code_rncp = CharField(max_length=20, default="")
        fin_validite = DateField(null=True)

        class Meta:
            table_name = "titre"
            indexes = ((("sigle", "millesime"), True),)

    class TitreCcp(Model):
        titre = ForeignKeyField(Titre, backref="ccps", on_delete="CASCADE")
        position = IntegerField()
        code = CharField(max_length=30)
        libelle = CharField(max_length=300)

        class Meta:
            table_name = "titreccp"

    with database.bind_ctx([Titre, TitreCcp]):
        database.create_tables([Titre, TitreCcp])


# Guide version 1's tasks of the session's last tableau and those that apply only « en cas de »
# something, as released with version 27: (text, sub) -> the columns given. Frozen here.
_V1_AFTER_EXAM = {
    ("Superviser et contrôler le déroulement de la session", False): {"key": "supervision"},
    ("Vérifier la signature du PV global par tous les membres de jury ayant participé à la session", False):
        {"key": "pv_global_signe"},
    ("Vérifier la signature des PV individuels par les seuls membres de jury ayant évalué le candidat", False):
        {"key": "pv_individuels"},
    ("Contresigner le PV de session", False): {"key": "pv_contresigne"},
    ("Saisir les résultats de la session d'examen sur CERES", False): {"key": "resultats_ceres"},
    ("Adresser l'original du PV de la session à l'UD DIRECCTE dans un délai de 15 jours suivant la date de la "
     "session", False): {"key": "pv_ud"},
    ("A réception de la copie du PV de session envoyée par l'UD DIRECCTE, afficher la liste des candidats ayant "
     "validé un titre, un CCP, un CCS", False): {"key": "resultats_affichage"},
    ("Conserver les documents relatifs aux candidats et aux sessions d'examen pendant une période de cinq ans", False):
        {"key": "conservation", "long_running": True},
    ("Assurer un suivi de l'insertion professionnelle des candidats ayant été présentés au titre professionnel",
     False): {"key": "suivi_insertion", "long_running": True},
    **{(text, False): {"conditional": True} for text in (
        "Informer l'UD en cas de délégation de responsabilité",
        "En cas de remplacement exceptionnel du responsable de session (RS) sur une session d'examen, informer la "
        "Direccte",
        "Prévenir l'UD de la DIRECCTE en cas d'impossibilité de convoquer le jury pour la date de la session "
        "d'examen (membres de jury indisponibles, non habilités, trop peu nombreux)",
        "Contacter le service des examens en cas de réception d'un pli déchiré ou détérioré",
        "Contacter le service des examens en cas de non réception du pli 4 semaines avant la date de la session (si "
        "le délai de 3 mois minimum pour la demande de pli a été respecté)",
        "En cas d'absence de l'un des membres de jury, contacter l'UD",
        "En cas d'impossibilité de constituer un jury, dresser un procès verbal",
        "Informer l'UD de la DIRECCTE du report de la session",
        "En cas de retard d'un candidat, autoriser ou non le candidat à participer à l'examen (décision du RS) sans "
        "modifier l'horaire de fin.",
        "Annuler la session en cas de plis non scellés",
        "En cas de fraude, rédiger un rapport signé par le jury ou par le RS et le joindre au PV de session",
        "En cas d'anomalie rencontrée dans le DTE pour l'organisation et la mise en œuvre de la session d'examen, "
        "compléter la fiche anomalie accompagnant le pli d'examen")},
}


def _after_the_exam(database, migrator):
    """Who evaluated whom, the results, the PV's steps, the insertion follow-up; the guide's tasks of
    the last tableau keyed, the conditional and long-running ones flagged, the PV's 15 days as a figure."""
    migrate(
        migrator.add_column("guidetask", "conditional", BooleanField(default=False)),
        migrator.add_column("guidetask", "long_running", BooleanField(default=False)),
        migrator.add_column("checklistitem", "conditional", BooleanField(default=False)),
        migrator.add_column("checklistitem", "long_running", BooleanField(default=False)),
        migrator.add_column("candidat", "identifiant_ceres", CharField(max_length=30, default="")),
        migrator.add_column("candidat", "precedent", IntegerField(null=True)),
        migrator.add_column("centre", "indicateurs_publics", BooleanField(default=False)),
    )
    p = database.param
    for (text, sub), columns in _V1_AFTER_EXAM.items():
        sets = ", ".join(f"{name} = {p}" for name in columns)
        for table, scope in (("guidetask", "tableau_id IN (SELECT t.id FROM guidetableau t JOIN guideversion v ON "
                                            "v.id = t.guide_id WHERE v.version = {p})"),
                             ("checklistitem", "session_id IN (SELECT s.id FROM examsession s JOIN guideversion v ON "
                                               "v.id = s.guide_id WHERE v.version = {p})")):
            database.execute_sql(f"UPDATE {table} SET {sets} WHERE text = {p} AND sub = {p} AND "
                                 + scope.format(p=p), (*columns.values(), text, sub, "1"))
    rows = database.execute_sql(f"SELECT id, checks FROM guideversion WHERE version = {p}", ("1",)).fetchall()
    for guide_id, checks in rows:
        figures = json.loads(checks) if checks else {}
        figures.setdefault("pv_ud_days", 15)
        database.execute_sql(f"UPDATE guideversion SET checks = {p} WHERE id = {p}",
                             (json.dumps(figures, ensure_ascii=False), guide_id))

    class User(Model):
        class Meta:
            table_name = "user"

    class ExamSession(Model):
        class Meta:
            table_name = "examsession"

    class Candidat(Model):
        class Meta:
            table_name = "candidat"

    class Jure(Model):
        class Meta:
            table_name = "jure"

    class Piece(Model):
        class Meta:
            table_name = "piece"

    class Evaluateur(Model):  # as released in version 27
        candidat = ForeignKeyField(Candidat, backref="+", on_delete="CASCADE")
        jure = ForeignKeyField(Jure, backref="+", on_delete="RESTRICT")

        class Meta:
            table_name = "evaluateur"
            indexes = ((("candidat", "jure"), True),)

    class Resultat(Model):
        candidat = ForeignKeyField(Candidat, backref="+", unique=True, on_delete="RESTRICT")
        session = ForeignKeyField(ExamSession, backref="+", on_delete="RESTRICT")
        decision = CharField(max_length=20)
        ccp = TextField(null=True)
        saisi_le = DateTimeField()
        saisi_par = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")

        class Meta:
            table_name = "resultat"

    class EtapePv(Model):
        session = ForeignKeyField(ExamSession, backref="+", on_delete="RESTRICT")
        etape = CharField(max_length=20)
        date = DateField()
        par = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
        piece = ForeignKeyField(Piece, null=True, backref="+", on_delete="RESTRICT")
        mode = CharField(max_length=20, default="")
        reference = CharField(max_length=100, default="")
        saisie_le = DateTimeField()

        class Meta:
            table_name = "etapepv"
            indexes = ((("session", "etape"), True),)

    class SuiviInsertion(Model):
        candidat = ForeignKeyField(Candidat, backref="+", unique=True, on_delete="CASCADE")
        session = ForeignKeyField(ExamSession, backref="+", on_delete="CASCADE")
        situation = CharField(max_length=20)
        date_contact = DateField()
        canal = CharField(max_length=20)
        saisi_le = DateTimeField()
        saisi_par = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")

        class Meta:
            table_name = "suiviinsertion"

    with database.bind_ctx([User, ExamSession, Candidat, Jure, Piece, Evaluateur, Resultat, EtapePv, SuiviInsertion]):
        database.create_tables([Evaluateur, Resultat, EtapePv, SuiviInsertion])


MIGRATIONS = (
    Migration(1, "Schéma initial", _baseline),
    Migration(2, "Index de l'historique par session et par date", _history_index),
    Migration(3, "Vocabulaire : tableaux du guide, codes du journal", _tableau_vocabulary),
    Migration(4, "« Accueillir les membres de jury : » est un intitulé, pas une tâche", _headings),
    Migration(5, "Mots de passe erronés comptés dans la base (limitation des tentatives)", _login_failures),
    Migration(6, "Annuaire des jurés du centre et leurs habilitations", _jurors),
    Migration(7, "Candidats de la session et planning des épreuves", _candidates_and_epreuves),
    Migration(8, "Jury de la session, déclarations et liens ; surveillant et comédien", _jury),
    Migration(9, "Clés des tâches concernées par les contrôles du registre", _task_keys),
    Migration(10, "Documents de la session et émargement sur tablette", _documents_and_sign_in),
    Migration(11, "Journal chaîné : chaque événement porte l'empreinte du précédent", _journal_chain),
    Migration(12, "Clôture des sessions et guides scellés", _closing),
    Migration(13, "Pièces justificatives des tâches", _pieces),
    Migration(14, "Purge après la durée de conservation ; conservation prolongée", _retention),
    Migration(15, "Aperçu des images jointes, fait une fois", _previews),
    Migration(16, "Version des fiches des candidats et des jurés", _record_versions),
    Migration(17, "Connexions des utilisateurs, une par appareil", _logins),
    Migration(18, "Preuves jamais supprimées en cascade ; retrait de la session", _evidence_kept),
    Migration(19, "Ancres des journaux, hors des lignes qu'elles décrivent", _anchors),
    Migration(20, "Instants enregistrés en UTC, affichés à l'heure de Paris", _utc_instants),
    Migration(21, "Identité du centre et des sites, agréments ; adresse et civilité des jurés, civilité des candidats",
              _identity),
    Migration(22, "Documents émis, gardés tels qu'envoyés", _emissions),
    Migration(23, "Clés de signature des dossiers d'inspection", _signing_keys),
    Migration(24, "Numéro CERES de la session", _ceres_number),
    Migration(25, "Identité vérifiée à l'émargement", _identity_checked),
    Migration(26, "Titres professionnels et leurs CCP", _titres),
    Migration(27, "Après la session : évaluateurs, résultats, étapes du PV, suivi de l'insertion ; tâches "
                  "conditionnelles et de longue durée", _after_the_exam),
)
LATEST = MIGRATIONS[-1].version


def _migrator(database):
    return SchemaMigrator.from_database(database)  # the SQLite or PostgreSQL flavour


def current_version(database):
    """The schema's version: 0 for an empty database."""
    tables = set(database.get_tables())
    if "schemaversion" not in tables:
        # A database made before versioning existed is the baseline.
        return 1 if "examsession" in tables else 0
    with SchemaVersion.bind_ctx(database):
        return SchemaVersion.select().order_by(SchemaVersion.version.desc()).scalar() or 0


def upgrade(database, target=LATEST):
    """Apply the migrations the database lacks, up to `target`; returns those applied.

    On SQLite, foreign keys are off during the run: playhouse.migrate rebuilds tables for some
    changes, and a rebuild with them on would cascade deletes to child rows."""
    sqlite = isinstance(database, SqliteDatabase)
    if sqlite:
        database.execute_sql("PRAGMA foreign_keys = OFF")
    try:
        return [migration for migration in MIGRATIONS if migration.version <= target and _apply(database, migration)]
    finally:
        if sqlite:
            database.execute_sql("PRAGMA foreign_keys = ON")


def _apply(database, migration):
    """Apply one migration unless it is there already; True when it was applied now."""
    with database.atomic():  # BEGIN IMMEDIATE on SQLite: one process at a time
        if isinstance(database, PostgresqlDatabase):
            database.execute_sql("SELECT pg_advisory_xact_lock(%s)", (ADVISORY_LOCK,))
        version = current_version(database)
        with SchemaVersion.bind_ctx(database):
            SchemaVersion.create_table(safe=True)
            if version < migration.version:
                migration.apply(database, _migrator(database))
            elif SchemaVersion.select().where(SchemaVersion.version == migration.version).exists():
                return False
            SchemaVersion.create(version=migration.version, name=migration.name)
            return version < migration.version
