"""What a centre publishes without login: its rates (« indicateurs »), once an administrator has chosen to
publish them; aggregates only, never a name (404 for a centre that does not publish)."""
from flask import Blueprint, abort, current_app, render_template

from domain import indicators
from models import Centre, ExamSession
from routes import today

bp = Blueprint("public", __name__)


@bp.get("/public/<int:centre_id>/indicateurs")
def indicators_page(centre_id):
    centre = Centre.get_or_none((Centre.id == centre_id) & (Centre.indicateurs_publics == True))  # noqa: E712
    if centre is None:
        abort(404)
    rows, total = indicators.compute(ExamSession.select().where(ExamSession.centre == centre.id),
                                     current_app.config["SUIVI_INSERTION_MOIS"], today())
    return render_template("public/indicateurs.html", centre=centre, rows=rows, total=total, method=indicators.METHOD,
                           months=current_app.config["SUIVI_INSERTION_MOIS"])
