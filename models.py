"""Jalon's data and the rules that belong to it.

A guide version is the official "Guide de préparation de la session" as loaded from a file of
guide/. An exam session is a frozen run of one guide version: creating it copies the version's
tasks into checklist items, so a later guide never changes an existing session. Every change to a
session or an item is written together with its audit event, in one transaction.
"""
import contextlib
import datetime as dt
import json
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from flask_login import UserMixin
from peewee import (
    BooleanField,
    Case,
    CharField,
    DatabaseProxy,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    IntegrityError,
    Model,
    SqliteDatabase,
    TextField,
    fn,
)
from playhouse.db_url import connect as connect_url
from werkzeug.security import check_password_hash, generate_password_hash

import deadlines

db = DatabaseProxy()

# WAL lets readers work while one writer commits; FULL sync keeps acknowledged marks through a
# power cut; writers wait for each other (busy_timeout) instead of failing.
SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": 10_000,
    "synchronous": 2,
    "cache_size": -64_000,
}

ROLES = ("admin", "responsable", "lecteur")
ROLE_LABELS = {"admin": "Administrateur", "responsable": "Responsable de session", "lecteur": "Lecteur"}
NATURES = ("TITRE", "CCP", "CCS")
STATES = ("todo", "done", "na")

OBSERVATION_MAX = 5000
REASON_MAX = 500


def make_database(url):
    """A database from a URL (sqlite:///path or postgresql://...), with Jalon's pragmas on SQLite."""
    if url.startswith("sqlite"):
        # BEGIN IMMEDIATE: a write transaction takes the write lock first, so concurrent writers
        # wait their turn (busy_timeout) instead of failing when a read lock cannot be upgraded.
        return connect_url(url, pragmas=SQLITE_PRAGMAS, lock_type="IMMEDIATE")
    scheme, rest = url.split("://", 1)
    if scheme in ("postgres", "postgresql"):
        # Connections are kept open between requests: opening one costs more than most requests.
        return connect_url(f"postgresql+pool://{rest}", max_connections=20, stale_timeout=300)
    return connect_url(url)


def sqlite_path(database):
    """The file of an SQLite database, or None (another engine, or an in-memory database)."""
    if isinstance(database, SqliteDatabase) and database.database not in ("", ":memory:"):
        return Path(database.database)
    return None


def locked(query):
    """The query's rows, locked until the transaction ends (SELECT ... FOR UPDATE on PostgreSQL).

    SQLite needs no row lock: its write transactions begin IMMEDIATE and run one at a time."""
    return query.for_update() if db.obj.for_update else query


@contextlib.contextmanager
def counting_queries():
    """Count the SQL statements sent to the database meanwhile (they still run: this only counts).
    For tests and benchmarks: a page's number of queries must not grow with the data."""
    statements = []
    database = db.obj
    execute_sql = database.execute_sql

    def counted(sql, *args, **kwargs):
        statements.append(sql)
        return execute_sql(sql, *args, **kwargs)

    database.execute_sql = counted
    try:
        yield statements
    finally:
        del database.execute_sql


def now():
    return dt.datetime.now().replace(microsecond=0)


def fr_date(value):
    """dd/mm/yyyy, the way dates are written on the form."""
    return value.strftime("%d/%m/%Y") if value else ""


class DomainError(Exception):
    """A refused change, with the French message a user sees."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.message = message
        self.field = field


class StaleObservation(DomainError):
    """An observation saved against an older text than the one stored."""

    def __init__(self, item, draft):
        super().__init__(
            "Un collègue a modifié cette observation pendant que vous écriviez. "
            "Votre texte est conservé ci-dessous : gardez l'un des deux textes ou fusionnez-les, puis enregistrez.",
            "observation",
        )
        self.item = item
        self.draft = draft


class JSONTextField(TextField):
    """JSON kept as text, so that it reads the same on SQLite and PostgreSQL."""

    def db_value(self, value):
        return None if value is None else json.dumps(value, ensure_ascii=False)

    def python_value(self, value):
        return None if value is None else json.loads(value)


class BaseModel(Model):
    class Meta:
        database = db


class Centre(BaseModel):
    name = CharField(max_length=200, unique=True)


class Site(BaseModel):
    centre = ForeignKeyField(Centre, backref="sites", on_delete="CASCADE")
    name = CharField(max_length=200)

    class Meta:
        indexes = ((("centre", "name"), True),)


class User(UserMixin, BaseModel):
    email = CharField(max_length=254, unique=True)
    display_name = CharField(max_length=200)
    password_hash = CharField(max_length=255)
    role = CharField(max_length=20, default="responsable")
    centre = ForeignKeyField(Centre, null=True, backref="users", on_delete="SET NULL")
    active = BooleanField(default=True)
    # Calendar programs cannot log in: a feed's URL carries this secret instead.
    feed_token = CharField(max_length=64, null=True, unique=True)
    # Part of the login cookie's user id: changing it (new password) ends every open login.
    login_nonce = CharField(max_length=32, default=lambda: secrets.token_hex(8))

    @property
    def is_active(self):
        return self.active

    def get_id(self):
        return f"{self.id}:{self.login_nonce}"

    def set_password(self, password):
        self.password_hash = generate_password_hash(password)
        self.login_nonce = secrets.token_hex(8)

    def check_password(self, password):
        return check_password_hash(self.password_hash, password)

    def can_see(self, session):
        return self.role == "admin" or session.centre_id == self.centre_id

    def can_edit(self, session):
        if self.role == "admin":
            return True
        return self.role == "responsable" and session.centre_id == self.centre_id

    def new_feed_token(self):
        """A new secret for this user's calendar feeds; the old URLs stop working at once."""
        self.feed_token = secrets.token_urlsafe(32)
        self.save()
        return self.feed_token

    @property
    def can_create_sessions(self):
        return self.role == "admin" or (self.role == "responsable" and self.centre_id is not None)


class GuideVersion(BaseModel):
    version = CharField(max_length=50, unique=True)
    label = CharField(max_length=300)
    title = CharField(max_length=300)
    imported_at = DateTimeField(default=now)

    @classmethod
    def current(cls):
        return cls.select().order_by(cls.imported_at.desc(), cls.id.desc()).first()


class GuideSection(BaseModel):
    guide = ForeignKeyField(GuideVersion, backref="sections", on_delete="CASCADE")
    number = IntegerField()
    title = CharField(max_length=300)


class TaskText(BaseModel):
    """What a guide task and a checklist item share: the task as the guide states it.

    The text with its underlined part (a deadline on the form), its "▶" sub-points, its flags, and
    its deadline and retention rules. (A Peewee base model: its subclasses get these columns.)"""

    text = TextField()
    underline = TextField(null=True)
    details = JSONTextField(null=True)
    reglementaire = BooleanField()
    conseil = BooleanField()
    sub = BooleanField(default=False)
    due_rule = JSONTextField(null=True)
    retention_rule = JSONTextField(null=True)

    @property
    def text_parts(self):
        """The text split around its underlined part: (before, underlined, after)."""
        if self.underline and self.underline in self.text:
            before, after = self.text.split(self.underline, 1)
            return before, self.underline, after
        return self.text, "", ""


class GuideTask(TaskText):
    section = ForeignKeyField(GuideSection, backref="tasks", on_delete="CASCADE")
    position = IntegerField()


class ExamSession(BaseModel):
    centre = ForeignKeyField(Centre, backref="sessions", on_delete="RESTRICT")
    site = ForeignKeyField(Site, backref="sessions", on_delete="RESTRICT")
    guide = ForeignKeyField(GuideVersion, backref="sessions", on_delete="RESTRICT")
    titre = CharField(max_length=300)
    sigle = CharField(max_length=30)
    millesime = CharField(max_length=20)
    nature = CharField(max_length=5)
    libelle_ccp = CharField(max_length=300, default="")
    code_ccp = CharField(max_length=30, default="")
    date_debut = DateField(index=True)
    date_fin = DateField()
    nb_formation = IntegerField(default=0)
    nb_vae = IntegerField(default=0)
    responsable = CharField(max_length=200)
    suppleant = CharField(max_length=200, default="")
    archived = BooleanField(default=False)
    created_at = DateTimeField(default=now)
    created_by = ForeignKeyField(User, null=True, on_delete="SET NULL")

    HEADER_FIELDS = (
        "titre", "sigle", "millesime", "nature", "libelle_ccp", "code_ccp",
        "date_debut", "date_fin", "nb_formation", "nb_vae", "responsable", "suppleant",
    )

    @property
    def label(self):
        return f"{self.sigle} du {fr_date(self.date_debut)} au {fr_date(self.date_fin)}"

    def stage(self, today):
        """Where the session stands: en préparation, en cours, terminée or archivée."""
        if self.archived:
            return "archivee"
        if today < self.date_debut:
            return "preparation"
        return "en_cours" if today <= self.date_fin else "terminee"

    EXAM_DAY_TABLES = (5, 6)  # "Ouverture de la session" and "Déroulement des épreuves"

    def exam_day(self, items):
        """What exam day needs: tables 5 and 6, and the other tasks still undone that were due by the last day."""
        tables = [phase for phase in self.phases(items) if phase.number in self.EXAM_DAY_TABLES]
        still_to_do = [item for item in items if item.phase_number not in self.EXAM_DAY_TABLES
                       and item.state == "todo" and item.due_on and item.due_on <= self.date_fin]
        return tables, still_to_do

    def retention_until(self, items):
        """Until when the session's documents must be kept (the guide's five years), or None."""
        rules = [item.retention_rule for item in items if item.retention_rule]
        return deadlines.apply_rule(rules[0], self.date_debut, self.date_fin) if rules else None

    def ordered_items(self):
        return list(self.items.order_by(ChecklistItem.position))

    def phases(self, items=None):
        """The session's checklist grouped as the guide's tables, each with its progress."""
        items = self.ordered_items() if items is None else items
        return group_phases(items, lambda item: (item.phase_number, item.phase_title))


class ChecklistItem(TaskText):
    """One task of a session's checklist, copied from its guide version with its deadline rule."""

    session = ForeignKeyField(ExamSession, backref="items", on_delete="CASCADE")
    phase_number = IntegerField()
    phase_title = CharField(max_length=300)
    position = IntegerField()
    # Computed from due_rule and the session's dates (apply_deadlines); kept as a column so that
    # late and coming tasks can be found across sessions in one indexed query.
    due_on = DateField(null=True, index=True)
    state = CharField(max_length=10, default="todo")
    done_on = DateField(null=True)
    na_reason = TextField(default="")
    observation = TextField(default="")
    # Bumped by every change; observation_version is the version at which the observation text
    # last changed, so a save is stale only when someone else changed the text itself.
    version = IntegerField(default=0)
    observation_version = IntegerField(default=0)
    updated_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    updated_at = DateTimeField(null=True)

    class Meta:
        indexes = ((("session", "position"), True), (("state", "due_on"), False))
        only_save_dirty = True  # a tick writes the few columns it changes, not the task's text

    def status(self, today):
        return deadlines.status(self.state, self.done_on, self.due_on, today)

    @property
    def due_label(self):
        return self.due_rule["label"] if self.due_rule else ""


class AuditEvent(BaseModel):
    """Append-only trail of every change: who, when, what, before and after."""

    user = ForeignKeyField(User, null=True, on_delete="SET NULL")
    at = DateTimeField(default=now, index=True)
    session = ForeignKeyField(ExamSession, backref="events", on_delete="CASCADE")
    item = ForeignKeyField(ChecklistItem, null=True, backref="events", on_delete="CASCADE")
    item_version = IntegerField(null=True)  # the item's version this change made
    field = CharField(max_length=50)
    old_value = TextField(default="")
    new_value = TextField(default="")

    class Meta:
        indexes = ((("session", "at"), False),)  # migration 2


class AdminEvent(BaseModel):
    """Append-only trail of the administrators' changes (accounts, centres, guide versions)."""

    user = ForeignKeyField(User, null=True, on_delete="SET NULL")
    at = DateTimeField(default=now, index=True)
    action = CharField(max_length=100)
    target = CharField(max_length=300)
    details = TextField(default="")


MODELS = (Centre, Site, User, GuideVersion, GuideSection, GuideTask, ExamSession, ChecklistItem, AuditEvent,
          AdminEvent)


# --- Progress -----------------------------------------------------------------------------------

@dataclass
class Progress:
    total: int = 0
    done: int = 0
    na: int = 0

    @property
    def treated(self):
        return self.done + self.na

    @property
    def todo(self):
        return self.total - self.treated

    @property
    def percent(self):
        return round(100 * self.treated / self.total) if self.total else 0


@dataclass
class SessionProgress:
    all: Progress
    reglementaire: Progress
    late: int = 0
    next_due: dt.date | None = None

    @classmethod
    def total(cls, parts):
        """The sum of several progresses (a session's tables)."""
        result = cls(Progress(), Progress())
        for part in parts:
            for mine, theirs in ((result.all, part.all), (result.reglementaire, part.reglementaire)):
                mine.total, mine.done, mine.na = mine.total + theirs.total, mine.done + theirs.done, mine.na + theirs.na
            result.late += part.late
            dues = [d for d in (result.next_due, part.next_due) if d]
            result.next_due = min(dues) if dues else None
        return result

    @classmethod
    def of(cls, items, today=None):
        """Counts over the items; with `today`, also how many are late."""
        result = cls(Progress(), Progress())
        for item in items:
            if today is not None and item.state == "todo" and item.due_on and item.due_on < today:
                result.late += 1
            counters = (result.all, result.reglementaire) if item.reglementaire else (result.all,)
            for p in counters:
                p.total += 1
                p.done += item.state == "done"
                p.na += item.state == "na"
        return result


@dataclass
class Phase:
    number: int
    title: str
    items: list = field(default_factory=list)

    @property
    def progress(self):
        return SessionProgress.of(self.items)


def group_phases(rows, phase_of):
    """Rows in guide order grouped into Phase objects; phase_of(row) gives (number, title)."""
    phases = []
    for row in rows:
        number, title = phase_of(row)
        if not phases or phases[-1].number != number:
            phases.append(Phase(number, title))
        phases[-1].items.append(row)
    return phases


def _progress_counts(key, condition, today):
    """(key, SessionProgress) rows counted by the database, one per value of `key`."""
    item = ChecklistItem
    reg = item.reglementaire == True  # noqa: E712
    todo = item.state == "todo"

    def count(cond):
        return fn.SUM(Case(None, [(cond, 1)], 0))

    query = (
        item.select(
            key, fn.COUNT(item.id), count(item.state == "done"), count(item.state == "na"),
            count(reg), count(reg & (item.state == "done")), count(reg & (item.state == "na")),
            count(todo & (item.due_on < today)),
            fn.MIN(Case(None, [(todo & (item.due_on >= today), item.due_on)], None)),
        )
        .where(condition)
        .group_by(key)
        .tuples()
    )
    for value, total, done, na, reg_total, reg_done, reg_na, late, next_due in query:
        yield value, SessionProgress(Progress(total, done or 0, na or 0),
                                     Progress(reg_total or 0, reg_done or 0, reg_na or 0),
                                     late=late or 0, next_due=as_date(next_due))


def progress_by_session(session_ids, today):
    """{session id: SessionProgress} with late counts and next deadline, in one query, for lists."""
    return dict(_progress_counts(ChecklistItem.session, ChecklistItem.session.in_(list(session_ids)), today))


def progress_by_phase(session_id, today):
    """{table number: SessionProgress} of one session, in one query (after a change to one row).

    Written in SQL rather than built with Peewee: it runs on every tick, and building the query
    cost more than running it."""
    p = db.obj.param
    sql = (
        "SELECT phase_number, COUNT(*),"
        " SUM(CASE WHEN state = 'done' THEN 1 ELSE 0 END), SUM(CASE WHEN state = 'na' THEN 1 ELSE 0 END),"
        " SUM(CASE WHEN reglementaire THEN 1 ELSE 0 END),"
        " SUM(CASE WHEN reglementaire AND state = 'done' THEN 1 ELSE 0 END),"
        " SUM(CASE WHEN reglementaire AND state = 'na' THEN 1 ELSE 0 END),"
        f" SUM(CASE WHEN state = 'todo' AND due_on < {p} THEN 1 ELSE 0 END),"
        f" MIN(CASE WHEN state = 'todo' AND due_on >= {p} THEN due_on END)"
        f" FROM checklistitem WHERE session_id = {p} GROUP BY phase_number"
    )
    rows = db.execute_sql(sql, (today, today, session_id))
    return {
        number: SessionProgress(Progress(total, done, na), Progress(reg, reg_done, reg_na), late=late,
                                next_due=as_date(next_due))
        for number, total, done, na, reg, reg_done, reg_na, late, next_due in rows
    }


def as_date(value):
    """A date from an aggregate, which SQLite returns as ISO text."""
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


# --- The guide ----------------------------------------------------------------------------------

def import_guide(data):
    """Store a guide read by guide.read_guide() as a new version; an existing version is kept as is."""
    try:
        with db.atomic():
            # Checked inside the transaction: several app processes starting at once import it once
            # (on PostgreSQL the unique version catches the one that loses the race).
            existing = GuideVersion.get_or_none(GuideVersion.version == data["version"])
            if existing:
                return existing
            return _insert_guide(data)
    except IntegrityError:
        return GuideVersion.get(GuideVersion.version == data["version"])


def _insert_guide(data):
    guide = GuideVersion.create(version=data["version"], label=data["label"], title=data["title"])
    position = 0
    rows = []
    for number, phase in enumerate(data["phases"], start=1):
        section = GuideSection.create(guide=guide, number=number, title=phase["title"])
        for task in phase["tasks"]:
            position += 1
            rows.append({
                "section": section, "position": position, "text": task["text"],
                "underline": task.get("underline"), "details": task.get("details"),
                "reglementaire": task["reglementaire"], "conseil": task["conseil"],
                "sub": task.get("sub", False), "due_rule": task.get("due", phase.get("due")),
                "retention_rule": task.get("retention"),
            })
    GuideTask.insert_many(rows).execute()
    return guide


def guide_tasks(guide):
    return list(
        GuideTask.select(GuideTask, GuideSection)
        .join(GuideSection)
        .where(GuideSection.guide == guide)
        .order_by(GuideTask.position)
    )


def guide_phases(guide):
    """A guide version's tasks grouped as its tables."""
    return group_phases(guide_tasks(guide), lambda task: (task.section.number, task.section.title))


# --- Sessions -----------------------------------------------------------------------------------

def _audit(user, session, field_name, old, new, item=None):
    return AuditEvent.create(user=user, session=session, item=item, item_version=item.version if item else None,
                             field=field_name, old_value="" if old is None else str(old),
                             new_value="" if new is None else str(new))


def find_or_create_site(centre, name):
    """The centre's site of that name (whatever its case), created when the centre has none."""
    for site in centre.sites:
        if site.name.casefold() == name.casefold():
            return site
    return Site.create(centre=centre, name=name)


def create_session(centre, site_name, header, user, guide=None):
    """A new session of the centre with its checklist copied from the guide version (the newest by default)."""
    guide = guide or GuideVersion.current()
    with db.atomic():
        site = find_or_create_site(centre, site_name)
        session = ExamSession.create(centre=centre, site=site, guide=guide, created_by=user, **header)
        ChecklistItem.insert_many([
            {
                "session": session, "phase_number": task.section.number, "phase_title": task.section.title,
                "position": task.position, "text": task.text, "underline": task.underline,
                "details": task.details, "reglementaire": task.reglementaire,
                "conseil": task.conseil, "sub": task.sub, "due_rule": task.due_rule,
                "retention_rule": task.retention_rule,
                "due_on": deadlines.apply_rule(task.due_rule, session.date_debut, session.date_fin),
            }
            for task in guide_tasks(guide)
        ]).execute()
        _audit(user, session, "création", "", session.label)
    return session


def update_session(session, site_name, header, user):
    with db.atomic():
        session = locked(ExamSession.select().where(ExamSession.id == session.id)).get()
        site = find_or_create_site(session.centre, site_name)
        changes = []
        if site.id != session.site_id:
            changes.append(("site", session.site.name, site.name))
            session.site = site
        for name, value in header.items():
            old = getattr(session, name)
            if old != value:
                changes.append((name, _display(old), _display(value)))
                setattr(session, name, value)
        if changes:
            session.save()
            for name, old, new in changes:
                _audit(user, session, name, old, new)
            apply_deadlines(session)
    return session


def apply_deadlines(session):
    """Recompute the due dates of a session's items from their rules and the session's dates."""
    for item in session.items.where(ChecklistItem.due_rule.is_null(False)):
        due_on = deadlines.apply_rule(item.due_rule, session.date_debut, session.date_fin)
        if due_on != item.due_on:
            ChecklistItem.update(due_on=due_on).where(ChecklistItem.id == item.id).execute()


def set_archived(session, archived, user):
    """Archive a finished session (it leaves the dashboard's lists and the reminders), or bring it back."""
    with db.atomic():
        session = locked(ExamSession.select().where(ExamSession.id == session.id)).get()
        if session.archived == archived:
            return session
        session.archived = archived
        session.save()
        _audit(user, session, "archivée", "non" if archived else "oui", "oui" if archived else "non")
    return session


def _display(value):
    return fr_date(value) if isinstance(value, dt.date) else value


# --- Checklist items ----------------------------------------------------------------------------

def describe_state(state, done_on, na_reason):
    if state == "done":
        return f"Fait le {fr_date(done_on)}"
    if state == "na":
        return f"Sans objet : {na_reason}"
    return "À faire"


def _set_state(item_id, user, state, done_on=None, na_reason=""):
    """Set an item's state; setting the state it already has changes nothing (a double tap is harmless).

    Like every item change, it returns the item with `audit_event`: the event written, None if none."""
    with db.atomic():
        item = locked(ChecklistItem.select().where(ChecklistItem.id == item_id)).get()
        item.audit_event = None
        old = describe_state(item.state, item.done_on, item.na_reason)
        new = describe_state(state, done_on, na_reason)
        if old == new:
            return item
        item.state, item.done_on, item.na_reason = state, done_on, na_reason
        _bump(item, user)
        item.audit_event = _audit(user, item.session_id, "état", old, new, item=item)
    return item


def _bump(item, user):
    item.version += 1
    item.updated_by = user
    item.updated_at = now()
    item.save()


def mark_done(item_id, user, done_on, today):
    if done_on > today:
        raise DomainError("La date « Fait le » ne peut pas être dans le futur.", "done_on")
    return _set_state(item_id, user, "done", done_on=done_on)


def mark_todo(item_id, user):
    return _set_state(item_id, user, "todo")


def mark_na(item_id, user, reason):
    reason = clean_text(reason, multiline=False, max_length=REASON_MAX, label="Le motif")
    if not reason:
        raise DomainError("Indiquez pourquoi cette tâche est sans objet.", "reason")
    return _set_state(item_id, user, "na", na_reason=reason)


def save_observation(item_id, user, text, version):
    """Save an observation typed against `version` of the item; never overwrite a newer text silently."""
    text = clean_text(text, multiline=True, max_length=OBSERVATION_MAX, label="L'observation")
    with db.atomic():
        item = locked(ChecklistItem.select().where(ChecklistItem.id == item_id)).get()
        item.audit_event = None
        if version > item.version:
            raise DomainError("Version de l'observation inconnue : rechargez la page.", "observation")
        if item.observation == text:
            return item
        if item.observation_version > version:
            raise StaleObservation(item, text)
        old = item.observation
        item.observation = text
        item.observation_version = item.version + 1
        _bump(item, user)
        item.audit_event = _audit(user, item.session_id, "observation", old, text, item=item)
    return item


# --- Input checks shared by forms and actions ---------------------------------------------------

_FORBIDDEN_SINGLE_LINE = re.compile(r"[\x00-\x1f\x7f]")
_FORBIDDEN_MULTILINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value, *, multiline, max_length, label):
    """Trimmed text, or DomainError when it is too long or holds control characters."""
    value = (value or "").replace("\r\n", "\n").strip()
    forbidden = _FORBIDDEN_MULTILINE if multiline else _FORBIDDEN_SINGLE_LINE
    if forbidden.search(value):
        raise DomainError(f"{label} contient des caractères non autorisés.")
    if len(value) > max_length:
        raise DomainError(f"{label} est trop long : {len(value)} caractères pour {max_length} au plus.")
    return value


_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_FR_DATE = re.compile(r"^(\d{2})/(\d{2})/(\d{4})$")


def parse_date(value, label):
    """A date typed as yyyy-mm-dd (date input) or dd/mm/yyyy; DomainError when it is not a real date."""
    value = (value or "").strip()
    if not value:
        raise DomainError(f"{label} : indiquez une date.")
    if m := _ISO_DATE.match(value):
        year, month, day = m.groups()
    elif m := _FR_DATE.match(value):
        day, month, year = m.groups()
    else:
        raise DomainError(f"{label} : « {value[:20]} » n'est pas une date (jj/mm/aaaa).")
    try:
        date = dt.date(int(year), int(month), int(day))
    except ValueError:
        raise DomainError(f"{label} : le {day}/{month}/{year} n'existe pas.") from None
    if not 2000 <= date.year <= 2100:
        raise DomainError(f"{label} : l'année doit être comprise entre 2000 et 2100.")
    return date
