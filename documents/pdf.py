"""The completed guide as a PDF that looks like the official form.

xhtml2pdf lays the document out in one pass; "Page N / M" and who generated it when are then
stamped on each page. Asking xhtml2pdf for the page count (<pdf:pagecount/>) would make it lay the
whole document out twice, which doubles the time of every render.

Laying out a large guide takes seconds of one core, while rendering its HTML takes milliseconds: so
a layout is kept (PdfCache) under the hash of the HTML it was laid out from, which changes with
anything the document shows (a juror renamed, the tenue, the centre), and one user lays out one
document at a time (render_slot), whether a PDF or the inspection file's: a reader cannot hold every
worker with PDFs while colleagues wait to log in. PdfMaker is that one gate.
"""
import contextlib
import fcntl
import hashlib
import io
import os
import re
import tempfile
import unicodedata
from pathlib import Path

from flask import render_template
from pypdf import PdfReader, PdfWriter
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas
from xhtml2pdf import pisa
from xhtml2pdf.config.resources import ResourceAccessPolicy

from documents.letters import typeset
from domain.inputs import DOCUMENT_FONT

FONTS_DIR = DOCUMENT_FONT.parent
FONTS = {"regular": DOCUMENT_FONT, "bold": FONTS_DIR / "DejaVuSans-Bold.ttf"}
# The embedded font may be read from its own folder only; nothing remote, ever.
POLICY = ResourceAccessPolicy(base_dir=FONTS_DIR, allow_remote=False)
# Where the stamped lines go: the right end of the footer, one under the other (margins as in
# templates/exports/guide.pdf.html).
STAMP_RIGHT, STAMP_BASELINES = 1.2 * cm, (1.6 * cm, 1.3 * cm, 1.0 * cm)
STAMP_CHARS = 45  # a stamped line is cut there (a long name)
STAMP_FONT = "JalonSansStamp"
pdfmetrics.registerFont(TTFont(STAMP_FONT, str(FONTS["regular"])))


class PdfError(RuntimeError):
    pass


class RenderBusy(RuntimeError):
    """The user already has a PDF being made."""


def render_html(template, french=False, **context):
    """The HTML a PDF is laid out from, with the embedded DejaVu Sans font; `french`: in French
    typography (documents.letters.typeset), as every outgoing document is (the guide, the official
    form, and the users' texts it prints keep their exact wording)."""
    html = render_template(template, fonts={k: v.as_uri() for k, v in FONTS.items()}, **context)
    return typeset(html) if french else html


def layout_pdf(template, **context):
    """Lay a template out as PDF bytes (not yet stamped)."""
    return html_to_pdf(render_html(template, **context))


def html_to_pdf(html):
    """Lay HTML out as PDF bytes: the slow part (seconds of one core for a large guide)."""
    out = io.BytesIO()
    status = pisa.CreatePDF(html, dest=out, encoding="utf-8", resource_policy=POLICY)
    if status.err:
        raise PdfError(f"xhtml2pdf reported {status.err} error(s)")
    return out.getvalue()


def stamp(pdf_bytes, lines=()):
    """Stamp "Page N / M", then `lines` (e.g. who generated it, when), at the right of each footer."""
    reader = PdfReader(io.BytesIO(pdf_bytes))
    total = len(reader.pages)
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    stamps = io.BytesIO()
    pen = canvas.Canvas(stamps, pagesize=(width, height))
    for number in range(1, total + 1):
        pen.setFont(STAMP_FONT, 7)
        texts = [f"Page {number} / {total}", *lines]
        for text, baseline in zip(texts, STAMP_BASELINES, strict=False):
            text = text if len(text) <= STAMP_CHARS else text[:STAMP_CHARS - 1] + "…"
            pen.drawRightString(width - STAMP_RIGHT, baseline, text)
        pen.showPage()
    pen.save()
    writer = PdfWriter(clone_from=reader)
    for page, stamp in zip(writer.pages, PdfReader(stamps).pages, strict=True):
        page.merge_page(stamp)
        page.compress_content_streams()
    writer.compress_identical_objects()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def download_name(session, blank=False, stem=None):
    """guide-DWWM-2027-03-15.pdf: the document's name, the sigle in plain ASCII and the session's
    first day (`stem` names another document: convocations-DWWM-2027-03-15.pdf)."""
    stem = stem or f"guide{'-vierge' if blank else ''}"
    return f"{stem}-{ascii_name(session.sigle) or 'session'}-{session.date_debut.isoformat()}.pdf"


def ascii_name(text):
    """A name in plain ASCII letters, digits and dashes, for a file name."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")


class PdfCache:
    """Laid-out PDFs kept in a folder (instance/pdf-cache, private) that every worker shares.

    A key names everything the document shows (the hash of its HTML); putting a new document of a
    `group` (one per session and kind) removes the group's older ones, so a session's cached guide is
    always its latest."""

    def __init__(self, folder):
        self.folder = Path(folder)

    @staticmethod
    def _name(group, key):
        digest = hashlib.sha256(repr(key).encode()).hexdigest()[:32]
        return f"{group}--{digest}.pdf"

    def get(self, group, key):
        try:
            return (self.folder / self._name(group, key)).read_bytes()
        except FileNotFoundError:
            return None

    def put(self, group, key, body):
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        name = self._name(group, key)
        handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".partiel-")
        with os.fdopen(handle, "wb") as out:  # mkstemp's file is private (mode 600)
            out.write(body)
        os.replace(temporary, self.folder / name)
        for older in self.folder.glob(f"{group}--*.pdf"):
            if older.name != name:
                older.unlink(missing_ok=True)


@contextlib.contextmanager
def render_slot(folder, user_id):
    """Hold the user's one PDF render slot, across workers (a file lock, released if the process
    dies); RenderBusy when the user already has a render going."""
    Path(folder).mkdir(mode=0o700, parents=True, exist_ok=True)
    with open(Path(folder) / f"user-{int(user_id)}.lock", "a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RenderBusy() from None
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


class PdfMaker:
    """The one gate of a user's heavy documents: a PDF comes from the cache when the same HTML was laid
    out before, else is laid out within the user's one render slot (RenderBusy when another of theirs
    is being made); a document holding several (the inspection file) holds the slot once for all."""

    def __init__(self, instance_path, user_id):
        self.cache = PdfCache(Path(instance_path) / "pdf-cache")
        self.slots = Path(instance_path) / "pdf-renders"
        self.user_id = user_id
        self.holding = False

    @contextlib.contextmanager
    def slot(self):
        """The user's render slot, held until the block ends (at once if this maker holds it)."""
        if self.holding:
            yield
            return
        with render_slot(self.slots, self.user_id):
            self.holding = True
            try:
                yield
            finally:
                self.holding = False

    def make(self, group, template, french=False, **context):
        """The unstamped PDF of `template` with `context` (`french`: render_html's), kept in the cache
        under `group`."""
        html = render_html(template, french, **context)
        key = hashlib.sha256(html.encode("utf-8")).hexdigest()
        body = self.cache.get(group, key)
        if body is None:
            with self.slot():
                body = html_to_pdf(html)
            self.cache.put(group, key, body)
        return body
