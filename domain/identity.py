"""The identity a centre's letters carry (the letterhead) and who signs them, per site.

A centre: its postal address, telephone, e-mail, SIRET (14 digits, Luhn key), numéro de déclaration
d'activité (NDA, 11 digits) and logo (PNG or JPEG ≤ 1 MB); a site: its address and its signatory
(name, title, an optional signature image, PNG ≤ 512 KB). A form changes only the fields it sends.
Administrators change them, journalled in the administration's log; the centre's users read them.
"""
import io
import re
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

from domain import DomainError, administration
from domain.forms import InvalidForm, collect
from domain.inputs import clean_email, clean_text
from models import Centre, Site, db

LOGO_MAX_BYTES = 1024 * 1024
SIGNATURE_MAX_BYTES = 512 * 1024
IMAGE_MAX_PIXELS = 25_000_000

_TELEPHONE = re.compile(r"^[0-9 +().\-]{6,30}$")
_DIGITS = re.compile(r"^\d+$", re.ASCII)

# name: (label, max length, multiline) of the text fields of a centre's and a site's identity.
ADDRESS_FIELDS = {"adresse": ("Adresse (rue, bâtiment)", 300, True), "code_postal": ("Code postal", 5, False),
                  "ville": ("Ville", 100, False)}
CENTRE_FIELDS = {**ADDRESS_FIELDS, "telephone": ("Téléphone", 30, False), "email": ("Adresse e-mail", 254, False),
                 "siret": ("SIRET", 20, False), "nda": ("Numéro de déclaration d'activité", 20, False)}
SITE_FIELDS = {**ADDRESS_FIELDS, "signataire_nom": ("Nom du signataire", 200, False),
               "signataire_qualite": ("Qualité du signataire", 200, False)}


def luhn_valid(digits):
    """The Luhn key of a SIRET (and SIREN): the sum of the digits, every second one from the right
    doubled (minus 9 above 9), is a multiple of 10."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char) * (2 if index % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _clean(name, value, label, max_length, multiline):
    value = clean_text(value, multiline=multiline, max_length=max_length, label=label)
    if not value:
        return ""
    if name == "code_postal" and not (len(value) == 5 and _DIGITS.match(value)):
        raise ValueError("Code postal : 5 chiffres.")
    if name == "telephone" and not _TELEPHONE.match(value):
        raise ValueError("Téléphone : chiffres, espaces et + ( ) . - seulement.")
    if name == "email":
        return clean_email(value)
    if name == "siret":
        digits = value.replace(" ", "")
        if not (len(digits) == 14 and _DIGITS.match(digits)):
            raise ValueError("SIRET : 14 chiffres.")
        if not luhn_valid(digits):
            raise ValueError("SIRET : la clé de contrôle ne correspond pas, vérifiez les 14 chiffres.")
        return digits
    if name == "nda":
        digits = value.replace(" ", "")
        if not (len(digits) == 11 and _DIGITS.match(digits)):
            raise ValueError("Numéro de déclaration d'activité : 11 chiffres.")
        return digits
    return value


def _text_values(form, fields, errors):
    """The fields the form sends (only those), cleaned."""
    values = {}
    for name, (label, max_length, multiline) in fields.items():
        if name not in form:
            continue

        def clean(name=name, label=label, max_length=max_length, multiline=multiline):
            try:
                return _clean(name, form.get(name), label, max_length, multiline)
            except ValueError as exc:
                raise DomainError(str(exc), name) from None
        values[name] = collect(errors, name, clean)
    return values


def image(data, label, max_bytes, kinds):
    """The bytes of an image file for the letters, checked whole by Pillow: PNG (or JPEG when
    `kinds` allows it), at most `max_bytes`; ValueError in French otherwise."""
    if len(data) > max_bytes:
        raise ValueError(f"{label} : {len(data) / 1024:.0f} Ko pour {max_bytes // 1024} Ko au plus.")
    try:
        with Image.open(io.BytesIO(data)) as picture:
            kind = {"MPO": "JPEG"}.get(picture.format, picture.format)
            if kind not in kinds:
                raise ValueError(f"{label} : un fichier {' ou '.join(kinds)}.")
            if picture.size[0] * picture.size[1] > IMAGE_MAX_PIXELS:
                raise ValueError(f"{label} : image trop grande ({picture.size[0]} × {picture.size[1]} pixels).")
            picture.load()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError):
        raise ValueError(f"{label} : image illisible (un fichier {' ou '.join(kinds)}).") from None
    return data


def _image_value(files, form, name, label, max_bytes, kinds, errors):
    """The new image of `name` when a file is sent, None to remove it (`supprimer_<name>`), or
    absent: left as it is."""
    if form.get(f"supprimer_{name}") == "1":
        return {name: None}
    upload = files.get(name)
    if upload is None or not upload.filename:
        return {}
    try:
        return {name: image(upload.read(), label, max_bytes, kinds)}
    except ValueError as exc:
        errors[name] = str(exc)
        return {}


@dataclass(frozen=True)
class Identity:
    """What a form changes of a centre or a site: its text fields, its image, how it is renamed and
    journalled."""

    model: object
    fields: dict
    image: tuple  # (name, label, max bytes, kinds)
    rename: object  # administration.rename_centre or rename_site
    action: str
    target: object  # row -> the administration log's target


CENTRE = Identity(Centre, CENTRE_FIELDS, ("logo", "Logo", LOGO_MAX_BYTES, ("PNG", "JPEG")),
                  administration.rename_centre, "Identité du centre modifiée", lambda centre: centre.name)
SITE = Identity(Site, SITE_FIELDS, ("signature", "Signature", SIGNATURE_MAX_BYTES, ("PNG",)),
                administration.rename_site, "Site modifié", lambda site: f"{site.centre.name} · {site.name}")


def _update(kind, admin, row, form, files):
    """The row's name (when sent) and the identity fields sent (only those), journalled."""
    errors = {}
    values = _text_values(form, kind.fields, errors)
    values.update(_image_value(files, form, *kind.image, errors))
    if errors:
        raise InvalidForm(errors)
    model = kind.model
    with db.atomic():
        if "name" in form:
            row = kind.rename(admin, row, form.get("name"))
        changed = [name for name, value in values.items() if getattr(row, name) != value]
        if changed:
            model.update(**values).where(model.id == row.id).execute()
            administration.log(admin, kind.action, kind.target(row),
                               ", ".join(kind.fields.get(name, (kind.image[1],))[0] for name in changed))
    return model.get_by_id(row.id)


def update_centre(admin, centre, form, files):
    """The centre's name (when sent) and identity; only the fields sent change."""
    return _update(CENTRE, admin, centre, form, files)


def update_site(admin, site, form, files):
    """The site's name (when sent), address and signatory; only the fields sent change."""
    return _update(SITE, admin, site, form, files)


def town(site):
    """Where the site's letters are written from: its town, else the centre's, else the site's name."""
    return site.ville or site.centre.ville or site.name
