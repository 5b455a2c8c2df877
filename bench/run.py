"""Jalon's speed beside a bare Flask + Peewee app (bench/bare_app.py), measured in the same run.

    bench/run.sh                                  # SQLite, then PostgreSQL (a throwaway server)
    .venv/bin/python bench/run.py [--database-url postgresql://...] [--sessions 1000]

Prints one table of medians per database engine:
- marking a task done, beside the bare app doing one indexed UPDATE per request: in process (Flask
  test client, the two apps' requests in turn; target: a median latency at most twice its own) and
  over HTTP (wrk, several connections, against gunicorn with several workers, both apps with Jalon's
  gunicorn.conf.py, their runs in turn, each ratio the median of the runs' ratios; targets: at least
  half the bare app's throughput, a median latency at most twice its own), with the CPU time per
  tick of the app's processes and of the database server;
- the session page (99 tasks): render time and SQL queries (target: 10 at most, whatever the size);
- the dashboard of a centre with 1,000 sessions (target: under 100 ms);
- the PDF of a completed session (target: under 1 s).
"""
import argparse
import datetime as dt
import os
import platform
import random
import re
import runpy
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import requests  # noqa: E402

import bare_app  # noqa: E402
import models  # noqa: E402
from domain.checklist import save_observation  # noqa: E402
from app import create_app  # noqa: E402
from dashboard_bench import TODAY, count_queries, seed  # noqa: E402
from pdf_bench import OBSERVATION  # noqa: E402

PASSWORD = "bench password"
GUNICORN_THREADS = runpy.run_path(str(ROOT / "gunicorn.conf.py"))["threads"]


def median_ms(samples):
    return statistics.median(samples) * 1000


def time_requests(send, count):
    """Median latency (s) of `count` calls, and calls per second over the whole loop."""
    times = []
    start = time.perf_counter()
    for n in range(count):
        t0 = time.perf_counter()
        send(n)
        times.append(time.perf_counter() - t0)
    return statistics.median(times), count / (time.perf_counter() - start)


def time_paired(send_a, send_b, count):
    """Two kinds of calls in turn (a, b, a, b…), so that a slow spell of the machine weighs on both:
    for each, the median latency (s) and the calls per second of its own time."""
    times = ([], [])
    for n in range(count):
        for send, spent in zip((send_a, send_b), times, strict=True):
            t0 = time.perf_counter()
            send(n)
            spent.append(time.perf_counter() - t0)
    return [(statistics.median(spent), count / sum(spent)) for spent in times]


def random_day(rnd):
    return (TODAY - dt.timedelta(days=rnd.randrange(1, 300))).isoformat()


class Server:
    """gunicorn on 127.0.0.1, in its own process group, polled until it answers. Both apps are served
    alike: Jalon's gunicorn.conf.py (its threads per worker, as deployed) with `workers` processes. The
    bare app used to be served by gunicorn's defaults (one thread, no keep-alive) beside Jalon's four
    threads per worker: a different server, which made Jalon's ratio look a fifth worse than it is."""

    def __init__(self, target, env, workers, chdir=ROOT):
        sock = __import__("socket").socket()
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        sock.close()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "-w", str(workers),
             "-b", f"127.0.0.1:{self.port}", "--chdir",
             str(chdir), target], env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                requests.get(self.url + "/", timeout=5)
                return
            except requests.RequestException:
                time.sleep(0.05)
        raise RuntimeError(f"{target} did not start")

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def stop(self):
        os.killpg(self.process.pid, 15)
        self.process.wait(timeout=15)


WRK_SCRIPT = """
local ids = {%(ids)s}
local headers = {["Content-Type"] = "application/x-www-form-urlencoded", %(headers)s}
math.randomseed(%(seed)d)
request = function()
  local id = ids[math.random(#ids)]
  local body = string.format("done_on=2026-%%02d-%%02d", math.random(1, 12), math.random(1, 28))
  return wrk.format("POST", "/items/" .. id .. "/done", headers, body)
end
"""


def wrk(url, ids, headers, seconds, run, workdir, connections):
    """Requests/s and p50 latency (ms) of one run of wrk."""
    script = Path(workdir) / "tick.lua"
    script.write_text(WRK_SCRIPT % {
        "ids": ",".join(map(str, ids)), "seed": run,
        "headers": ", ".join(f'["{k}"] = "{v}"' for k, v in headers.items())})
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script), url],
                         capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in out:
        raise RuntimeError("wrk saw errors:\n" + out)
    value, unit = re.search(r"50%\s+([\d.]+)(us|ms|s)\b", out).groups()
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]


def cpu_seconds(match):
    """CPU time (user + system, s) used so far by the processes for which match(process group, name)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # ended meanwhile
            continue
        name, fields = text[text.index("(") + 1:text.rindex(")")], text[text.rindex(")") + 2:].split()
        if match(int(fields[2]), name):
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def measured_wrk(server, ids, headers, args, run, workdir):
    """One wrk run: requests/s, p50 latency (ms), and CPU time per request (ms) of the app's gunicorn
    processes and of the PostgreSQL server's (0 on SQLite, which runs inside the app)."""
    def app(pgrp, name):
        return pgrp == server.process.pid

    def database(pgrp, name):
        return name == "postgres"

    before = cpu_seconds(app), cpu_seconds(database)
    rate, latency = wrk(server.url, ids, headers, args.seconds, run, workdir, args.connections)
    requests_made = rate * args.seconds
    return (rate, latency, 1000 * (cpu_seconds(app) - before[0]) / requests_made,
            1000 * (cpu_seconds(database) - before[1]) / requests_made)


def paired_wrk(jalon, bare, args, workdir):
    """Both apps measured in turn, run after run (Jalon, bare, Jalon, bare…), so that a slow spell of
    this shared machine weighs on both. For each app, the medians of requests/s, p50 latency, app CPU
    and database CPU per request; then the medians of the runs' ratios (requests/s, latency)."""
    for server, ids, headers in (jalon, bare):  # warm-up, not counted: workers' templates and connections
        wrk(server.url, ids, headers, 1, 0, workdir, args.connections)
    pairs = [(measured_wrk(*jalon, args, run, workdir), measured_wrk(*bare, args, run, workdir))
             for run in range(args.runs)]
    median = statistics.median
    return ([median(j[k] for j, _ in pairs) for k in range(4)], [median(b[k] for _, b in pairs) for k in range(4)],
            median(j[0] / b[0] for j, b in pairs), median(j[1] / b[1] for j, b in pairs))


def login(url):
    http = requests.Session()
    token = re.search(r'name="csrf-token" content="([^"]+)"', http.get(url + "/login").text).group(1)
    http.post(url + "/login", data={"email": "bench@jalon.fr", "password": PASSWORD, "csrf_token": token})
    token = re.search(r'name="csrf-token" content="([^"]+)"', http.get(url + "/").text).group(1)
    cookie = "; ".join(f"{c.name}={c.value}" for c in http.cookies)
    return {"Cookie": cookie, "X-CSRFToken": token, "HX-Request": "true"}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("JALON_BENCH_DATABASE_URL"))
    parser.add_argument("--sessions", type=int, default=1000)
    parser.add_argument("--ticks", type=int, default=400, help="in-process requests per app")
    parser.add_argument("--runs", type=int, default=5, help="wrk runs per app, the two apps in turn")
    parser.add_argument("--seconds", type=int, default=5, help="length of one wrk run")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers per app")
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    engine = "PostgreSQL" if args.database_url else "SQLite"
    rnd = random.Random(1)
    rows = []

    with tempfile.TemporaryDirectory() as tmp:
        jalon_url = args.database_url or f"sqlite:///{tmp}/jalon.sqlite3"
        bare_url = args.database_url or f"sqlite:///{tmp}/bare.sqlite3"
        app = create_app({"DATABASE_URL": jalon_url, "SECRET_KEY": "b" * 48, "TODAY": TODAY})
        app.config["WTF_CSRF_ENABLED"] = False
        with app.app_context(), models.db.connection_context():
            t0 = time.perf_counter()
            seed(args.sessions)
            # Statistics, as a live database has them; on PostgreSQL also the vacuum that autovacuum
            # would otherwise start in the middle of the measures, after 99,000 new rows.
            models.db.execute_sql("VACUUM ANALYZE" if args.database_url else "ANALYZE")
            seeded = time.perf_counter() - t0
            coming = list(models.ExamSession.select().where(models.ExamSession.date_debut >= TODAY)
                          .order_by(models.ExamSession.date_debut).limit(10))
            tick_ids = [i.id for s in coming for i in s.items if not i.heading]  # a heading is never ticked (422)
            pdf_session = coming[-1]
            bench_user = models.User.get(models.User.email == "bench@jalon.fr")
            for item in pdf_session.ordered_items():
                save_observation(item.id, bench_user, OBSERVATION, item.version)

            client = app.test_client()
            client.post("/login", data={"email": "bench@jalon.fr", "password": PASSWORD})
            session_page = f"/sessions/{coming[0].id}"
            page_median, _ = time_requests(lambda n: client.get(session_page), 30)
            page_queries = count_queries(client, session_page)
            dashboard_median, _ = time_requests(lambda n: client.get("/"), 30)
            dashboard_queries = count_queries(client, "/")
            pdf_median, _ = time_requests(lambda n: client.get(f"/sessions/{pdf_session.id}/guide.pdf"), 5)

        bare = bare_app.create_app(bare_url)
        with bare.app_context():
            bare_app.db.connect(reuse_if_open=True)
            bare_ids = bare_app.seed(len(tick_ids))
            bare_app.db.close()
        bare_client = bare.test_client()
        # Each request takes its connection from its app's pool and gives it back, as in production.
        (jalon_tick, jalon_rate), (bare_tick, bare_rate) = time_paired(
            lambda n: client.post(f"/items/{rnd.choice(tick_ids)}/done", data={"done_on": random_day(rnd)},
                                  headers={"HX-Request": "true"}),
            lambda n: bare_client.post(f"/items/{rnd.choice(bare_ids)}/done", data={"done_on": random_day(rnd)}),
            args.ticks)

        jalon_server = Server("app:app", {"DATABASE_URL": jalon_url, "SECRET_KEY": "b" * 48,
                                          "JALON_TODAY": TODAY.isoformat(), "JALON_INSTANCE_PATH": tmp},
                              args.workers)
        bare_server = None
        try:
            bare_server = Server("bare_app:app", {"DATABASE_URL": bare_url}, args.workers, chdir=ROOT / "bench")
            jalon_http, bare_http, rate_ratio, latency_ratio = paired_wrk(
                (jalon_server, tick_ids, login(jalon_server.url)), (bare_server, bare_ids, {}), args, tmp)
        finally:
            jalon_server.stop()
            if bare_server is not None:
                bare_server.stop()

    def verdict(ok):
        return "met" if ok else "NOT met"

    rows = [
        ("Tick « Fait », in process: median latency", f"{jalon_tick * 1000:.2f} ms", f"{bare_tick * 1000:.2f} ms",
         f"{jalon_tick / bare_tick:.2f}×", f"≤ 2×: {verdict(jalon_tick <= 2 * bare_tick)}"),
        ("Tick « Fait », in process: requests/s", f"{jalon_rate:.0f}", f"{bare_rate:.0f}",
         f"{jalon_rate / bare_rate:.2f}", ""),
        (f"Tick « Fait », HTTP ({args.workers} workers × {GUNICORN_THREADS} threads, {args.connections} connections): "
         "requests/s",
         f"{jalon_http[0]:.0f}", f"{bare_http[0]:.0f}", f"{rate_ratio:.3f}",
         f"≥ 0.5: {verdict(rate_ratio >= 0.5)}"),
        ("Tick « Fait », HTTP: median latency", f"{jalon_http[1]:.2f} ms", f"{bare_http[1]:.2f} ms",
         f"{latency_ratio:.1f}×", f"≤ 2×: {verdict(latency_ratio <= 2)}"),
        ("Tick « Fait », HTTP: CPU per tick, app processes + database server",
         f"{jalon_http[2]:.2f} + {jalon_http[3]:.2f} ms", f"{bare_http[2]:.2f} + {bare_http[3]:.2f} ms",
         f"{(jalon_http[2] + jalon_http[3]) / (bare_http[2] + bare_http[3]):.1f}×", ""),
        ("Session page (99 tasks): median render", f"{median_ms([page_median]):.1f} ms", f"{bare_tick * 1000:.2f} ms",
         f"{page_median / bare_tick:.1f}×", ""),
        ("Session page: SQL queries", str(page_queries), "1", "", f"≤ 10: {verdict(page_queries <= 10)}"),
        (f"Dashboard, {args.sessions} sessions: median render", f"{dashboard_median * 1000:.1f} ms",
         f"{bare_tick * 1000:.2f} ms", f"{dashboard_median / bare_tick:.1f}×",
         f"< 100 ms: {verdict(dashboard_median < 0.1)}"),
        ("Dashboard: SQL queries", str(dashboard_queries), "1", "", ""),
        ("PDF of a completed session (300-character observations)", f"{pdf_median * 1000:.0f} ms",
         f"{bare_tick * 1000:.2f} ms", f"{pdf_median / bare_tick:.0f}×", f"< 1 s: {verdict(pdf_median < 1)}"),
    ]
    print(f"\n### {engine}: {args.sessions} sessions ({args.sessions * 99} tasks) seeded in {seeded:.0f} s; "
          f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}\n")
    print("| Measure | Jalon | Bare Flask + Peewee (one UPDATE) | Jalon / bare | Target |")
    print("| --- | --- | --- | --- | --- |")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
