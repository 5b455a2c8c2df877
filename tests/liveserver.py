"""The real app under gunicorn on 127.0.0.1, for tests that need a real server and real processes."""
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """gunicorn with several worker processes on a database shared with the test (an SQLite file or
    PostgreSQL); started in its own process group so that kill() can SIGKILL every process at once."""

    def __init__(self, database_url, workdir, workers=3, env=None):
        self.database_url, self.workdir, self.workers = database_url, Path(workdir), workers
        self.port = free_port()
        self.env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "s" * 48,
                    "JALON_INSTANCE_PATH": str(self.workdir / "instance"), **(env or {})}
        self.process = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout=30):
        log = open(self.workdir / f"gunicorn-{self.port}.log", "ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", str(self.workers), "--bind", f"127.0.0.1:{self.port}",
             "--graceful-timeout", "5", "app:app"],
            cwd=ROOT, env=self.env, stdout=log, stderr=log, start_new_session=True)
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:  # poll until it answers: a condition, not a fixed delay
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}: see {self.workdir}")
            try:
                if requests.get(self.url + "/login", timeout=2).status_code == 200:
                    return self
            except requests.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("gunicorn did not answer in time")

    def kill(self):
        """SIGKILL the master and all workers, as a power cut or an OOM kill would."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


def login(base_url, email, password):
    """A requests session logged in through the login form, with the CSRF token to send back."""
    session = requests.Session()
    page = session.get(base_url + "/login", timeout=10).text
    token = page.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]
    response = session.post(base_url + "/login", data={"email": email, "password": password, "csrf_token": token},
                            allow_redirects=False, timeout=10)
    assert response.status_code == 302, response.status_code
    page = session.get(base_url + "/", timeout=10).text
    session.headers["X-CSRFToken"] = page.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]
    return session
