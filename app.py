"""Jalon: the official "Guide de préparation de la session" as a live checklist per exam session."""
import hashlib
import os
import secrets
from pathlib import Path

from flask import Flask, g, request
from werkzeug.middleware.proxy_fix import ProxyFix

import cli
import database
import formats
import templating
from cli.database import init_db
from config import Config, ConfigError
from extensions import csrf, htmx, login_manager
from domain import checks, identity
from models import User, db
from routes import (
    IdConverter, account, admin, after, auth, calendar, centres, documents, emargement, emissions, errors, exports,
    items, network, pieces, public, register, sessions,
)

# No inline script or style anywhere (htmx's own indicator style is turned off in base.html).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)


class JalonFlask(Flask):
    """Static files are linked with a version (?v=<content hash>), so browsers may keep them a year."""

    STATIC_MAX_AGE = 365 * 24 * 3600
    jinja_environment = templating.JalonEnvironment

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
    """The app: settings from the environment (config.py), then `config`'s overrides (tests)."""
    # instance/ holds the SQLite file and the generated secret key; JALON_INSTANCE_PATH (or the
    # INSTANCE_PATH setting, for tests) moves it, e.g. to /var/lib/jalon.
    instance_path = (config or {}).get("INSTANCE_PATH") or os.environ.get("JALON_INSTANCE_PATH")
    app = JalonFlask(__name__, instance_relative_config=True, instance_path=instance_path)
    app.config.from_object(Config(os.environ, app.instance_path))
    if config:
        app.config.update(config)
    checks.forget()  # the checks kept by journal head were another database's
    try:
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        if not app.config["SECRET_KEY"]:
            app.config["SECRET_KEY"] = _instance_secret_key(app)
    except OSError as exc:
        raise ConfigError(f"Dossier d'instance {app.instance_path} inutilisable ({exc.strerror}) : définissez "
                          "JALON_INSTANCE_PATH vers un dossier où Jalon peut écrire.") from exc
    User.password_method = app.config["PASSWORD_HASH_METHOD"]
    formats.set_zone(app.config["TIME_ZONE"])
    if app.config["NOW"] is not None:  # tests and demos: a fixed instant, for the whole process
        fixed = app.config["NOW"]
        formats.clock = lambda: fixed

    if app.config["PROXY_COUNT"]:
        n = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_prefix=n)
    _static_versions(app)
    database.bind(app.config["DATABASE_URL"], prepare=not app.config["PG_TRANSACTION_POOLING"])

    @app.before_request
    def _connect():
        # Each request takes a connection from the pool and gives it back at its end; closed at
        # teardown only if this request opened it (a CLI command or a test may hold one).
        g.opened_db = db.connect(reuse_if_open=True)

    @app.teardown_request
    def _close(exc):
        if g.get("opened_db") and not db.is_closed():
            db.close()

    htmx.init_app(app)

    @app.before_request
    def _allow_an_attachment():
        # Before CSRFProtect parses the form: only the routes that take a file allow more than the
        # general limit, each its file's own limit (an attachment, a centre's logo, a site's signature).
        limit = {"pieces.attach": app.config["PIECE_MAX_BYTES"], "after.record_pv": app.config["PIECE_MAX_BYTES"],
                 "admin.rename_centre": identity.LOGO_MAX_BYTES,
                 "admin.rename_site": identity.SIGNATURE_MAX_BYTES}.get(request.endpoint)
        if limit is not None:
            request.max_content_length = limit + app.config["FORM_OVERHEAD_BYTES"]

    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Connectez-vous pour accéder à cette page."
    login_manager.session_protection = "basic"

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

    app.url_map.converters["int"] = IdConverter  # before the blueprints' rules are added
    for module in (auth, sessions, items, pieces, exports, documents, emissions, emargement, calendar, account, admin,
                   centres, register, after, public, network, errors):
        app.register_blueprint(module.bp)
    auth.init_login(login_manager)
    templating.init_app(app)
    cli.init_app(app)

    with app.app_context():
        init_db()
    return app


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
