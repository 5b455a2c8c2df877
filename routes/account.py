"""The user's own account: password and calendar feed addresses."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user

from domain import DomainError, administration, logins

bp = Blueprint("account", __name__, url_prefix="/account")


@bp.before_request
@login_required
def _require_login():
    pass


@bp.get("")
def show():
    return render_template("account/show.html", user=current_user, error=None)


@bp.post("/password")
def change_password():
    user = current_user._get_current_object()
    try:
        administration.change_own_password(user, request.form.get("current", ""), request.form.get("new", ""),
                                           request.form.get("confirmation", ""), request.remote_addr or "")
    except logins.TooManyAttempts as exc:
        return render_template("account/show.html", user=user, error=exc), 429
    except DomainError as exc:
        return render_template("account/show.html", user=user, error=exc), 422
    login_user(user)  # the new password ended every login, this one included: open it again
    flash("Mot de passe changé. Vos autres connexions (autres appareils) sont fermées.", "success")
    return redirect(url_for("account.show"))


@bp.post("/calendar-token")
def regenerate_feed_token():
    administration.new_feed_token(current_user._get_current_object())
    flash("Nouvelle adresse d'agenda créée : les anciennes adresses ne fonctionnent plus.", "success")
    return redirect(url_for("account.show"))
