"""Production serving: versioned static files with long cache headers, and the reverse proxy setting."""
import re

from helpers import PASSWORD, make_app


def test_static_files_have_versioned_names_and_long_cache(client):
    page = client.get("/login").get_data(as_text=True)
    css = re.search(r'href="(/static/css/jalon\.css\?v=[0-9a-f]{12})"', page).group(1)
    js = re.search(r'src="(/static/js/jalon\.js\?v=[0-9a-f]{12})"', page).group(1)
    assert re.search(r'src="/static/vendor/htmx-2\.0\.11/htmx\.min\.js\?v=[0-9a-f]{12}"', page)
    for url in (css, js):
        response = client.get(url)
        assert response.status_code == 200
        assert "max-age=31536000" in response.headers["Cache-Control"]
        response.close()
    plain = client.get("/static/css/jalon.css")
    assert "max-age=31536000" not in plain.headers.get("Cache-Control", "")
    plain.close()


def test_behind_a_reverse_proxy(tmp_path):
    client = make_app(tmp_path, PROXY_COUNT=1).test_client()
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "intranet.centre.fr", "X-Forwarded-For": "10.1.2.3"}
    response = client.post("/login", data={"email": "resp@a.fr", "password": PASSWORD}, headers=headers)
    assert response.status_code == 302
    client.post("/account/calendar-token", headers=headers)
    page = client.get("/account", headers=headers).get_data(as_text=True)
    assert 'value="https://intranet.centre.fr/calendar/' in page
    # Login throttling counts per real client address, not per proxy.
    for n in range(20):
        client.post("/login", data={"email": f"inconnu{n}@a.fr", "password": "faux"}, headers=headers)
    assert client.post("/login", data={"email": "resp@a.fr", "password": PASSWORD}, headers=headers).status_code == 429
    other = {**headers, "X-Forwarded-For": "10.9.9.9"}
    assert client.post("/login", data={"email": "resp@a.fr", "password": PASSWORD}, headers=other).status_code == 302


def test_without_the_setting_forwarded_headers_are_ignored(tmp_path):
    client = make_app(tmp_path).test_client()
    client.post("/login", data={"email": "resp@a.fr", "password": PASSWORD})
    client.post("/account/calendar-token")
    page = client.get("/account", headers={"X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example"})
    assert "evil.example" not in page.get_data(as_text=True)
