"""The user's own account: calendar feed addresses."""
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

bp = Blueprint("account", __name__, url_prefix="/account")


@bp.before_request
@login_required
def _require_login():
    pass


@bp.get("")
def show():
    return render_template("account/show.html", user=current_user)


@bp.post("/calendar-token")
def regenerate_feed_token():
    current_user.new_feed_token()
    flash("Nouvelle adresse d'agenda créée : les anciennes adresses ne fonctionnent plus.", "success")
    return redirect(url_for("account.show"))
