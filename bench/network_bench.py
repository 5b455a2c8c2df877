"""Benchmark: a network on PostgreSQL: 100 centres, 10,000 sessions (about a million tasks), 3,000
jurors in a shared directory.

Prints the medians of the coordinator's /reseau (target under 300 ms, in a constant number of queries:
it is also measured at a tenth of the size), of a session's page (under 100 ms) and of the check
`jury_disponibilite` on one session (under 20 ms), and the query plans of /reseau's heaviest queries.

    scripts/with-postgres.sh bash -c '.venv/bin/python bench/network_bench.py --database-url "$JALON_TEST_DATABASE_URL"'
"""
import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from peewee import fn  # noqa: E402

import models  # noqa: E402
from app import create_app  # noqa: E402
from cli.users import upsert_user  # noqa: E402
from database import counting_queries  # noqa: E402
from domain import checks, deadlines, network  # noqa: E402
from postgres import reset  # noqa: E402
from timing import median_ms  # noqa: E402

TODAY = dt.date(2027, 2, 1)
SIGLES = ("DWWM", "TP SEC", "CDA", "RPCT", "GP", "ADVF", "TSMEL", "CP")


def seed(centres, sessions, jurors, rng):
    """The network: `centres` centres of one site each, `sessions` sessions over eight years before TODAY and
    one after (the past ones done, the coming ones half done), 98 tasks each (copied from the guide in SQL),
    8 candidates, a jury of two from a shared directory of `jurors` (one in five from another centre)."""
    db = models.db
    guide = models.GuideVersion.current()
    centre_rows = [models.Centre.create(name=f"Centre {n:03d}") for n in range(centres)]
    sites = [models.Site.create(centre=c, name=f"Site {c.name[-3:]}") for c in centre_rows]
    with db.atomic():
        models.Jure.insert_many([dict(centre=centre_rows[n % centres].id, nom=f"Juré{n:04d}", prenom="P",
                                      email=f"jure{n}@reseau.fr") for n in range(jurors)]).execute()
    jure_ids = [j for (j,) in models.Jure.select(models.Jure.id).order_by(models.Jure.id).tuples()]
    with db.atomic():
        models.Habilitation.insert_many([dict(jure=j, sigle=SIGLES[i % len(SIGLES)],
                                              valide_jusqu_au=TODAY + dt.timedelta(days=rng.randrange(-200, 2000)))
                                         for i, j in enumerate(jure_ids)]).execute()
        for site in sites:
            models.Agrement.create(site=site, sigle="DWWM", valide_du=dt.date(2020, 1, 1),
                                   valide_au=TODAY + dt.timedelta(days=rng.randrange(0, 1500)))
    first = TODAY - dt.timedelta(days=365 * 8)
    span = 365 * 9
    rows = []
    for n in range(sessions):
        centre = n % centres
        start = first + dt.timedelta(days=rng.randrange(span))
        rows.append(dict(centre=centre_rows[centre].id, site=sites[centre].id, guide=guide.id, titre="Titre",
                         sigle=SIGLES[n % len(SIGLES)], millesime="2023", nature="TITRE", date_debut=start,
                         date_fin=start + dt.timedelta(days=rng.randrange(1, 4)), nb_formation=8, responsable="R"))
    with db.atomic():
        for chunk in range(0, len(rows), 1000):
            models.ExamSession.insert_many(rows[chunk:chunk + 1000]).execute()
    # The tasks, copied from the guide version for every session at once; due dates spread around the
    # session's first day; past sessions' tasks done, the coming ones' first half done.
    db.execute_sql("""
        INSERT INTO checklistitem (session_id, tableau_number, tableau_title, position, text, reglementaire, conseil,
                                   sub, heading, key, conditional, long_running, due_on, state, done_on, na_reason,
                                   observation, version, observation_version)
        SELECT s.id, t.number, t.title, g.position, g.text, g.reglementaire, g.conseil, g.sub, g.heading, g.key,
               g.conditional, g.long_running, s.date_debut + (g.position - 70),
               CASE WHEN s.date_fin < %s OR g.position < 40 THEN 'done' ELSE 'todo' END,
               CASE WHEN s.date_fin < %s OR g.position < 40 THEN s.date_debut + (g.position - 70) END, '', '', 0, 0
        FROM examsession s CROSS JOIN guidetask g JOIN guidetableau t ON t.id = g.tableau_id
        WHERE t.guide_id = %s""", (TODAY, TODAY, guide.id))
    session_ids = [(s, c) for s, c in models.ExamSession.select(models.ExamSession.id, models.ExamSession.centre).tuples()]
    per_centre = {}
    for j, jure_id in enumerate(jure_ids):
        per_centre.setdefault(j % centres, []).append(jure_id)
    centre_index = {c.id: n for n, c in enumerate(centre_rows)}
    seats, candidates = [], []
    for session_id, centre_id in session_ids:
        own = per_centre[centre_index[centre_id]]
        first_juror = rng.choice(own)
        second = rng.choice(jure_ids) if rng.random() < 0.2 else rng.choice(own)
        seats.extend([dict(session=session_id, jure=first_juror, declaration_le=TODAY),
                      dict(session=session_id, jure=second, declaration_le=TODAY)] if second != first_juror
                     else [dict(session=session_id, jure=first_juror, declaration_le=TODAY)])
        candidates.extend(dict(session=session_id, nom=f"C{session_id}-{k}", prenom="P", date_naissance=dt.date(1990, 1, 1),
                               parcours="formation", convocation_envoyee_le=TODAY - dt.timedelta(days=60),
                               convocation_mode="lrar") for k in range(8))
    with db.atomic():
        for chunk in range(0, len(seats), 5000):
            models.MembreJury.insert_many(seats[chunk:chunk + 5000]).execute()
        for chunk in range(0, len(candidates), 5000):
            models.Candidat.insert_many(candidates[chunk:chunk + 5000]).execute()
    db.execute_sql("ANALYZE")


def measure(url, centres, sessions, jurors, runs, plans=False):
    rng = random.Random(7)
    reset(url)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "b" * 48, "WTF_CSRF_ENABLED": False, "TODAY": TODAY,
                      "JURES_PARTAGES": True})
    result = {}
    S = models.ExamSession
    with app.app_context(), models.db.connection_context():
        upsert_user("coord@reseau.fr", "bench password", "coordinateur", None, "Coordination")
        t0 = time.perf_counter()
        seed(centres, sessions, jurors, rng)
        result["seeded"] = time.perf_counter() - t0
        result["items"] = models.ChecklistItem.select().count()
        client = app.test_client()
        client.post("/login", data={"email": "coord@reseau.fr", "password": "bench password"})
        cold = []
        for _ in range(3):  # the first request after a server starts: every register read
            checks.forget()
            t0 = time.perf_counter()
            assert client.get("/reseau").status_code == 200
            cold.append((time.perf_counter() - t0) * 1000)
        result["reseau_cold"] = statistics.median(cold)
        result["reseau"] = median_ms(lambda: client.get("/reseau"), runs)
        # After a change in one session (its journal moves): that register alone is read again.
        changed = network.in_play(S.select(), TODAY).first()

        def after_a_change():
            models.JournalHead.insert(session=changed.id, hash=os.urandom(8).hex(), events=1).on_conflict(
                conflict_target=[models.JournalHead.session], update={models.JournalHead.hash: os.urandom(8).hex()}
            ).execute()
            client.get("/reseau")
        result["reseau_changed"] = median_ms(after_a_change, runs)
        with counting_queries() as queries:
            client.get("/reseau")
        result["reseau_queries"] = len(queries)
        result["reseau_json"] = median_ms(lambda: client.get("/reseau.json"), runs)
        result["dashboard"] = median_ms(lambda: client.get("/"), max(3, runs // 3))
        coming = S.select().where(S.date_debut > TODAY).order_by(S.date_debut).first()
        result["in_play"] = network.in_play(S.select(), TODAY).count()
        client.get(f"/sessions/{coming.id}")
        result["session"] = median_ms(lambda: client.get(f"/sessions/{coming.id}"), runs)

        def availability():
            register = checks.load_register(coming, {"jury", "autres_sieges"})
            return checks.jury_disponibilite(register, TODAY)
        availability()
        result["disponibilite"] = median_ms(availability, runs * 5)
        if plans:
            result["plans"] = explain(coming)
    return result


def explain(session):
    """EXPLAIN ANALYZE of the register's seats query for one session (the check jury_disponibilite) and of
    /reseau's late tasks grouped by site."""
    S = models.ExamSession
    seats = checks.register_queries(lambda field: field == session.id)["autres_sieges"]
    late = (models.ChecklistItem.select(S.site, fn.COUNT(models.ChecklistItem.id)).join(S)
            .where(deadlines.worked_on_condition() & deadlines.late_condition(TODAY)).group_by(S.site))
    plans = {}
    for name, query in (("jury_disponibilite (one session's seats)", seats), ("/reseau: late tasks by site", late)):
        sql, params = query.sql()
        rows = models.db.execute_sql("EXPLAIN (ANALYZE, COSTS OFF) " + sql, params).fetchall()
        plans[name] = "\n".join(row[0] for row in rows)
    return plans


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("JALON_TEST_DATABASE_URL"))
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--scale", type=float, default=1.0, help="1 for 100 centres, 10,000 sessions, 3,000 jurors")
    parser.add_argument("--explain", action="store_true", help="print the query plans of the heaviest queries")
    args = parser.parse_args()
    if not (args.database_url or "").startswith("postgresql"):
        sys.exit("A PostgreSQL address is needed (--database-url, or run it through scripts/with-postgres.sh).")
    for scale in (args.scale / 10, args.scale):
        centres, sessions, jurors = max(2, int(100 * scale)), int(10_000 * scale), int(3_000 * scale)
        r = measure(args.database_url, centres, sessions, jurors, args.runs, plans=args.explain and scale == args.scale)
        print(f"PostgreSQL, {centres} centres, {sessions} sessions ({r['items']} tasks, {r['in_play']} in play), "
              f"{jurors} shared jurors, seeded in {r['seeded']:.0f} s; {args.runs} runs each")
        print(f"  GET /reseau                   median {r['reseau']:7.1f} ms   {r['reseau_queries']} SQL queries   "
              f"target < 300 ms: {'met' if r['reseau'] < 300 else 'NOT met'}")
        print(f"  GET /reseau, one change since median {r['reseau_changed']:7.1f} ms")
        print(f"  GET /reseau, server just started (nothing kept) median {r['reseau_cold']:7.1f} ms")
        print(f"  GET /reseau.json              median {r['reseau_json']:7.1f} ms")
        print(f"  GET / (the coordinator's dashboard) median {r['dashboard']:7.1f} ms")
        print(f"  GET /sessions/<id>            median {r['session']:7.1f} ms   target < 100 ms: "
              f"{'met' if r['session'] < 100 else 'NOT met'}")
        print(f"  check jury_disponibilite      median {r['disponibilite']:7.1f} ms   target < 20 ms: "
              f"{'met' if r['disponibilite'] < 20 else 'NOT met'}")
        for name, plan in r.get("plans", {}).items():
            print(f"\n  Plan of {name}:\n" + "\n".join("    " + line for line in plan.splitlines()))


if __name__ == "__main__":
    main()
