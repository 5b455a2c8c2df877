"""Benchmark: the centre's rates (/indicateurs) over 1,000 sessions of 12 candidates each.

Every session has its results and half its candidates a follow-up; nine in ten have their PV's copy
back from the UD (the others are not counted). Prints the median time of GET /indicateurs (all years,
then one year and one titre) and of the public page, with their numbers of SQL queries at 100 and at
1,000 sessions: the target is under 200 ms, in a number of queries that does not grow.

    .venv/bin/python bench/indicators_bench.py [--sessions 1000] [--runs 20] [--database-url postgresql://…]
"""
import argparse
import datetime as dt
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import models  # noqa: E402
from app import create_app  # noqa: E402
from cli.users import upsert_user  # noqa: E402
from postgres import reset  # noqa: E402
from timing import count_queries, page_ms  # noqa: E402

TODAY = dt.date(2027, 2, 1)
SIGLES = ("DWWM", "TP SEC", "CDA", "RPCT", "GP")
DECISIONS = ("titre", "titre", "titre", "titre", "titre", "partiel", "partiel", "non_obtenu", "titre", "absent",
             "titre", "partiel")
SITUATIONS = ("emploi_metier", "emploi_autre", "formation", "recherche", "sans_nouvelles", None)


def seed(count, centre, site, guide):
    """`count` sessions over five years before TODAY, each with 12 candidates, their results and follow-ups."""
    first = TODAY - dt.timedelta(days=365 * 5)
    step = (365 * 5 - 30) / count
    rows = []
    for n in range(count):
        start = first + dt.timedelta(days=int(n * step))
        rows.append(dict(centre=centre, site=site, guide=guide, titre="Titre de bench", sigle=SIGLES[n % len(SIGLES)],
                         millesime="2023", nature="TITRE", date_debut=start, date_fin=start + dt.timedelta(days=3),
                         responsable="Bench"))
    with models.db.atomic():
        for chunk in range(0, len(rows), 200):
            models.ExamSession.insert_many(rows[chunk:chunk + 200]).execute()
    sessions = list(models.ExamSession.select(models.ExamSession.id, models.ExamSession.date_fin)
                    .order_by(models.ExamSession.id))
    both = {"CP-01": "acquis", "CP-02": "acquis"}
    one = {"CP-01": "acquis", "CP-02": "non_acquis"}
    none = {"CP-01": "non_acquis", "CP-02": "non_acquis"}
    with models.db.atomic():
        for index, session in enumerate(sessions):
            candidats = [dict(session=session.id, nom=f"Nom{index}-{k}", prenom="P", date_naissance=dt.date(1990, 1, 1),
                              parcours="formation") for k in range(12)]
            models.Candidat.insert_many(candidats).execute()
            ids = [c.id for c in models.Candidat.select(models.Candidat.id).where(models.Candidat.session == session.id)]
            results = []
            follow_ups = []
            for k, candidat_id in enumerate(ids):
                decision = DECISIONS[k]
                ccp = {"titre": both, "partiel": one}.get(decision, none)
                results.append(dict(candidat=candidat_id, session=session.id, decision=decision, ccp=json.dumps(ccp),
                                    saisi_le=dt.datetime(2027, 1, 1)))
                situation = SITUATIONS[(index + k) % len(SITUATIONS)]
                if decision != "absent" and situation and k % 2 == 0:
                    follow_ups.append(dict(candidat=candidat_id, session=session.id, situation=situation,
                                           date_contact=session.date_fin + dt.timedelta(days=190), canal="telephone",
                                           saisi_le=dt.datetime(2027, 1, 1)))
            models.Resultat.insert_many(results).execute()
            if follow_ups:
                models.SuiviInsertion.insert_many(follow_ups).execute()
            if index % 10:
                models.EtapePv.create(session=session.id, etape="copie_ud_recue", date=session.date_fin + dt.timedelta(days=20))


def run(url, count, runs):
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "b" * 48, "WTF_CSRF_ENABLED": False, "TODAY": TODAY})
    with app.app_context(), models.db.connection_context():
        user = upsert_user("bench@jalon.fr", "bench password", "responsable", "Centre de bench", "Bench")
        models.Centre.update(indicateurs_publics=True).where(models.Centre.id == user.centre_id).execute()
        site = models.Site.create(centre=user.centre_id, name="Site de bench")
        t0 = time.perf_counter()
        seed(count, user.centre_id, site.id, models.GuideVersion.current().id)
        seeded = time.perf_counter() - t0
        models.db.execute_sql("ANALYZE")  # statistics, as a live database has them
        client = app.test_client()
        client.post("/login", data={"email": "bench@jalon.fr", "password": "bench password"})
        client.get("/indicateurs")  # warm-up
        found = {path: (page_ms(client, path, runs) / 1000, count_queries(client, path)) for path in (
            "/indicateurs", "/indicateurs?annee=2025&titre=DWWM", "/indicateurs.csv")}
        client.post("/logout")
        public = f"/public/{user.centre_id}/indicateurs"
        found[public] = (page_ms(client, public, runs) / 1000, count_queries(client, public))
    return seeded, found


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--database-url", default=os.environ.get("JALON_BENCH_DATABASE_URL"))
    args = parser.parse_args()
    engine = "PostgreSQL" if args.database_url else "SQLite"
    for count in (args.sessions // 10, args.sessions):
        with tempfile.TemporaryDirectory() as tmp:
            url = args.database_url or f"sqlite:///{tmp}/bench.sqlite3"
            if args.database_url:
                reset(url)
            seeded, found = run(url, count, args.runs)
        print(f"{engine}, {count} sessions of 12 candidates (seeded in {seeded:.1f} s), {args.runs} runs each")
        for path, (median, queries) in found.items():
            target = "" if "csv" in path else f"   target < 200 ms: {'met' if median < 0.2 else 'NOT met'}"
            print(f"  GET {path:<40} median {median * 1000:6.1f} ms   {queries} SQL queries{target}")


if __name__ == "__main__":
    main()
