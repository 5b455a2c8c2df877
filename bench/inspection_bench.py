"""Benchmark: the inspection file of a session holding 200 MB of attachments (20 files of 10 MB),
downloaded from a real gunicorn worker. Prints the time and the worker's peak memory (VmHWM) before
and after: streaming must keep the rise under 100 MB.

    .venv/bin/python bench/inspection_bench.py [--files 20] [--megabytes 10]
"""
import argparse
import datetime as dt
import hashlib
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import models  # noqa: E402
from app import create_app  # noqa: E402
from cli.users import upsert_user  # noqa: E402
from domain.sessions import create_session  # noqa: E402
from liveserver import LiveServer, login  # noqa: E402

PASSWORD = "bench password"


def peak_kib(pid):
    """A process's peak resident memory (VmHWM), in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("no VmHWM")


def worker_pid(master):
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    assert len(children) == 1, children
    return int(children[0])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=20)
    parser.add_argument("--megabytes", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.sqlite3"
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "INSTANCE_PATH": tmp})
        with app.app_context(), models.db.connection_context():
            user = upsert_user("bench@jalon.fr", PASSWORD, "responsable", "Centre de bench", "Bench")
            start = dt.date(2027, 3, 15)
            session = create_session(user.centre, "Site", dict(
                titre="Titre", sigle="ZIP", millesime="2023", nature="TITRE", libelle_ccp="", code_ccp="",
                date_debut=start, date_fin=start, nb_formation=0, nb_vae=0, responsable="Bench", suppleant=""), user)
            item = session.ordered_items()[0]
            for n in range(args.files):  # written directly: the bench measures the download, not the checks
                body = os.urandom(args.megabytes * 1024 * 1024)
                models.Piece.create(item=item, session=session, nom=f"photo-{n:02d}.jpg", type="image/jpeg",
                                    taille=len(body), sha256=hashlib.sha256(body).hexdigest(), contenu=body)
            session_id = session.id
        server = LiveServer(url, tmp, workers=1).start()
        try:
            browser = login(server.url, "bench@jalon.fr", PASSWORD)
            worker = worker_pid(server.process.pid)
            browser.get(f"{server.url}/sessions/{session_id}")  # the worker warmed up: templates, connection
            idle = peak_kib(worker)
            began = time.perf_counter()
            received = 0
            with browser.get(f"{server.url}/sessions/{session_id}/dossier.zip", stream=True, timeout=300) as response:
                assert response.status_code == 200, response.status_code
                for chunk in response.iter_content(1024 * 1024):
                    received += len(chunk)
            elapsed = time.perf_counter() - began
            peak = peak_kib(worker)
        finally:
            server.stop()
    print(f"Dossier d'inspection : {received / 1024 / 1024:.0f} Mo en {elapsed:.1f} s ; mémoire du worker : "
          f"{idle / 1024:.0f} Mo au repos, pointe {peak / 1024:.0f} Mo (+{(peak - idle) / 1024:.0f} Mo ; cible : "
          f"moins de +100 Mo)")


if __name__ == "__main__":
    main()
