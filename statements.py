"""Compiled statements: fixed-shape queries written once as Peewee queries, compiled to SQL once per
database engine, then run with parameters; their rows made into models without Peewee resolving
the columns again on every execution.

Ticking a task runs the same statements every time (the logged-in user, the task with its session,
the task's lock and update, the journal's head and event, the row's attachments). Building their SQL
with Peewee on every request cost more than running them: about a third of a tick, with ~117 node
visits per query (bench/tick_profile.py). Each statement is declared beside the domain code that runs
it, as `Statement("name", build)` where `build()` gives a Peewee query whose variable parts are named
parameters, `param("item_id")`; its SQL is built on first use for the engine in use (quoting,
placeholders and FOR UPDATE differ) and reused. Rows come back as Peewee builds them (model instances
with their fields converted, a joined model set on its foreign key), so a compiled statement gives
what the same query run by Peewee gives (tests/test_statements.py walks every one declared).

On PostgreSQL each statement is also prepared once per connection (PREPARE, when the pool first hands
it out: `prepare`) and run by its name (EXECUTE jalon_item_to_change(42)): the server then plans it once
rather than on every run, which cost more than the run itself for the task's read (0.3 of 0.55 ms,
bench/tick_profile.py). SQLite's driver keeps its own cache of prepared statements.

Only fixed shapes belong here: a query whose list of conditions depends on the request is built
by Peewee as usual. This module imports no domain module and no Flask: the pool (database.py) prepares
what is declared here, and the domain declares its statements with it.
"""
import re

import psycopg2
from psycopg2 import sql as pg_sql
from peewee import ROW, Field, ForeignKeyField, Function, Insert, IntegerField, ModelSelect, Node, PostgresqlDatabase, Value

from models import db


STATEMENTS = {}  # every statement declared, by name


class Param:
    """A named placeholder in a compiled statement, converted by its field (dates, foreign keys);
    `whole` when the field holds a whole number (an id, a version)."""

    __slots__ = ("name", "field", "convert", "whole")

    def __init__(self, name, field=None):
        self.name = name
        self.field = field
        self.convert = field.db_value if field is not None else None
        target = field.rel_field if isinstance(field, ForeignKeyField) else field
        self.whole = isinstance(target, IntegerField)

    def __repr__(self):
        return f"param({self.name!r})"


def param(name, field=None):
    """A parameter of a statement; `field` converts the value as Peewee would (a model to its id)."""
    return Value(Param(name, field), converter=False)


class Statement:
    """A query built by `build()` once per engine; `rows`, `first`, `get` and `run` execute it.
    Its `name`, unique, names it where it is prepared (« EXECUTE jalon_<name>(…) »)."""

    def __init__(self, name, build):
        if name in STATEMENTS:
            raise ValueError(f"statement {name!r} declared twice")
        self.build = build
        self.name = name
        self._compiled = {}
        STATEMENTS[name] = self

    def __repr__(self):
        return f"Statement({self.name!r})"

    def compiled(self):
        """(query, sql, params, make_row) for the database in use; params mix Param slots and fixed values.
        On a PostgreSQL connection where it is prepared: « EXECUTE jalon_name(%s, …) » and its Param slots."""
        query, sql, params, make_row, prepared = self._compile()
        if prepared is not None and self.name in db.obj.prepared.get(db.connection(), ()):
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
    """Prepare every statement declared on a new PostgreSQL connection (database.PostgresqlPool calls it
    when the pool hands the connection out): the names prepared, or None when the schema is not there
    yet (before the migrations), in which case the statements run unprepared on it and it is tried
    again later. A statement declared afterwards runs unprepared on this connection."""
    statements = list(STATEMENTS.values())
    texts = [statement._compile()[4][0] for statement in statements]
    try:
        with connection.cursor() as cursor:
            # DEALLOCATE ALL: an earlier try may have prepared some before failing.
            cursor.execute("DEALLOCATE ALL; " + "; ".join(texts))
    except psycopg2.Error:
        return None
    return frozenset(statement.name for statement in statements)


def read_names():
    """The prepared names of the statements that only read (database.py sends them again on a new
    connection when the pool's turned out closed)."""
    return {f"jalon_{statement.name}" for statement in STATEMENTS.values()
            if isinstance(statement._compile()[0], ModelSelect)}


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
            extras.append((index, field._alias, _function_converter(field)))
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
        for index, name, convert in extras:
            setattr(instances[root], name, row[index] if convert is None or row[index] is None else convert(row[index]))
        return instances[root]

    return make_row


def _function_converter(column):
    """How Peewee converts a function's column (« fn.COALESCE(field, …) »): by its first argument's field,
    when that is a field; None for anything else (a subquery's count), which Peewee leaves as it comes."""
    node = column.unwrap()
    if isinstance(node, Function) and node._coerce and node._python_value is None and node.arguments:
        first = node.arguments[0].unwrap() if isinstance(node.arguments[0], Node) else None
        if isinstance(first, Field):
            return first.python_value
    return None
