"""The network's view (/reseau), for its coordinators and the administrators: one line per centre and
site (domain/network.py), the rows behind each figure, the same as CSV and JSON, and the rates of
every centre (/reseau/indicateurs)."""
from flask import Blueprint, Response, current_app, jsonify, render_template, request
from flask_login import current_user, login_required

from documents.spreadsheet import csv_bytes
from domain import access, checks, deadlines, indicators, network
from domain.dashboard import failing_checks
from domain.deadlines import add_months
from domain.inputs import whole_number
from models import Agrement, Centre, ChecklistItem, ExamSession, Jure, MembreJury, Site
from routes import today

bp = Blueprint("network", __name__)


@bp.before_request
@login_required
def _require_network_view():
    if not access.can_see_network(current_user):
        raise access.Forbidden()


def _filters():
    annee = whole_number(request.args.get("annee", ""), minimum=2000, maximum=2100)
    return network.Filters(annee=annee, titre=(request.args.get("titre") or "").strip()[:30],
                           site=whole_number(request.args.get("site", "")))


def _choices():
    S = ExamSession
    years = sorted({d.year for (d,) in S.select(S.date_debut).distinct().tuples()}, reverse=True)
    sigles = sorted({s for (s,) in S.select(S.sigle).distinct().tuples()})
    return years, sigles


@bp.get("/reseau")
def index():
    filters = _filters()
    years, sigles = _choices()
    sites = [(site.id, f"{site.centre.name} · {site.name}")
             for site in Site.select(Site, Centre).join(Centre).order_by(Centre.name, Site.name)]
    return render_template("network/index.html", lines=network.lines(filters, today()), filters=filters, years=years,
                           sigles=sigles, sites=sites, check_titles={code: d.title for code, d in checks.DECLARED.items()},
                           figures=network.FIGURES)


CSV_COLUMNS = ("centre", "site", "sessions_en_preparation", "sessions_en_cours", "taches_en_retard",
               "controles_non_respectes", "agrements_echeance_6_mois", "jures_habilitation_3_mois")


@bp.get("/reseau.csv")
def index_csv():
    rows = ([line.centre.name, line.site.name, line.preparation, line.en_cours, line.retard,
             ", ".join(f"{code} ({count})" for code, count in sorted(line.checks.items())), line.agrements, line.jures]
            for line in network.lines(_filters(), today()))
    return Response(csv_bytes(CSV_COLUMNS, rows), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="reseau.csv"'})


@bp.get("/reseau.json")
def index_json():
    return jsonify(reseau=[line.as_dict() for line in network.lines(_filters(), today())])


@bp.get("/reseau/liste")
def rows():
    """The rows behind one figure of one site: `quoi` one of network.FIGURES, or « controle:<code> »."""
    filters = _filters()
    site = Site.get_or_none(Site.id == (filters.site or 0))
    quoi = request.args.get("quoi", "")
    if site is None or not (quoi in network.FIGURES or quoi.removeprefix("controle:") in checks.DECLARED):
        raise access.Unknown()
    S = ExamSession
    sessions = filters.sessions(S.select()).where(S.site == site.id)
    found = {"sessions": [], "tasks": [], "checks": [], "agrements": [], "seats": []}
    title = network.FIGURES.get(quoi, "")
    if quoi in ("preparation", "en_cours"):
        stage = "preparing" if quoi == "preparation" else "running"
        found["sessions"] = list(sessions.where(deadlines.stage_condition(stage, today())
                                                & deadlines.worked_on_condition()).order_by(S.date_debut))
    elif quoi == "retard":
        found["tasks"] = list(ChecklistItem.select(ChecklistItem, S).join(S).where(
            deadlines.worked_on_condition() & deadlines.late_condition(today()) & S.id.in_(sessions.select(S.id)))
            .order_by(ChecklistItem.due_on, S.date_debut, ChecklistItem.position).limit(500))
    elif quoi == "agrements":
        found["agrements"] = list(Agrement.select().where(
            (Agrement.site == site.id) & Agrement.valide_au.between(today(), add_months(today(), network.AGREMENT_MONTHS)))
            .order_by(Agrement.valide_au))
    elif quoi == "jures":
        found["seats"] = list(network.expiring_jurors(sessions, today()).select(MembreJury, Jure, S)
                              .order_by(S.date_debut, Jure.nom))
    else:
        code = quoi.removeprefix("controle:")
        title = checks.DECLARED[code].title
        found["checks"] = [(session, check) for session, failed in failing_checks(sessions, today())
                           for check in failed if check.code == code]
    return render_template("network/liste.html", site=site, title=title, found=found, filters=filters)


@bp.get("/reseau/indicateurs")
def rates():
    annee = whole_number(request.args.get("annee", ""), minimum=2000, maximum=2100)
    months = current_app.config["SUIVI_INSERTION_MOIS"]
    rows, total = indicators.compute(ExamSession.select(), months, today(), annee, by_centre=True)
    total.libelle = "Réseau"
    years, _ = _choices()
    return render_template("network/indicateurs.html", rows=rows, total=total, method=indicators.METHOD,
                           months=months, annee=annee, years=years)
