"""What users type, checked once for every form and action: text, dates and whole numbers."""
import datetime as dt
import functools
import re
import unicodedata
from pathlib import Path

from reportlab.pdfbase.ttfonts import TTFont

from domain import DomainError
from domain.vocabulary import CIVILITES, TEXT_FIELDS
from formats import fr_date

_FORBIDDEN_SINGLE_LINE = re.compile(r"[\x00-\x1f\x7f]")
_FORBIDDEN_MULTILINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


# The font the documents are printed in (documents/pdf.py): what is typed must print with it.
DOCUMENT_FONT = Path(__file__).parent.parent / "static" / "fonts" / "dejavu-2.37" / "DejaVuSans.ttf"


@functools.cache
def _printable():
    """The characters the documents' font has a glyph for (read once per process)."""
    return frozenset(TTFont("JalonInputs", str(DOCUMENT_FONT)).face.charToGlyph)


def unprintable(value):
    """The first character of `value` the documents cannot print, or None. Beyond the font's glyphs
    (« 李 » printed nothing), reportlab has no per-character fallback, cuts characters beyond U+FFFF
    (« 😀 » printed « ὠ ») and neither shapes nor reorders right-to-left scripts (« الله » printed its
    letters apart and reversed): French identity documents spell names in Latin letters."""
    printable = _printable()
    for char in value:
        if char in "\n\t":
            continue
        if ord(char) > 0xFFFF or ord(char) not in printable or unicodedata.bidirectional(char) in ("R", "AL"):
            return char
    return None


def clean_text(value, *, multiline, max_length, label):
    """Trimmed text, or DomainError when it is too long, holds control characters or a character the
    documents cannot print (naming it)."""
    value = (value or "").replace("\r\n", "\n").strip()
    forbidden = _FORBIDDEN_MULTILINE if multiline else _FORBIDDEN_SINGLE_LINE
    if forbidden.search(value):
        raise DomainError(f"{label} contient des caractères non autorisés.")
    if len(value) > max_length:
        raise DomainError(f"{label} est trop long : {len(value)} caractères pour {max_length} au plus.")
    if (char := unprintable(value)) is not None:
        raise DomainError(f"{label} : le caractère « {char} » (U+{ord(char):04X}) ne s'imprime pas sur les documents "
                          "de la session ; écrivez en lettres latines, comme sur une pièce d'identité française.")
    return value


def clean_civilite(value):
    """Madame, Monsieur, or none (empty)."""
    value = (value or "").strip()
    if value not in CIVILITES:
        raise DomainError("Civilité : Madame, Monsieur, ou non précisée.", "civilite")
    return value


_POSTCODE = re.compile(r"^\d{5}$", re.ASCII)


def clean_postcode(value):
    """A French postcode (5 digits), or empty."""
    value = (value or "").strip()
    if value and not _POSTCODE.match(value):
        raise DomainError("Code postal : 5 chiffres.", "code_postal")
    return value


def clean_field(name, value, *, multiline=False, required=False, field=None):
    """clean_text() with the label and maximum length of a named field of domain.vocabulary."""
    label, max_length = TEXT_FIELDS[name]
    try:
        value = clean_text(value, multiline=multiline, max_length=max_length, label=label)
    except DomainError as exc:
        raise DomainError(exc.message, field or name) from None
    if required and not value:
        raise DomainError(f"{label} : ce champ est obligatoire.", field or name)
    return value


_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$", re.ASCII)
_FR_DATE = re.compile(r"^(\d{2})/(\d{2})/(\d{4})$", re.ASCII)


def parse_date(value, label, first_year=2000):
    """A date typed as yyyy-mm-dd (date input) or dd/mm/yyyy; DomainError when it is not a real date.
    Years run from `first_year` (2000 for the session's dates; 1900 for a birth date) to 2100."""
    value = (value or "").strip()
    if not value:
        raise DomainError(f"{label} : indiquez une date.")
    if m := _ISO_DATE.match(value):
        year, month, day = m.groups()
    elif m := _FR_DATE.match(value):
        day, month, year = m.groups()
    else:
        raise DomainError(f"{label} : « {value[:20]} » n'est pas une date (jj/mm/aaaa).")
    try:
        date = dt.date(int(year), int(month), int(day))
    except ValueError:
        raise DomainError(f"{label} : le {day}/{month}/{year} n'existe pas.") from None
    if not first_year <= date.year <= 2100:
        raise DomainError(f"{label} : l'année doit être comprise entre {first_year} et 2100.")
    return date


def parse_past_date(value, label, today, first_year=2000):
    """The date of something that happened (a convocation sent, a declaration signed): not after today."""
    date = parse_date(value, label, first_year)
    if date > today:
        raise DomainError(f"{label} : le {fr_date(date)} est à venir ; indiquez la date à laquelle c'est fait "
                          f"(au plus tard aujourd'hui, le {fr_date(today)}).")
    return date


# A candidate's age on the day their birth date is typed: what a titre professionnel admits, with room.
AGES = (14, 100)


def parse_birth_date(value, today):
    """A candidate's birth date: their age today between AGES (a year typed wrong shows)."""
    date = parse_date(value, "Date de naissance", first_year=1900)
    age = today.year - date.year - ((today.month, today.day) < (date.month, date.day))
    if not AGES[0] <= age <= AGES[1]:
        raise DomainError(f"Date de naissance : le {fr_date(date)} donnerait {max(age, 0)} ans ; l'âge d'un candidat "
                          f"est compris entre {AGES[0]} et {AGES[1]} ans : vérifiez l'année.")
    return date


_TIME = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])$", re.ASCII)


def parse_time(value, label):
    """A time of day typed as HH:MM (time input); DomainError otherwise."""
    value = (value or "").strip()
    if not _TIME.match(value):
        raise DomainError(f"{label} : indiquez une heure hh:mm (par exemple 08:30).")
    return value


# The largest id or number read from a request: 18 digits fit a signed 64-bit integer, which is what
# SQLite and PostgreSQL store (a larger one made the database raise OverflowError: a 500).
MAX_DIGITS = 18
_WHOLE_NUMBER = re.compile(r"[0-9]{1,%d}" % MAX_DIGITS, re.ASCII)


def whole_number(text, minimum=0, maximum=10**MAX_DIGITS - 1):
    """The number written in `text` with ASCII digits only, within [minimum, maximum]; None otherwise.

    The one place that reads a number from a URL, a query string, a form or a cookie: str.isdigit()
    accepts « ² » and « ١ », which int() refuses or reads as another number."""
    text = (text or "").strip()
    if not _WHOLE_NUMBER.fullmatch(text):
        return None
    value = int(text)
    return value if minimum <= value <= maximum else None


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalize_email(value):
    """An address as stored and looked up: trimmed and lower-cased (« Paul@Horizon.demo » is paul@...)."""
    return (value or "").strip().lower()


def clean_email(value):
    """A normalised address that an account can have; DomainError otherwise. The one e-mail rule of
    the forms and the command line."""
    email = normalize_email(clean_field("email", value))
    if not _EMAIL.match(email):
        raise DomainError(f"Adresse e-mail invalide : « {email[:60]} » (attendu : nom@domaine.fr).", "email")
    return email
