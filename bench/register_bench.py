"""Benchmark: the session page of a session with a full register (60 candidates, 20 jurors each with
two habilitations and a declaration, links, 6 épreuves), rendered through the app with its seven
checks. Prints the median render time and the number of SQL queries beside those of the same
session with 3 candidates; the target is under 100 ms, and the same number of queries.

    .venv/bin/python bench/register_bench.py [--runs 30]
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
from app import create_app  # noqa: E402
from cli.users import upsert_user  # noqa: E402
from database import counting_queries  # noqa: E402
from domain.sessions import create_session  # noqa: E402

PASSWORD = "bench password"


def seed(user, sigle, candidates):
    start = dt.date(2027, 3, 15)
    session = create_session(user.centre, "Site", dict(
        titre="Titre", sigle=sigle, millesime="2023", nature="TITRE", libelle_ccp="", code_ccp="",
        date_debut=start, date_fin=start + dt.timedelta(days=3), nb_formation=candidates * 2 // 3,
        nb_vae=candidates - candidates * 2 // 3, responsable="Bench", suppleant=""), user)
    rows = [models.Candidat.create(
        session=session, nom=f"Nom{n}", prenom=f"Prénom{n}", date_naissance=dt.date(1990, 1, 1 + n % 28),
        email=f"c{n}@mail.fr", adresse=f"{n} rue des Lilas\n69007 Lyon", parcours="vae" if n % 3 == 2 else "formation",
        recevabilite_valide_jusqu_au=dt.date(2027, 9, 30) if n % 3 == 2 else None,
        convocation_envoyee_le=dt.date(2027, 2, 1), convocation_mode="lrar", convocation_reference=f"1A {n:06d}")
        for n in range(candidates)]
    for n in range(max(2, candidates // 3)):
        jure = models.Jure.create(centre=user.centre, nom=f"Juré{sigle}{n}", prenom="J", email=f"j{sigle}{n}@jury.fr")
        models.Habilitation.create(jure=jure, sigle=sigle, valide_jusqu_au=dt.date(2030, 1, 1))
        models.Habilitation.create(jure=jure, sigle="AUTRE", valide_jusqu_au=dt.date(2026, 1, 1))
        membre = models.MembreJury.create(session=session, jure=jure, declaration_le=dt.date(2027, 2, 1))
        models.LienJury.create(membre=membre, candidat=rows[n % len(rows)])
    for n in range(max(1, candidates // 10)):
        models.Epreuve.create(session=session, libelle=f"Épreuve {n}", date=start, heure_debut="08:30",
                              heure_fin="12:30", lieu="Salle")
    return session


def measure(client, session, runs):
    path = f"/sessions/{session.id}"
    for _ in range(3):
        status = client.get(path).status_code
        assert status == 200, status  # warm up: templates compiled, caches filled
    with counting_queries() as queries:
        client.get(path)
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        response = client.get(path)
        times.append(time.perf_counter() - began)
        assert response.status_code == 200 and b"Contr\xc3\xb4les du registre" in response.data
    return statistics.median(times) * 1000, len(queries)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3", "SECRET_KEY": "bench",
                          "INSTANCE_PATH": tmp, "WTF_CSRF_ENABLED": False, "TODAY": dt.date(2027, 2, 10)})
        with app.app_context(), models.db.connection_context():
            user = upsert_user("bench@jalon.fr", PASSWORD, "responsable", "Centre de bench", "Bench")
            small, full = seed(user, "PETIT", 3), seed(user, "PLEIN", 60)
        client = app.test_client()
        client.post("/login", data={"email": "bench@jalon.fr", "password": PASSWORD})
        with app.app_context(), models.db.connection_context():
            small_ms, small_queries = measure(client, small, args.runs)
            full_ms, full_queries = measure(client, full, args.runs)
    print(f"Page de session, registre de 3 candidats : médiane {small_ms:.1f} ms, {small_queries} requêtes SQL")
    print(f"Page de session, registre de 60 candidats et 20 jurés : médiane {full_ms:.1f} ms, {full_queries} requêtes SQL "
          f"(cible : moins de 100 ms, autant de requêtes) ; rapport {full_ms / small_ms:.2f}")


if __name__ == "__main__":
    main()
