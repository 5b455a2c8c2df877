"""The session's journal is a chain: `verify-journal` finds a row edited, deleted or inserted
directly in the database (SQL, on both engines), and the head hash is on the history and in the JSON."""
import pytest

import models
from domain import journal
from helpers import CANDIDATE, item_at, text_of


@pytest.fixture
def lived(client, auth, session):
    """A session with a few changes of each kind: ticks, an observation, a register change."""
    auth.login()
    client.post(f"/items/{item_at(session, 1).id}/done", data={"done_on": "2027-01-30"})
    client.post(f"/items/{item_at(session, 2).id}/observation", data={"observation": "Envoyé à l'UD", "version": "0"})
    client.post(f"/sessions/{session.id}/candidats", data=CANDIDATE)
    client.post(f"/items/{item_at(session, 3).id}/na", data={"reason": "Aucun candidat concerné"})
    return session


def events_of(session):
    return list(models.AuditEvent.select().where(models.AuditEvent.session == session).order_by(models.AuditEvent.id))


def run_verify(runner, *args):
    return runner.invoke(args=["verify-journal", *args])


def test_an_untouched_journal_is_intact_and_its_head_is_shown(runner, app, client, lived):
    events = events_of(lived)
    assert len(events) == 5 and all(len(e.hash) == 64 for e in events)
    assert events[0].hash == journal.chain(str(lived.id), events[0])  # the chain starts from the session's id
    result = run_verify(runner)
    assert result.exit_code == 0, result.output
    assert "journal intact : 5 événements (1 session)" in result.output
    assert client.get(f"/sessions/{lived.id}.json").get_json()["journal_hash"] == events[-1].hash
    assert events[-1].hash in text_of(client.get(f"/sessions/{lived.id}/history"))


def sql(statement, params=()):
    models.db.execute_sql(statement.replace("?", models.db.param), params)


@pytest.mark.parametrize("tamper, broken", [
    ("edit", 2),       # a value rewritten: that row no longer matches
    ("delete", 3),     # a row removed: the next one no longer follows
    ("insert", 5),     # a row added: it has no valid hash
    ("delete_last", None),  # the last row removed: the head no longer matches
])
def test_a_journal_changed_in_the_database_is_reported_at_its_first_wrong_event(runner, app, db, lived, tamper, broken):
    events = events_of(lived)
    if tamper == "edit":
        sql("UPDATE auditevent SET new_value = ? WHERE id = ?", ("Fait le 01/01/2027", events[2].id))
    elif tamper == "delete":
        sql("DELETE FROM auditevent WHERE id = ?", (events[2].id,))
    elif tamper == "insert":
        sql("INSERT INTO auditevent (session_id, at, field, old_value, new_value) VALUES (?, ?, 'state', '', 'Fait')",
            (lived.id, events[-1].at))
    else:
        sql("DELETE FROM auditevent WHERE id = ?", (events[-1].id,))
    result = run_verify(runner)
    assert result.exit_code == 1, result.output
    if broken is None:
        assert f"Journal altéré : session {lived.id} (dernier événement supprimé" in result.output
    else:
        wrong = events[broken].id if tamper != "insert" else max(e.id for e in events_of(lived))
        assert f"Journal altéré : session {lived.id}, événement {wrong}" in result.output


def test_one_sessions_journal_is_verified_alone(runner, app, db, lived, other_session):
    sql("UPDATE auditevent SET old_value = 'x' WHERE session_id = ?", (lived.id,))
    assert run_verify(runner, "--session", str(other_session.id)).exit_code == 0
    assert run_verify(runner, "--session", str(lived.id)).exit_code == 1
    unknown = run_verify(runner, "--session", "999999")
    assert unknown.exit_code != 0 and "Session 999999 inconnue" in unknown.output


@pytest.mark.parametrize("wipe, reason", [
    ("events_and_head", "aucun événement ni tête : le journal de la session a été effacé"),
    ("events", "aucun événement : le journal de la session a été effacé, sa tête reste"),
    ("head", "tête du journal absente"),
    ("first_events", "ne commence pas par la création de la session"),
])
def test_a_wiped_journal_or_one_cut_at_its_start_is_reported(runner, app, db, lived, wipe, reason):
    """Deleting all of a session's events and its head passed (« journal intact : 0 événement »)."""
    events = events_of(lived)
    if wipe in ("events_and_head", "events"):
        sql("DELETE FROM auditevent WHERE session_id = ?", (lived.id,))
    if wipe in ("events_and_head", "head"):
        sql("DELETE FROM journalhead WHERE session_id = ?", (lived.id,))
    if wipe == "first_events":  # the creation removed and the chain written again from the genesis
        sql("DELETE FROM auditevent WHERE id = ?", (events[0].id,))
        previous = journal.genesis(lived.id)
        for event in events[1:]:
            previous = journal.chain(previous, event)
            sql("UPDATE auditevent SET hash = ? WHERE id = ?", (previous, event.id))
        sql("UPDATE journalhead SET hash = ?, events = ? WHERE session_id = ?", (previous, len(events) - 1, lived.id))
    result = run_verify(runner)
    assert result.exit_code == 1 and f"Journal altéré : session {lived.id}" in result.output and reason in result.output
