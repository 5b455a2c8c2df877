"""The real app under gunicorn on 127.0.0.1, for tests that need a real server and real processes."""
import http.client
import http.server
import os
import signal
import socket
import subprocess
import sys
import threading
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
            except (requests.ConnectionError, requests.Timeout):  # not listening yet, or a worker still booting
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


def sign_in(base_url, email, password, timeout=10):
    """A login from a new browser, the form's page then its post: (the requests session, the post's
    answer, 302 when the login is accepted)."""
    session = requests.Session()
    page = session.get(base_url + "/login", timeout=timeout).text
    token = page.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]
    response = session.post(base_url + "/login", data={"email": email, "password": password, "csrf_token": token},
                            allow_redirects=False, timeout=timeout)
    return session, response


def login(base_url, email, password):
    """A requests session logged in through the login form, with the CSRF token to send back."""
    session, response = sign_in(base_url, email, password)
    assert response.status_code == 302, response.status_code
    page = session.get(base_url + "/", timeout=10).text
    session.headers["X-CSRFToken"] = page.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]
    return session


class GatewayProxy:
    """A reverse proxy on 127.0.0.1 in front of the app, as nginx is in production; `down = True`
    makes it answer 502 Bad Gateway, as nginx does while gunicorn restarts."""

    def __init__(self, upstream_port):
        proxy = self
        self.down = False

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _forward(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if proxy.down:
                    self.send_response(502)
                    self.send_header("Content-Type", "text/html")
                    self.send_header("Content-Length", "48")
                    self.end_headers()
                    self.wfile.write(b"<html><body>502 Bad Gateway</body></html>\n".ljust(48))
                    return
                upstream = http.client.HTTPConnection("127.0.0.1", upstream_port, timeout=60)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("connection", "keep-alive")}
                upstream.request(self.command, self.path, body=body or None, headers=headers)
                answer = upstream.getresponse()
                data = answer.read()
                self.send_response(answer.status)
                for name, value in answer.getheaders():
                    if name.lower() not in ("connection", "transfer-encoding", "content-length"):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                upstream.close()

            do_GET = do_POST = _forward

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
