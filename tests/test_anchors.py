"""The journals' heads are anchored outside the rows they describe (domain/anchors.py): a tail cut
with its head rewritten to match, a wiped session or a chain rewritten from an edited event pass the
chain's own check but not the anchors; nor does the anchors' chain rewritten in the database alone,
since the anchors' file (and the sealed guides) hold its hashes. SQL on both engines."""
import pytest

import models
from domain import journal
from helpers import item_at, settle_regulatory_tasks
from test_journal import events_of, lived, run_verify, sql  # noqa: F401,F811 (lived: a fixture)


def anchor(runner):
    result = runner.invoke(args=["anchor-journal"])
    assert result.exit_code == 0, result.output
    return result


def anchor_lines(app):
    with open(app.config["ANCHOR_FILE"], encoding="ascii") as handle:
        return handle.read().splitlines()


def rewrite_chain(session, events):
    """Write the chain of `events` again from its genesis, and the head to match: what someone with
    the database's rights would do to hide a change."""
    previous = journal.genesis(session.id)
    for event in events:
        event = models.AuditEvent.get_by_id(event.id)
        previous = journal.chain(previous, event)
        sql("UPDATE auditevent SET hash = ? WHERE id = ?", (previous, event.id))
    sql("UPDATE journalhead SET hash = ?, events = ? WHERE session_id = ?", (previous, len(events), session.id))


def test_an_anchor_is_kept_in_the_database_and_appended_to_the_file(runner, app, client, lived):
    first = anchor(runner)
    assert "Ancre 1 : 1 journal modifié depuis la précédente" in first.output
    second = anchor(runner)  # nothing changed since: an anchor of no head, still chained
    assert "Ancre 2 : 0 journal modifié" in second.output
    lines = anchor_lines(app)
    stored = list(models.Ancre.select().order_by(models.Ancre.id))
    assert [line.split()[2] for line in lines] == [a.hash for a in stored] and stored[1].previous == stored[0].hash
    result = run_verify(runner)
    assert result.exit_code == 0 and "2 ancres conformes au fichier" in result.output, result.output


@pytest.mark.parametrize("tamper, reason", [
    ("tail_cut", "événements ancrés supprimés : l'ancre 1 en a vu 5, le journal en a 4"),
    ("rewritten", "l'événement n° 5 n'est plus celui que l'ancre 1 a vu : journal réécrit"),
    ("wiped_as_purged", "session purgée dont la tête ne correspond pas à celle que sa purge a ancrée"),
])
def test_a_journal_rewritten_to_match_its_head_is_found_by_its_anchor(runner, app, db, lived, tamper, reason):
    anchor(runner)
    events = events_of(lived)
    if tamper == "tail_cut":  # the last event deleted, the head rewritten to the one before
        sql("DELETE FROM auditevent WHERE id = ?", (events[-1].id,))
        sql("UPDATE journalhead SET hash = ?, events = ? WHERE session_id = ?", (events[-2].hash, 4, lived.id))
        events = events[:-1]
    elif tamper == "rewritten":  # a value changed and the whole chain written again
        sql("UPDATE auditevent SET new_value = ? WHERE id = ?", ("Fait le 01/01/2027", events[2].id))
        rewrite_chain(lived, events)
    else:  # the events deleted and the session marked purged, to pass as a purge
        sql("DELETE FROM auditevent WHERE session_id = ?", (lived.id,))
        sql("UPDATE examsession SET purged_at = ? WHERE id = ?", ("2027-02-01 10:00:00", lived.id))
        # (its head left as anchored: only the purge's own anchor vouches for a purge)
    if tamper != "wiped_as_purged":
        assert journal.verify([lived.id])[0].intact  # the chain alone no longer sees it
    result = run_verify(runner)
    assert result.exit_code == 1 and reason in result.output, result.output


def test_anchors_rewritten_in_the_database_alone_differ_from_the_file(runner, app, db, lived):
    anchor(runner)
    events = events_of(lived)
    sql("DELETE FROM auditevent WHERE id = ?", (events[-1].id,))
    rewrite_chain(lived, events[:-1])
    # The anchor rewritten too, consistently: its head and its hash.
    from domain import anchors
    stored = models.Ancre.get()
    sql("UPDATE ancretete SET hash = ?, events = ? WHERE ancre_id = ?", (events[-2].hash, 4, stored.id))
    rehashed = anchors.anchor_hash("", stored.id, stored.at, stored.motif, [(lived.id, events[-2].hash, 4)])
    sql("UPDATE ancre SET hash = ? WHERE id = ?", (rehashed, stored.id))
    assert journal.verify([lived.id], anchors.verify(app.config["ANCHOR_FILE"]).positions)[0].intact
    result = run_verify(runner)
    assert result.exit_code == 1, result.output
    assert "ancre 1 : son empreinte n'est plus celle du fichier des ancres (réécrite dans la base)" in result.output
    # An anchor deleted from the file's view: both sides are reported.
    with open(app.config["ANCHOR_FILE"], "a", encoding="ascii") as handle:
        handle.write("7 2027-02-01T10:00:00 " + "0" * 64 + "\n")
    assert "ancre 7 du fichier absente de la base : supprimée" in run_verify(runner).output


def test_a_closing_anchors_the_journals_and_prints_the_anchor_on_the_sealed_guide(app, runner, client, auth, session):
    auth.login()
    client.post(f"/items/{item_at(session, 1).id}/done", data={"done_on": "2027-01-30"})
    settle_regulatory_tasks(session)
    response = client.post(f"/sessions/{session.id}/cloture", data={"motif": "Contrôles hors sujet pour ce test"})
    assert response.status_code in (200, 302), response.get_data(as_text=True)[:500]
    stored = models.Ancre.get()
    assert stored.motif == f"clôture de la session {session.id}"
    assert anchor_lines(app)[0].split()[2] == stored.hash
    from pypdf import PdfReader
    import io
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(client.get(
        f"/sessions/{session.id}/guide-cloture.pdf").data)).pages).replace("\n", "")
    assert stored.hash in text and f"Ancre des journaux n° {stored.id}" in text
    assert models.CleSignature.get().empreinte.replace(" ", "") in text.replace(" ", "")  # the key to check files with
    assert run_verify(runner).exit_code == 0
