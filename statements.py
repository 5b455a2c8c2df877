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

On PostgreSQL each statement is also prepared once per connection (PREPARE, when the pool first hands
it out: `prepare`) and run by its name (EXECUTE item_to_change(42)): the server then plans it once rather than
on every run, which cost more than the run itself for the task's read (0.3 of 0.55 ms,
bench/tick_profile.py). SQLite's driver keeps its own cache of prepared statements.

Only fixed shapes belong here: a query whose list of conditions depends on the request is built
by Peewee as usual.
"""
import re

import psycopg2
from psycopg2 import sql as pg_sql
from peewee import JOIN, ROW, Field, ForeignKeyField, Insert, IntegerField, ModelSelect, PostgresqlDatabase, Value, fn

import database  # (a module: database.py reaches this one through domain.progress)
from models import AuditEvent, Centre, ChecklistItem, ExamSession, JournalHead, Piece, User, db


STATEMENTS = []  # every statement, in the order declared


class Param:
    """A named placeholder in a compiled statement, converted by its field (dates, foreign keys);
    `whole` when the field holds a whole number (an id, a version)."""

    __slots__ = ("name", "convert", "whole")

    def __init__(self, name, convert, whole=False):
        self.name = name
        self.convert = convert
        self.whole = whole

    def __repr__(self):
        return f"param({self.name!r})"


def param(name, field=None):
    """A parameter of a statement; `field` converts the value as Peewee would (a model to its id)."""
    if field is None:
        return Value(Param(name, None), converter=False)
    target = field.rel_field if isinstance(field, ForeignKeyField) else field
    return Value(Param(name, field.db_value, isinstance(target, IntegerField)), converter=False)


class Statement:
    """A query built by `build()` once per engine; `rows`, `first`, `get` and `run` execute it.
    Its `name` (its variable's, set at the end of this module) names it where it is prepared."""

    def __init__(self, build, name=None):
        self.build = build
        self.name = name
        self._compiled = {}
        STATEMENTS.append(self)

    def compiled(self):
        """(query, sql, params, make_row) for the database in use; params mix Param slots and fixed values.
        On a PostgreSQL connection where it is prepared: « EXECUTE jalon_name(%s, …) » and its Param slots."""
        query, sql, params, make_row, prepared = self._compile()
        if prepared is not None and db.connection() in db.obj.prepared:
            _, sql, params = prepared
        return query, sql, params, make_row

    def _compile(self):
        database = db.obj
        compiled = self._compiled.get(type(database))
        if compiled is None:
            query = self.build()
            if isinstance(query, Insert) and database.returning_clause:
                query = query.returning(query.model._meta.primary_key)  # PostgreSQL: the new id
            sql, params = database.get_sql_context().sql(query).query()
            compiled = self._compiled[type(database)] = (
                query, sql, params, _row_maker(query), _prepared(f"jalon_{self.name}", sql, params, database))
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


def _prepared(name, sql, params, database):
    """(PREPARE text, EXECUTE text, its params) of a statement on PostgreSQL, else None. Its fixed values
    are written in the PREPARE as SQL literals (typed: « THEN 1 » counts where « THEN $2 » would be
    text), its Param slots become $1, $2… A whole number is taken as a bigint: the server would type
    « id = $1 » as the column's integer, and an id beyond 2^31 (a URL typed by hand) would fail instead
    of finding nothing, as it does unprepared."""
    if not isinstance(database, PostgresqlDatabase):
        return None
    slots = [p for p in params if isinstance(p, Param)]
    values = iter(params)
    numbers = iter(range(1, len(slots) + 1))

    def placeholder(match):
        if match.group(1) == "%":
            return "%"
        value = next(values)
        if isinstance(value, Param):
            return f"${next(numbers)}::bigint" if value.whole else f"${next(numbers)}"
        return pg_sql.Literal(value).as_string(db.connection())

    prepare = f"PREPARE {name} AS " + re.sub(r"%([s%])", placeholder, sql)
    execute = f"EXECUTE {name}({', '.join(['%s'] * len(slots))})" if slots else f"EXECUTE {name}"
    return prepare, execute, slots


def prepare(connection):
    """Prepare every statement on a new PostgreSQL connection (database.PostgresqlPool calls it when the
    pool hands the connection out): True once done, False when the schema is not there yet (before
    the migrations), in which case the statements run unprepared on it and it is tried again later."""
    texts = [statement._compile()[4][0] for statement in STATEMENTS]
    try:
        with connection.cursor() as cursor:
            # DEALLOCATE ALL: an earlier try may have prepared some before failing.
            cursor.execute("DEALLOCATE ALL; " + "; ".join(texts))
    except psycopg2.Error:
        return False
    return True


def read_names():
    """The prepared names of the statements that only read (database.py sends them again on a new
    connection when the pool's turned out closed)."""
    return {f"jalon_{statement.name}" for statement in STATEMENTS if isinstance(statement._compile()[0], ModelSelect)}


def batches():
    """Whether several statements go to the database in one round trip (PostgreSQL)."""
    return isinstance(db.obj, PostgresqlDatabase)


def _row_maker(query):
    """A function making a row of a model select into a model instance, each column converted by its
    field (dates, booleans, JSON), a joined model set on the root model's foreign key to it, and
    nothing marked as changed: what Peewee's cursor wrapper gives; a row of a `.tuples()` select into
    a tuple, its fields' columns converted. None for other queries (dicts, writes), which go through
    Peewee's own wrapper."""
    if isinstance(query, ModelSelect) and query._row_type == ROW.TUPLE:
        converters = [(index, field.python_value) for index, field in enumerate(query._returning)
                      if isinstance(field, Field)]

        def make_tuple(row):
            row = list(row)
            for index, convert in converters:
                row[index] = convert(row[index])
            return tuple(row)

        return make_tuple
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
    keys = {model: model._meta.primary_key.name for model in joined}

    def make_row(row):
        data = {root: {}, **{model: {} for model in joined}}
        for index, model, name, convert in columns:
            data[model][name] = convert(row[index])
        instances = {}
        for model, values in data.items():
            instance = instances[model] = model(__no_default__=1)
            instance.__data__.update(values)
        for name, model in links:
            if data[model].get(keys[model]) is not None:  # a LEFT OUTER join that found nothing: no instance
                instances[root].__rel__[name] = instances[model]
        for index, name in extras:
            setattr(instances[root], name, row[index])
        return instances[root]

    return make_row


# Flask-Login's user of a request (routes/auth.py).
# With the user's centre (every page's header names it), None for an administrator of no centre.
USER = Statement(lambda: User.select(User, Centre).join(Centre, JOIN.LEFT_OUTER)
                 .where(User.id == param("id", User.id)).limit(1))


def _item_with_session():
    attached = (Piece.select(fn.COUNT(Piece.id))
                .where((Piece.item == ChecklistItem.id) & Piece.retiree_le.is_null()).alias("attached"))
    return (ChecklistItem.select(ChecklistItem, ExamSession, attached).join(ExamSession)
            .where(ChecklistItem.id == param("id", ChecklistItem.id)).limit(1))


# A task with its session (the session's centre and closing decide the rights, the row shows its
# dates) and its number of attachments (`attached`: the row's list is read only when there are some).
ITEM_WITH_SESSION = Statement(_item_with_session)

# A change to a task takes its locks in the order every writer takes them: its session (shared, its key
# only), the task, then the session journal's head (SESSION_OF_ITEM_SHARED, ITEM_LOCKED, HEAD_OF_ITEM_LOCKED),
# and then reads the task as it now stands (ITEM_TO_CHANGE), all in one round trip. A change of the
# session's header locks the session (FOR UPDATE) and then updates its items' deadlines; a closing locks
# the session and then the head: taken in any other order, such locks deadlock. The rights are checked on
# the session read under these locks, where the change is made: a session closed meanwhile refuses it.
# PostgreSQL only (SQLite's write transactions run one at a time).
SESSION_OF_ITEM_SHARED = Statement(lambda: ExamSession.select(ExamSession.id).where(
    ExamSession.id == ChecklistItem.select(ChecklistItem.session).where(
        ChecklistItem.id == param("id", ChecklistItem.id))).for_update("FOR KEY SHARE"))
ITEM_LOCKED = Statement(lambda: database.locked(ChecklistItem.select(ChecklistItem.id).where(
    ChecklistItem.id == param("id", ChecklistItem.id))))
HEAD_OF_ITEM_LOCKED = Statement(lambda: database.locked(JournalHead.select(JournalHead.session).where(
    JournalHead.session == ChecklistItem.select(ChecklistItem.session).where(
        ChecklistItem.id == param("id", ChecklistItem.id)))))


def _item_to_change():
    head = JournalHead.select(JournalHead.hash).where(JournalHead.session == ChecklistItem.session)
    return _item_with_session().select_extend(head.alias("journal_head"))


# The task with its session, its attachments' number and its journal's head hash (`journal_head`, None
# before the session's first event): what a change needs, read once the locks above are held.
ITEM_TO_CHANGE = Statement(_item_to_change)

# What a change to a task writes (domain/checklist.py): its state, its observation, and its new
# version, by whom and when.
ITEM_WRITTEN = ("state", "done_on", "na_reason", "observation", "observation_version", "version", "updated_by",
                "updated_at")
ITEM_WRITE = Statement(lambda: ChecklistItem.update(
    **{name: param(name, ChecklistItem._meta.fields[name]) for name in ITEM_WRITTEN}
).where(ChecklistItem.id == param("id", ChecklistItem.id)))

# The session journal's head, its new events, its advance (domain/journal.py).
JOURNAL_HEAD_LOCKED = Statement(lambda: database.locked(
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


def _tableau_progress():
    from domain.progress import counts_query  # which reads this statement: imported once it is built
    return counts_query(ChecklistItem.tableau_number, ChecklistItem.session == param("session", ChecklistItem.session),
                        param("today", ChecklistItem.due_on))


# The progress of a session's tableaux, after each change to one of its tasks (domain/progress.py).
TABLEAU_PROGRESS = Statement(_tableau_progress)


def _register_statement(name):
    def build():
        from domain.checks import register_queries  # which reads these statements: imported once built
        return register_queries(lambda field: field == param("session", field))[name]
    return Statement(build, f"register_{name}")


# A session's register (its candidates, jury, épreuves, sign-ins and its guide's figures), read for the
# checks shown on a task's row after a change to it (domain/checks.py).
REGISTER = {name: _register_statement(name)
            for name in ("candidats", "membres", "liens", "habilitations", "epreuves", "emargements", "rules")}

# Each statement is named after its variable (as prepared on PostgreSQL: EXECUTE jalon_item_to_change(…)).
for _name, _value in list(globals().items()):
    if isinstance(_value, Statement):
        _value.name = _name.lower()
assert all(s.name for s in STATEMENTS) and len({s.name for s in STATEMENTS}) == len(STATEMENTS)
