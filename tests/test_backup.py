"""Backups taken while the app writes, and restored after a check."""
import contextlib
import sqlite3
import threading

import pytest

import models
from domain import checklist
from helpers import create_session, item_at, jpeg_bytes, upload

pytestmark = pytest.mark.sqlite_only  # SQLite's online backup API; PostgreSQL has pg_dump


def trail_is_consistent(path):
    """In a consistent copy each item's version counts exactly its audit events."""
    with contextlib.closing(sqlite3.connect(path)) as conn:
        rows = conn.execute(
            "SELECT i.id, i.version, (SELECT COUNT(*) FROM auditevent e WHERE e.item_id = i.id) FROM checklistitem i"
        ).fetchall()
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    return all(version == events for _, version, events in rows), sum(version for _, version, _ in rows)


def test_a_backup_taken_during_writes_is_consistent_and_restores(app, runner, tmp_path):
    with models.db.connection_context():
        session = create_session()
        items = [item.id for item in session.ordered_items()]
        user = models.User.get(models.User.email == "resp@a.fr")
    stop = threading.Event()
    written = []

    def writer():
        with models.db.connection_context():
            n = 0
            while not stop.is_set() and n < 5000:
                checklist.save_observation(items[n % len(items)], user, f"note {n}", n // len(items))
                written.append(n)
                n += 1

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(written) < 50 and thread.is_alive():  # let the writer get going (a failed one ends the wait)
            thread.join(timeout=0.01)
        backup = tmp_path / "sauvegarde.sqlite3"
        result = runner.invoke(args=["backup", str(backup)])
    finally:
        stop.set()
        thread.join()
    assert result.exit_code == 0, result.output
    assert "Sauvegarde écrite" in result.output
    assert oct(backup.stat().st_mode & 0o777) == "0o600"
    consistent, copied = trail_is_consistent(backup)
    assert consistent and copied >= 50
    live = tmp_path / "jalon.sqlite3"
    assert trail_is_consistent(live) == (True, len(written)) and copied <= len(written)

    result = runner.invoke(args=["restore", str(backup), "--yes"])
    assert result.exit_code == 0, result.output
    assert trail_is_consistent(live) == (True, copied)
    safety = list(tmp_path.glob("jalon.sqlite3.avant-restauration-*"))
    assert len(safety) == 1 and trail_is_consistent(safety[0])[1] == len(written)


def test_restore_refuses_a_file_that_is_not_a_jalon_backup(app, runner, db, tmp_path):
    not_sqlite = tmp_path / "notes.txt"
    not_sqlite.write_text("pas une base")
    other = tmp_path / "autre.sqlite3"
    with contextlib.closing(sqlite3.connect(other)) as conn:
        conn.execute("CREATE TABLE t (x)")
    for path, message in ((not_sqlite, "n'est pas une base SQLite lisible"), (other, "n'est pas une sauvegarde de Jalon")):
        result = runner.invoke(args=["restore", str(path), "--yes"])
        assert result.exit_code != 0
        assert message in result.output
    assert models.GuideTask.select().count() == 99


def test_a_backup_is_one_private_file_and_leaves_nothing_behind(app, runner, db, tmp_path):
    create_session()
    folder = tmp_path / "sauvegardes"
    folder.mkdir()
    target = folder / "jalon-2027-02-01.sqlite3"
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    assert [p.name for p in folder.iterdir()] == [target.name]
    assert oct(target.stat().st_mode & 0o777) == "0o600"
    # Reading the backup (as restore's check does) adds no -wal or -shm file beside it.
    assert trail_is_consistent(target)[0]
    assert [p.name for p in folder.iterdir()] == [target.name]


def test_a_failed_backup_leaves_nothing_behind(app, runner, tmp_path):
    folder = tmp_path / "sauvegardes"
    folder.mkdir()
    (folder / "jalon.sqlite3.partiel-journal").write_text("reste d'une sauvegarde interrompue")
    live = tmp_path / "jalon.sqlite3"
    with open(live, "r+b") as damaged:  # the copy fails once started: the live file is not a database
        damaged.write(b"\xff" * 100)
    result = runner.invoke(args=["backup", str(folder / "jalon.sqlite3")])
    assert result.exit_code != 0 and "Sauvegarde impossible" in result.output
    assert list(folder.iterdir()) == []


def test_attachments_and_the_journal_chain_are_in_the_backup_and_come_back(app, runner, client, auth, tmp_path):
    with models.db.connection_context():
        session = create_session()
        item = item_at(session, 33)
    auth.login()
    upload(client, item, jpeg_bytes(), "decharge.jpg")
    backup = tmp_path / "sauvegarde.sqlite3"
    assert runner.invoke(args=["backup", str(backup)]).exit_code == 0
    with models.db.connection_context():
        models.db.execute_sql("DELETE FROM piece")  # lost after the backup
    result = runner.invoke(args=["restore", str(backup), "--yes"])
    assert result.exit_code == 0, result.output
    with models.db.connection_context():
        piece = models.Piece.get()
        assert bytes(piece.contenu) == jpeg_bytes() and piece.nom == "decharge.jpg"
    assert runner.invoke(args=["verify-journal"]).exit_code == 0
