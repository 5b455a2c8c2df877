"""Where a tick's time goes: the SQL statements one tick sends, and a cProfile of many in-process ticks.

    .venv/bin/python bench/tick_profile.py [--database-url postgresql://...] [--sessions 50] [--ticks 300]

Prints the statements of one tick « Fait » (htmx, the way a tablet sends it), the median latency of
`--ticks` ticks beside bench/bare_app.py's (one UPDATE), the median time of each statement sent
(COMMIT apart: the driver's), the median real time of the parts of a tick (login, change, progress,
row), then the top entries of the profile (by own time, then by cumulative time). The
seed is bench/dashboard_bench.py's; the sessions ticked are the coming ones, as in bench/run.py.
"""
import argparse
import collections
import cProfile
import io
import os
import pstats
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent.parent), str(Path(__file__).resolve().parent)]

import bare_app  # noqa: E402
import models  # noqa: E402
from app import create_app  # noqa: E402
from dashboard_bench import TODAY, seed  # noqa: E402
from database import counting_queries  # noqa: E402
from run import PASSWORD, random_day  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("JALON_BENCH_DATABASE_URL"))
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--ticks", type=int, default=300)
    parser.add_argument("--top", type=int, default=12)
    args = parser.parse_args()
    rnd = random.Random(1)
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"DATABASE_URL": args.database_url or f"sqlite:///{tmp}/jalon.sqlite3",
                          "SECRET_KEY": "b" * 48, "TODAY": TODAY, "WTF_CSRF_ENABLED": False})
        with app.app_context(), models.db.connection_context():
            seed(args.sessions)
            models.db.execute_sql("VACUUM ANALYZE" if args.database_url else "ANALYZE")
            coming = (models.ExamSession.select().where(models.ExamSession.date_debut >= TODAY)
                      .order_by(models.ExamSession.date_debut).limit(10))
            ids = [i.id for i in models.ChecklistItem.select(models.ChecklistItem.id).where(
                models.ChecklistItem.session.in_(coming) & ~models.ChecklistItem.heading)]
        client = app.test_client()
        client.post("/login", data={"email": "bench@jalon.fr", "password": PASSWORD})

        def tick():
            response = client.post(f"/items/{rnd.choice(ids)}/done", data={"done_on": random_day(rnd)},
                                   headers={"HX-Request": "true"})
            assert response.status_code == 200, response.status_code

        for _ in range(50):
            tick()  # warm up: templates compiled, connections opened
        with app.app_context(), counting_queries() as statements:
            tick()
        print(f"One tick: {len(statements)} SQL statements")
        for sql in statements:
            print("  ", sql if len(sql) < 160 else sql[:157] + "...")
        times = []
        for _ in range(args.ticks):
            t0 = time.perf_counter()
            tick()
            times.append(time.perf_counter() - t0)
        by_statement = collections.defaultdict(list)
        execute_sql = models.db.obj.execute_sql

        def timed(sql, *more, **named):
            t0 = time.perf_counter()
            try:
                return execute_sql(sql, *more, **named)
            finally:
                by_statement[sql].append(time.perf_counter() - t0)

        models.db.obj.execute_sql = timed
        try:
            for _ in range(args.ticks):
                tick()
        finally:
            del models.db.obj.execute_sql
        print(f"\nEach statement sent (one round trip each; « ; » joins a batch), median over {args.ticks} ticks:")
        for sql, spent in sorted(by_statement.items(), key=lambda kv: -sum(kv[1])):
            if len(spent) >= args.ticks // 2:  # the register's checks run on a few ticks only
                print(f"  {statistics.median(spent) * 1000:6.3f} ms  {sql[:110]}")
        jalon = statistics.median(times)
        bare = bare_app.create_app(args.database_url or f"sqlite:///{tmp}/bare.sqlite3")
        with bare.app_context():
            bare_app.db.connect(reuse_if_open=True)
            bare_ids = bare_app.seed(len(ids))
            bare_app.db.close()
        bare_client = bare.test_client()
        bare_times = []
        for _ in range(args.ticks):
            t0 = time.perf_counter()
            bare_client.post(f"/items/{rnd.choice(bare_ids)}/done", data={"done_on": random_day(rnd)})
            bare_times.append(time.perf_counter() - t0)
        bare_median = statistics.median(bare_times)
        print(f"\nMedian tick over {args.ticks}: Jalon {jalon * 1000:.2f} ms, bare app {bare_median * 1000:.2f} ms "
              f"({jalon / bare_median:.1f}×)")
        print_sections(app, tick, args.ticks)
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(args.ticks):
            tick()
        profile.disable()
        for order in ("tottime", "cumulative"):
            out = io.StringIO()
            pstats.Stats(profile, stream=out).strip_dirs().sort_stats(order).print_stats(args.top)
            print(f"\n## Top {args.top} by {order} ({args.ticks} ticks)")
            print("\n".join(line for line in out.getvalue().splitlines()[6:] if line.strip()))


def print_sections(app, tick, ticks):
    """The median real time (not profiled) of the parts of a tick: the login's cookie and user, the
    change (its transaction, commit included), the progress, the checks and the row's HTML."""
    import flask.sessions
    import flask_login.login_manager
    import routes.items

    spent = collections.defaultdict(list)
    parts = [(flask.sessions.SecureCookieSessionInterface, "open_session", "login cookie (Flask's session)"),
             (flask_login.login_manager.LoginManager, "_load_user", "login user"),
             (routes.items, "mark_done", "change: transaction and commit"),
             (routes.items, "progress_by_tableau", "progress of the tableaux"),
             (routes.items.SessionChecks, "of_task", "checks of the task"),
             (routes.items, "render_template", "row's HTML"),
             (app, "wsgi_app", "whole request in Flask")]
    originals = [(owner, name, getattr(owner, name)) for owner, name, _ in parts]

    def timed(function, label):
        def run(*args, **kwargs):
            t0 = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[label].append(time.perf_counter() - t0)
        return run

    for (owner, name, function), (_, _, label) in zip(originals, parts, strict=True):
        setattr(owner, name, timed(function, label))
    try:
        for _ in range(ticks):
            tick()
    finally:
        for owner, name, function in originals:
            setattr(owner, name, function)
    print(f"\nParts of a tick, median real time over {ticks} ticks:")
    for _, _, label in parts:
        print(f"  {statistics.median(spent[label]) * 1000:6.3f} ms  {label}")


if __name__ == "__main__":
    main()
