"""Supporting documents on a task's row: attach (a file or, on a tablet, a photo), download, see an
image upright, remove (journalled; the bytes stay until the session's retention ends)."""
from urllib.parse import quote

from flask import Blueprint, Response, current_app, request
from flask_login import login_required

from domain import pieces
from models import Piece
from routes import RowFocus, editable_item, register_row, user
from routes.errors import render_error
from routes.items import answer_row

bp = Blueprint("pieces", __name__)


@bp.before_request
@login_required
def _require_login():
    pass


@bp.post("/items/<int:item_id>/pieces")
def attach(item_id):
    item = editable_item(item_id)
    # The row offers a file and, on a tablet, the camera: both are named « fichier », one is used.
    upload = next((f for f in request.files.getlist("fichier") if f.filename), None)
    if upload is None:
        return answer_row(item, RowFocus(item.id, "Choisissez un fichier (PDF, JPEG ou PNG), ou prenez une photo."), 422)
    try:
        # Read whole (the request's limit, app.py, bounds it): a refusal names the file's real size.
        pieces.attach(user(), item, upload.read(), upload.filename, pieces.Limits.of(current_app.config))
    except pieces.RefusedFile as exc:
        return answer_row(item, RowFocus(item.id, exc.message), 422)
    return answer_row(item)


def _visible_piece(piece_id):
    return register_row(Piece, piece_id)


def _file(piece, body, kind, disposition):
    name = piece.nom
    ascii_name = name.encode("ascii", "replace").decode().replace("?", "_")
    return Response(body, mimetype=kind, headers={
        "Content-Disposition": f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}",
        "X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store",
        "Content-Security-Policy": "default-src 'none'; sandbox"})


@bp.get("/pieces/<int:piece_id>")
def download(piece_id):
    piece = _visible_piece(piece_id)
    return _file(piece, bytes(piece.contenu), piece.type, "attachment")


@bp.get("/pieces/<int:piece_id>/apercu")
def preview(piece_id):
    piece = _visible_piece(piece_id)
    if not piece.type.startswith("image/"):
        return render_error(404, "Pas d'aperçu pour un PDF : téléchargez-le.")
    body, kind = pieces.upright(piece)
    return _file(piece, body, kind, "inline")


@bp.post("/pieces/<int:piece_id>/remove")
def remove(piece_id):
    # Removed once, never twice.
    piece = register_row(Piece, piece_id, edit=True, query=Piece.select().where(Piece.retiree_le.is_null()))
    item = editable_item(piece.item_id)
    pieces.remove(user(), piece, item)
    return answer_row(item)
