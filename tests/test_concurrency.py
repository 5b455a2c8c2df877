"""Nothing lost: several people ticking one guide at once, against gunicorn, and a crash mid-way.

These tests run the real app under gunicorn with several worker processes on an SQLite file, and
clients in threads over HTTP. Every acknowledged change must be in the final state or superseded
by a later acknowledged one, with exactly one audit event each; a 409 only where the text really
changed since the version the client had.
"""
import contextlib
import datetime as dt
import random
import re
import sqlite3
import threading
import time
from dataclasses import dataclass

import pytest
import requests

import models
from domain import journal
from domain import checklist
from helpers import HEADER, PASSWORD, create_session, make_app
from liveserver import LiveServer, login, sign_in

pytestmark = pytest.mark.live

THREADS = 8
CHANGES = 1500
ITEMS = 24  # few items, so that clients really collide
USERS = ("resp@a.fr", "admin@test.fr")
VERSION = re.compile(r'name="version" value="(\d+)"')


@dataclass
class Change:
    item: int
    action: str
    sent: dict
    status: int | None = None
    event: int | None = None
    body: str = ""


def expected_value(change):
    """The audit trail's "after" value of an acknowledged change."""
    if change.action == "observation":
        return change.sent["observation"]
    if change.action == "done":
        return checklist.describe_state("done", dt.date.fromisoformat(change.sent["done_on"]), "")
    if change.action == "na":
        return checklist.describe_state("na", None, change.sent["reason"])
    return checklist.describe_state("todo", None, "")


def run_load(base_url, item_ids, changes=CHANGES, acknowledged_enough=None, stop_after=None):
    """Clients in threads, each logged in, making random changes; returns every change with its answer."""
    done = []
    lock = threading.Lock()
    counter = iter(range(changes))
    today = dt.date.today()

    def client(number):
        rnd = random.Random(number)
        http = login(base_url, USERS[number % len(USERS)], PASSWORD)
        http.headers["HX-Request"] = "true"
        versions = {}
        while True:
            with lock:
                if next(counter, None) is None:
                    return
            item = rnd.choice(item_ids)
            action = rnd.choices(("done", "todo", "na", "observation"), weights=(3, 1.5, 1.5, 4))[0]
            if action == "done":
                sent = {"done_on": (today - dt.timedelta(days=rnd.randrange(0, 60))).isoformat()}
            elif action == "na":
                sent = {"reason": rnd.choice(("Aucun candidat concerné", "Pas de VAE", "Jury complet"))}
            elif action == "observation":
                sent = {"observation": f"Client {number}, note {rnd.randrange(10**9)} : « vérifié »\nsuite",
                        "version": str(versions.get(item, 0))}
            else:
                sent = {}
            change = Change(item, action, sent)
            try:
                response = http.post(f"{base_url}/items/{item}/{action}", data=sent, timeout=30)
            except requests.RequestException:
                return  # the server is gone (crash test)
            change.status, change.body = response.status_code, response.text
            change.event = int(response.headers["X-Jalon-Event"]) if "X-Jalon-Event" in response.headers else None
            if match := VERSION.search(response.text):
                versions[item] = int(match.group(1))
            with lock:
                done.append(change)
                if acknowledged_enough and sum(c.status == 200 for c in done) >= stop_after:
                    acknowledged_enough.set()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    return threads, done


def database_events(item_ids):
    """The audit events and the items as the database holds them (read through a new connection)."""
    with models.db.connection_context():
        E, I = models.AuditEvent, models.ChecklistItem  # noqa: E741
        events = list(E.select(E.id, E.item, E.field, E.new_value, E.item_version)
                      .where(E.item.in_(item_ids)).order_by(E.id).tuples())
        items = {row[0]: row[1:] for row in I.select(I.id, I.state, I.done_on, I.na_reason, I.observation, I.version)
                 .where(I.id.in_(item_ids)).tuples()}
    return events, items


def check_items_agree_with_their_trail(events, items):
    """Each item's version counts its events, and its state and text are those of its last events."""
    for item_id, (state, done_on, na_reason, observation, version) in items.items():
        mine = [e for e in events if e[1] == item_id]
        assert version == len(mine), item_id
        states = [e for e in mine if e[2] == "state"]
        texts = [e for e in mine if e[2] == "observation"]
        assert (states[-1][3] if states else "À faire") == checklist.describe_state(state, done_on, na_reason)
        assert (texts[-1][3] if texts else "") == observation


@pytest.fixture
def prepared(tmp_path):
    app = make_app(tmp_path)
    with app.app_context(), models.db.connection_context():
        session = create_session()
        # Tasks that a click ticks (a conditional one asks for its report first).
        item_ids = [item.id for item in session.ordered_items() if not item.conditional][:ITEMS]
    return app.config["DATABASE_URL"], item_ids


def test_concurrent_editors_lose_nothing(prepared, tmp_path):
    database, item_ids = prepared
    server = LiveServer(database, tmp_path, workers=3).start()
    try:
        threads, changes = run_load(server.url, item_ids)
        for thread in threads:
            thread.join()
    finally:
        server.stop()

    assert len(changes) == CHANGES
    assert [c for c in changes if c.status >= 500] == []
    assert {c.status for c in changes} <= {200, 409}
    acknowledged = [c for c in changes if c.status == 200]
    events, items = database_events(item_ids)
    by_id = {e[0]: e for e in events}

    # Exactly one event per acknowledged change (no event for a change that changed nothing).
    recorded = [c for c in acknowledged if c.event is not None]
    assert sorted(c.event for c in recorded) == sorted(by_id)
    for change in recorded:
        _, item_id, field, new_value, _ = by_id[change.event]
        assert item_id == change.item
        assert field == ("observation" if change.action == "observation" else "state")
        assert new_value == expected_value(change)
    check_items_agree_with_their_trail(events, items)
    # Three workers wrote one session's journal at once: its chain is whole, no fork, no gap.
    with models.db.connection_context():
        verdicts = journal.verify()
    assert [v.reason for v in verdicts if not v.intact] == [] and sum(v.events for v in verdicts) == len(by_id) + 1

    # 409 only where someone had really changed the text since the version sent, and the answer shows it.
    conflicts = [c for c in changes if c.status == 409]
    for change in conflicts:
        sent = int(change.sent["version"])
        newer = [e for e in events if e[1] == change.item and e[2] == "observation" and e[4] > sent]
        assert newer, change
        assert any(e[3].replace("\n", "") in change.body.replace("\n", "") for e in newer)
        assert change.sent["observation"].replace("\n", "") in change.body.replace("\n", "")
    # And never a silent overwrite: no colleague's text landed between the version sent and the save.
    for change in recorded:
        if change.action == "observation":
            sent, saved = int(change.sent["version"]), by_id[change.event][4]
            between = [e for e in events if e[1] == change.item and e[2] == "observation" and sent < e[4] < saved]
            assert between == [], change
    assert conflicts, "the load should have produced some real conflicts"


@pytest.mark.sqlite_only
def test_a_crash_mid_load_loses_no_acknowledged_change(prepared, tmp_path):
    database, item_ids = prepared
    server = LiveServer(database, tmp_path, workers=3).start()
    enough = threading.Event()
    threads, changes = run_load(server.url, item_ids, changes=CHANGES, acknowledged_enough=enough, stop_after=300)
    try:
        assert enough.wait(timeout=120)
    finally:
        server.kill()
    for thread in threads:
        thread.join()

    with contextlib.closing(sqlite3.connect(database.removeprefix("sqlite:///"))) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    events, items = database_events(item_ids)
    by_id = {e[0]: e for e in events}
    acknowledged = [c for c in changes if c.status == 200 and c.event is not None]
    assert len(acknowledged) >= 250
    for change in acknowledged:
        assert change.event in by_id, change
        assert by_id[change.event][3] == expected_value(change)
    check_items_agree_with_their_trail(events, items)

    # The app starts again on the same file and serves it.
    restarted = LiveServer(database, tmp_path, workers=2).start()
    try:
        http = login(restarted.url, "resp@a.fr", PASSWORD)
        assert http.get(f"{restarted.url}/sessions/1", timeout=10).status_code == 200
    finally:
        restarted.stop()


def test_saving_the_header_while_others_tick_never_fails(prepared, tmp_path):
    """On PostgreSQL a header save (session, then items' deadlines) and ticks (item, then the
    session through the journal's foreign key) took locks in opposite orders: 500 DeadlockDetected."""
    database, item_ids = prepared
    server = LiveServer(database, tmp_path, workers=6).start()
    statuses, lock = [], threading.Lock()
    header = {**HEADER, "site": "Lyon Gerland"}
    try:
        with models.db.connection_context():
            session_id = models.ChecklistItem.get_by_id(item_ids[0]).session_id

        def save_header():
            http = login(server.url, "admin@test.fr", PASSWORD)
            for n in range(24):
                start = dt.date(2027, 3, 15) + dt.timedelta(days=35 * (n % 2))
                data = {**header, "date_debut": start.isoformat(), "date_fin": (start + dt.timedelta(days=3)).isoformat()}
                response = http.post(f"{server.url}/sessions/{session_id}", data=data, allow_redirects=False, timeout=60)
                with lock:
                    statuses.append(response.status_code)

        def tick(number):
            http = login(server.url, "resp@a.fr", PASSWORD)
            http.headers["HX-Request"] = "true"
            rnd = random.Random(number)
            for n in range(40):
                item = rnd.choice(item_ids)
                response = http.post(f"{server.url}/items/{item}/{'done' if n % 2 == 0 else 'todo'}", timeout=60)
                with lock:
                    statuses.append(response.status_code)

        threads = [threading.Thread(target=save_header)] + [threading.Thread(target=tick, args=(n,)) for n in range(5)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        server.stop()
    assert len(statuses) == 24 + 5 * 40
    assert [s for s in statuses if s >= 500] == []
    assert set(statuses) <= {200, 302}


# At most this many logins while the PDFs are being made: the loop ends even if no PDF ever comes.
MAX_LOGINS = 200


def test_logins_answer_while_three_large_pdfs_are_made(tmp_path):
    """Three large PDFs laid out at once on three workers must not hold up a login: logins start and
    end while all three are still being made. The order of events is asserted, not a duration (a
    shared machine's noise); bench/login_bench.py measures how long a login then takes."""
    app = make_app(tmp_path)
    with app.app_context(), models.db.connection_context():
        session_ids = [create_session(sigle=f"PDF{n}").id for n in range(3)]
        # A large guide: every observation 800 characters long (a second or two of one core each).
        models.ChecklistItem.update(observation=("Observation détaillée " * 40)[:800]).execute()
    server = LiveServer(app.config["DATABASE_URL"], tmp_path, workers=3).start()
    outcomes, logins = [], []  # (instant, status or error) of each download; (start, end) of each login
    try:
        readers = [login(server.url, email, PASSWORD) for email in ("lecteur@a.fr", "resp@a.fr", "admin@test.fr")]

        def download(http, session_id):
            try:
                status = http.get(f"{server.url}/sessions/{session_id}/guide.pdf", timeout=120).status_code
            except requests.RequestException as exc:  # recorded, so that the loop below ends
                status = repr(exc)
            outcomes.append((time.monotonic(), status))

        threads = [threading.Thread(target=download, args=pair) for pair in zip(readers, session_ids, strict=True)]
        for thread in threads:
            thread.start()
        while not outcomes and len(logins) < MAX_LOGINS:  # logins until the first PDF is ready
            start = time.monotonic()
            assert sign_in(server.url, "resp@b.fr", PASSWORD, timeout=30)[1].status_code == 302
            logins.append((start, time.monotonic()))
        for thread in threads:
            thread.join(timeout=180)
    finally:
        server.stop()
    assert [status for _, status in outcomes] == [200, 200, 200], outcomes
    first_pdf = min(at for at, _ in outcomes)
    answered_meanwhile = [(start, end) for start, end in logins if end < first_pdf]
    assert len(answered_meanwhile) >= 3, (logins, first_pdf)
