"""Calendar feeds: deadlines as all-day events, behind a secret token that can be revoked."""
import datetime as dt

from icalendar import Calendar

import models
from helpers import item_at


def new_token(client):
    client.post("/account/calendar-token")
    return models.User.get(models.User.email == "resp@a.fr").feed_token


def events(response):
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    return [c for c in Calendar.from_ical(response.data).walk("VEVENT")]


def test_a_session_feed_has_its_deadlines_as_all_day_events(client, auth, session):
    auth.login()
    token = new_token(client)
    client.post(f"/items/{item_at(session, 1).id}/done")
    found = events(client.get(f"/calendar/{token}/sessions/{session.id}.ics"))
    by_day = {}
    for event in found:
        start = event.decoded("dtstart")
        assert isinstance(start, dt.date) and not isinstance(start, dt.datetime)
        assert event.decoded("dtend") == start + dt.timedelta(days=1)
        by_day.setdefault(start, []).append(str(event["summary"]))
    assert by_day[dt.date(2027, 1, 31)] == [
        "✓ DWWM : Programmer et communiquer les sessions d'examen de l'année N avant le 31 janvier (prévisionnel)"]
    assert len(by_day[dt.date(2026, 12, 15)]) == 4
    assert "DWWM : Ouverture de la session : 18 tâches" in by_day[dt.date(2027, 3, 15)]
    assert "DWWM : Fin des épreuves : 16 tâches" in by_day[dt.date(2027, 3, 18)]
    assert by_day[dt.date(2027, 4, 2)] == [
        "DWWM : Adresser l'original du PV de la session à l'UD DIRECCTE dans un délai de 15 jours suivant la date de la session"]
    pv = next(e for e in found if e.decoded("dtstart") == dt.date(2027, 4, 2))
    pv_item = item_at(session, 96)
    assert str(pv["url"]) == f"http://localhost/sessions/{session.id}#item-{pv_item.id}"
    assert f"/sessions/{session.id}#item-{pv_item.id}" in str(pv["description"])
    assert len({str(e["uid"]) for e in found}) == len(found)


def test_the_centre_feed_covers_the_centres_open_sessions(client, auth, session, other_session):
    auth.login()
    token = new_token(client)
    summaries = [str(e["summary"]) for e in events(client.get(f"/calendar/{token}/centre.ics"))]
    assert any(s.startswith("DWWM") for s in summaries)
    assert not any(s.startswith("CDA") for s in summaries)
    client.post(f"/sessions/{session.id}/archive")
    assert events(client.get(f"/calendar/{token}/centre.ics")) == []


def test_regenerating_the_token_revokes_the_old_feeds(client, auth, session):
    auth.login()
    old = new_token(client)
    assert client.get(f"/calendar/{old}/centre.ics").status_code == 200
    new = new_token(client)
    assert new != old
    assert client.get(f"/calendar/{old}/centre.ics").status_code == 404
    assert client.get(f"/calendar/{old}/sessions/{session.id}.ics").status_code == 404
    assert client.get(f"/calendar/{new}/sessions/{session.id}.ics").status_code == 200
    assert f"/calendar/{new}/centre.ics" in client.get("/account").get_data(as_text=True)


def test_feeds_need_no_login_but_a_right_token(client, auth, session, other_session):
    auth.login()
    token = new_token(client)
    auth.logout()
    assert client.get(f"/calendar/{token}/sessions/{session.id}.ics").status_code == 200
    assert client.get(f"/calendar/wrong-token/sessions/{session.id}.ics").status_code == 404
    assert client.get(f"/calendar/{token}/sessions/{other_session.id}.ics").status_code == 404
    assert client.get(f"/calendar/{token}/sessions/999999.ics").status_code == 404


def test_a_deactivated_users_feeds_stop(client, auth, session):
    auth.login()
    token = new_token(client)
    models.User.update(active=False).where(models.User.email == "resp@a.fr").execute()
    assert client.get(f"/calendar/{token}/centre.ics").status_code == 404
