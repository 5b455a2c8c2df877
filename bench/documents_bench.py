"""Benchmark: the session's documents, laid out from scratch (the PDF cache emptied before each
render), for a session of 30 candidates, 3 jurors, a surveillant, 4 épreuves and a signature for
every candidate at every épreuve; beside the completed guide measured in the same run. Targets: the
30 convocations under 3 s, every other document under 1 s; issuing the 30 convocations (one document
each, stamped and stored) under 3 s.

    .venv/bin/python bench/documents_bench.py [--runs 5]
"""
import argparse
import datetime as dt
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import models  # noqa: E402
from app import create_app  # noqa: E402
from cli.users import upsert_user  # noqa: E402
from domain import emargement  # noqa: E402
from domain.sessions import create_session  # noqa: E402
from formats import to_utc  # noqa: E402

PASSWORD = "bench password"
SIGNATURE = " ".join(f"M{10 + 30 * s} {20 + s} " + " ".join(f"L{12 + 30 * s + 3 * i} {20 + (i * 7) % 110}"
                                                             for i in range(1, 25)) for s in range(8))


def seed(user):
    start = dt.date(2027, 3, 15)
    session = create_session(user.centre, "Lyon Gerland", dict(
        titre="Développeur web et web mobile", sigle="DWWM", millesime="2023", nature="TITRE", libelle_ccp="",
        code_ccp="", date_debut=start, date_fin=start + dt.timedelta(days=3), nb_formation=20, nb_vae=10,
        responsable="Karim Benali", suppleant="Nadia Morel"), user)
    candidats = [models.Candidat.create(
        session=session, nom=f"Nom{n}", prenom=f"Prénom{n}", date_naissance=dt.date(1990, 1, 1 + n % 28),
        email=f"c{n}@mail.fr", adresse=f"{n} rue des Lilas\nRésidence Les Tilleuls\n69007 Lyon",
        parcours="vae" if n % 3 == 2 else "formation", convocation_mode="main_propre" if n % 2 else "lrar")
        for n in range(30)]
    for n in range(3):
        jure = models.Jure.create(centre=user.centre, nom=f"Juré{n}", prenom="J", email=f"j{n}@jury.fr")
        models.MembreJury.create(session=session, jure=jure, declaration_le=start)
    models.Intervenant.create(session=session, role="surveillant", nom="Marc Veille", email="marc@centre.fr")
    epreuves = [models.Epreuve.create(session=session, libelle=f"Épreuve {n}", date=start + dt.timedelta(days=n // 2),
                                      heure_debut="08:30" if n % 2 == 0 else "14:00",
                                      heure_fin="12:00" if n % 2 == 0 else "17:00", lieu="Atelier B")
                for n in range(4)]
    for epreuve in epreuves:
        received = to_utc(dt.datetime.combine(epreuve.date, dt.time(9, 0)))  # signed on the épreuve's day
        for candidat in candidats:
            emargement.record(user, session, {
                "epreuve_id": str(epreuve.id), "candidat_id": str(candidat.id), "statut": "present",
                "signature": SIGNATURE, "signe_a": received.isoformat() + "Z",
                "soumission_id": f"bench-{epreuve.id}-{candidat.id}"}, "bench", received)
    return session


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3", "SECRET_KEY": "bench",
                          "INSTANCE_PATH": tmp, "WTF_CSRF_ENABLED": False, "TODAY": dt.date(2027, 2, 10)})
        with app.app_context(), models.db.connection_context():
            user = upsert_user("bench@jalon.fr", PASSWORD, "responsable", "Centre de bench", "Bench")
            session = seed(user)
        client = app.test_client()
        client.post("/login", data={"email": "bench@jalon.fr", "password": PASSWORD})
        cache = Path(app.instance_path) / "pdf-cache"
        documents = [
            ("Guide complété", f"/sessions/{session.id}/guide.pdf", None),
            ("Convocations (30 candidats)", f"/sessions/{session.id}/convocations.pdf", 3.0),
            ("Convocation d'un candidat", f"/candidats/{session.id and 1}/convocation.pdf", 1.0),
            ("Convocations du jury", f"/sessions/{session.id}/convocations-jury.pdf", 1.0),
            ("Planning pour l'UD", f"/sessions/{session.id}/planning.pdf", 1.0),
            ("Affichage", f"/sessions/{session.id}/affichage.pdf", 1.0),
            ("Émargement (4 feuilles, 120 signatures)", f"/sessions/{session.id}/emargement.pdf", 1.0),
            ("Programme annuel", "/programme/2027.pdf", 1.0),
        ]
        print(f"{'Document':<42} {'médiane':>9} {'pages':>6}  cible")
        for label, path, target in documents:
            times = []
            for _ in range(args.runs):
                shutil.rmtree(cache, ignore_errors=True)
                began = time.perf_counter()
                response = client.get(path)
                times.append(time.perf_counter() - began)
                assert response.status_code == 200, (path, response.status_code)
            from pypdf import PdfReader
            import io
            pages = len(PdfReader(io.BytesIO(response.data)).pages)
            median = statistics.median(times)
            verdict = "" if target is None else f"< {target:.0f} s : {'tenue' if median < target else 'MANQUÉE'}"
            print(f"{label:<42} {median * 1000:>7.0f} ms {pages:>6}  {verdict}")
        # Issuing (« Émettre »): the 30 convocations made one per candidate, each stamped with its
        # reference and stored with its hash, in one request.
        times = []
        for _ in range(args.runs):
            shutil.rmtree(cache, ignore_errors=True)
            began = time.perf_counter()
            response = client.post(f"/sessions/{session.id}/emissions", data={"document": "convocations"})
            times.append(time.perf_counter() - began)
            assert response.status_code == 302, response.get_data(as_text=True)[:500]
        with app.app_context(), models.db.connection_context():
            issued = models.Emission.select().where(models.Emission.session == session).count()
        median = statistics.median(times)
        print(f"{'Émission des 30 convocations':<42} {median * 1000:>7.0f} ms {issued // args.runs:>6}  "
              f"< 3 s : {'tenue' if median < 3 else 'MANQUÉE'}")


if __name__ == "__main__":
    main()
