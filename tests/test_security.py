"""Security: headers, cookies, secret key, passwords, login throttling, deployment checks."""
import os
import re
import secrets
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

import models
from app import create_app
from cli.demo import DEMO_PASSWORD
from cli.deploy import KEY_MIN_BITS, estimated_key_bits
from cli.users import upsert_user
from helpers import PASSWORD, create_session, create_test_app, make_app, text_of
from liveserver import LiveServer, login

PAGES = ["/", "/sessions/new", "/sessions/{id}", "/sessions/{id}/edit", "/sessions/{id}/history", "/account",
         "/admin", "/admin/users", "/admin/centres", "/admin/guides", "/admin/journal", "/sessions/999999"]


def all_pages(client, auth, session):
    responses = [client.get("/login")]
    auth.login("admin@test.fr")
    responses += [client.get(url.format(id=session.id)) for url in PAGES]
    responses.append(client.post("/sessions", data={"titre": "x"}))  # a form with errors
    return responses


def test_every_page_has_the_security_headers(client, auth, session):
    for response in all_pages(client, auth, session):
        csp = response.headers["Content-Security-Policy"]
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "style-src 'self'" in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"


def test_no_page_has_inline_script_style_or_event_handler(client, auth, session):
    for response in all_pages(client, auth, session):
        html = response.get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), response.request.path
        assert "<style" not in html and not re.search(r"\sstyle=", html), response.request.path
        assert not re.search(r"\son[a-z]+=", html), response.request.path
        assert "javascript:" not in html


def test_htmx_does_not_inject_its_style_nor_evaluate_code(client):
    html = client.get("/login").get_data(as_text=True)
    config = re.search(r"<meta name=\"htmx-config\" content='([^']+)'>", html).group(1)
    assert '"includeIndicatorStyles": false' in config and '"allowEval": false' in config


def test_session_cookie_flags(app, client):
    response = client.post("/login", data={"email": "resp@a.fr", "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    assert "remember_token" not in str(response.headers)


def test_secure_cookies_behind_https(tmp_path):
    client = make_app(tmp_path, SESSION_COOKIE_SECURE=True).test_client()
    cookie = client.post("/login", data={"email": "resp@a.fr", "password": PASSWORD}).headers["Set-Cookie"]
    assert "Secure" in cookie


def test_a_secret_key_is_generated_once_into_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    config = {"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    monkeypatch.setenv("JALON_INSTANCE_PATH", str(tmp_path / "instance"))
    first = create_app(config)
    second = create_app(config)
    key_file = tmp_path / "instance" / "secret_key"
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"] == key_file.read_text().strip()
    assert len(first.config["SECRET_KEY"]) >= 64
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    monkeypatch.setenv("SECRET_KEY", "k" * 40)
    assert create_app(config).config["SECRET_KEY"] == "k" * 40


@pytest.mark.parametrize("password, message", [
    ("court", "au moins 12 caractères"),
    ("romain-et-sa-phrase", "ni votre nom"),
    ("xx-resp@a.fr-xx", "ni votre nom"),
    ("x" * 129, "au plus 128"),
])
def test_password_policy(client, auth, db, password, message):
    auth.login()
    response = client.post("/account/password", data={"current": PASSWORD, "new": password, "confirmation": password})
    assert response.status_code == 422
    assert message in text_of(response)
    assert models.User.get(models.User.email == "resp@a.fr").check_password(PASSWORD)


def test_a_user_changes_their_own_password(app, client, auth, db):
    other_device = app.test_client()
    other_device.post("/login", data={"email": "resp@a.fr", "password": PASSWORD})
    auth.login()
    response = client.post("/account/password", data={"current": "faux", "new": "une phrase assez longue",
                                                      "confirmation": "une phrase assez longue"})
    assert response.status_code == 422 and "mot de passe actuel est incorrect" in text_of(response)
    response = client.post("/account/password", data={"current": PASSWORD, "new": "une phrase assez longue",
                                                      "confirmation": "une autre phrase longue"})
    assert response.status_code == 422 and "diffèrent" in text_of(response)
    response = client.post("/account/password", data={"current": PASSWORD, "new": "une phrase assez longue",
                                                      "confirmation": "une phrase assez longue"})
    assert response.status_code == 302
    assert client.get("/").status_code == 200  # this device stays logged in
    assert other_device.get("/").status_code == 302  # the others are logged out
    assert models.AdminEvent.select().count() == 1


def test_failed_logins_are_throttled_per_account(client):
    for _ in range(5):
        assert client.post("/login", data={"email": "resp@a.fr", "password": "faux"}).status_code == 401
    response = client.post("/login", data={"email": "resp@a.fr", "password": PASSWORD})
    assert response.status_code == 429
    assert "Trop de tentatives" in text_of(response)
    # Another account from the same address is not blocked by this one.
    assert client.post("/login", data={"email": "lecteur@a.fr", "password": PASSWORD}).status_code == 302


def test_failed_logins_are_throttled_per_address(client):
    for n in range(20):
        client.post("/login", data={"email": f"inconnu{n}@a.fr", "password": "faux"})
    assert client.post("/login", data={"email": "resp@a.fr", "password": PASSWORD}).status_code == 429


def test_successful_logins_do_not_count(client):
    for _ in range(8):
        assert client.post("/login", data={"email": "resp@a.fr", "password": PASSWORD}).status_code == 302
        client.post("/logout")


def check_deploy(app):
    return app.test_cli_runner().invoke(args=["check-deploy"])


@pytest.mark.sqlite_only
def test_check_deploy_reports_what_is_wrong(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    app = make_app(tmp_path, SECRET_KEY="dev")
    with app.app_context(), models.db.connection_context():
        upsert_user("responsable@horizon.demo", DEMO_PASSWORD, "responsable", "Centre A")
    os.chmod(tmp_path / "jalon.sqlite3", 0o644)
    result = check_deploy(app)
    assert result.exit_code == 1
    for message in ("SECRET_KEY trop faible", "Cookies de session non sécurisés", "Comptes de démonstration actifs",
                    "lisible par tous"):
        assert message in result.output


@pytest.mark.sqlite_only
def test_check_deploy_passes_a_careful_installation(tmp_path, monkeypatch):
    key = secrets.token_hex(32)
    monkeypatch.setenv("SECRET_KEY", key)
    app = make_app(tmp_path, SECRET_KEY=key, SESSION_COOKIE_SECURE=True)
    os.chmod(tmp_path / "jalon.sqlite3", 0o600)
    result = check_deploy(app)
    assert result.exit_code == 0, result.output
    assert "Aucun problème" in result.output


@pytest.mark.parametrize("key", ["a" * 32, " " * 40, "changeme" * 5, "changemechangemechangemechangeme!",
                                 "0123456789abcdef" * 3])
def test_check_deploy_refuses_a_weak_key_and_says_how_to_make_one(tmp_path, key):
    app = make_app(tmp_path, SECRET_KEY=key, SESSION_COOKIE_SECURE=True)
    result = check_deploy(app)
    assert result.exit_code == 1
    assert "SECRET_KEY trop faible" in result.output and "secrets.token_hex(32)" in result.output


def test_keys_made_by_the_advised_command_always_pass():
    for _ in range(200):
        assert estimated_key_bits(secrets.token_hex(32)) >= KEY_MIN_BITS
        assert estimated_key_bits(secrets.token_urlsafe(32)) >= KEY_MIN_BITS


@pytest.mark.sqlite_only
def test_a_new_database_file_is_private(tmp_path):
    create_test_app(tmp_path, f"sqlite:///{tmp_path / 'jalon.sqlite3'}", {})
    assert oct((tmp_path / "jalon.sqlite3").stat().st_mode & 0o777) == "0o600"


def test_markup_in_every_user_field_is_shown_as_text(client, auth, db):
    hostile = '<img src=x onerror="alert(1)">'
    session = create_session(titre=hostile, responsable=hostile, site=hostile)
    auth.login()
    item = session.ordered_items()[0]
    client.post(f"/items/{item.id}/observation", data={"observation": hostile, "version": "0"})
    client.post(f"/items/{session.ordered_items()[1].id}/na", data={"reason": hostile})
    for url in ("/", f"/sessions/{session.id}", f"/sessions/{session.id}/history"):
        html = client.get(url).get_data(as_text=True)
        assert "<img src=x" not in html
        assert "&lt;img src=x onerror=" in html


def test_the_current_password_is_throttled_like_the_login(client, auth):
    auth.login()
    change = {"new": "une phrase assez longue", "confirmation": "une phrase assez longue"}
    for _ in range(5):
        assert client.post("/account/password", data={**change, "current": "faux"}).status_code == 422
    response = client.post("/account/password", data={**change, "current": PASSWORD})
    assert response.status_code == 429 and "Trop de tentatives" in text_of(response)
    assert models.User.get(models.User.email == "resp@a.fr").check_password(PASSWORD)


def csrf_session(base_url):
    http = requests.Session()
    page = http.get(base_url + "/login", timeout=30).text
    http.headers["X-CSRFToken"] = page.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]
    return http


@pytest.mark.live
def test_parallel_wrong_passwords_are_counted_once_whichever_worker_answers(tmp_path):
    app = make_app(tmp_path)
    server = LiveServer(app.config["DATABASE_URL"], tmp_path, workers=3).start()
    try:
        clients = [csrf_session(server.url) for _ in range(19)]

        def attempt(http):
            return http.post(server.url + "/login", data={"email": "resp@a.fr", "password": "faux"},
                             allow_redirects=False, timeout=60).status_code

        with ThreadPoolExecutor(max_workers=19) as pool:
            statuses = list(pool.map(attempt, clients))
        assert sorted(statuses) == [401] * 5 + [429] * 14
        right = clients[0].post(server.url + "/login", data={"email": "resp@a.fr", "password": PASSWORD},
                                allow_redirects=False, timeout=60)
        assert right.status_code == 429  # the sixth attempt within the minute is refused, right or wrong

        logged_in = login(server.url, "lecteur@a.fr", PASSWORD)
        change = {"new": "une phrase assez longue", "confirmation": "une phrase assez longue"}
        with ThreadPoolExecutor(max_workers=10) as pool:
            statuses = list(pool.map(lambda n: logged_in.post(server.url + "/account/password",
                                                              data={**change, "current": f"faux{n}"},
                                                              allow_redirects=False, timeout=60).status_code,
                                     range(12)))
        assert sorted(statuses) == [422] * 5 + [429] * 7
    finally:
        server.stop()
