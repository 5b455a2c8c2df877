"""A session's candidates: added one by one or imported from a spreadsheet, their convocation (sent
when, how, its reference) and the convocation's « tenue professionnelle »; their counts by parcours
against the session's header. Every change is written in the session's journal, in its transaction.

Personal data (RGPD): name, birth date, e-mail, postal address, parcours, VAE recevabilité,
convocation; no free-text notes.
"""
import csv
import io
import re
import unicodedata
from dataclasses import dataclass

from domain import DomainError, journal
from domain.forms import InvalidForm, collect, create_in_session
from domain.inputs import clean_email, clean_field, parse_date
from domain.vocabulary import CONVOCATION_MODES, PARCOURS_LABELS
from models import Candidat, ExamSession, db


CANDIDATE_FIELDS = ("nom", "prenom", "date_naissance", "email", "adresse", "parcours", "recevabilite_valide_jusqu_au")


CONVOCATION_FIELDS = ("envoyee_le", "mode", "reference")


def clean_candidate(form):
    """A candidate's fields from a form; the recevabilité is asked of VAE candidates only."""
    errors = {}
    values = {
        "nom": collect(errors, "nom", lambda: clean_field("nom", form.get("nom"), required=True)),
        "prenom": collect(errors, "prenom", lambda: clean_field("prenom", form.get("prenom"), required=True)),
        "date_naissance": collect(errors, "date_naissance",
                                   lambda: parse_date(form.get("date_naissance"), "Date de naissance", first_year=1900)),
        "adresse": collect(errors, "adresse", lambda: clean_field("adresse", form.get("adresse"), multiline=True)),
    }
    email = (form.get("email") or "").strip()
    values["email"] = collect(errors, "email", lambda: clean_email(email)) if email else ""
    parcours = (form.get("parcours") or "").strip()
    if parcours not in PARCOURS_LABELS:
        errors["parcours"] = "Parcours : choisissez formation ou VAE."
    values["parcours"] = parcours
    recevabilite = (form.get("recevabilite_valide_jusqu_au") or "").strip()
    values["recevabilite_valide_jusqu_au"] = None
    if recevabilite and parcours == "formation":
        errors["recevabilite_valide_jusqu_au"] = "Recevabilité : seulement pour un candidat en VAE."
    elif recevabilite:
        values["recevabilite_valide_jusqu_au"] = collect(
            errors, "recevabilite_valide_jusqu_au", lambda: parse_date(recevabilite, "Recevabilité valide jusqu'au"))
    if errors:
        raise InvalidForm(errors)
    return values


def clean_convocation(form):
    errors = {}
    sent = collect(errors, "envoyee_le", lambda: parse_date(form.get("envoyee_le"), "Convocation envoyée le"))
    mode = (form.get("mode") or "").strip()
    if mode not in CONVOCATION_MODES:
        errors["mode"] = "Mode : remise en mains propres contre décharge, ou lettre recommandée avec AR."
    reference = collect(errors, "reference", lambda: clean_field("reference", form.get("reference")))
    if errors:
        raise InvalidForm(errors)
    return {"convocation_envoyee_le": sent, "convocation_mode": mode, "convocation_reference": reference}


def _describe_candidate(candidat):
    return f"{candidat.label} ({PARCOURS_LABELS[candidat.parcours]})"


def add_candidate(user, session, form):
    return create_in_session(user, session, Candidat, clean_candidate(form), "candidat",
                              lambda candidat: f"Ajout : {_describe_candidate(candidat)}")


def update_candidate(user, candidat, form):
    values = clean_candidate(form)
    with db.atomic():
        changed = [name for name, value in values.items() if getattr(candidat, name) != value]
        if changed:
            before = _describe_candidate(candidat)
            Candidat.update(**values).where(Candidat.id == candidat.id).execute()
            candidat = Candidat.get_by_id(candidat.id)
            journal.record(user, candidat.session_id, "candidat", before,
                           f"Modification ({', '.join(changed)}) : {_describe_candidate(candidat)}")
    return candidat


def record_convocation(user, candidat, form):
    values = clean_convocation(form)
    with db.atomic():
        Candidat.update(**values).where(Candidat.id == candidat.id).execute()
        journal.record(user, candidat.session_id, "convocation", "",
                       f"{candidat.label} : {CONVOCATION_MODES[values['convocation_mode']]} le "
                       f"{values['convocation_envoyee_le']:%d/%m/%Y}"
                       + (f", réf. {values['convocation_reference']}" if values["convocation_reference"] else ""))
    return Candidat.get_by_id(candidat.id)


def remove_candidate(user, candidat):
    with db.atomic():
        journal.record(user, candidat.session_id, "candidat", _describe_candidate(candidat), "Retiré de la session")
        candidat.delete_instance()


@dataclass
class CandidateCounts:
    """The register's candidates by parcours beside the numbers typed in the session's header."""

    formation: int
    vae: int
    typed_formation: int
    typed_vae: int

    @property
    def registered(self):
        return self.formation + self.vae > 0

    @property
    def differ(self):
        return (self.formation, self.vae) != (self.typed_formation, self.typed_vae)


def candidate_counts(session, candidats):
    """The counts of the register's `candidats` (loaded with the checks' register), to show instead
    of the header's once it has candidates."""
    formation = sum(1 for c in candidats if c.parcours == "formation")
    return CandidateCounts(formation, len(candidats) - formation, session.nb_formation, session.nb_vae)


IMPORT_MAX_LINES = 2000


IMPORT_COLUMNS = (*CANDIDATE_FIELDS, *CONVOCATION_FIELDS)


REQUIRED_COLUMNS = ("nom", "prenom", "date_naissance", "parcours")


class InvalidImport(DomainError):
    """A refused file: every problem, each naming its line and column; nothing was imported."""

    def __init__(self, problems):
        super().__init__(f"Fichier refusé, aucun candidat importé : {len(problems)} problème(s).", "fichier")
        self.problems = problems


def _normalized(text):
    """A column name or a code as typed in a spreadsheet, normalised: « Date de naissance » →
    date_naissance, « Prénom » → prenom, « Main propre » → main_propre (accents, case, spaces and
    hyphens do not matter)."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().strip().lower()
    plain = re.sub(r"[\s\-'’]+", "_", plain)
    return COLUMN_ALIASES.get(plain, plain)


# Headings a spreadsheet may use for the form's fields.
COLUMN_ALIASES = {"date_de_naissance": "date_naissance", "e_mail": "email", "courriel": "email",
                  "adresse_postale": "adresse", "recevabilite": "recevabilite_valide_jusqu_au",
                  "convocation_envoyee_le": "envoyee_le", "mode_de_convocation": "mode"}


def _decode(content):
    """UTF-8 (with or without BOM), else Windows-1252: what French spreadsheets save."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")


def read_candidates_file(content):
    """The candidates of a CSV file (`;` separated, one header line), checked line by line:
    [(candidate values, convocation values or None)], or InvalidImport listing every problem."""
    lines = list(csv.reader(io.StringIO(_decode(content), newline=""), delimiter=";"))
    lines = [line for line in lines if any(cell.strip() for cell in line)]
    if not lines:
        raise InvalidImport(["le fichier est vide"])
    header = [_normalized(name) for name in lines[0]]
    headings = {name: raw.strip() for raw, name in zip(lines[0], header, strict=True)}  # as the file names them
    problems = [f"colonne « {raw.strip()} » inconnue (colonnes possibles : {', '.join(IMPORT_COLUMNS)})"
                for raw, name in zip(lines[0], header, strict=True) if name not in IMPORT_COLUMNS]
    problems += [f"colonne « {name} » manquante" for name in REQUIRED_COLUMNS if name not in header]
    if len(lines) - 1 > IMPORT_MAX_LINES:
        problems.append(f"{len(lines) - 1} lignes pour {IMPORT_MAX_LINES} au plus")
    if problems:
        raise InvalidImport(problems)
    rows = []
    for number, line in enumerate(lines[1:], start=2):
        if len(line) > len(header):
            problems.append(f"ligne {number} : {len(line)} cellules pour {len(header)} colonnes")
            continue
        form = dict(zip(header, (cell.strip() for cell in line), strict=False))
        form["parcours"] = form.get("parcours", "").lower()
        form["mode"] = _normalized(form.get("mode", "")) if form.get("mode") else ""
        try:
            candidate = clean_candidate(form)
            convocation = clean_convocation(form) if form.get("envoyee_le") or form.get("mode") else None
        except InvalidForm as exc:
            problems += [f"ligne {number}, colonne « {headings.get(column, column)} » : {message}"
                         for column, message in exc.errors.items()]
            continue
        rows.append((candidate, convocation))
    if problems:
        raise InvalidImport(problems)
    return rows


def import_candidates(user, session, content, filename):
    """All the candidates of the file, or none (InvalidImport) — in one transaction."""
    rows = read_candidates_file(content)
    with db.atomic():
        for candidate, convocation in rows:
            Candidat.create(session=session, **candidate, **(convocation or {}))
        journal.record(user, session, "candidat", "", f"Import de {len(rows)} candidat(s) depuis {filename}")
    return len(rows)


def set_tenue(user, session, text):
    """The « tenue professionnelle » the candidates' convocation states (empty: the default text)."""
    tenue = clean_field("tenue_professionnelle", text, multiline=True)
    if tenue != session.tenue_professionnelle:
        with db.atomic():
            journal.record(user, session, "tenue_professionnelle", session.tenue_professionnelle, tenue)
            ExamSession.update(tenue_professionnelle=tenue).where(ExamSession.id == session.id).execute()
    return tenue
