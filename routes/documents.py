"""The session's documents as PDF (convocations, planning, poster, sign-in sheets) and the centre's
annual programme (PDF and CSV). A document whose data is missing answers 422 with what to fill in
first; the others are laid out once per state of the session (routes.exports.pdf_response)."""
from flask import Blueprint, Response, current_app, stream_with_context
from flask_login import current_user, login_required

from documents import catalogue, session_documents as docs, signing
from documents.guide_pdf import GUIDE_TEMPLATE, guide_context
from documents.inspection import inspection_zip
from documents.issuing import letter_context
from documents.pdf import ascii_name, download_name, stamp
from domain import access
from formats import fr_date, fr_datetime
from models import Candidat, now
from routes import register_row, today, visible_session
from routes.errors import render_error
from routes.exports import pdf_maker, pdf_response

bp = Blueprint("documents", __name__)


@bp.before_request
@login_required
def _require_login():
    pass


def _document(session, document, group, stem, build):
    """A document of the session (a declaration of documents.catalogue), if the user may download it;
    422 when its data is missing. Cached under the hash of its HTML (routes.exports.pdf_response)."""
    if not document.audience(current_user, session):
        raise access.Forbidden()
    try:
        context = build()
    except docs.MissingData as exc:
        return render_error(422, exc.message)
    # A preview: « PROJET — document non émis » on every page (documents/issuing.py issues them).
    return pdf_response(group, download_name(session, stem=stem), document.template, french=True, session=session,
                        today=today(), **context, **letter_context(session, preview=document.issuable))


def _session_document(document):
    """The view of a declared document: GET /sessions/<id>/<file>.pdf."""
    def view(session_id):
        session = visible_session(session_id)
        return _document(session, document, f"session-{session.id}-{document.name}", document.file,
                         lambda: document.build(session))
    return view


for _declared in catalogue.DOCUMENTS:
    bp.add_url_rule(f"/sessions/<int:session_id>/{_declared.file}.pdf", endpoint=_declared.name,
                    view_func=_session_document(_declared))


@bp.get("/candidats/<int:candidat_id>/convocation.pdf")
def candidate_convocation(candidat_id):
    candidat = register_row(Candidat, candidat_id)
    session = candidat.session
    if candidat.retire_le is not None:
        return render_error(409, f"{candidat.label} a été retiré(e) de la session le {fr_date(candidat.retire_le)} : "
                                 "pas de convocation.")
    stem = f"convocation-{ascii_name(candidat.nom)[:40] or 'candidat'}"
    return _document(session, catalogue.BY_NAME["convocations"], f"candidat-{candidat.id}", stem,
                     lambda: docs.convocations(session, candidat))


@bp.get("/sessions/<int:session_id>/dossier.zip")
def inspection_file(session_id):
    """The session's file for an inspection, streamed as it is made."""
    session = visible_session(session_id)
    stamped = (f"Généré le {fr_datetime(now())}", f"par {current_user.display_name}")
    maker = pdf_maker()

    def render_guide():
        return stamp(maker.make(f"session-{session.id}-complete", GUIDE_TEMPLATE, **guide_context(session, today=today())),
                     stamped)

    def render_document(document):
        return stamp(maker.make(f"session-{session.id}-{document.name}", document.template, french=True, session=session,
                                today=today(), **document.build(session), **letter_context(session, preview=False)),
                     stamped)

    # Its PDFs laid out (or taken from the cache) in the user's one render slot, as a PDF is: 429 while
    # another document of theirs is being made.
    with maker.slot():
        archive = inspection_zip(session, render_guide, render_document, lambda data: signing.sign(
            data, current_app.instance_path, current_app.config["SIGNING_KEY"]))
    name = download_name(session, stem="dossier-inspection").replace(".pdf", ".zip")
    return Response(stream_with_context(iter(archive)), mimetype="application/zip", headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Content-Length": str(len(archive)),
        "X-Content-Type-Options": "nosniff"})


@bp.get("/programme/<int:year>.pdf")
def programme_pdf(year):
    try:
        context = docs.programme(current_user, year)
    except docs.MissingData as exc:
        return render_error(422, exc.message)
    group = f"programme-{year}-{current_user.centre_id or 'tous'}"
    return pdf_response(group, f"programme-sessions-{year}.pdf", "exports/programme.pdf.html", session=None,
                        today=today(), **context)


@bp.get("/programme/<int:year>.csv")
def programme_csv(year):
    try:
        context = docs.programme(current_user, year)
    except docs.MissingData as exc:
        return render_error(422, exc.message)
    return Response(docs.programme_csv(context), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="programme-sessions-{year}.csv"'})
