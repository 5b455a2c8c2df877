"""The completed guide as a PDF that looks like the official form.

xhtml2pdf lays the document out in one pass; "Page N / M" is then stamped on each page. Asking
xhtml2pdf for the page count (<pdf:pagecount/>) would make it lay the whole document out twice,
which doubles the time of every render.
"""
import io
import re
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

FONTS_DIR = Path(__file__).parent.parent / "static" / "fonts" / "dejavu-2.37"
FONTS = {"regular": FONTS_DIR / "DejaVuSans.ttf", "bold": FONTS_DIR / "DejaVuSans-Bold.ttf"}
# The embedded font may be read from its own folder only; nothing remote, ever.
POLICY = ResourceAccessPolicy(base_dir=FONTS_DIR, allow_remote=False)
# Where the page numbers go: the right end of the footer (margins as in templates/exports/guide.pdf.html).
PAGE_NUMBER_RIGHT, PAGE_NUMBER_BASELINE = 1.2 * cm, 1.6 * cm
STAMP_FONT = "JalonSansStamp"
pdfmetrics.registerFont(TTFont(STAMP_FONT, str(FONTS["regular"])))


class PdfError(RuntimeError):
    pass


def render_pdf(template, **context):
    """Render a template to PDF bytes with the embedded DejaVu Sans font and numbered pages."""
    html = render_template(template, fonts={k: v.as_uri() for k, v in FONTS.items()}, **context)
    out = io.BytesIO()
    status = pisa.CreatePDF(html, dest=out, encoding="utf-8", resource_policy=POLICY)
    if status.err:
        raise PdfError(f"xhtml2pdf reported {status.err} error(s)")
    return number_pages(out.getvalue())


def number_pages(pdf_bytes):
    """Stamp "Page N / M" at the right of each page's footer."""
    reader = PdfReader(io.BytesIO(pdf_bytes))
    total = len(reader.pages)
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    stamps = io.BytesIO()
    pen = canvas.Canvas(stamps, pagesize=(width, height))
    for number in range(1, total + 1):
        pen.setFont(STAMP_FONT, 7)
        pen.drawRightString(width - PAGE_NUMBER_RIGHT, PAGE_NUMBER_BASELINE, f"Page {number} / {total}")
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


def download_name(session, blank=False):
    """guide-DWWM-2027-03-15.pdf: the sigle in plain ASCII and the session's first day."""
    sigle = unicodedata.normalize("NFKD", session.sigle).encode("ascii", "ignore").decode()
    sigle = re.sub(r"[^A-Za-z0-9]+", "-", sigle).strip("-") or "session"
    return f"guide{'-vierge' if blank else ''}-{sigle}-{session.date_debut.isoformat()}.pdf"
