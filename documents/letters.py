"""What every outgoing document shares: French typography, the letterhead's and the signature's
images, and the greeting a civility gives.

`typeset(html)` is the one typography function of Jalon's PDFs (documents.pdf.render_html applies it
to every document's text, never to its markup or style): a no-break space (U+00A0; this xhtml2pdf
breaks lines at U+202F and prints it as a plain space) before « ; : ! ? » and inside « », and times
written « 8 h 30 » where they were typed 08:30.
"""
import base64
import io
import re

from PIL import Image

NBSP = "\u00a0"
_TAG = re.compile(r"(<[^>]*>)")
_ENTITY = re.compile(r"(&#?\w+;)")
_BEFORE = re.compile(r"[ \u202f\u00a0]+([;:!?»])")
_AFTER = re.compile(r"(«)[ \u202f\u00a0]+")
_BARE_BEFORE = re.compile(r"(?<=[^\s\d«(/\[])([;!?»])")
_TIME = re.compile(r"\b([01]?\d|2[0-3]):([0-5]\d)\b")
_RAW = ("style", "title", "script")


def _time(match):
    hours, minutes = int(match.group(1)), match.group(2)
    return f"{hours}{NBSP}h" + (f"{NBSP}{minutes}" if minutes != "00" else "")


def typeset_text(text):
    """French typography in a run of text (no markup)."""
    text = _TIME.sub(_time, text)
    text = _BEFORE.sub(NBSP + r"\1", text)
    text = _AFTER.sub(r"\1" + NBSP, text)
    text = _BARE_BEFORE.sub(NBSP + r"\1", text)
    return re.sub(r"«(?=[^\s\u00a0])", "«" + NBSP, text)


def typeset(html):
    """`typeset_text` on the text between the tags of `html`, outside <style>, <title> and <script>."""
    parts = _TAG.split(html)
    raw = None
    for index, part in enumerate(parts):
        if index % 2:  # a tag
            name = re.match(r"</?\s*([a-zA-Z0-9]+)", part)
            if name and name.group(1).lower() in _RAW:
                raw = None if part.startswith("</") else name.group(1).lower()
            continue
        if raw is None and part:  # character references (&amp; &#39;) left whole
            pieces = _ENTITY.split(part)
            parts[index] = "".join(p if i % 2 else typeset_text(p) for i, p in enumerate(pieces))
    return "".join(parts)


def image_box(data, max_width_mm, max_height_mm):
    """(a data: URI, width in mm, height in mm) of an image printed at most that big (150 dpi natural
    size), or None when there is no image."""
    if not data:
        return None
    data = bytes(data)
    with Image.open(io.BytesIO(data)) as picture:
        kind = "jpeg" if picture.format in ("JPEG", "MPO") else "png"
        width, height = (px / 150 * 25.4 for px in picture.size)
    scale = min(1, max_width_mm / width, max_height_mm / height)
    uri = f"data:image/{kind};base64," + base64.b64encode(data).decode()
    return uri, round(width * scale, 1), round(height * scale, 1)


def greeting(civilite):
    """« Madame, » / « Monsieur, », or « Madame, Monsieur, » when the civility is not given."""
    return f"{civilite}," if civilite else "Madame, Monsieur,"


def addressed(civilite):
    """The civility as the closing formula names it: « Madame », « Monsieur », « Madame, Monsieur »."""
    return civilite or "Madame, Monsieur"
