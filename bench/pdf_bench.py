"""Benchmark: the PDF of a fully completed session (99 tasks done or sans objet, each with a
300-character observation). Prints the median of several renders; the target is under 1 s.

    .venv/bin/python bench/pdf_bench.py [--runs 7]
"""
import argparse
import datetime as dt
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

from pypdf import PdfReader

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import models  # noqa: E402
from domain.checklist import mark_done, mark_na, save_observation  # noqa: E402
from domain.sessions import create_session  # noqa: E402
from app import create_app  # noqa: E402
from cli.users import upsert_user  # noqa: E402

OBSERVATION = ("Vérifié avec le formateur référent ; pièces classées dans le dossier de session, "
               "copie transmise à l'UD. Les candidats ont été informés par courrier remis en mains "
               "propres contre décharge. Rien à signaler sur le plateau technique, matière d'œuvre "
               "conforme au DTE « organisateur ».")[:300].ljust(300, ".")


def build(tmp):
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3", "SECRET_KEY": "bench",
                      "WTF_CSRF_ENABLED": False})
    with app.app_context(), models.db.connection_context():
        user = upsert_user("bench@jalon.fr", "bench password", "responsable", "Centre de bench", "Bench")
        start = dt.date(2027, 3, 15)
        session = create_session(user.centre, "Site", dict(
            titre="Développeur web et web mobile", sigle="DWWM", millesime="2023", nature="TITRE",
            libelle_ccp="", code_ccp="", date_debut=start, date_fin=start + dt.timedelta(days=3),
            nb_formation=12, nb_vae=3, responsable="Karim Benali", suppleant="Nadia Morel"), user)
        for item in session.ordered_items():
            if item.position % 10 == 0:
                mark_na(item.id, user, "Sans objet pour cette session : aucun candidat concerné.")
            else:
                mark_done(item.id, user, start - dt.timedelta(days=7), start)
            save_observation(item.id, user, OBSERVATION, item.version + 1)
    return app, session.id


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app, session_id = build(tmp)
        client = app.test_client()
        client.post("/login", data={"email": "bench@jalon.fr", "password": "bench password"})
        client.get(f"/sessions/{session_id}/guide.pdf")  # warm-up: fonts, templates
        times, size, pages = [], 0, 0
        for _ in range(args.runs):
            t0 = time.perf_counter()
            response = client.get(f"/sessions/{session_id}/guide.pdf")
            times.append(time.perf_counter() - t0)
            assert response.status_code == 200, response.status_code
            size = len(response.data)
            pages = len(PdfReader(io.BytesIO(response.data)).pages)
    print(f"PDF of a completed session (99 tasks, 300-character observations), {args.runs} runs")
    print(f"  median {statistics.median(times) * 1000:.0f} ms   min {min(times) * 1000:.0f} ms   "
          f"max {max(times) * 1000:.0f} ms   size {size / 1024:.0f} KiB   pages {pages}")
    print(f"  target < 1000 ms: {'met' if statistics.median(times) < 1 else 'NOT met'}")


if __name__ == "__main__":
    main()
