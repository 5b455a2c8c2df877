"""The user's own account: password, open logins (one per device) and calendar feed addresses."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user

from domain import DomainError, access, administration, logins
from domain.vocabulary import plural

bp = Blueprint("account", __name__, url_prefix="/account")


@bp.before_request
@login_required
def _require_login():
    pass


def _show(error=None, status=200):
    user = current_user._get_current_object()
    return render_template("account/show.html", user=user, error=error, connexions=logins.open_logins(user),
                           current=logins.current_login(user)), status


@bp.get("")
def show():
    return _show()


@bp.post("/password")
def change_password():
    user = current_user._get_current_object()
    try:
        administration.change_own_password(user, request.form.get("current", ""), request.form.get("new", ""),
                                           request.form.get("confirmation", ""), request.remote_addr or "")
    except logins.TooManyAttempts as exc:
        return _show(exc, 429)
    except DomainError as exc:
        return _show(exc, 422)
    # The new password ended every login, this one included: open a new one on this device.
    logins.open_login(user, request.user_agent.string, request.remote_addr)
    login_user(user)
    flash("Mot de passe changé. Vos autres connexions (autres appareils) sont fermées.", "success")
    return redirect(url_for("account.show"))


@bp.post("/calendar-token")
def regenerate_feed_token():
    administration.new_feed_token(current_user._get_current_object())
    flash("Nouvelle adresse d'agenda créée : les anciennes adresses ne fonctionnent plus.", "success")
    return redirect(url_for("account.show"))


@bp.post("/connexions/<int:connexion_id>/close")
def close_login(connexion_id):
    """End one of the user's logins (another device): « Fermer »."""
    if not logins.close_login(current_user._get_current_object(), connexion_id):
        raise access.Unknown()  # none of theirs, or closed already
    flash("Connexion fermée : cet appareil devra se reconnecter.", "success")
    return redirect(url_for("account.show"))


@bp.post("/connexions/close-others")
def close_other_logins():
    """End every login of the user but this one: « Fermer les autres »."""
    closed = logins.close_other_logins(current_user._get_current_object())
    flash(f"{plural(closed, 'autre connexion fermée', 'autres connexions fermées')}.", "success")
    return redirect(url_for("account.show"))
