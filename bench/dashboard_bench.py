"""Benchmark: the dashboard of a centre with 1,000 sessions (99,000 checklist items).

Prints the median render time of the home page and its number of SQL queries; the target is
under 100 ms, with a query count that does not grow with the number of sessions.

    .venv/bin/python bench/dashboard_bench.py [--sessions 1000] [--runs 20]
"""
import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import models  # noqa: E402
from database import counting_queries  # noqa: E402
from domain.sessions import create_session  # noqa: E402
from app import create_app  # noqa: E402
from cli.users import upsert_user  # noqa: E402

TODAY = dt.date(2027, 2, 1)


def seed(count):
    """`count` sessions over eight years around TODAY; the past ones completed, the coming ones under way."""
    user = upsert_user("bench@jalon.fr", "bench password", "responsable", "Centre de bench", "Bench")
    first = TODAY - dt.timedelta(days=365 * 6)
    step = (365 * 8) / count
    for n in range(count):
        start = first + dt.timedelta(days=int(n * step))
        header = dict(titre="Titre professionnel de bench", sigle=f"TP{n:04d}", millesime="2023",
                      nature=("TITRE", "CCP", "CCS")[n % 3], libelle_ccp="CCP de bench" if n % 3 else "",
                      code_ccp="", date_debut=start, date_fin=start + dt.timedelta(days=2), nb_formation=10,
                      nb_vae=1, responsable="Bench", suppleant="")
        with models.db.atomic():
            session = create_session(user.centre, "Site", header, user)
            if session.date_fin < TODAY:
                session.items.model.update(state="done", done_on=session.date_fin).where(
                    models.ChecklistItem.session == session).execute()
            elif session.date_debut < TODAY + dt.timedelta(days=120):
                models.ChecklistItem.update(state="done", done_on=TODAY).where(
                    (models.ChecklistItem.session == session) & (models.ChecklistItem.tableau_number <= 2)
                    & models.ChecklistItem.position.in_([p for p in range(1, 100) if p % 3])).execute()
    return user


def measure(client, url, runs):
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - t0)
        assert response.status_code == 200, response.status_code
    return statistics.median(times)


def count_queries(client, url):
    with counting_queries() as statements:
        client.get(url)
    return len(statements)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3", "SECRET_KEY": "bench",
                          "WTF_CSRF_ENABLED": False, "TODAY": TODAY})
        with app.app_context(), models.db.connection_context():
            t0 = time.perf_counter()
            seed(args.sessions)
            models.db.execute_sql("ANALYZE")  # statistics, as a live database has them
            seeded = time.perf_counter() - t0
            items = models.ChecklistItem.select().count()
            client = app.test_client()
            client.post("/login", data={"email": "bench@jalon.fr", "password": "bench password"})
            client.get("/")  # warm-up
            median = measure(client, "/", args.runs)
            queries = count_queries(client, "/")
            filtered = measure(client, "/?etat=terminee&page=3", args.runs)
            session_id = models.ExamSession.select().order_by(models.ExamSession.id.desc()).first().id
            page = measure(client, f"/sessions/{session_id}", args.runs)
            page_queries = count_queries(client, f"/sessions/{session_id}")
    print(f"Dashboard with {args.sessions} sessions ({items} items), seeded in {seeded:.1f} s, {args.runs} runs each")
    print(f"  GET /                         median {median * 1000:6.1f} ms   {queries} SQL queries   target < 100 ms: "
          f"{'met' if median < 0.1 else 'NOT met'}")
    print(f"  GET /?etat=terminee&page=3    median {filtered * 1000:6.1f} ms")
    print(f"  GET /sessions/<id> (99 items) median {page * 1000:6.1f} ms   {page_queries} SQL queries")


if __name__ == "__main__":
    main()
