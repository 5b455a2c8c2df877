"""Error pages in French, as a full page or, for htmx requests, as a message in the page's banner."""
import logging
import uuid

import peewee

from flask import Blueprint, g, render_template
from flask_htmx import make_response as htmx_response
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

from documents.pdf import RenderBusy
from domain import access, closing, evidence
from formats import fr_date
from extensions import htmx, login_manager
from models import ExamSession

bp = Blueprint("errors", __name__)
log = logging.getLogger(__name__)

MESSAGES = {
    400: ("Requête invalide", "La demande envoyée n'a pas pu être comprise."),
    401: ("Connexion requise", "Connectez-vous pour continuer."),
    403: ("Accès refusé", "Votre compte ne permet pas de faire cette modification."),
    404: ("Page introuvable", "Cette page n'existe pas, ou elle concerne un autre centre."),
    405: ("Action impossible", "Cette adresse n'accepte pas ce type de demande."),
    409: ("Conflit", "Un collègue a modifié ces données entre-temps : rechargez la page."),
    410: ("Document purgé", "Ce document a été supprimé à la fin de sa durée de conservation."),
    413: ("Envoi trop volumineux", "Les données envoyées dépassent la taille autorisée."),
    422: ("Saisie refusée", "Certaines valeurs saisies ne sont pas valables."),
    429: ("Trop de tentatives", "Trop de tentatives de connexion : patientez quelques minutes avant de réessayer."),
    500: ("Erreur interne", "Une erreur inattendue s'est produite. Rien n'a été enregistré par cette demande."),
    503: ("Service indisponible", "La base de données ne répond pas : rien n'a été enregistré par cette demande. "
                                  "Réessayez dans quelques minutes ; si cela dure, prévenez votre administrateur."),
}


def render_error(status, detail=None, request_id=None):
    """The French error page, or for htmx a message for the page's banner.

    A server error's page is made without the database (no user loaded, no layout that asks for
    one): the database may be what failed."""
    title, message = MESSAGES.get(status, MESSAGES[400] if status < 500 else MESSAGES[500])
    if status >= 500 and "_login_user" not in g:
        # Flask-Login's template context loads the user from the database unless it is loaded.
        g._login_user = login_manager.anonymous_user()
    context = dict(status=status, title=title, message=detail or message, request_id=request_id)
    if htmx:
        body = render_template("_flash_error.html", **context)
        return htmx_response(body, retarget="#flash", reswap="innerHTML"), status
    return render_template("errors/error.html" if status < 500 else "errors/server_error.html", **context), status


def purged(session, sha256, what):
    """410 for a document whose bytes the purge removed (`what`: « Ce guide scellé »), its hash kept."""
    return render_error(410, f"{what} a été purgé le {fr_date(session.purged_at)}, à la fin de la durée de "
                             f"conservation ; son empreinte SHA-256 reste : {sha256}.")


@bp.app_errorhandler(CSRFError)
def csrf_error(exc):
    # A tablet whose login expired fails the CSRF check first: send it to the login page, not a 400.
    if htmx and not current_user.is_authenticated:
        return login_manager.unauthorized()
    return render_error(400, "La page a expiré ou le formulaire est incomplet : rechargez la page puis recommencez.")


@bp.app_errorhandler(access.Unknown)
def unknown(exc):
    return render_error(404)


@bp.app_errorhandler(access.Forbidden)
def forbidden(exc):
    return render_error(403)


@bp.app_errorhandler(evidence.HoldsEvidence)
def holds_evidence(exc):
    # A candidate, juror or épreuve with sign-ins: nothing was deleted; the message says to withdraw it.
    return render_error(409, exc.message)


@bp.app_errorhandler(RenderBusy)
def render_busy(exc):
    # One heavy document at a time per user (documents.pdf.PdfMaker): a login never waits behind them.
    return render_error(429, "Un document est déjà en préparation pour vous (PDF ou dossier d'inspection) : "
                             "attendez qu'il soit prêt, puis recommencez.")


@bp.app_errorhandler(access.Closed)
def session_closed(exc):
    # Also a closing committed between a change's rights check and its journal entry
    # (journal.SessionClosed): nothing was written.
    session = exc.session if exc.session is not None else ExamSession.get_by_id(exc.session_id)
    return render_error(409, closing.closed_message(session))


@bp.app_errorhandler(HTTPException)
def http_error(exc):
    if exc.code is None or exc.code < 400:
        return exc
    return render_error(exc.code)


@bp.app_errorhandler(Exception)
def unexpected_error(exc):
    if isinstance(exc, HTTPException):
        return http_error(exc)
    request_id = uuid.uuid4().hex[:12]
    if isinstance(exc, peewee.DatabaseError):
        log.exception("Database failure (%s: %s), request id %s", type(exc).__name__, exc, request_id)
        return render_error(ServiceUnavailable.code, request_id=request_id)
    log.exception("Unhandled error, request id %s", request_id)
    return render_error(InternalServerError.code, request_id=request_id)
