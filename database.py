"""The database: its engine from DATABASE_URL, SQLite's pragmas, a pool of connections (one per
request at a time), row locks and the retry of a transaction the server aborted.

The tables (models.py) are bound to models.db, a proxy that bind() points at the engine. No Flask and
no domain module here: the app connects per request (app.py), the schema and the guide are brought up
to date above (cli/database.py), the statements are declared beside the domain code that runs them
(statements.py prepares them on each PostgreSQL connection).
"""
import contextlib
import functools
import logging
import random
import time
import weakref
from pathlib import Path

import peewee
from peewee import SqliteDatabase
from playhouse.db_url import connect as connect_url
from playhouse.db_url import parse as parse_url
from playhouse.pool import PooledPostgresqlDatabase

import statements
from config import ConfigError, masked_url
from models import db

# WAL lets readers work while one writer commits; FULL sync keeps acknowledged marks through a
# power cut; writers wait for each other (busy_timeout) instead of failing.
SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": 10_000,
    "synchronous": 2,
    "cache_size": -64_000,
}


URL_EXAMPLES = "sqlite:////var/lib/jalon/jalon.sqlite3 ou postgresql://jalon:MOT_DE_PASSE@localhost/jalon"


def make_database(url, prepare=True):
    """A database from a URL (sqlite:///path or postgresql://...), with Jalon's pragmas on SQLite;
    `prepare`: the hot path's statements prepared on each PostgreSQL connection.

    Any other URL is a ConfigError that says what is wrong: an uppercase « SQLite:/// » used to run
    without WAL nor foreign keys, and « postgres//host » with a traceback."""
    scheme, separator, rest = url.partition("://")
    if not separator or not rest:
        raise ConfigError(f"DATABASE_URL illisible : « {masked_url(url)} ». Exemples : {URL_EXAMPLES}.")
    if scheme == "sqlite":
        if not rest.startswith("/") or rest == "/":
            raise ConfigError(f"DATABASE_URL : indiquez le chemin du fichier SQLite après sqlite:/// "
                              f"(reçu : « {url} »). Exemple : sqlite:////var/lib/jalon/jalon.sqlite3.")
        # BEGIN IMMEDIATE: a write transaction takes the write lock first, so concurrent writers
        # wait their turn (busy_timeout) instead of failing when a read lock cannot be upgraded.
        # Connections are kept open between requests (a pool, as on PostgreSQL): opening one ran the
        # five pragmas, and closing the last one checkpointed the WAL, on every request (a third of
        # a tick; bench/tick_profile.py). A request waits up to 10 s for a free connection. A
        # connection serves one thread at a time but not always the same one (check_same_thread).
        return connect_url(f"sqlite+pool://{rest}", pragmas=SQLITE_PRAGMAS, lock_type="IMMEDIATE",
                           max_connections=20, stale_timeout=300, timeout=10, check_same_thread=False)
    if scheme in ("postgres", "postgresql"):
        # Connections are kept open between requests: opening one costs more than most requests.
        return PostgresqlPool(**parse_url(f"postgresql://{rest}"), max_connections=20, stale_timeout=300,
                              prepare=prepare)
    if scheme.lower() in ("sqlite", "postgres", "postgresql"):
        raise ConfigError(f"DATABASE_URL : écrivez « {scheme.lower()}:// » en minuscules (reçu : « {scheme}:// »).")
    raise ConfigError(f"DATABASE_URL : type de base « {scheme} » inconnu. Exemples : {URL_EXAMPLES}.")


logger = logging.getLogger(__name__)


class PostgresqlPool(PooledPostgresqlDatabase):
    """PostgreSQL whose transactions send their BEGIN with their first statement, in one message
    (« BEGIN; SELECT … »): one round trip less per transaction, a fifth of a tick's. A transaction that
    sent nothing sends neither BEGIN nor COMMIT. The server runs the message's statements in order; one
    that fails leaves the transaction aborted, and the caller's rollback ends it as usual.

    Its connections have the hot path's statements prepared (statements.py). The pool hands a connection
    out without asking the server whether it is still there (Peewee's pool sent « SELECT 1 » each time,
    under its lock: one more round trip per request); a connection the server closed
    meanwhile (a restart) fails its first statement, and that statement runs again on a new connection,
    the other idle ones dropped: nothing had been done on the closed one."""

    def __init__(self, *args, prepare=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.prepare_statements = prepare  # off behind a pooler in transaction mode (PG_TRANSACTION_POOLING)
        self.prepared = weakref.WeakKeyDictionary()  # connection: the names of the statements prepared on it

    def forget_prepared(self):
        """Drop the statements prepared on the calling thread's connection, prepared again when the pool
        hands it out next: the migrations may have changed what they read (a column's type)."""
        conn = self._state.conn
        if conn in self.prepared:
            del self.prepared[conn]
            with conn.cursor() as cursor:
                cursor.execute("DEALLOCATE ALL")

    def _is_closed(self, conn):
        """Closed as far as the driver knows (no round trip)."""
        return bool(conn.closed) or self._adapter.txn_status(conn) == self._adapter.txn_unknown

    def _initialize_connection(self, conn):
        """Each time the pool hands a connection out: the hot path's statements prepared on it, once."""
        super()._initialize_connection(conn)
        self._state.untried = True  # nothing sent on it since
        if self.prepare_statements and conn not in self.prepared:
            names = statements.prepare(conn)
            if names is not None:
                self.prepared[conn] = names

    def _replace_connection(self):
        """A new connection in place of the calling thread's, which the server closed; the idle ones are
        closed too (a restart closed them all)."""
        self._close(self._state.conn, close_conn=True)
        self.close_idle()
        self._state.conn = self._connect()
        self._initialize_connection(self._state.conn)

    def begin(self, isolation_level=None):
        if isolation_level is not None or self._isolation_level:
            return super().begin(isolation_level)
        self._state.begin_pending = True

    def _begin_sent(self):
        """Whether BEGIN was sent; from now on it counts as sent."""
        pending = getattr(self._state, "begin_pending", False)
        self._state.begin_pending = False
        return not pending

    def _execute_cursor(self, sql, params, **cursor_options):
        if not self._begin_sent():
            if cursor_options:  # a server-side cursor declares its query: BEGIN goes on its own
                super().begin()
            else:
                sql = "BEGIN; " + sql
        untried, self._state.untried = getattr(self._state, "untried", False), False
        try:
            return super()._execute_cursor(sql, params, **cursor_options)
        except (peewee.OperationalError, peewee.InterfaceError):
            if not (untried and self._state.conn.closed and _runs_twice_safely(sql)):
                raise
        logger.warning("PostgreSQL connection closed by the server while in the pool: opening new ones")
        self._replace_connection()
        return super()._execute_cursor(sql, params, **cursor_options)

    def commit(self):
        if self._begin_sent():
            super().commit()

    def rollback(self):
        if self._begin_sent():
            super().rollback()


def _runs_twice_safely(sql):
    """Whether `sql`, sent on a connection that turned out closed, may be sent again on a new one
    without doing anything twice: it opens its transaction (BEGIN travels with it: had the server run
    it, nothing was committed), or it only reads. A write in autocommit might have been run and
    committed before the connection was lost: it is not sent again."""
    if sql.startswith("BEGIN; "):
        return True
    first, _, rest = sql.lstrip().partition(" ")
    if first.upper() == "SELECT":
        return True
    if first.upper() == "EXECUTE":
        return rest.split("(")[0].strip() in statements.read_names()
    return False


def sqlite_path(database=None):
    """The file of an SQLite database (the app's by default), or None (another engine, or in memory)."""
    database = db.obj if database is None else database
    if isinstance(database, SqliteDatabase) and database.database not in ("", ":memory:"):
        return Path(database.database)
    return None


def secure_delete():
    """SQLite: what this connection deletes or overwrites from now on is overwritten on disk (free
    pages and freed cells zeroed), not left readable in the file (the purge). PostgreSQL has no such
    setting: see the README on VACUUM."""
    if isinstance(db.obj, SqliteDatabase):
        db.execute_sql("PRAGMA secure_delete = ON")


def checkpoint():
    """SQLite: copy the WAL into the database file and empty it, so that the pages a purge replaced
    do not stay in the WAL (no-op elsewhere)."""
    if isinstance(db.obj, SqliteDatabase):
        db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def locked(query, of=None):
    """The query's rows (those of the model `of` only, in a join), locked until the transaction ends
    (SELECT ... FOR UPDATE on PostgreSQL).

    SQLite needs no row lock: its write transactions begin IMMEDIATE and run one at a time."""
    return query.for_update(of=of) if db.obj.for_update else query


# PostgreSQL's codes for a transaction it aborted to let others go on: deadlock, serialization failure.
RETRYABLE_SQLSTATES = {"40P01", "40001"}
RETRIES = 5


def retry_on_conflict(function):
    """Run a write transaction again when the database aborted it as a deadlock or a serialization
    failure (PostgreSQL), a few times with a short random pause; any other error goes up at once.
    Only for functions that are one whole transaction: nothing of a failed try remains."""
    @functools.wraps(function)
    def retried(*args, **kwargs):
        for attempt in range(1, RETRIES + 1):
            try:
                return function(*args, **kwargs)
            except (peewee.OperationalError, peewee.InternalError) as exc:
                original = exc.args[0] if exc.args else None
                if getattr(original, "pgcode", None) not in RETRYABLE_SQLSTATES or attempt == RETRIES:
                    raise
                time.sleep(random.uniform(0, 0.02 * attempt))
    return retried


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


def bind(url, prepare=True):
    """Point the tables at the database of `url` (make_database)."""
    db.initialize(make_database(url, prepare=prepare))
