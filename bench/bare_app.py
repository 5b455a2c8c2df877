"""The least a Flask + Peewee app can do for a tick: one indexed single-row UPDATE per request.

Jalon's figures are measured beside this app's, in the same run on the same machine, with the same
database settings (a connection pool; SQLite: WAL, synchronous=FULL, BEGIN IMMEDIATE).

    DATABASE_URL=sqlite:////tmp/bare.sqlite3 gunicorn -w 4 bench.bare_app:app
"""
import datetime as dt
import os

from flask import Flask, abort, request
from peewee import CharField, DatabaseProxy, DateField, Model
from playhouse.db_url import connect

db = DatabaseProxy()


class BareItem(Model):
    state = CharField(default="todo")
    done_on = DateField(null=True)

    class Meta:
        database = db
        table_name = "bare_item"


def make_database(url):
    scheme, rest = url.split("://", 1)
    if scheme == "sqlite":
        return connect(f"sqlite+pool://{rest}", pragmas={"journal_mode": "wal", "synchronous": 2,
                                                         "busy_timeout": 10_000},
                       lock_type="IMMEDIATE", max_connections=20, stale_timeout=300, timeout=10,
                       check_same_thread=False)
    return connect(f"postgresql+pool://{rest}", max_connections=20, stale_timeout=300)


def create_app(url=None):
    app = Flask(__name__)
    db.initialize(make_database(url or os.environ["DATABASE_URL"]))

    @app.before_request
    def _connect():
        db.connect(reuse_if_open=True)

    @app.teardown_request
    def _close(exc):
        if not db.is_closed():
            db.close()

    @app.post("/items/<int:item_id>/done")
    def done(item_id):
        done_on = dt.date.fromisoformat(request.form.get("done_on") or dt.date.today().isoformat())
        with db.atomic():
            updated = BareItem.update(state="done", done_on=done_on).where(BareItem.id == item_id).execute()
        if not updated:
            abort(404)
        return "ok"

    return app


def seed(count):
    db.create_tables([BareItem], safe=True)
    BareItem.delete().execute()
    BareItem.insert_many([{"state": "todo"}] * count).execute()
    return [i.id for i in BareItem.select(BareItem.id)]


def __getattr__(name):
    if name == "app":
        globals()["app"] = create_app()
        return globals()["app"]
    raise AttributeError(name)
