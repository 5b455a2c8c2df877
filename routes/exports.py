"""The guide as PDF: completed for a session, blank for a session, blank for the current guide.

A PDF is laid out once per state of what it shows (documents.pdf.PdfMaker: the cache is keyed by the
hash of its HTML) and stamped per download with its page numbers, date and author."""
from flask import Blueprint, Response, current_app
from flask_login import current_user, login_required

from documents.guide_pdf import GUIDE_TEMPLATE, blank_guide_context, guide_context
from documents.pdf import PdfMaker, download_name, stamp
from formats import fr_datetime
from models import GuideVersion, now
from routes import today, visible_session

bp = Blueprint("exports", __name__)


@bp.before_request
@login_required
def _require_login():
    pass


def pdf_maker():
    """The current user's gate of heavy documents (documents.pdf.PdfMaker): cache and one render slot."""
    return PdfMaker(current_app.instance_path, current_user.id)


def pdf_response(group, filename, template, french=False, **context):
    """The PDF of `template` with `context`, from the cache (same HTML, same layout) or laid out now
    within the user's one render slot (429 when another is being made: routes/errors.py), stamped
    with its page numbers and who downloaded it when."""
    body = pdf_maker().make(group, template, french, **context)
    generated = now()
    body = stamp(body, (f"Généré le {fr_datetime(generated)}", f"par {current_user.display_name}"))
    return Response(body, mimetype="application/pdf", headers={"Content-Disposition": f'inline; filename="{filename}"'})


def _session_pdf(session_id, blank):
    session = visible_session(session_id)
    return pdf_response(f"session-{session.id}-{'vierge' if blank else 'complete'}", download_name(session, blank),
                        GUIDE_TEMPLATE, **guide_context(session, blank, today()))


@bp.get("/sessions/<int:session_id>/guide.pdf")
def session_guide(session_id):
    return _session_pdf(session_id, blank=False)


@bp.get("/sessions/<int:session_id>/guide-vierge.pdf")
def session_blank_guide(session_id):
    return _session_pdf(session_id, blank=True)


@bp.get("/guide-vierge.pdf")
def blank_guide():
    guide = GuideVersion.current()

    return pdf_response(f"guide-{guide.id}", f"guide-vierge-version-{guide.version}.pdf", GUIDE_TEMPLATE,
                        **blank_guide_context(guide))
