"""Benchmark: how long a login takes while three large PDFs are laid out at once on three gunicorn
workers, and while one reader starts 8 downloads of the inspection file at once (target: under 1 s
each), against a login on an idle server. The test suite asserts only that logins are answered
meanwhile (tests/test_concurrency.py) and that a second heavy document of a user gets a 429
(tests/test_pdf.py); the durations are measured here.

    .venv/bin/python bench/login_bench.py [--rounds 3]
"""
import argparse
import datetime as dt
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import models  # noqa: E402
from app import create_app  # noqa: E402
from cli.users import upsert_user  # noqa: E402
from domain.sessions import create_session  # noqa: E402
from liveserver import LiveServer, login, sign_in  # noqa: E402

PASSWORD = "bench password"


def fresh_login(base_url, email):
    """Seconds taken by a login from a new browser (the form's page, then the post)."""
    start = time.monotonic()
    assert sign_in(base_url, email, PASSWORD, timeout=60)[1].status_code == 302
    return time.monotonic() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.sqlite3"
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "INSTANCE_PATH": tmp})
        with app.app_context(), models.db.connection_context():
            users = [upsert_user(f"bench{n}@jalon.fr", PASSWORD, "responsable", "Centre de bench", f"Bench {n}")
                     for n in range(4)]
            start = dt.date(2027, 3, 15)
            session_ids = [create_session(users[0].centre, "Site", dict(
                titre="Titre", sigle=f"PDF{n}", millesime="2023", nature="TITRE", libelle_ccp="", code_ccp="",
                date_debut=start, date_fin=start, nb_formation=0, nb_vae=0, responsable="Bench", suppleant=""),
                users[0]).id for n in range(max(3 * args.rounds, 8))]
            models.ChecklistItem.update(observation=("Observation détaillée " * 40)[:800]).execute()
        server = LiveServer(url, Path(tmp), workers=3).start()
        try:
            idle = [fresh_login(server.url, users[3].email) for _ in range(10)]
            busy = []
            for round_ in range(args.rounds):
                readers = [login(server.url, user.email, PASSWORD) for user in users[:3]]
                done = []
                threads = [threading.Thread(target=lambda http=http, sid=sid: done.append(
                    http.get(f"{server.url}/sessions/{sid}/guide.pdf", timeout=300).status_code))
                    for http, sid in zip(readers, session_ids[3 * round_:3 * round_ + 3], strict=True)]
                for thread in threads:
                    thread.start()
                while not done:
                    busy.append(fresh_login(server.url, users[3].email))
                for thread in threads:
                    thread.join()
            # One reader, 8 inspection files at once (each guide a new layout: its observation changed).
            reader = login(server.url, users[0].email, PASSWORD)
            zips, statuses = [], []
            for round_ in range(args.rounds):
                with models.db.connection_context():
                    models.ChecklistItem.update(observation=f"Observation {round_} " * 40).execute()
                threads = [threading.Thread(target=lambda sid=sid: statuses.append(
                    reader.get(f"{server.url}/sessions/{sid}/dossier.zip", timeout=300).status_code))
                    for sid in session_ids[:8]]
                for thread in threads:
                    thread.start()
                while len(statuses) < 8 * (round_ + 1):
                    zips.append(fresh_login(server.url, users[3].email))
                for thread in threads:
                    thread.join()
        finally:
            server.stop()
    print(f"login, idle server: median {statistics.median(idle) * 1000:.0f} ms ({len(idle)} logins)")
    print(f"login while 3 PDFs are made: median {statistics.median(busy) * 1000:.0f} ms, "
          f"max {max(busy) * 1000:.0f} ms ({len(busy)} logins); ratio to idle "
          f"{statistics.median(busy) / statistics.median(idle):.1f}×; target < 1 s: "
          f"{'met' if max(busy) < 1 else 'NOT met'}")
    print(f"login while one reader downloads 8 inspection files at once: median {statistics.median(zips) * 1000:.0f} ms, "
          f"max {max(zips) * 1000:.0f} ms ({len(zips)} logins); downloads: {statuses.count(200)} made, "
          f"{statuses.count(429)} refused (429: one heavy document at a time); target < 1 s: "
          f"{'met' if max(zips) < 1 else 'NOT met'}")


if __name__ == "__main__":
    main()
