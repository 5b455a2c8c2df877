"""Error pages: in French, without stack traces; a 500 shows the request id that the log has."""
import logging
import re

import pytest

import models
from helpers import HTMX, PASSWORD, item_at, make_app, text_of

ENGLISH = ("Traceback", "Bad Request", "Not Found", "Method Not Allowed", "Internal Server Error", "Forbidden")


def assert_french(response, title):
    page = text_of(response)
    assert title in page
    assert not any(word in page for word in ENGLISH)


def test_400_csrf(tmp_path):
    client = make_app(tmp_path, WTF_CSRF_ENABLED=True).test_client()
    response = client.post("/login", data={"email": "x", "password": "y"})
    assert response.status_code == 400
    assert_french(response, "Requête invalide")


def test_403_404_405(client, auth, session, other_session):
    auth.login("lecteur@a.fr")
    response = client.get(f"/sessions/{session.id}/edit")
    assert response.status_code == 403 and "Accès refusé" in text_of(response)
    response = client.get("/sessions/424242")
    assert response.status_code == 404
    assert_french(response, "Page introuvable")
    response = client.delete(f"/sessions/{session.id}")
    assert response.status_code == 405
    assert_french(response, "Action impossible")


def test_409_without_javascript_shows_the_page_with_both_texts(client, auth, session):
    auth.login()
    item = item_at(session, 3)
    client.post(f"/items/{item.id}/observation", data={"observation": "Texte A", "version": "0"})
    response = client.post(f"/items/{item.id}/observation", data={"observation": "Texte B", "version": "0"})
    assert response.status_code == 409
    page = text_of(response)
    assert "Texte A" in page and "Texte B" in page and "Tâches à réaliser" in page


def test_413_too_large(client, auth, session):
    auth.login()
    response = client.post(f"/items/{item_at(session, 1).id}/observation",
                           data={"observation": "x" * (2 * 1024 * 1024), "version": "0"})
    assert response.status_code == 413
    assert_french(response, "Envoi trop volumineux")


@pytest.fixture
def failing_client(tmp_path):
    app = make_app(tmp_path)

    def broken():
        raise RuntimeError("boom")

    app.add_url_rule("/panne", view_func=broken)
    return app.test_client()


def test_500_shows_a_request_id_that_the_log_has(failing_client, caplog):
    with caplog.at_level(logging.ERROR):
        response = failing_client.get("/panne")
    assert response.status_code == 500
    assert_french(response, "Erreur interne")
    request_id = re.search(r"<strong>([0-9a-f]{12})</strong>", response.get_data(as_text=True)).group(1)
    assert any(request_id in record.getMessage() and record.exc_info for record in caplog.records)
    assert "boom" not in response.get_data(as_text=True)


def test_an_htmx_error_is_a_message_for_the_banner(failing_client, caplog):
    with caplog.at_level(logging.ERROR):
        response = failing_client.get("/panne", headers=HTMX)
    assert response.status_code == 500
    assert response.headers["HX-Retarget"] == "#flash"
    assert "Erreur interne" in text_of(response) and "référence" in text_of(response)


@pytest.mark.sqlite_only
@pytest.mark.parametrize("logged_in", [False, True])
def test_a_failing_database_gets_a_french_page_with_a_reference_in_the_log(tmp_path, caplog, logged_in):
    app = make_app(tmp_path)
    client = app.test_client()
    if logged_in:
        assert client.post("/login", data={"email": "resp@a.fr", "password": PASSWORD}).status_code == 302
    database = tmp_path / "jalon.sqlite3"
    for side in ("-wal", "-shm"):
        (tmp_path / f"jalon.sqlite3{side}").unlink(missing_ok=True)
    database.write_bytes(b"\\xff" * 4096)  # the file is no longer a database
    models.db.obj.close_all()  # the pool's open connections keep the pages they read; new ones read this file
    with caplog.at_level(logging.ERROR):
        for url, headers in (("/", {}), ("/login", {}), ("/sessions/1", HTMX)):
            response = client.get(url, headers=headers)
            assert response.status_code == 503, url
            page = response.get_data(as_text=True)
            assert "La base de données ne répond pas" in text_of(response)
            request_id = re.search(r"(?:<strong>|référence )([0-9a-f]{12})", page).group(1)
            assert any(request_id in r.getMessage() and "DatabaseError" in r.getMessage() for r in caplog.records)
            assert "Traceback" not in page and "Internal Server Error" not in page
