"""Logging in and out, CSRF, and what a logged-out browser or tablet gets."""
import re

import pytest

import models
from helpers import HTMX, PASSWORD, item_at, make_app, reload, text_of


def test_login_leads_to_the_list_of_sessions(client, auth):
    response = auth.login()
    assert response.headers["Location"] == "/"
    assert "Sessions d'examen" in text_of(client.get("/"))


def test_email_is_not_case_sensitive(client):
    response = client.post("/login", data={"email": " RESP@A.fr ", "password": PASSWORD})
    assert response.status_code == 302


@pytest.mark.parametrize("email, password", [
    ("resp@a.fr", "mauvais mot de passe"),
    ("inconnu@a.fr", PASSWORD),
    ("", ""),
])
def test_a_failed_login_does_not_tell_whether_the_email_exists(client, email, password):
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 401
    assert "Adresse e-mail ou mot de passe incorrect." in text_of(response)
    assert client.get("/").status_code == 302


def test_a_deactivated_user_cannot_log_in(client, db):
    models.User.update(active=False).where(models.User.email == "resp@a.fr").execute()
    assert client.post("/login", data={"email": "resp@a.fr", "password": PASSWORD}).status_code == 401


def test_logged_out_pages_redirect_to_login_and_back(client):
    response = client.get("/sessions/1/history")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/sessions/1/history"
    response = client.post("/login", data={"email": "resp@a.fr", "password": PASSWORD, "next": "/sessions/new"})
    assert response.headers["Location"] == "/sessions/new"


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)"])
def test_login_never_redirects_to_another_site(client, next_url):
    response = client.post("/login", data={"email": "resp@a.fr", "password": PASSWORD, "next": next_url})
    assert response.headers["Location"] == "/"


def test_an_htmx_request_from_a_logged_out_tablet_gets_hx_redirect(client, session):
    item = item_at(session, 1)
    response = client.post(f"/items/{item.id}/done",
                           headers={**HTMX, "HX-Current-URL": f"http://localhost/sessions/{session.id}"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"] == f"/login?next=/sessions/{session.id}"
    assert response.get_data(as_text=True) == ""
    assert reload(item).state == "todo"


def test_logout(client, auth):
    auth.login()
    assert auth.logout().headers["Location"] == "/login"
    assert client.get("/").status_code == 302


@pytest.fixture
def csrf_client(tmp_path):
    return make_app(tmp_path, WTF_CSRF_ENABLED=True).test_client()


def csrf_token(page):
    return re.search(r'<meta name="csrf-token" content="([^"]+)"', page.get_data(as_text=True)).group(1)


def test_csrf_is_enforced_on_every_post(csrf_client):
    response = csrf_client.post("/login", data={"email": "resp@a.fr", "password": PASSWORD})
    assert response.status_code == 400
    assert "La page a expiré" in text_of(response)
    token = csrf_token(csrf_client.get("/login"))
    response = csrf_client.post("/login", data={"email": "resp@a.fr", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302


def test_htmx_sends_the_csrf_token_as_a_header(csrf_client):
    token = csrf_token(csrf_client.get("/login"))
    csrf_client.post("/login", data={"email": "resp@a.fr", "password": PASSWORD, "csrf_token": token})
    with models.db.connection_context():
        from conftest import create_session

        session = create_session()
        item = item_at(session, 1)
    page = csrf_client.get(f"/sessions/{session.id}")
    token = csrf_token(page)
    assert csrf_client.post(f"/items/{item.id}/done", headers=HTMX).status_code == 400
    response = csrf_client.post(f"/items/{item.id}/done", headers={**HTMX, "X-CSRFToken": token})
    assert response.status_code == 200
    with models.db.connection_context():
        assert reload(item).state == "done"


def test_logout_ends_the_login_for_a_copied_cookie_too(app, client, session):
    client.post("/login", data={"email": "resp@a.fr", "password": PASSWORD})
    copy = app.test_client()
    copy.set_cookie("session", client.get_cookie("session").value)
    assert copy.get("/").status_code == 200
    assert client.post("/logout").status_code == 302
    item = item_at(session, 1)
    assert copy.get("/").status_code == 302
    assert copy.post(f"/items/{item.id}/done").status_code == 302
    assert reload(item).state == "todo"


def test_a_reactivated_user_logs_in_again_and_old_cookies_stay_dead(app, client, db):
    client.post("/login", data={"email": "resp@a.fr", "password": PASSWORD})
    assert client.get("/").status_code == 200
    admin = app.test_client()
    admin.post("/login", data={"email": "admin@test.fr", "password": PASSWORD})
    user = models.User.get(models.User.email == "resp@a.fr")
    admin.post(f"/admin/users/{user.id}/deactivate")
    admin.post(f"/admin/users/{user.id}/activate")
    assert client.get("/").status_code == 302
    assert client.post("/login", data={"email": "resp@a.fr", "password": PASSWORD}).status_code == 302
    assert client.get("/").status_code == 200


def test_logging_out_ends_this_login_only_and_mon_compte_closes_the_others(app):
    """« Se déconnecter » on the desk's computer ended every login of the user, the tablet in the exam
    room included, in the middle of sign-ins. A password change still ends them all."""
    desk, tablet, phone = app.test_client(), app.test_client(), app.test_client()
    for client, agent in ((desk, "Bureau"), (tablet, "Tablette salle 12"), (phone, "Téléphone")):
        assert client.post("/login", data={"email": "resp@a.fr", "password": PASSWORD},
                           headers={"User-Agent": agent}).status_code == 302
    page = text_of(desk.get("/account"))
    assert "Bureau" in page and "Tablette salle 12" in page and "Téléphone" in page and "Cet appareil" in page
    desk.post("/logout")
    assert desk.get("/account").status_code == 302  # to the login page
    assert tablet.get("/account").status_code == 200 and phone.get("/account").status_code == 200
    with models.db.connection_context():
        others = [c for c in models.Connexion.select() if c.appareil == "Téléphone"]
    assert tablet.post(f"/account/connexions/{others[0].id}/close").status_code == 302
    assert phone.get("/account").status_code == 302 and tablet.get("/account").status_code == 200
    assert phone.post("/login", data={"email": "resp@a.fr", "password": PASSWORD}).status_code == 302
    assert "1 autre connexion fermée" in text_of(tablet.post("/account/connexions/close-others", follow_redirects=True))
    assert phone.get("/account").status_code == 302 and tablet.get("/account").status_code == 200
    assert phone.post("/login", data={"email": "resp@a.fr", "password": PASSWORD}).status_code == 302
    new = "une phrase de passe toute neuve"
    tablet.post("/account/password", data={"current": PASSWORD, "new": new, "confirmation": new})
    assert tablet.get("/account").status_code == 200  # this device logged in again
    assert phone.get("/account").status_code == 302  # every other login ended
