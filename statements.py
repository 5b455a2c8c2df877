"""The hot path's fixed-shape statements: written once as Peewee queries, compiled to SQL once per
database engine, then run with parameters; their rows made into models without Peewee resolving
the columns again on every execution.

Ticking a task runs the same statements every time (the logged-in user, the task with its session,
the task's lock and update, the journal's head and event, the row's attachments). Building their SQL
with Peewee on every request cost more than running them: about a third of a tick, with ~117 node
visits per query (bench/tick_profile.py). Each statement is declared below as a Peewee query whose
variable parts are named parameters, `param("item_id")`; its SQL is built on first use for the engine
in use (quoting, placeholders and FOR UPDATE differ) and reused. Rows come back as Peewee builds them
(model instances with their fields converted, a joined model set on its foreign key), so a compiled
statement gives what the same query run by Peewee gives (tests/test_statements.py).

Only fixed shapes belong here: a query whose list of conditions depends on the request is built
by Peewee as usual.
"""
from peewee import Field, Insert, ModelSelect, PostgresqlDatabase, Value, fn

from database import locked
from models import AuditEvent, ChecklistItem, ExamSession, JournalHead, Piece, User, db


class Param:
    """A named placeholder in a compiled statement, converted by its field (dates, foreign keys)."""

    __slots__ = ("name", "convert")

    def __init__(self, name, convert):
        self.name = name
        self.convert = convert

    def __repr__(self):
        return f"param({self.name!r})"


def param(name, field=None):
    """A parameter of a statement; `field` converts the value as Peewee would (a model to its id)."""
    return Value(Param(name, field.db_value if field is not None else None), converter=False)


class Statement:
    """A query built by `build()` once per engine; `rows`, `first`, `get` and `run` execute it."""

    def __init__(self, build):
        self.build = build
        self._compiled = {}

    def compiled(self):
        """(query, sql, params, make_row) for the database in use; params mix Param slots and fixed values."""
        database = db.obj
        compiled = self._compiled.get(type(database))
        if compiled is None:
            query = self.build()
            if isinstance(query, Insert) and database.returning_clause:
                query = query.returning(query.model._meta.primary_key)  # PostgreSQL: the new id
            sql, params = database.get_sql_context().sql(query).query()
            compiled = self._compiled[type(database)] = (query, sql, params, _row_maker(query))
        return compiled

    def _arguments(self, params, values):
        args = []
        for p in params:
            if isinstance(p, Param):
                value = values[p.name]
                args.append(p.convert(value) if p.convert and value is not None else value)
            else:
                args.append(p)
        return args

    def _execute(self, values, before=()):
        """Run the statement after the `before` ones, (statement, values) pairs whose results are not
        needed: on PostgreSQL all in one round trip (the server runs « A; B » in order, in one message),
        on SQLite one by one (its driver takes one statement at a time)."""
        query, sql, params, make_row = self.compiled()
        args = self._arguments(params, values)
        if before and batches():
            texts, all_args = [], []
            for statement, statement_values in before:
                _, text, statement_params, _ = statement.compiled()
                texts.append(text)
                all_args += statement._arguments(statement_params, statement_values)
            return query, make_row, db.execute_sql("; ".join([*texts, sql]), all_args + args)
        for statement, statement_values in before:
            statement._execute(statement_values)
        return query, make_row, db.execute_sql(sql, args)

    def rows(self, before=(), **values):
        """The selected rows, as the query would give them."""
        query, make_row, cursor = self._execute(values, before)
        if make_row is None:
            return list(query._get_cursor_wrapper(cursor))
        return [make_row(row) for row in cursor.fetchall()]

    def first(self, before=(), **values):
        rows = self.rows(before, **values)
        return rows[0] if rows else None

    def get(self, **values):
        """The first row, or the model's DoesNotExist as Peewee's `get()` raises it."""
        row = self.first(**values)
        if row is None:
            model = self.compiled()[0].model
            raise model.DoesNotExist(f"No {model.__name__} for {values}")
        return row

    def run(self, before=(), **values):
        """An INSERT (the new row's id) or an UPDATE (the number of rows changed)."""
        query, _, cursor = self._execute(values, before)
        if isinstance(query, Insert):
            return cursor.fetchone()[0] if query._returning else db.obj.last_insert_id(cursor)
        return db.obj.rows_affected(cursor)


def batches():
    """Whether several statements go to the database in one round trip (PostgreSQL)."""
    return isinstance(db.obj, PostgresqlDatabase)


def _row_maker(query):
    """A function making a row of a model select into a model instance, each column converted by its
    field (dates, booleans, JSON), a joined model set on the root model's foreign key to it, and
    nothing marked as changed: what Peewee's cursor wrapper gives. None for other queries (tuples,
    dicts, writes), which go through Peewee's own wrapper."""
    if not isinstance(query, ModelSelect) or query._row_type is not None:
        return None
    root = query.model
    joined = []
    columns = []
    extras = []  # a computed column (`.alias("name")`): an attribute of the root instance, as Peewee sets it
    for index, field in enumerate(query._returning):
        if not isinstance(field, Field):
            extras.append((index, field._alias))
            continue
        model = field.model
        if model is not root and model not in joined:
            joined.append(model)
        columns.append((index, model, field.name, field.python_value))
    links = [(next(fk.name for fk, rel in root._meta.refs.items() if rel is model), model) for model in joined]

    def make_row(row):
        data = {root: {}, **{model: {} for model in joined}}
        for index, model, name, convert in columns:
            data[model][name] = convert(row[index])
        instances = {}
        for model, values in data.items():
            instance = instances[model] = model(__no_default__=1)
            instance.__data__.update(values)
        for name, model in links:
            instances[root].__rel__[name] = instances[model]
        for index, name in extras:
            setattr(instances[root], name, row[index])
        return instances[root]

    return make_row


# Flask-Login's user of a request (routes/auth.py).
USER = Statement(lambda: User.select().where(User.id == param("id", User.id)).limit(1))


def _item_with_session():
    attached = (Piece.select(fn.COUNT(Piece.id))
                .where((Piece.item == ChecklistItem.id) & Piece.retiree_le.is_null()).alias("attached"))
    return (ChecklistItem.select(ChecklistItem, ExamSession, attached).join(ExamSession)
            .where(ChecklistItem.id == param("id", ChecklistItem.id)).limit(1))


# A task with its session (the session's centre and closing decide the rights, the row shows its
# dates) and its number of attachments (`attached`: the row's list is read only when there are some).
ITEM_WITH_SESSION = Statement(_item_with_session)

# The same, read to be changed and locked until the transaction ends (its row only), after its
# session's row is share-locked (SESSION_OF_ITEM_SHARED, sent in the same round trip on PostgreSQL), so
# that the rights are checked where the change is made: a session closed meanwhile refuses it.
ITEM_WITH_SESSION_LOCKED = Statement(lambda: locked(_item_with_session(), of=ChecklistItem))

# Locks are taken in one order everywhere: the session, then its items, then its journal. A change of
# the session's header locks the session (FOR UPDATE) and then updates its items' deadlines; a tick used
# to lock its item first and then, through the journal's foreign key, the session: a deadlock.
# PostgreSQL only (SQLite's write transactions run one at a time).
SESSION_OF_ITEM_SHARED = Statement(lambda: ExamSession.select(ExamSession.id).where(
    ExamSession.id == ChecklistItem.select(ChecklistItem.session).where(
        ChecklistItem.id == param("id", ChecklistItem.id))).for_update("FOR KEY SHARE"))

# A task's new state (domain/checklist.py): what a tick writes.
ITEM_SET_STATE = Statement(lambda: ChecklistItem.update(
    state=param("state", ChecklistItem.state), done_on=param("done_on", ChecklistItem.done_on),
    na_reason=param("na_reason", ChecklistItem.na_reason),
    version=param("version", ChecklistItem.version), updated_by=param("updated_by", ChecklistItem.updated_by),
    updated_at=param("updated_at", ChecklistItem.updated_at),
).where(ChecklistItem.id == param("id", ChecklistItem.id)))

# The session journal's head, its new events, its advance (domain/journal.py).
JOURNAL_HEAD_LOCKED = Statement(lambda: locked(
    JournalHead.select().where(JournalHead.session == param("session", JournalHead.session)).limit(1)))
# A session's closing, read once its journal's head is locked (a change is refused once it is closed).
SESSION_CLOSED_AT = Statement(lambda: ExamSession.select(ExamSession.closed_at)
                              .where(ExamSession.id == param("id", ExamSession.id)).tuples())
JOURNAL_HEAD_START = Statement(lambda: JournalHead.insert(
    session=param("session", JournalHead.session), hash=param("hash"), events=1))
JOURNAL_HEAD_ADVANCE = Statement(lambda: JournalHead.update(hash=param("hash"), events=JournalHead.events + 1)
                                 .where(JournalHead.session == param("session", JournalHead.session)))
EVENT_FIELDS = ("user", "session", "item", "item_version", "field", "old_value", "new_value", "at", "hash")
EVENT_INSERT = Statement(lambda: AuditEvent.insert(**{
    name: param(name, AuditEvent._meta.fields[name]) for name in EVENT_FIELDS}))

def attached_pieces():
    """Attachments still attached, without their bytes, in the order they came (domain/pieces.py narrows
    it to a session; PIECES_OF_ITEM to a task)."""
    return (Piece.select(Piece.id, Piece.item, Piece.nom, Piece.type, Piece.taille, Piece.sha256, Piece.ajoutee_le)
            .where(Piece.retiree_le.is_null()).order_by(Piece.id))


# A task's attachments (the row shows them).
PIECES_OF_ITEM = Statement(lambda: attached_pieces().where(Piece.item == param("item", Piece.item)))
