"""A session's candidates: added one by one or imported from a spreadsheet, their convocation (sent
when, how, its reference) and the convocation's « tenue professionnelle »; their counts by parcours
against the session's header. Every change is written in the session's journal, in its transaction.

Personal data (RGPD): name, birth date, e-mail, postal address, parcours, VAE recevabilité,
convocation, CERES identifier; no free-text notes.
"""
import hashlib
import unicodedata
from dataclasses import dataclass

from database import locked
from domain import evidence, journal, spreadsheets
from domain.spreadsheets import InvalidFile
from domain.forms import InvalidForm, StaleRecord, collect, create_in_session, locked_current, shown as _shown
from domain.inputs import clean_civilite, clean_email, clean_field, parse_birth_date, parse_date, parse_past_date
from domain.vocabulary import CONVOCATION_MODES, PARCOURS_LABELS, RECORD_FIELD_LABELS, plural
from formats import fr_date
from models import Candidat, ExamSession, db


CANDIDATE_FIELDS = ("civilite", "nom", "prenom", "date_naissance", "email", "adresse", "parcours",
                    "recevabilite_valide_jusqu_au", "identifiant_ceres")


CONVOCATION_FIELDS = ("envoyee_le", "mode", "reference")


def clean_candidate(form, today):
    """A candidate's fields from a form; the recevabilité is asked of VAE candidates only."""
    errors = {}
    values = {
        "nom": collect(errors, "nom", lambda: clean_field("nom", form.get("nom"), required=True)),
        "prenom": collect(errors, "prenom", lambda: clean_field("prenom", form.get("prenom"), required=True)),
        "date_naissance": collect(errors, "date_naissance",
                                   lambda: parse_birth_date(form.get("date_naissance"), today)),
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
    values["civilite"] = collect(errors, "civilite", lambda: clean_civilite(form.get("civilite")))
    values["identifiant_ceres"] = collect(errors, "identifiant_ceres", lambda: clean_field(
        "identifiant_ceres", form.get("identifiant_ceres")))
    if errors:
        raise InvalidForm(errors)
    return values


def clean_convocation(form, today):
    errors = {}
    sent = collect(errors, "envoyee_le", lambda: parse_past_date(form.get("envoyee_le"), "Convocation envoyée le", today))
    mode = (form.get("mode") or "").strip()
    if mode not in CONVOCATION_MODES:
        errors["mode"] = "Mode : remise en mains propres contre décharge, ou lettre recommandée avec AR."
    reference = collect(errors, "reference", lambda: clean_field("reference", form.get("reference")))
    if errors:
        raise InvalidForm(errors)
    return {"convocation_envoyee_le": sent, "convocation_mode": mode, "convocation_reference": reference}


def _describe_candidate(candidat):
    return f"{candidat.label} ({PARCOURS_LABELS[candidat.parcours]})"


def add_candidate(user, session, form, today):
    """A new candidate of the session; the same person twice (name, first name, birth date) is refused."""
    values = clean_candidate(form, today)
    if any(_person(values) == _person(c.__data__) for c in Candidat.of_session(session)):
        raise InvalidForm({"nom": f"{values['nom']} {values['prenom']}, né(e) le {fr_date(values['date_naissance'])}, "
                                  "est déjà candidat(e) de la session."})
    return create_in_session(user, session, Candidat, values, "candidat",
                              lambda candidat: f"Ajout : {_describe_candidate(candidat)}")


def update_candidate(user, candidat, form, today):
    """Save a candidate's record typed on `form["version"]` of it (StaleRecord when a colleague saved it
    meanwhile)."""
    values = clean_candidate(form, today)
    with db.atomic():
        candidat = locked_current(Candidat, candidat, form.get("version"), values, RECORD_FIELD_LABELS)
        changed = [name for name, value in values.items() if getattr(candidat, name) != value]
        if changed:
            before = _describe_candidate(candidat)
            Candidat.update(**values, version=candidat.version + 1).where(Candidat.id == candidat.id).execute()
            candidat = Candidat.get_by_id(candidat.id)
            journal.record(user, candidat.session_id, "candidat", before,
                           f"Modification ({', '.join(changed)}) : {_describe_candidate(candidat)}")
    return candidat


def convocation_version(candidat):
    """The version the convocation's form is typed on: what it records now (« aucune » before)."""
    if candidat.convocation_envoyee_le is None:
        return "aucune"
    text = f"{candidat.convocation_envoyee_le}\x1f{candidat.convocation_mode}\x1f{candidat.convocation_reference}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def record_convocation(user, candidat, form, today):
    """The candidate's convocation, typed on `form["version"]` of it (StaleRecord when a colleague
    recorded another meanwhile; the record's own version is not the convocation's)."""
    values = clean_convocation(form, today)
    typed_on = (form.get("version") or "").strip()
    if not typed_on:
        raise InvalidForm({"version": "Version de la convocation manquante : rechargez la page avant d'enregistrer."})
    with db.atomic():
        candidat = locked(Candidat.select().where(Candidat.id == candidat.id)).get()
        if convocation_version(candidat) != typed_on:
            raise StaleRecord(candidat, [(name, _shown(getattr(candidat, name)), _shown(value))
                                         for name, value in values.items() if getattr(candidat, name) != value],
                              RECORD_FIELD_LABELS)
        Candidat.update(**values).where(Candidat.id == candidat.id).execute()
        journal.record(user, candidat.session_id, "convocation", "",
                       f"{candidat.label} : {CONVOCATION_MODES[values['convocation_mode']]} le "
                       f"{values['convocation_envoyee_le']:%d/%m/%Y}"
                       + (f", réf. {values['convocation_reference']}" if values["convocation_reference"] else ""))
    return Candidat.get_by_id(candidat.id)


def _held_record(candidat):
    """All the candidate's record says, for the journal when it goes."""
    details = [f"né(e) le {fr_date(candidat.date_naissance)}", candidat.email, " ".join(candidat.adresse.split())]
    if candidat.convocation_envoyee_le:
        details.append(f"convocation {CONVOCATION_MODES.get(candidat.convocation_mode, '')} le "
                       f"{fr_date(candidat.convocation_envoyee_le)} {candidat.convocation_reference}".strip())
    return f"{_describe_candidate(candidat)}, " + ", ".join(d for d in details if d)


def remove_candidate(user, candidat):
    """Delete a candidate who holds no evidence (HoldsEvidence otherwise)."""
    evidence.remove(user, candidat, candidat.label, _held_record(candidat), "candidat", "Supprimé de la session")


def withdraw_candidate(user, candidat):
    """Withdraw a candidate from the session, their record and sign-ins kept."""
    evidence.withdraw(user, candidat, _describe_candidate(candidat), "candidat", "Retiré de la session (fiche gardée)")


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


# At most this many problems are listed (a header of 100,000 « ; » made a 16.8 MB page), then their count.
class InvalidImport(InvalidFile):
    """A refused file of candidates: its problems, each naming its line and column; nothing was imported."""

    def __init__(self, problems):
        super().__init__(problems, "aucun candidat importé")


def _normalized(text):
    """A column name or a code as typed in a spreadsheet, normalised (spreadsheets.normalized) with the
    form's aliases: « Date de naissance » → date_naissance, « Main propre » → main_propre."""
    return spreadsheets.normalized(text, COLUMN_ALIASES)


# Headings a spreadsheet may use for the form's fields.
COLUMN_ALIASES = {"date_de_naissance": "date_naissance", "e_mail": "email", "courriel": "email",
                  "adresse_postale": "adresse", "recevabilite": "recevabilite_valide_jusqu_au",
                  "convocation_envoyee_le": "envoyee_le", "mode_de_convocation": "mode"}


def _person(values):
    """Who a candidate is, for telling the same person twice: name, first name, birth date (case and
    accents aside)."""
    def norm(text):
        return unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode().strip().lower()
    return norm(values["nom"]), norm(values["prenom"]), values["date_naissance"]


def _rows(content):
    """(line number, cells) of the file's lines (spreadsheets.rows), refusals as InvalidImport."""
    try:
        return spreadsheets.rows(content)
    except InvalidFile as exc:
        raise InvalidImport(exc.problems) from None


_without_trailing_blanks = spreadsheets.without_trailing_blanks


def read_candidates_file(content, today, existing=()):
    """The candidates of a CSV file (`;` separated, one header line), checked line by line:
    [(candidate values, convocation values or None)], or InvalidImport listing every problem.
    `existing`: the session's candidates; a person already there, or twice in the file (same name,
    first name and birth date), is refused naming both."""
    lines = _rows(content)
    if not lines:
        raise InvalidImport(["le fichier est vide"])
    names = _without_trailing_blanks(lines[0][1])
    header = [_normalized(name) for name in names]
    headings = {name: raw.strip() for raw, name in zip(names, header, strict=True)}  # as the file names them
    problems = [f"colonne « {raw.strip()} » inconnue (colonnes possibles : {', '.join(IMPORT_COLUMNS)})"
                for raw, name in zip(names, header, strict=True) if name not in IMPORT_COLUMNS]
    problems += [f"colonne « {name} » manquante" for name in REQUIRED_COLUMNS if name not in header]
    if len(lines) == 1 and not problems:
        problems.append("le fichier n'a que sa ligne d'en-tête : aucun candidat à importer")
    if len(lines) - 1 > IMPORT_MAX_LINES:
        problems.append(f"{len(lines) - 1} lignes pour {IMPORT_MAX_LINES} au plus")
    if problems:
        raise InvalidImport(problems)
    seen = {_person({"nom": c.nom, "prenom": c.prenom, "date_naissance": c.date_naissance}): None for c in existing}
    rows = []
    for number, cells in lines[1:]:
        cells = _without_trailing_blanks(cells)
        if len(cells) > len(header):
            problems.append(f"ligne {number} : {len(cells)} cellules pour {len(header)} colonnes")
            continue
        form = dict(zip(header, (cell.strip() for cell in cells), strict=False))
        form["parcours"] = form.get("parcours", "").lower()
        form["mode"] = _normalized(form.get("mode", "")) if form.get("mode") else ""
        try:
            candidate = clean_candidate(form, today)
            convocation = clean_convocation(form, today) if form.get("envoyee_le") or form.get("mode") else None
        except InvalidForm as exc:
            problems += [f"ligne {number}, colonne « {headings.get(column, column)} » : {message}"
                         for column, message in exc.errors.items()]
            continue
        person = _person(candidate)
        if person in seen:
            where = "déjà candidat(e) de la session" if seen[person] is None else f"comme à la ligne {seen[person]}"
            problems.append(f"ligne {number} : {candidate['nom']} {candidate['prenom']}, né(e) le "
                            f"{fr_date(candidate['date_naissance'])}, {where}")
            continue
        seen[person] = number
        rows.append((candidate, convocation))
    if problems:
        raise InvalidImport(problems)
    return rows


def import_candidates(user, session, content, filename, today):
    """All the candidates of the file, or none (InvalidImport) — in one transaction."""
    rows = read_candidates_file(content, today, Candidat.of_session(session))
    with db.atomic():
        for candidate, convocation in rows:
            Candidat.create(session=session, **candidate, **(convocation or {}))
        journal.record(user, session, "candidat", "", f"Import de {plural(len(rows), 'candidat')} depuis {filename}")
    return len(rows)


def set_tenue(user, session, text):
    """The « tenue professionnelle » the candidates' convocation states (empty: the default text)."""
    tenue = clean_field("tenue_professionnelle", text, multiline=True)
    if tenue != session.tenue_professionnelle:
        with db.atomic():
            journal.record(user, session, "tenue_professionnelle", session.tenue_professionnelle, tenue)
            ExamSession.update(tenue_professionnelle=tenue).where(ExamSession.id == session.id).execute()
    return tenue
