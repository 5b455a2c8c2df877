"""Logging in and out."""
from urllib.parse import parse_qs, urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_htmx import make_response as htmx_response
from flask_login import current_user, login_required, login_user, logout_user

from extensions import htmx
from domain import logins
from domain.inputs import normalize_email, whole_number
from routes.errors import render_error

bp = Blueprint("auth", __name__)


def init_login(manager):
    @manager.user_loader
    def load_user(user_id):
        """The user of a login cookie: none when deactivated or when the password changed since."""
        pk, _, rest = user_id.partition(":")
        nonce, _, token = rest.partition(":")
        pk = whole_number(pk)
        return logins.user_of_login(pk, nonce, token) if pk is not None and token else None

    @manager.unauthorized_handler
    def unauthorized():
        # An htmx request must not get the login page swapped into a table row.
        if htmx:
            current = htmx.current_url or ""
            target = url_for("auth.login", next=_same_site_path(current))
            return htmx_response("", redirect=target), 401
        flash("Connectez-vous pour accéder à cette page.", "info")
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def _local_path(url):
    """The path of a URL of this site, or None: `next` never leads to another site."""
    parts = urlsplit(url or "")
    if parts.scheme or parts.netloc:
        return None
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    if not path.startswith("/") or path.startswith("//") or "\\" in path:
        return None
    return path


def _same_site_path(url):
    """The path to come back to after logging in; from the login page itself, the page it was for
    (so that `next` never nests: /login?next=/login%3Fnext%3D...)."""
    parts = urlsplit(url or "")
    if parts.netloc and parts.netloc != request.host:
        return None
    if parts.path == url_for("auth.login"):
        return _local_path(parse_qs(parts.query).get("next", [""])[0])
    return _local_path(parts.path + (f"?{parts.query}" if parts.query else ""))


@bp.get("/login")
def login():
    if current_user.is_authenticated:
        return redirect(url_for("sessions.index"))
    return render_template("auth/login.html", email="", error=None, next=request.args.get("next", ""))


@bp.post("/login")
def login_post():
    """Failed attempts are throttled per address and per account (a 429 page in French)."""
    email = normalize_email(request.form.get("email", ""))[:254]
    next_url = request.form.get("next", "")
    try:
        user = logins.check_password(email, request.form.get("password", ""), request.remote_addr or "")
    except logins.TooManyAttempts as exc:
        return render_error(429, exc.message)
    if user is None:
        return render_template(
            "auth/login.html", email=email[:254], next=next_url,
            error="Adresse e-mail ou mot de passe incorrect.",
        ), 401
    logins.open_login(user, request.user_agent.string, request.remote_addr)
    login_user(user)
    return redirect(_local_path(next_url) or url_for("sessions.index"))


@bp.post("/logout")
@login_required
def logout():
    # Ends this login, and this one only: the tablet in the exam room stays logged in. A copy of this
    # login's cookie no longer works (its login is closed in the database).
    logins.close_login(current_user._get_current_object())
    logout_user()
    flash("Vous êtes déconnecté.", "info")
    return redirect(url_for("auth.login"))
