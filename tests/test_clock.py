"""One clock: instants stored in UTC, shown and « today » computed in JALON_TZ (Europe/Paris), whatever
the server's own time zone; both changes of hour; the journal's events written before (in the
server's local time) still verify."""
import datetime as dt
import os
import time

import pytest

import formats
import migrations
import models
from helpers import CANDIDATE, EPREUVE, HTMX, PASSWORD, SIGNATURE, create_session, make_app, text_of
from test_migrations import _baseline_database

UTC = dt.timezone.utc


@pytest.fixture
def server_zone():
    """The server's own time zone (TZ), restored afterwards."""
    before = os.environ.get("TZ")

    def set_zone(name):
        os.environ["TZ"] = name
        time.tzset()
    yield set_zone
    if before is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = before
    time.tzset()


@pytest.mark.parametrize("utc, paris", [
    ((2027, 3, 28, 0, 30), (2027, 3, 28, 1, 30)),   # winter time, just before the change
    ((2027, 3, 28, 1, 30), (2027, 3, 28, 3, 30)),   # 02:00 became 03:00
    ((2027, 10, 31, 0, 30), (2027, 10, 31, 2, 30)),  # summer time, the first 02:30
    ((2027, 10, 31, 1, 30), (2027, 10, 31, 2, 30)),  # 03:00 became 02:00: the second 02:30
    ((2027, 7, 14, 22, 15), (2027, 7, 15, 0, 15)),   # summer: the next day already
])
def test_a_stored_instant_is_shown_in_paris_time_across_both_changes_of_hour(utc, paris):
    assert formats.local(dt.datetime(*utc)) == dt.datetime(*paris)
    assert formats.to_utc(dt.datetime(*utc, tzinfo=UTC)) == dt.datetime(*utc)


def test_a_server_on_utc_at_23_30_is_already_on_the_exam_day_in_paris(tmp_path, monkeypatch, server_zone):
    server_zone("UTC")
    night = dt.datetime(2027, 3, 14, 23, 30, tzinfo=UTC)  # 00:30 on 15/03 in Paris
    monkeypatch.setattr(formats, "clock", lambda: night)
    assert formats.local_today() == dt.date(2027, 3, 15)
    app = make_app(tmp_path, TODAY=None)  # « today » from the clock, not fixed
    client = app.test_client()
    with app.app_context(), models.db.connection_context():
        session = create_session()
    client.post("/login", data={"email": "resp@a.fr", "password": PASSWORD})
    client.post(f"/sessions/{session.id}/candidats", data=CANDIDATE)
    client.post(f"/sessions/{session.id}/epreuves", data=EPREUVE)  # on 15/03/2027
    with app.app_context(), models.db.connection_context():
        candidat, epreuve = models.Candidat.get(), models.Epreuve.get()
    # The tablet's page shows today's (Paris) épreuve, and a signature sent at 23:30 UTC is for that day.
    page = client.get(f"/sessions/{session.id}/emargement")
    assert "Mise en situation professionnelle" in text_of(page)
    signed = client.post(f"/sessions/{session.id}/emargement", headers=HTMX, data={
        "epreuve_id": str(epreuve.id), "candidat_id": str(candidat.id), "statut": "present", "signature": SIGNATURE,
        "signe_a": "2027-03-14T23:30:00.000Z", "soumission_id": "nuit-0001"})
    assert signed.status_code == 200, text_of(signed)
    assert "signé à 00:30" in text_of(signed)
    with app.app_context(), models.db.connection_context():
        row = models.Emargement.get()
        assert row.signe_a == dt.datetime(2027, 3, 14, 23, 30) and row.recu_a == dt.datetime(2027, 3, 14, 23, 30)
    history = text_of(client.get(f"/sessions/{session.id}/history"))
    assert "15/03/2027 00:30:00" in history
    # The JSON export keeps its times as before: Paris local time, no offset.
    data = client.get(f"/sessions/{session.id}.json").get_json()
    assert data["emargement"][0]["signe_a"] == "2027-03-15T00:30:00"
    # A sign-in dated the day before the épreuve (Paris) is refused.
    monkeypatch.setattr(formats, "clock", lambda: dt.datetime(2027, 3, 14, 21, 0, tzinfo=UTC))
    early = client.post(f"/sessions/{session.id}/emargement", headers=HTMX, data={
        "epreuve_id": str(epreuve.id), "candidat_id": str(candidat.id), "statut": "absent",
        "signe_a": "2027-03-14T21:00:00Z", "soumission_id": "veille-0001", "correction": "1"})
    assert early.status_code == 422 and "on émarge le jour de l'épreuve" in text_of(early)


def test_events_written_in_the_servers_local_time_are_converted_and_still_verify(tmp_path, server_zone):
    """Migration 20 on a server whose clock was Paris: instants move to UTC, the journal's events keep
    the text their hash covered, and verify-journal passes; new events hash their UTC time."""
    app = _baseline_database(tmp_path)  # three events at 05/01/2027 00:00, local time
    with app.app_context(), models.db.connection_context():
        migrations.upgrade(models.db.obj, target=19)
    server_zone("Europe/Paris")
    result = app.test_cli_runner().invoke(args=["db-upgrade"])
    assert result.exit_code == 0 and "Migration 20 appliquée" in result.output, result.output
    with app.app_context(), models.db.connection_context():
        event = models.AuditEvent.select().first()
        assert event.at == dt.datetime(2027, 1, 4, 23, 0) and event.at_canonique == "2027-01-05 00:00:00"
        session = models.ExamSession.get()
        assert session.created_at == dt.datetime(2026, 12, 31, 23, 0)
    verify = app.test_cli_runner().invoke(args=["verify-journal"])
    assert verify.exit_code == 0 and "journal intact : 3 événements" in verify.output, verify.output
