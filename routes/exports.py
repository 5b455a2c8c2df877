"""The guide as PDF: completed for a session, blank for a session, blank for the current guide."""
from flask import Blueprint, Response
from flask_login import current_user, login_required

from documents.pdf import download_name, render_pdf
from domain import sessions
from domain.guides import guide_tableaux
from domain.progress import SessionProgress
from models import GuideVersion, now
from routes import visible_session

bp = Blueprint("exports", __name__)


@bp.before_request
@login_required
def _require_login():
    pass


def _pdf_response(body, filename):
    return Response(body, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{filename}"'})


def _session_pdf(session_id, blank):
    session = visible_session(session_id)
    items = session.ordered_items()
    progress = None if blank else SessionProgress.of(items)
    body = render_pdf(
        "exports/guide.pdf.html", session=session, centre_name=session.centre.name,
        tableaux=sessions.tableaux(items), blank=blank, progress=progress,
        regulatory_todo=[i for i in items if i.reglementaire and i.state == "todo"],
        guide_label=f"guide version {session.guide.version}",
        generated_at=now(), generated_by=current_user.display_name,
    )
    return _pdf_response(body, download_name(session, blank))


@bp.get("/sessions/<int:session_id>/guide.pdf")
def session_guide(session_id):
    return _session_pdf(session_id, blank=False)


@bp.get("/sessions/<int:session_id>/guide-vierge.pdf")
def session_blank_guide(session_id):
    return _session_pdf(session_id, blank=True)


@bp.get("/guide-vierge.pdf")
def blank_guide():
    guide = GuideVersion.current()
    body = render_pdf(
        "exports/guide.pdf.html", session=None, centre_name=None, tableaux=guide_tableaux(guide),
        blank=True, progress=None, regulatory_todo=[], guide_label=f"guide version {guide.version}",
        generated_at=now(), generated_by=current_user.display_name,
    )
    return _pdf_response(body, f"guide-vierge-version-{guide.version}.pdf")
