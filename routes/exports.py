"""The guide as PDF: completed for a session, blank for a session, blank for the current guide.

A PDF is laid out once per state of what it shows (documents.pdf.PdfCache, keyed by the session's
last journal entry) and stamped per download with its page numbers, date and author."""
from pathlib import Path

from flask import Blueprint, Response, current_app
from flask_login import current_user, login_required
from peewee import fn

from documents.guide_pdf import blank_guide_layout, completed_guide_layout
from documents.pdf import PdfCache, RenderBusy, download_name, render_slot, stamp, template_version
from models import AuditEvent, GuideVersion, now
from routes import visible_session
from routes.errors import render_error

bp = Blueprint("exports", __name__)


@bp.before_request
@login_required
def _require_login():
    pass


def pdf_response(group, key, filename, layout):
    """The PDF of `group` for `key`: from the cache, or laid out now within the user's one render slot."""
    instance = Path(current_app.instance_path)
    cache = PdfCache(instance / "pdf-cache")
    key = (template_version(), *key)
    body = cache.get(group, key)
    if body is None:
        try:
            with render_slot(instance / "pdf-renders", current_user.id):
                body = layout()
        except RenderBusy:
            return render_error(429, "Un PDF est déjà en préparation pour vous : attendez qu'il soit prêt, puis "
                                     "recommencez.")
        cache.put(group, key, body)
    generated = now()
    body = stamp(body, (f"Généré le {generated:%d/%m/%Y à %H:%M}", f"par {current_user.display_name}"))
    return Response(body, mimetype="application/pdf", headers={"Content-Disposition": f'inline; filename="{filename}"'})


def _session_pdf(session_id, blank):
    session = visible_session(session_id)
    last_change = AuditEvent.select(fn.MAX(AuditEvent.id)).where(AuditEvent.session == session).scalar()

    def layout():
        return completed_guide_layout(session, blank)

    group = f"session-{session.id}-{'vierge' if blank else 'complete'}"
    key = (last_change, session.centre.name, session.site.name)
    return pdf_response(group, key, download_name(session, blank), layout)


@bp.get("/sessions/<int:session_id>/guide.pdf")
def session_guide(session_id):
    return _session_pdf(session_id, blank=False)


@bp.get("/sessions/<int:session_id>/guide-vierge.pdf")
def session_blank_guide(session_id):
    return _session_pdf(session_id, blank=True)


@bp.get("/guide-vierge.pdf")
def blank_guide():
    guide = GuideVersion.current()

    return pdf_response(f"guide-{guide.id}", (guide.version,), f"guide-vierge-version-{guide.version}.pdf",
                        lambda: blank_guide_layout(guide))
