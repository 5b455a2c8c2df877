"""The pages are valid HTML for the tools people read them with: the Nu HTML Checker (vnu.jar from the
npm registry, installed by `make test` in tests/tools/, run with the machine's Java) finds no error on
the main pages of the demo, htmx's own `hx-*` attributes apart (the checker does not know them)."""
import json
import shutil
import subprocess
from pathlib import Path

import models
from cli.demo import DEMO_PASSWORD

VNU = Path(__file__).parent / "tools" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
# htmx's attributes, unknown to the checker: hx-post, hx-target, hx-swap-oob...
HTMX_ATTRIBUTES = r".*[“\"]hx-[a-z-]+[”\"].*"

def pages(client, app):
    """(name, HTML) of the main pages, for a responsable and an administrator, on the demo's data."""
    yield "connexion", client.get("/login").get_data(as_text=True)
    assert client.post("/login", data={"email": "responsable@horizon.demo", "password": DEMO_PASSWORD}).status_code == 302
    sessions = list(models.ExamSession.select().order_by(models.ExamSession.date_debut))
    finished, upcoming = sessions[0], sessions[1]
    candidat = models.Candidat.select().where(models.Candidat.session == upcoming).first()
    jure = models.Jure.select().first()
    paths = {
        "tableau-de-bord": "/", "session-close": f"/sessions/{finished.id}", "session": f"/sessions/{upcoming.id}",
        "jour-j": f"/sessions/{upcoming.id}/jour-j", "historique": f"/sessions/{upcoming.id}/history",
        "jury": f"/sessions/{upcoming.id}/jury", "candidats": f"/sessions/{upcoming.id}/candidats",
        "candidat": f"/candidats/{candidat.id}", "epreuves": f"/sessions/{upcoming.id}/epreuves",
        "emargement": f"/sessions/{finished.id}/emargement", "en-tete": f"/sessions/{upcoming.id}/edit",
        "nouvelle-session": "/sessions/new", "jures": "/jures", "jure": f"/jures/{jure.id}", "compte": "/account",
        # After the exam, on the finished session.
        "resultats": f"/sessions/{finished.id}/resultats", "pv": f"/sessions/{finished.id}/pv",
        "candidat-apres": f"/candidats/{models.Candidat.select().where(models.Candidat.session == finished).first().id}",
        "suivi-insertion": "/suivi-insertion", "partiels": "/candidats/partiels", "indicateurs": "/indicateurs",
        "documents-emis": f"/sessions/{finished.id}/emissions",
    }
    for name, path in paths.items():
        response = client.get(path)
        assert response.status_code == 200, (name, response.status_code)
        yield name, response.get_data(as_text=True)
    client.post("/logout")
    client.post("/login", data={"email": "admin@horizon.demo", "password": DEMO_PASSWORD})
    for name, path in {"administration": "/admin", "comptes": "/admin/users", "centres": "/admin/centres",
                       "guides": "/admin/guides", "journal-admin": "/admin/journal", "reseau": "/reseau",
                       "reseau-indicateurs": "/reseau/indicateurs"}.items():
        response = client.get(path)
        assert response.status_code == 200, (name, response.status_code)
        yield name, response.get_data(as_text=True)
    centre = models.Centre.get(models.Centre.name == "Centre de formation Horizon")
    client.post(f"/admin/centres/{centre.id}/indicateurs", data={"publier": "1"})
    client.post("/logout")
    response = client.get(f"/public/{centre.id}/indicateurs")
    assert response.status_code == 200
    yield "indicateurs-publics", response.get_data(as_text=True)


def test_the_main_pages_are_valid_html(app, client, runner, tmp_path):
    assert VNU.exists() and shutil.which("java"), "vnu.jar or Java missing: `make test` installs them"
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    files = []
    for name, html in pages(client, app):
        path = tmp_path / f"{name}.html"
        path.write_text(html, encoding="utf-8")
        files.append(path)
    checked = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", "--filterpattern", HTMX_ATTRIBUTES,
         *map(str, files)], capture_output=True, text=True, timeout=240)
    messages = json.loads(checked.stderr or '{"messages": []}')["messages"]
    errors = sorted({(Path(m.get("url", "")).name, m.get("message", "")) for m in messages if m.get("type") == "error"})
    assert errors == [], "\n".join(f"{page}: {message}" for page, message in errors)
