"""Benchmark: importing a spreadsheet of 500 candidates (CSV in Windows-1252, as Excel saves it in
France, with a convocation on every line) into a session. Prints the median of several imports,
each into a fresh session; the target is under 2 s.

    .venv/bin/python bench/import_bench.py [--runs 5] [--lines 500]
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
from domain.candidates import import_candidates  # noqa: E402
from domain.sessions import create_session  # noqa: E402

HEADER = "Nom;Prénom;Date de naissance;E-mail;Adresse;Parcours;Recevabilité;Envoyée le;Mode;Référence"


def spreadsheet(lines):
    rows = [f"Nom{n};Prénom{n};02/04/1998;candidat{n}@mail.fr;{n} rue des Lilas 69007 Lyon;"
            f"{'VAE;30/09/2027' if n % 4 == 0 else 'formation;'};10/02/2027;LRAR;1A {n:06d}" for n in range(lines)]
    return "\r\n".join([HEADER, *rows]).encode("cp1252")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--lines", type=int, default=500)
    args = parser.parse_args()
    content = spreadsheet(args.lines)
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3", "SECRET_KEY": "bench",
                          "INSTANCE_PATH": tmp})
        times = []
        with app.app_context(), models.db.connection_context():
            user = upsert_user("bench@jalon.fr", "bench password", "responsable", "Centre de bench", "Bench")
            for run in range(args.runs):
                start = dt.date(2027, 3, 15)
                session = create_session(user.centre, "Site", dict(
                    titre="Titre", sigle=f"B{run}", millesime="2023", nature="TITRE", libelle_ccp="", code_ccp="",
                    date_debut=start, date_fin=start, nb_formation=0, nb_vae=0, responsable="Bench", suppleant=""),
                    user)
                began = time.perf_counter()
                count = import_candidates(user, session, content, "candidats.csv", dt.date(2027, 2, 15))
                times.append(time.perf_counter() - began)
                assert count == args.lines
    print(f"Import de {args.lines} candidats : médiane {statistics.median(times) * 1000:.0f} ms "
          f"sur {args.runs} imports (cible : moins de 2 s)")


if __name__ == "__main__":
    main()
