"""Jalon: the official "Guide de préparation de la session" as a live checklist per exam session."""
import datetime as dt
import hashlib
import os
import secrets
from pathlib import Path

from flask import Flask, g, request
from werkzeug.middleware.proxy_fix import ProxyFix

import commands
import deadlines
import migrations
import models
from extensions import csrf, htmx, limiter, login_manager
from guide import read_guide
from pdf import nl2br
from routes import account, admin, auth, calendar, errors, exports, items, sessions


# No inline script or style anywhere (htmx's own indicator style is turned off in base.html).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)


class JalonFlask(Flask):
    """Static files are linked with a version (?v=<content hash>), so browsers may keep them a year."""

    STATIC_MAX_AGE = 365 * 24 * 3600

    def get_send_file_max_age(self, filename):
        return self.STATIC_MAX_AGE if request.args.get("v") else 0


def _static_versions(app):
    """Add ?v=<hash of the file> to every url_for('static', ...): a changed file gets a new URL."""
    versions = {}

    @app.url_defaults
    def add_version(endpoint, values):
        if endpoint == "static" and "filename" in values and "v" not in values:
            filename = values["filename"]
            if filename not in versions:
                path = Path(app.static_folder) / filename
                versions[filename] = hashlib.sha256(path.read_bytes()).hexdigest()[:12] if path.is_file() else ""
            if versions[filename]:
                values["v"] = versions[filename]


def create_app(config=None):
    # instance/ holds the SQLite file and the generated secret key; JALON_INSTANCE_PATH (or the
    # INSTANCE_PATH setting, for tests) moves it, e.g. to /var/lib/jalon.
    instance_path = (config or {}).get("INSTANCE_PATH") or os.environ.get("JALON_INSTANCE_PATH")
    app = JalonFlask(__name__, instance_relative_config=True, instance_path=instance_path)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.update(
        DATABASE_URL=os.environ.get("DATABASE_URL")
        or "sqlite:///" + os.path.join(app.instance_path, "jalon.sqlite3"),
        SECRET_KEY=os.environ.get("SECRET_KEY"),
        # Tablets stay on one page for hours: the CSRF token lasts as long as the login session.
        WTF_CSRF_TIME_LIMIT=None,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=os.environ.get("SESSION_COOKIE_SECURE", "") == "1",
        # "Se souvenir de moi" is not offered; should it be, its cookie lasts 14 days at most.
        REMEMBER_COOKIE_DURATION=dt.timedelta(days=14),
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SECURE=os.environ.get("SESSION_COOKIE_SECURE", "") == "1",
        MAX_CONTENT_LENGTH=1024 * 1024,
        RATELIMIT_STORAGE_URI=os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        # Behind a reverse proxy (nginx, Apache): how many proxies set X-Forwarded-For/-Proto/-Host.
        PROXY_COUNT=int(os.environ.get("PROXY_COUNT", "0")),
        RATELIMIT_HEADERS_ENABLED=False,
        # A fixed date for tests and demos (JALON_TODAY=2027-02-01); None means the real today.
        TODAY=dt.date.fromisoformat(os.environ["JALON_TODAY"]) if os.environ.get("JALON_TODAY") else None,
        # Reminders by e-mail (flask --app app send-reminders).
        BASE_URL=os.environ.get("JALON_BASE_URL", "http://127.0.0.1:5000"),
        MAIL_FROM=os.environ.get("MAIL_FROM", "jalon@localhost"),
        SMTP_HOST=os.environ.get("SMTP_HOST", "localhost"),
        SMTP_PORT=int(os.environ.get("SMTP_PORT", "25")),
        SMTP_STARTTLS=os.environ.get("SMTP_STARTTLS", "") == "1",
        SMTP_USER=os.environ.get("SMTP_USER", ""),
        SMTP_PASSWORD=os.environ.get("SMTP_PASSWORD", ""),
    )
    if config:
        app.config.update(config)
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _instance_secret_key(app)

    if app.config["PROXY_COUNT"]:
        n = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_prefix=n)
    _static_versions(app)
    models.db.initialize(models.make_database(app.config["DATABASE_URL"]))
    htmx.init_app(app)
    csrf.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Connectez-vous pour accéder à cette page."
    login_manager.session_protection = "basic"

    @app.before_request
    def _connect():
        # Close at teardown only a connection this request opened (a CLI command or a test may hold one).
        g.opened_db = models.db.connect(reuse_if_open=True)

    @app.before_request
    def _refuse_nul_characters():
        # No form can type a NUL byte, and PostgreSQL cannot store one: refuse it before any view.
        values = [*request.args.values(), *request.form.values(), *(request.view_args or {}).values()]
        if any(isinstance(v, str) and "\x00" in v for v in values):
            return errors.render_error(400, "La demande contient des caractères non autorisés.")

    @app.after_request
    def _security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response

    @app.teardown_request
    def _close(exc):
        if g.get("opened_db") and not models.db.is_closed():
            models.db.close()

    for module in (auth, sessions, items, exports, calendar, account, admin, errors):
        app.register_blueprint(module.bp)
    auth.init_login(login_manager)
    app.jinja_env.filters["fr_date"] = models.fr_date
    app.jinja_env.filters["nl2br"] = nl2br
    app.jinja_env.filters["j_label"] = lambda due_on, session: deadlines.j_label(due_on, session.date_debut)
    app.jinja_env.filters["countdown"] = deadlines.countdown
    app.jinja_env.globals["status_labels"] = deadlines.STATUS_LABELS
    app.jinja_env.globals["role_labels"] = models.ROLE_LABELS
    commands.init_app(app)

    with app.app_context():
        init_db()
    return app


def init_db():
    """Bring the schema up to date (migrations) and load the current guide version; safe to run again.

    A new SQLite file is made readable by its owner only: it holds candidates' personal data."""
    path = models.sqlite_path(models.db.obj)
    new_file = path is not None and not path.exists()
    with models.db.connection_context():
        migrations.upgrade(models.db.obj)
        models.import_guide(read_guide())
    if new_file and path.exists():
        path.chmod(0o600)


def _instance_secret_key(app):
    """A random key generated on first start and kept in instance/, never a key written in the code."""
    path = Path(app.instance_path) / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def __getattr__(name):
    """`app`, created on first use, so that `flask --app app` and gunicorn find it while importing
    this module (as the tests do) creates no database."""
    if name == "app":
        globals()["app"] = create_app()
        return globals()["app"]
    raise AttributeError(name)
