"""Supporting documents attached to a task (« pièces justificatives »): PDF, JPEG or PNG, checked by
their content with the libraries made for it (pypdf opens a PDF, Pillow verifies an image), never by
their name or the browser's type. Stored in the database with their SHA-256; removing one is a
journalled event that keeps the bytes until the session's retention ends."""
import hashlib
import io
import re
import unicodedata

from peewee import fn
from PIL import Image, ImageOps, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from domain import DomainError, journal
from models import Piece, db, now
from statements import Statement, param

# A task's attachments (the row shows them).
PIECES_OF_ITEM = Statement("pieces_of_item", lambda: Piece.attached().where(Piece.item == param("item", Piece.item)))

TYPES = {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG"}
_HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1", b"avif")


class RefusedFile(DomainError):
    """A file that is not kept: the message says which rule and which limit (422)."""


def _megabytes(size):
    return f"{size / 1024 / 1024:.1f} Mo".replace(".", ",")


def content_type(data):
    """The file's type as its content shows it (PDF, JPEG, PNG), or RefusedFile saying why not."""
    if data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        raise RefusedFile("Photo au format HEIC/HEIF refusée : choisissez JPEG dans les réglages de l'appareil photo "
                          "(« Le plus compatible » sur iPhone), ou envoyez une capture en PNG.")
    if data.startswith(b"%PDF-"):
        try:
            reader = PdfReader(io.BytesIO(data), strict=False)
            if len(reader.pages) < 1:
                raise RefusedFile("PDF sans page : rien n'a été enregistré.")
        except (PyPdfError, ValueError, KeyError, TypeError, RecursionError, OSError) as exc:
            raise RefusedFile("PDF illisible : le fichier est endommagé ou n'est pas un vrai PDF.") from exc
        return "application/pdf"
    if data.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")):
        try:
            with Image.open(io.BytesIO(data)) as image:
                kind = image.format
                image.verify()
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
            raise RefusedFile("Image illisible : le fichier est endommagé ou n'est pas une vraie image.") from exc
        if kind in ("JPEG", "PNG"):
            return f"image/{kind.lower()}"
    raise RefusedFile("Type de fichier refusé : PDF, JPEG ou PNG seulement (Jalon vérifie le contenu du fichier, "
                      "pas son nom).")


def safe_name(filename, kind):
    """The original name without its folders or control characters, at most 120 characters, with
    the extension its content gives."""
    name = unicodedata.normalize("NFC", (filename or "").replace("\\", "/").rsplit("/", 1)[-1])
    name = re.sub(r"[\x00-\x1f\x7f\"<>|:*?]", "", name).strip(" .") or "piece"
    stem = name.rsplit(".", 1)[0] if "." in name else name
    extension = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}[kind]
    return f"{stem[:120]}.{extension}"


def attach(user, item, data, filename, max_bytes, session_max_bytes):
    """Keep a file for the task; RefusedFile (nothing stored) when a rule refuses it."""
    if not data:
        raise RefusedFile("Fichier vide : choisissez un fichier, ou prenez une photo.")
    if len(data) > max_bytes:
        raise RefusedFile(f"Fichier trop volumineux : {_megabytes(len(data))} pour {_megabytes(max_bytes)} au plus.")
    kind = content_type(data)
    name = safe_name(filename, kind)
    digest = hashlib.sha256(data).hexdigest()
    with db.atomic():
        used = Piece.select(fn.COALESCE(fn.SUM(Piece.taille), 0)).where(Piece.session == item.session_id).scalar()
        if used + len(data) > session_max_bytes:
            raise RefusedFile(f"Place épuisée pour cette session : {_megabytes(used)} déjà conservés, "
                              f"{_megabytes(session_max_bytes)} au plus par session.")
        piece = Piece.create(item=item, session=item.session_id, nom=name, type=kind, taille=len(data), sha256=digest,
                             contenu=data, ajoutee_par=user, ajoutee_le=now())
        journal.record(user, item.session_id, "piece", "",
                       f"Pièce ajoutée : {name} ({_megabytes(len(data))}, SHA-256 {digest[:12]})", item=item)
    return piece


def remove(user, piece, item):
    """Take a file off the task: who and when are recorded; its bytes stay until the retention ends."""
    with db.atomic():
        Piece.update(retiree_par=user, retiree_le=now()).where((Piece.id == piece.id) & Piece.retiree_le.is_null()).execute()
        journal.record(user, piece.session_id, "piece", f"{piece.nom} (SHA-256 {piece.sha256[:12]})", "Pièce retirée",
                       item=item)


def listed(session=None, item=None):
    """The files on a session's tasks (or one task's), without their bytes, by item id."""
    if item is not None:
        return {item.id: rows} if (rows := PIECES_OF_ITEM.rows(item=item)) else {}
    result = {}
    for piece in Piece.attached().where(Piece.session == session):
        result.setdefault(piece.item_id, []).append(piece)
    return result


def upright(piece):
    """An image as it should be seen (a phone photo's EXIF rotation applied), as (bytes, type)."""
    with Image.open(io.BytesIO(bytes(piece.contenu))) as image:
        turned = ImageOps.exif_transpose(image)
        out = io.BytesIO()
        turned.save(out, "PNG" if piece.type == "image/png" else "JPEG", quality=90)
    return out.getvalue(), piece.type
