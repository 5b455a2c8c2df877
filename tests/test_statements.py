"""The hot path's compiled statements (statements.py) give what the same Peewee queries give, on both
engines; and a change to a task checks its rights in its own transaction, on the session as it is then."""
import datetime as dt
import logging

import peewee
import pytest

import models
import statements
from domain import checklist, checks, journal, logins, pieces, progress
from database import counting_queries
from helpers import (HTMX, PASSWORD, POSTGRES_URL, TODAY, create_session, fill_register, item_at, make_app,
                     pdf_bytes, reload, signin, text_of, upload)

Item, Session = models.ChecklistItem, models.ExamSession


def assert_same(got, want):
    """Two model instances with the same fields (converted alike), nothing marked as changed."""
    assert type(got) is type(want)
    assert got.__data__ == want.__data__
    assert not got._dirty


@pytest.fixture
def lived(client, auth, session):
    auth.login()
    client.post(f"/items/{item_at(session, 2).id}/done", data={"done_on": "2027-01-30"})
    client.post(f"/items/{item_at(session, 2).id}/observation", data={"observation": "Envoyé à l'UD", "version": "1"})
    upload(client, item_at(session, 2), pdf_bytes(), "convocation signée.pdf")
    upload(client, item_at(session, 2), pdf_bytes(), "seconde.pdf")
    return session


def test_the_item_with_its_session_is_what_peewee_gives(db, lived):
    item = item_at(lived, 2)
    want = Item.select(Item, Session).join(Session).where(Item.id == item.id).get()
    for statement in (checklist.ITEM_WITH_SESSION, checklist.ITEM_TO_CHANGE):
        with db.atomic():
            got = statement.first(id=item.id)
        assert_same(got, want)
        with counting_queries() as queries:
            assert_same(got.session, want.session)  # joined: no query to reach it
            assert isinstance(got.session.date_debut, dt.date) and isinstance(got.done_on, dt.date)
        assert queries == []
        assert got.details == want.details and got.reglementaire is want.reglementaire
        assert got.observation == "Envoyé à l'UD" and got.version == 2
        assert got.attached == 2 and checklist.ITEM_WITH_SESSION.first(id=item_at(lived, 3).id).attached == 0
    head = models.JournalHead.get(models.JournalHead.session == lived.id)
    assert checklist.ITEM_TO_CHANGE.first(id=item.id).journal_head == head.hash
    assert checklist.ITEM_WITH_SESSION.first(id=10**9) is None
    with pytest.raises(Item.DoesNotExist):
        checklist.ITEM_WITH_SESSION.get(id=10**9)


def login_token_hash(user):
    """The token hash of an open login of the user (one opened here)."""
    logins.open_login(user, "test", "127.0.0.1")
    return logins._digest(user.login_token)


def test_the_user_the_journal_head_and_the_attachments_are_what_peewee_gives(db, lived):
    user = models.User.get(models.User.email == "resp@a.fr")
    got = logins.USER.first(id=user.id, token=login_token_hash(user))
    assert got.connexion and got.seen
    del got.connexion, got.seen  # the login's columns, beside the user's
    assert_same(got, user)
    assert user.centre.name == "Centre A"
    with counting_queries() as queries:  # with its centre, which every page's header names
        assert got.centre.name == "Centre A"
    assert queries == []
    admin = models.User.get(models.User.email == "admin@test.fr")
    assert admin.centre_id is None and logins.USER.first(id=admin.id, token=login_token_hash(admin)).centre is None
    assert logins.USER.first(id=admin.id, token="0" * 64) is None  # no such login: no user
    with db.atomic():
        head = journal.JOURNAL_HEAD_LOCKED.first(session=lived.id)
    assert_same(head, models.JournalHead.get(models.JournalHead.session == lived.id))
    item = item_at(lived, 2)
    got = pieces.PIECES_OF_ITEM.rows(item=item)
    want = list(models.Piece.select(models.Piece.id, models.Piece.item, models.Piece.nom, models.Piece.type,
                                    models.Piece.taille, models.Piece.sha256, models.Piece.ajoutee_le)
                .where(models.Piece.item == item).order_by(models.Piece.id))
    assert [p.nom for p in got] == ["convocation signée.pdf", "seconde.pdf"]
    for g, w in zip(got, want, strict=True):
        assert_same(g, w)
    assert pieces.PIECES_OF_ITEM.rows(item=item_at(lived, 3)) == []


def test_a_tick_writes_what_the_journal_verifies(app, runner, client, db, lived):
    """The compiled UPDATE and INSERT write the rows the journal's chain is computed from, and the
    tick's answer names the event it wrote (the new row's id, which PostgreSQL gives by RETURNING)."""
    response = client.post(f"/items/{item_at(lived, 3).id}/done", data={"done_on": "2027-01-29"}, headers=HTMX)
    last = models.AuditEvent.select().order_by(models.AuditEvent.id.desc()).first()
    assert response.headers["X-Jalon-Event"] == str(last.id) and last.item_id == item_at(lived, 3).id
    result = runner.invoke(args=["verify-journal", "--session", str(lived.id)])
    assert result.exit_code == 0 and "intact" in result.output, result.output
    item = reload(item_at(lived, 2))
    assert (item.state, item.done_on, item.version) == ("done", dt.date(2027, 1, 30), 2)
    event = models.AuditEvent.select().where(models.AuditEvent.item == item).order_by(models.AuditEvent.id).first()
    assert (event.field, event.new_value, event.item_version) == ("state", "Fait le 30/01/2027", 1)


def test_a_session_closed_between_a_tick_and_its_change_refuses_it(client, auth, session, monkeypatch):
    """The rights used to be checked before the change's transaction: a closing committed in between
    let the tick land on a closed session, after its guide was sealed. The closing is made here at the
    start of the tick's transaction, the moment such a closing would have committed."""
    auth.login()
    item = item_at(session, 5)
    events = models.AuditEvent.select().count()
    closer = models.User.get(models.User.email == "resp@a.fr")
    read = checklist.ITEM_TO_CHANGE.first

    def closed_meanwhile(*args, **kwargs):
        Session.update(closed_at=dt.datetime(2027, 1, 30, 17, 5), closed_by=closer).where(
            Session.id == session.id).execute()
        return read(*args, **kwargs)

    monkeypatch.setattr(checklist.ITEM_TO_CHANGE, "first", closed_meanwhile)
    for action, data in (("done", {"done_on": "2027-01-30"}), ("na", {"reason": "Sans candidat"}),
                         ("observation", {"observation": "Texte", "version": "0"})):
        response = client.post(f"/items/{item.id}/{action}", data=data, headers={"HX-Request": "true"})
        assert response.status_code == 409, action
        assert "Session clôturée le 30/01/2027 à 18:05" in text_of(response)  # stored in UTC, shown in Paris
    monkeypatch.undo()
    assert (reload(item).state, reload(item).observation) == ("todo", "")
    assert models.AuditEvent.select().count() == events


postgres_only = pytest.mark.skipif(not POSTGRES_URL, reason="PostgreSQL's round trips: run in the PostgreSQL pass")


def sent(caplog):
    """The SQL texts sent to the server (Peewee logs each one at DEBUG), BEGIN and COMMIT apart."""
    return [record.msg[0] for record in caplog.records if record.name == "peewee" and isinstance(record.msg, tuple)]


@postgres_only
def test_a_transaction_sends_its_begin_with_its_first_statement(db, session, caplog):
    """One round trip less per transaction; still a transaction: not seen by others until committed,
    rolled back whole, and a transaction that sent nothing sends nothing."""
    import psycopg2
    caplog.set_level(logging.DEBUG, logger="peewee")
    item = item_at(session, 3)
    other = psycopg2.connect(dbname=db.obj.database, **db.obj.connect_params)
    other.autocommit = True

    def seen_by_other():
        with other.cursor() as cursor:
            cursor.execute("SELECT observation FROM checklistitem WHERE id = %s", (item.id,))
            return cursor.fetchone()[0]

    try:
        with db.atomic():
            Item.update(observation="Dans la transaction").where(Item.id == item.id).execute()
            assert sent(caplog)[-1].startswith("BEGIN; UPDATE")
            assert seen_by_other() == ""
        assert seen_by_other() == "Dans la transaction"
        with pytest.raises(RuntimeError), db.atomic():
            Item.update(observation="Annulé").where(Item.id == item.id).execute()
            raise RuntimeError
        assert seen_by_other() == "Dans la transaction"
        with pytest.raises(peewee.ProgrammingError), db.atomic():
            db.execute_sql("SELECT no_such_column FROM checklistitem")
        with db.atomic():  # the connection is usable again after a failed transaction
            Item.update(observation="Ensuite").where(Item.id == item.id).execute()
        assert seen_by_other() == "Ensuite"
        caplog.clear()
        with db.atomic():
            pass
        assert sent(caplog) == []
        assert db.connection().info.transaction_status == psycopg2.extensions.TRANSACTION_STATUS_IDLE
    finally:
        other.close()


def messages(caplog):
    """The messages sent, each as its statements' names (« EXECUTE jalon_user(%s) »: user)."""
    return [[part.split("(")[0].removeprefix("EXECUTE jalon_") for part in sql.split("; ")] for sql in sent(caplog)]


@postgres_only
def test_a_tick_takes_four_round_trips_and_its_locks_in_order(client, auth, session, caplog):
    """The user; the session shared, the task, the journal's head (the order every writer takes them)
    and the task's read; the task's update, the head's advance and the event; COMMIT (not logged); the
    progress. Each statement prepared on the connection, run by its name."""
    auth.login()
    client.post(f"/items/{item_at(session, 2).id}/done", data={"done_on": "2027-01-30"}, headers=HTMX)
    item = item_at(session, 3)
    caplog.set_level(logging.DEBUG, logger="peewee")
    caplog.clear()
    response = client.post(f"/items/{item.id}/done", data={"done_on": "2027-01-30"}, headers=HTMX)
    assert response.status_code == 200
    assert messages(caplog) == [
        ["user"],
        ["BEGIN", "session_of_item_shared", "item_locked", "head_of_item_locked", "item_to_change"],
        ["item_write", "journal_head_advance", "event_insert"],
        ["tableau_progress"],
    ]
    assert reload(item).state == "done"


def test_one_sessions_register_compiled_is_the_register_of_the_lists(client, auth, db, session, other_session,
                                                                      exam_day):
    """load_register (compiled, after a tick on a task a check concerns) reads what load_registers
    (Peewee, for lists) reads: candidates, jurors with their habilitations and links, épreuves,
    sign-ins and the guide's figures; nothing of another session."""
    auth.login()
    for s in (session, other_session):
        fill_register(client, s)
    membre = models.MembreJury.select().where(models.MembreJury.session == session).first()
    candidat = models.Candidat.select().where(models.Candidat.session == session).first()
    models.LienJury.create(membre=membre, candidat=candidat)
    epreuve = models.Epreuve.select().where(models.Epreuve.session == session).first()
    assert signin(client, session, epreuve, {"candidat_id": str(candidat.id)}, statut="absent").status_code == 200
    session = Session.get_by_id(session.id)
    compiled, built = checks.load_register(session), checks.load_registers([session])[session.id]

    def described(register):
        return {
            "candidats": [c.__data__ for c in register.candidats],
            "membres": [(m.__data__, m.jure.__data__, m.known, [h.__data__ for h in m.jure.habs])
                        for m in register.membres],
            "epreuves": [e.__data__ for e in register.epreuves],
            "emargements": [e.__data__ for e in register.emargements],
            "rules": register.rules,
        }

    assert described(compiled) == described(built)
    assert len(compiled.candidats) == 2 and len(compiled.membres) == 2 and compiled.membres[0].jure.habs
    assert [m.known for m in compiled.membres].count([candidat.id]) == 1 and compiled.rules
    assert [e.statut for e in compiled.emargements] == ["absent"]
    assert [c.title for c in checks.run(compiled, TODAY)] == [c.title for c in checks.run(built, TODAY)]
    assert [(c.ok, c.message) for c in checks.run(compiled, TODAY)] == [(c.ok, c.message) for c in checks.run(built, TODAY)]


def test_an_id_beyond_a_32_bit_integer_finds_nothing(db, session):
    """A URL typed by hand may carry any 64-bit id: prepared on PostgreSQL, a statement typed it as the
    column's integer and failed (503) where it should find nothing (404)."""
    huge = 2**31
    with db.atomic():
        for statement in (checklist.ITEM_WITH_SESSION, checklist.ITEM_TO_CHANGE):
            assert statement.first(id=huge) is None and statement.first(id=2**63 - 1) is None
        assert logins.USER.first(id=huge, token="0" * 64) is None and logins.USER.first(id=2**63 - 1, token="") is None
        assert pieces.PIECES_OF_ITEM.rows(item=huge) == []
        assert progress.TABLEAU_PROGRESS.rows(session=huge, today=TODAY) == []
        for statement in checks.REGISTER.values():
            assert statement.rows(session=huge) == []


@postgres_only
def test_connections_the_server_closed_in_the_pool_are_replaced_without_an_error(app, client, auth, caplog):
    """The pool no longer asks the server « SELECT 1 » each time it hands a connection out: after a
    restart of PostgreSQL (here: the server ends every connection of the database), the next request
    finds its connection closed, and its first statement runs again on a new one: no 503."""
    import psycopg2
    with models.db.connection_context():
        session = create_session()
        first, second = item_at(session, 3).id, item_at(session, 4).id
    auth.login()
    assert client.post(f"/items/{first}/done", data={"done_on": "2027-01-30"}, headers=HTMX).status_code == 200
    database = models.db.obj
    admin = psycopg2.connect(dbname=database.database, **database.connect_params)
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                           "WHERE datname = current_database() AND pid <> pg_backend_pid()")
            assert cursor.rowcount >= 1
    finally:
        admin.close()
    response = client.post(f"/items/{second}/done", data={"done_on": "2027-01-30"}, headers=HTMX)
    assert response.status_code == 200 and "X-Jalon-Event" in response.headers
    assert "connection closed by the server" in caplog.text
    with models.db.connection_context():
        assert models.ChecklistItem.get_by_id(second).state == "done"


def test_a_tasks_checks_read_only_their_part_of_the_register_and_say_the_same(client, auth, db, session, exam_day):
    """After a tick, a task's row shows the checks concerning it: they load only what they read
    (their declared `reads`) and must say what the whole register says, for every task a check concerns."""
    auth.login()
    fill_register(client, session)
    membre = models.MembreJury.select().where(models.MembreJury.session == session).first()
    candidat = models.Candidat.select().first()
    models.LienJury.create(membre=membre, candidat=candidat)
    models.Candidat.update(convocation_envoyee_le=dt.date(2027, 1, 31)).where(models.Candidat.id == candidat.id).execute()
    epreuve = models.Epreuve.select().first()
    signin(client, session, epreuve, {"candidat_id": str(candidat.id)}, statut="absent")
    session = Session.get_by_id(session.id)
    whole = checks.SessionChecks.of(session, TODAY)
    assert {c.code for c in whole.checks if c.ok is False} and {c.code for c in whole.checks if c.ok is True}

    def said(found):
        return [(c.code, c.ok, c.message, c.details) for c in found]

    keys = {key for declared in checks.DECLARED.values() for key in declared.tasks} | {checks.ABSENCES_KEY}
    for key in sorted(keys):
        with counting_queries() as queries:
            task = checks.SessionChecks.of_task(session, TODAY, key)
        assert said(task.for_key(key)) == said(whole.for_key(key)), key
        assert task.absences == (whole.absences if key == checks.ABSENCES_KEY else []), key
        assert 0 < len(queries) < 7 or key == checks.ABSENCES_KEY, (key, queries)
    assert whole.absences
    for key in (None, "ouverture_session_sans_controle"):
        with counting_queries() as queries:
            assert checks.SessionChecks.of_task(session, TODAY, key).checks == []
        assert queries == []


@postgres_only
def test_behind_a_transaction_pooler_no_statement_is_prepared(tmp_path, caplog):
    """PG_TRANSACTION_POOLING=1 (PgBouncer in transaction mode, where a prepared statement may live
    on another server connection): the same statements, sent as SQL."""
    app = make_app(tmp_path, PG_TRANSACTION_POOLING=True)
    client = app.test_client()
    with models.db.connection_context():
        item = item_at(create_session(), 3)
    client.post("/login", data={"email": "resp@a.fr", "password": PASSWORD})
    caplog.set_level(logging.DEBUG, logger="peewee")
    caplog.clear()
    assert client.post(f"/items/{item.id}/done", data={"done_on": "2027-01-30"}, headers=HTMX).status_code == 200
    assert sent(caplog) and not any("EXECUTE" in sql for sql in sent(caplog))
    assert "FOR KEY SHARE" in sent(caplog)[1]


@postgres_only
def test_statements_prepared_before_the_migrations_are_prepared_again_after(app, client, auth):
    """A migration may change what a prepared statement reads (a column's type): the connection that
    ran the migrations drops its prepared statements, and prepares them again when next handed out."""
    from cli.database import init_db
    pool = models.db.obj
    with app.app_context():
        with models.db.connection_context():
            connection = models.db.connection()
            assert connection in pool.prepared
        init_db()
        assert connection not in pool.prepared
    auth.login()  # the pool hands the same connection out again: prepared again
    with models.db.connection_context():
        session = create_session()
        assert models.db.connection() in pool.prepared
    assert client.post(f"/items/{item_at(session, 3).id}/done", data={"done_on": "2027-01-30"},
                       headers=HTMX).status_code == 200


def test_tuples_are_what_peewee_gives(db, session):
    """The progress after a tick and a session's closing come as tuples, their fields' columns
    converted as Peewee converts them (a date, a time)."""
    models.ChecklistItem.update(state="done", done_on=dt.date(2027, 1, 20)).where(
        models.ChecklistItem.id == item_at(session, 3).id).execute()
    want = list(progress.counts_query(Item.tableau_number, Item.session == session.id, TODAY))
    assert progress.TABLEAU_PROGRESS.rows(session=session.id, today=TODAY) == want and len(want) >= 5
    closed = dt.datetime(2027, 1, 30, 17, 5)
    Session.update(closed_at=closed).where(Session.id == session.id).execute()
    assert journal.SESSION_CLOSED_AT.rows(id=session.id) == [(closed,)] == list(
        Session.select(Session.closed_at).where(Session.id == session.id).tuples())


@postgres_only
def test_a_write_outside_a_transaction_is_not_sent_twice_after_a_lost_connection(app):
    """Sent again on a new connection, a write in autocommit could run twice (it may have run before
    the connection was lost): only reads and statements opening their transaction are sent again."""
    import psycopg2
    import database
    with models.db.connection_context():
        assert database._runs_twice_safely("BEGIN; UPDATE checklistitem SET state = %s")
        assert database._runs_twice_safely("SELECT 1") and database._runs_twice_safely("EXECUTE jalon_user(%s)")
        assert not database._runs_twice_safely("UPDATE checklistitem SET observation = %s")
        assert not database._runs_twice_safely("EXECUTE jalon_item_write(%s)")
        pid = models.db.execute_sql("SELECT pg_backend_pid()").fetchone()[0]
    pool = models.db.obj
    admin = psycopg2.connect(dbname=pool.database, **pool.connect_params)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", (pid,))
    admin.close()
    with models.db.connection_context(), pytest.raises((peewee.OperationalError, peewee.InterfaceError)):
        models.db.execute_sql("UPDATE checklistitem SET observation = 'x' WHERE id = 1")


def _sample_values(statement, samples):
    """Values for each parameter of `statement`, taken from the sample rows of the models they name."""
    _, _, params, _ = statement.compiled()
    values = {}
    for p in params:
        if not isinstance(p, statements.Param):
            continue
        field = p.field
        if p.name == "today":
            values[p.name] = TODAY
        elif p.name == "token":
            values[p.name] = samples[models.Connexion].token_hash
        elif field is None:
            values[p.name] = "0" * 64  # a hash
        elif isinstance(field, peewee.ForeignKeyField):
            values[p.name] = samples[field.rel_model].id
        elif field.primary_key:
            values[p.name] = samples[field.model].id
        else:
            values[p.name] = samples[field.model].__data__.get(field.name)
    return values


def _described(row):
    """A row as compared: a tuple, or a model instance's fields and joined instances and extras."""
    if isinstance(row, tuple):
        return row
    return (type(row), row.__data__, {name: _described(rel) for name, rel in row.__rel__.items()},
            {name: value for name, value in vars(row).items() if not name.startswith("_")})


def _table(model):
    fields = [f for f in model._meta.sorted_fields if not (f.primary_key and isinstance(f, peewee.AutoField))]
    return sorted(model.select(*fields).tuples(), key=repr)


def test_every_statement_declared_gives_what_the_same_peewee_query_gives(client, db, lived, exam_day):
    """Every Statement of the app (statements.STATEMENTS, filled by the modules that declare them), run
    compiled (prepared on PostgreSQL) and as Peewee runs the same query, on a session with data: the
    same rows for a read, the same table afterwards for a write."""
    fill_register(client, lived)
    membre = models.MembreJury.select().where(models.MembreJury.session == lived).first()
    candidat = models.Candidat.select().where(models.Candidat.session == lived).first()
    models.LienJury.create(membre=membre, candidat=candidat)
    epreuve = models.Epreuve.select().where(models.Epreuve.session == lived).first()
    signin(client, lived, epreuve, {"candidat_id": str(candidat.id)}, statut="absent")
    models.Evaluateur.create(candidat=candidat, jure=membre.jure_id)
    models.EtapePv.create(session=lived, etape="signe_jury", date=dt.date(2027, 3, 18))
    item = item_at(lived, 2)
    samples = {
        Item: item, Session: Session.get_by_id(lived.id), models.User: models.User.get(models.User.email == "resp@a.fr"),
        models.JournalHead: models.JournalHead.get(models.JournalHead.session == lived.id),
        models.AuditEvent: models.AuditEvent.select().where(models.AuditEvent.item == item).first(),
        models.Piece: models.Piece.select().first(),
        models.Connexion: models.Connexion.select().where(models.Connexion.fermee_le.is_null()).first(),
    }
    assert len(statements.STATEMENTS) >= 19
    for name, statement in statements.STATEMENTS.items():
        if name == "session_of_item_shared" and not db.obj.for_update:
            continue  # a row lock of PostgreSQL's (SQLite's writers take turns)
        values = _sample_values(statement, samples)
        query, sql, params, _ = statement.compiled()
        changed = next((name for name, value in values.items()
                        if type(value) is int and name != query.model._meta.primary_key.name), None)
        if isinstance(query, peewee.ModelUpdate) and changed:  # a number written one more, so that the write shows
            values[changed] += 1
        peewee_sql, peewee_params = db.get_sql_context().sql(statement.build()).query()
        args = statement._arguments(peewee_params, values)
        if isinstance(query, peewee.ModelSelect):
            with db.atomic():  # some lock their rows
                got = statement.rows(**values)
                want = list(query._get_cursor_wrapper(db.execute_sql(peewee_sql, args)))
            assert [_described(r) for r in got] == [_described(r) for r in want], name
            assert got, f"{name} found nothing to compare"
            continue
        model = query.model
        key = model._meta.primary_key
        # An insert by key: its row made room for (an update changes the row in place).
        room = model.delete().where(key == values.get(key.name)) if isinstance(query, peewee.ModelInsert) else None

        with db.atomic() as transaction:
            if room is not None:
                room.execute()
            statement.run(**values)
            got = _table(model)
            transaction.rollback()
        with db.atomic() as transaction:
            if room is not None:
                room.execute()
            db.execute_sql(peewee_sql, args)
            want = _table(model)
            transaction.rollback()
        assert got == want and got != _table(model), name
