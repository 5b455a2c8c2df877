"""Supporting documents attached to a task (« pièces justificatives »): PDF, JPEG or PNG, checked by
their content with the libraries made for it (pypdf opens a PDF, Pillow decodes an image whole),
never by their name or the browser's type. An image is refused beyond a number of pixels (a small
PNG can hold a decompression bomb), and its preview is made once, at upload, by reduced decoding.
Stored in the database with their SHA-256; removing one is a journalled event that keeps the bytes
until the session's retention ends."""
import hashlib
import io
import re
import unicodedata
from dataclasses import dataclass

from peewee import fn
from PIL import Image, ImageOps, UnidentifiedImageError
from pypdf import PdfReader

from domain import DomainError, journal
from models import Piece, db, now
from statements import Statement, param

# A task's attachments (the row shows them).
PIECES_OF_ITEM = Statement("pieces_of_item", lambda: Piece.attached().where(Piece.item == param("item", Piece.item)))

TYPES = {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG"}
_HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1", b"avif")


class RefusedFile(DomainError):
    """A file that is not kept: the message says which rule and which limit (422)."""


@dataclass(frozen=True)
class Limits:
    """What one file may weigh, what a session's files may weigh in all, how many pixels an image may
    hold (the settings PIECE_MAX_MB, SESSION_PIECES_MAX_MB, PIECE_MAX_MEGAPIXELS)."""

    file_bytes: int
    session_bytes: int
    pixels: int

    @classmethod
    def of(cls, settings):
        return cls(settings["PIECE_MAX_BYTES"], settings["SESSION_PIECES_MAX_BYTES"], settings["PIECE_MAX_PIXELS"])


# An image's preview: at most this many pixels on its longer side.
PREVIEW_SIDE = 1600


def _megabytes(size, decimals=1):
    return f"{size / 1024 / 1024:.{decimals}f} Mo".replace(".", ",")


def _sizes(size, limit):
    """Two sizes written so that they read differently (« 10,0 Mo pour 10,0 Mo » said nothing)."""
    for decimals in (1, 2, 3):
        first, second = _megabytes(size, decimals), _megabytes(limit, decimals)
        if first != second:
            return first, second
    return tuple(f"{n:,} octets".replace(",", "\u00a0") for n in (size, limit))


def _pdf_pages(data):
    """The number of pages of a PDF, RefusedFile when it cannot be read. A PDF protected by an owner
    password only (it opens without one, as many « protected » PDFs do) is read; one that asks for a
    password to open is refused. Any exception of the parser is a refusal: it meets damaged files."""
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise RefusedFile("PDF protégé par un mot de passe d'ouverture : enregistrez-le sans mot de passe, "
                              "puis envoyez-le de nouveau.")
        return len(reader.pages)
    except RefusedFile:
        raise
    except Exception as exc:  # noqa: BLE001  (pypdf raises many kinds, DependencyError among them)
        raise RefusedFile("PDF illisible : le fichier est endommagé ou n'est pas un vrai PDF.") from exc


def _reduced(image):
    """The image decoded whole, a JPEG at a reduced scale for its preview (all of its data still read:
    a truncated one fails here)."""
    if image.format in ("JPEG", "MPO"):
        image.draft("RGB", (PREVIEW_SIDE, PREVIEW_SIDE))
    image.load()
    return image


def _preview(image, kind):
    """An image's preview: upright (a phone photo's EXIF rotation applied), at most PREVIEW_SIDE pixels
    on its longer side, as bytes of its type."""
    turned = ImageOps.exif_transpose(image)
    turned.thumbnail((PREVIEW_SIDE, PREVIEW_SIDE))
    out = io.BytesIO()
    if kind == "image/png":
        turned.save(out, "PNG")
    else:
        turned.convert("RGB").save(out, "JPEG", quality=85)
    return out.getvalue()


def _image(data, max_pixels):
    """(type, preview bytes) of a JPEG or PNG decoded whole (verify() does not decode a JPEG's data: a
    truncated one passed), refused beyond `max_pixels` before anything is decoded. A phone's
    multi-picture JPEG (Pillow's « MPO ») is a JPEG."""
    unreadable = "Image illisible : le fichier est endommagé ou n'est pas une vraie image."
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = {"JPEG": "image/jpeg", "MPO": "image/jpeg", "PNG": "image/png"}.get(image.format)
            width, height = image.size
            if kind is None:
                raise RefusedFile(unreadable)
            if width * height > max_pixels:
                raise RefusedFile(f"Image trop grande : {width} × {height} pixels ({_megapixels(width * height)} pour "
                                  f"{_megapixels(max_pixels)} au plus) : réduisez-la, ou envoyez-la en PDF.")
            image.verify()
        with Image.open(io.BytesIO(data)) as image:
            return kind, _preview(_reduced(image), kind)
    except RefusedFile:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise RefusedFile(unreadable) from exc


def _megapixels(pixels):
    return f"{pixels / 1e6:.1f} mégapixels".replace(".", ",")


def content_type(data, max_pixels):
    """(the file's type as its content shows it: PDF, JPEG or PNG; an image's preview, or None), or
    RefusedFile saying why not."""
    if data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        raise RefusedFile("Photo au format HEIC/HEIF refusée : choisissez JPEG dans les réglages de l'appareil photo "
                          "(« Le plus compatible » sur iPhone), ou envoyez une capture en PNG.")
    if data.startswith(b"%PDF-"):
        if _pdf_pages(data) < 1:
            raise RefusedFile("PDF sans page : rien n'a été enregistré.")
        return "application/pdf", None
    if data.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")):
        return _image(data, max_pixels)
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


def check_file(data, limits):
    """(type, preview) of a file a rule accepts, else RefusedFile."""
    if not data:
        raise RefusedFile("Fichier vide : choisissez un fichier, ou prenez une photo.")
    if len(data) > limits.file_bytes:
        size, limit = _sizes(len(data), limits.file_bytes)
        raise RefusedFile(f"Fichier trop volumineux : {size} pour {limit} au plus.")
    return content_type(data, limits.pixels)


def attach(user, item, data, filename, limits, checked=False):
    """Keep a file for the task within `limits` (Limits); RefusedFile (nothing stored) when a rule refuses it.
    `checked`: the caller checked, under its lock in this transaction, that the session takes it (a PV
    step's proof after the closing)."""
    kind, preview = check_file(data, limits)
    name = safe_name(filename, kind)
    digest = hashlib.sha256(data).hexdigest()
    with db.atomic():
        used = Piece.select(fn.COALESCE(fn.SUM(Piece.taille), 0)).where(Piece.session == item.session_id).scalar()
        if used + len(data) > limits.session_bytes:
            raise RefusedFile(f"Place épuisée pour cette session : {_megabytes(used)} déjà conservés, "
                              f"{_megabytes(limits.session_bytes)} au plus par session.")
        piece = Piece.create(item=item, session=item.session_id, nom=name, type=kind, taille=len(data), sha256=digest,
                             contenu=data, apercu=preview, ajoutee_par=user, ajoutee_le=now())
        journal.record(user, item.session_id, "piece", "",
                       f"Pièce ajoutée : {name} ({_megabytes(len(data))}, SHA-256 {digest[:12]})", item=item,
                       checked=checked)
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
    """An image's preview (upright, reduced) as (bytes, type): made at upload; for a file kept before
    previews were, made now by reduced decoding and kept."""
    if piece.apercu is None:
        with Image.open(io.BytesIO(bytes(piece.contenu))) as image:
            piece.apercu = _preview(_reduced(image), piece.type)
        Piece.update(apercu=piece.apercu).where(Piece.id == piece.id).execute()
    return bytes(piece.apercu), piece.type
