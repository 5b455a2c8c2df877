"""The register of a session's people and schedule: the centre's directory of jurors, a session's
jury (with declarations and links), surveillant and comédien, candidates (with their convocation)
and schedule of épreuves.

Jurors belong to a centre and sit on many of its sessions; each holds habilitations (a titre's
sigle, valid until a date, possibly restricted to some CCPs). A juror is never deleted, only made
inactive: past sessions keep their jury. A change to the directory is written in the
administrators' journal with the centre it concerns; a change to a session's register in the
session's journal; both in the change's transaction.

Personal data (RGPD): only the fields the guide's checks and documents need are kept (for a juror:
name, e-mail, an optional telephone, the training date, the habilitations; for a candidate: name,
birth date, e-mail, postal address, parcours, VAE recevabilité, convocation); no free-text notes.
"""
import csv
import io
import re
import unicodedata
from dataclasses import dataclass


from domain import DomainError, journal
from domain.inputs import clean_email, clean_field, parse_date, parse_time, whole_number
from domain.vocabulary import CONVOCATION_MODES, EPREUVE_CATEGORIES, PARCOURS_LABELS
from models import AdminEvent, Candidat, Centre, Epreuve, ExamSession, Habilitation, Intervenant, Jure, LienJury, MembreJury, db

_TELEPHONE = re.compile(r"^[0-9+().\- ]*$")
_CCP_CODE = re.compile(r"^[\w.\-/ ]{1,30}$")


class InvalidForm(DomainError):
    """A refused form: a French message per field, the first one as the message."""

    def __init__(self, errors):
        super().__init__(next(iter(errors.values())), next(iter(errors)))
        self.errors = errors


def _collect(errors, name, check):
    try:
        return check()
    except DomainError as exc:
        errors[name] = exc.message
        return None


def clean_juror(form):
    """The juror's fields from a form (nom, prenom, email, telephone, professionnalise_le)."""
    errors = {}
    values = {
        "nom": _collect(errors, "nom", lambda: clean_field("nom", form.get("nom"), required=True)),
        "prenom": _collect(errors, "prenom", lambda: clean_field("prenom", form.get("prenom"), required=True)),
        "email": _collect(errors, "email", lambda: clean_email(form.get("email"))),
        "telephone": _collect(errors, "telephone", lambda: clean_field("telephone", form.get("telephone"))),
    }
    if values["telephone"] and not _TELEPHONE.match(values["telephone"]):
        errors["telephone"] = "Téléphone : chiffres, espaces et + ( ) . - seulement."
    trained = (form.get("professionnalise_le") or "").strip()
    values["professionnalise_le"] = _collect(
        errors, "professionnalise_le", lambda: parse_date(trained, "Professionnalisé le")) if trained else None
    if errors:
        raise InvalidForm(errors)
    return values


def clean_habilitation(form):
    """A habilitation's fields from a form (sigle, valide_jusqu_au, ccp as codes separated by commas)."""
    errors = {}
    sigle = _collect(errors, "sigle", lambda: clean_field("hab_sigle", form.get("sigle"), required=True, field="sigle"))
    until = _collect(errors, "valide_jusqu_au", lambda: parse_date(form.get("valide_jusqu_au"), "Valide jusqu'au"))
    ccp = _collect(errors, "ccp", lambda: clean_field("ccp", form.get("ccp")))
    codes = [code.strip() for code in (ccp or "").split(",") if code.strip()]
    if any(not _CCP_CODE.match(code) for code in codes):
        errors["ccp"] = "Codes CCP : des codes séparés par des virgules (ex. CP-01234, CP-01235)."
    if errors:
        raise InvalidForm(errors)
    return {"sigle": sigle.upper(), "valide_jusqu_au": until, "ccp": ", ".join(codes)}


def _log(user, centre, action, jure, details=""):
    AdminEvent.create(user=user, centre=centre, action=action, target=f"{centre.name} · {jure.label}", details=details)


def _check_unique_email(centre, email, jure_id=None):
    query = Jure.select().where((Jure.centre == centre) & (Jure.email == email))
    if jure_id is not None:
        query = query.where(Jure.id != jure_id)
    if query.exists():
        raise InvalidForm({"email": "Un juré de ce centre a déjà cette adresse e-mail."})


def create_juror(user, centre, form):
    """A new juror of the centre, with a first habilitation when the form gives a sigle."""
    values = clean_juror(form)
    habilitation = clean_habilitation(form) if (form.get("sigle") or "").strip() else None
    with db.atomic():
        _check_unique_email(centre, values["email"])
        jure = Jure.create(centre=centre, **values)
        _log(user, centre, "Juré ajouté à l'annuaire", jure, values["email"])
        if habilitation:
            _add_habilitation(user, jure, habilitation)
    return jure


def update_juror(user, jure, form):
    values = clean_juror(form)
    with db.atomic():
        _check_unique_email(jure.centre, values["email"], jure.id)
        before = {name: getattr(jure, name) for name in values}
        changed = [name for name, value in values.items() if before[name] != value]
        if changed:
            Jure.update(**values).where(Jure.id == jure.id).execute()
            jure = Jure.get_by_id(jure.id)
            _log(user, jure.centre, "Juré modifié", jure, ", ".join(changed))
    return jure


def set_juror_active(user, jure, active):
    """Deactivate a juror who no longer sits (never deleted: past juries keep them), or bring them back."""
    with db.atomic():
        if jure.active != active:
            Jure.update(active=active).where(Jure.id == jure.id).execute()
            _log(user, jure.centre, "Juré réactivé" if active else "Juré désactivé", jure)
    return Jure.get_by_id(jure.id)


def _add_habilitation(user, jure, values):
    habilitation = Habilitation.create(jure=jure, **values)
    scope = f" (CCP {values['ccp']})" if values["ccp"] else ""
    _log(user, jure.centre, "Habilitation ajoutée", jure,
         f"{values['sigle']} jusqu'au {values['valide_jusqu_au']:%d/%m/%Y}{scope}")
    return habilitation


def add_habilitation(user, jure, form):
    values = clean_habilitation(form)
    with db.atomic():
        return _add_habilitation(user, jure, values)


def juror_json(jure):
    """A juror as /jures.json gives it (jure.habs loaded by Jure.with_habilitations)."""
    return {
        "id": jure.id, "centre": jure.centre.name, "nom": jure.nom, "prenom": jure.prenom, "email": jure.email,
        "telephone": jure.telephone,
        "professionnalise_le": jure.professionnalise_le.isoformat() if jure.professionnalise_le else None,
        "active": jure.active,
        "habilitations": [{"id": h.id, "sigle": h.sigle, "valide_jusqu_au": h.valide_jusqu_au.isoformat(),
                           "ccp": h.ccp_codes} for h in jure.habs],
    }


# --- Candidates of a session ------------------------------------------------------------------------

CANDIDATE_FIELDS = ("nom", "prenom", "date_naissance", "email", "adresse", "parcours", "recevabilite_valide_jusqu_au")
CONVOCATION_FIELDS = ("envoyee_le", "mode", "reference")


def clean_candidate(form):
    """A candidate's fields from a form; the recevabilité is asked of VAE candidates only."""
    errors = {}
    values = {
        "nom": _collect(errors, "nom", lambda: clean_field("nom", form.get("nom"), required=True)),
        "prenom": _collect(errors, "prenom", lambda: clean_field("prenom", form.get("prenom"), required=True)),
        "date_naissance": _collect(errors, "date_naissance",
                                   lambda: parse_date(form.get("date_naissance"), "Date de naissance", first_year=1900)),
        "adresse": _collect(errors, "adresse", lambda: clean_field("adresse", form.get("adresse"), multiline=True)),
    }
    email = (form.get("email") or "").strip()
    values["email"] = _collect(errors, "email", lambda: clean_email(email)) if email else ""
    parcours = (form.get("parcours") or "").strip()
    if parcours not in PARCOURS_LABELS:
        errors["parcours"] = "Parcours : choisissez formation ou VAE."
    values["parcours"] = parcours
    recevabilite = (form.get("recevabilite_valide_jusqu_au") or "").strip()
    values["recevabilite_valide_jusqu_au"] = None
    if recevabilite and parcours == "formation":
        errors["recevabilite_valide_jusqu_au"] = "Recevabilité : seulement pour un candidat en VAE."
    elif recevabilite:
        values["recevabilite_valide_jusqu_au"] = _collect(
            errors, "recevabilite_valide_jusqu_au", lambda: parse_date(recevabilite, "Recevabilité valide jusqu'au"))
    if errors:
        raise InvalidForm(errors)
    return values


def clean_convocation(form):
    errors = {}
    sent = _collect(errors, "envoyee_le", lambda: parse_date(form.get("envoyee_le"), "Convocation envoyée le"))
    mode = (form.get("mode") or "").strip()
    if mode not in CONVOCATION_MODES:
        errors["mode"] = "Mode : remise en mains propres contre décharge, ou lettre recommandée avec AR."
    reference = _collect(errors, "reference", lambda: clean_field("reference", form.get("reference")))
    if errors:
        raise InvalidForm(errors)
    return {"convocation_envoyee_le": sent, "convocation_mode": mode, "convocation_reference": reference}


def _describe_candidate(candidat):
    return f"{candidat.label} ({PARCOURS_LABELS[candidat.parcours]})"


def _create_in_session(user, session, model, values, code, description):
    """A new row of the session's register (a candidate, an épreuve) and its journal entry."""
    with db.atomic():
        row = model.create(session=session, **values)
        journal.record(user, session, code, "", description(row))
    return row


def add_candidate(user, session, form):
    return _create_in_session(user, session, Candidat, clean_candidate(form), "candidat",
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


# --- Importing candidates from a spreadsheet (CSV as Excel and LibreOffice write it in France) --------

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


# --- The schedule of the épreuves -----------------------------------------------------------------

EPREUVE_FIELDS = ("libelle", "date", "heure_debut", "heure_fin", "lieu", "categorie")


def clean_epreuve(form):
    errors = {}
    values = {
        "libelle": _collect(errors, "libelle", lambda: clean_field("libelle", form.get("libelle"), required=True)),
        "date": _collect(errors, "date", lambda: parse_date(form.get("date"), "Date de l'épreuve")),
        "heure_debut": _collect(errors, "heure_debut", lambda: parse_time(form.get("heure_debut"), "Début")),
        "heure_fin": _collect(errors, "heure_fin", lambda: parse_time(form.get("heure_fin"), "Fin")),
        "lieu": _collect(errors, "lieu", lambda: clean_field("lieu", form.get("lieu"), required=True)),
        # Optional: an épreuve unless the form says corrections or deliberations.
        "categorie": (form.get("categorie") or "epreuve").strip(),
    }
    if values["categorie"] not in EPREUVE_CATEGORIES:
        errors["categorie"] = "Type : épreuve, corrections ou délibérations du jury."
    if values["heure_debut"] and values["heure_fin"] and values["heure_fin"] <= values["heure_debut"]:
        errors["heure_fin"] = "Fin : l'épreuve doit finir après son début."
    if errors:
        raise InvalidForm(errors)
    return values


def set_tenue(user, session, text):
    """The « tenue professionnelle » the candidates' convocation states (empty: the default text)."""
    tenue = clean_field("tenue_professionnelle", text, multiline=True)
    if tenue != session.tenue_professionnelle:
        with db.atomic():
            journal.record(user, session, "tenue_professionnelle", session.tenue_professionnelle, tenue)
            ExamSession.update(tenue_professionnelle=tenue).where(ExamSession.id == session.id).execute()
    return tenue


def _describe_epreuve(epreuve):
    return f"{epreuve.libelle}, le {epreuve.date:%d/%m/%Y} de {epreuve.heure_debut} à {epreuve.heure_fin}, {epreuve.lieu}"


def add_epreuve(user, session, form):
    return _create_in_session(user, session, Epreuve, clean_epreuve(form), "epreuve", _describe_epreuve)


def remove_epreuve(user, epreuve):
    with db.atomic():
        journal.record(user, epreuve.session_id, "epreuve", _describe_epreuve(epreuve), "Retirée du planning")
        epreuve.delete_instance()


def candidate_json(candidat):
    return {
        "id": candidat.id, "nom": candidat.nom, "prenom": candidat.prenom,
        "date_naissance": candidat.date_naissance.isoformat(), "email": candidat.email, "adresse": candidat.adresse,
        "parcours": candidat.parcours,
        "recevabilite_valide_jusqu_au": _iso(candidat.recevabilite_valide_jusqu_au),
        "convocation": {"envoyee_le": _iso(candidat.convocation_envoyee_le), "mode": candidat.convocation_mode or None,
                        "reference": candidat.convocation_reference},
    }


def epreuve_json(epreuve):
    return {"id": epreuve.id, "libelle": epreuve.libelle, "date": epreuve.date.isoformat(),
            "heure_debut": epreuve.heure_debut, "heure_fin": epreuve.heure_fin, "lieu": epreuve.lieu,
            "categorie": epreuve.categorie}


def _iso(date):
    return date.isoformat() if date else None


# --- The jury of a session, its surveillant and its comédien ------------------------------------

INTERVENANT_ROLES = {"surveillant": "Surveillant", "comedien": "Comédien"}


def add_to_jury(user, session, jure_id):
    """Seat a juror of the session's centre (active, from the directory) on its jury."""
    jure = Jure.get_or_none((Jure.id == jure_id) & (Jure.centre == session.centre_id)) if jure_id else None
    if jure is None or not jure.active:
        raise InvalidForm({"jure_id": "Juré : choisissez un juré actif de l'annuaire du centre."})
    with db.atomic():
        if MembreJury.select().where((MembreJury.session == session) & (MembreJury.jure == jure)).exists():
            raise InvalidForm({"jure_id": f"{jure.label} fait déjà partie du jury."})
        membre = MembreJury.create(session=session, jure=jure)
        journal.record(user, session, "jury", "", f"{jure.label} ajouté(e) au jury")
    return membre


def remove_from_jury(user, membre):
    with db.atomic():
        journal.record(user, membre.session_id, "jury", f"{membre.jure.label} retiré(e) du jury", "")
        membre.delete_instance(recursive=True)


def record_declaration(user, membre, declaration_le, liens):
    """The juror's signed declaration (its date, or none yet) and the session's candidates they know."""
    errors = {}
    date = _collect(errors, "declaration_le", lambda: parse_date(declaration_le, "Déclaration signée le")) \
        if (declaration_le or "").strip() else None
    candidats = {c.id: c for c in Candidat.select().where(Candidat.session == membre.session_id)}
    known = [candidats.get(whole_number(value)) for value in liens]
    if any(c is None for c in known):
        errors["liens"] = "Liens : choisissez des candidats de la session."
    if errors:
        raise InvalidForm(errors)
    known = sorted({c.id: c for c in known}.values(), key=lambda c: c.id)
    with db.atomic():
        MembreJury.update(declaration_le=date).where(MembreJury.id == membre.id).execute()
        LienJury.delete().where(LienJury.membre == membre).execute()
        for candidat in known:
            LienJury.create(membre=membre, candidat=candidat)
        journal.record(user, membre.session_id, "declaration", "",
                       f"{membre.jure.label} : déclaration " + (f"signée le {date:%d/%m/%Y}" if date else "non signée")
                       + (f" ; connaît {', '.join(c.label for c in known)}" if known else " ; aucun lien déclaré"))
    return MembreJury.get_by_id(membre.id)


def set_intervenant(user, session, form):
    """Name the session's surveillant or comédien; an empty name removes them."""
    role = (form.get("role") or "").strip()
    if role not in INTERVENANT_ROLES:
        raise InvalidForm({"role": "Rôle : surveillant ou comédien."})
    errors = {}
    nom = _collect(errors, "nom", lambda: clean_field("display_name", form.get("nom"), field="nom"))
    email = (form.get("email") or "").strip()
    email = _collect(errors, "email", lambda: clean_email(email)) if email else ""
    if errors:
        raise InvalidForm(errors)
    with db.atomic():
        current = Intervenant.get_or_none((Intervenant.session == session) & (Intervenant.role == role))
        before = f"{current.nom} {current.email}".strip() if current else ""
        if current:
            current.delete_instance()
        if nom:
            Intervenant.create(session=session, role=role, nom=nom, email=email)
        journal.record(user, session, role, before, f"{nom} {email}".strip())


def jury_members(session):
    """The session's jury in name order, each member with its juror and `known`: the ids of the
    candidates they know (two queries)."""
    membres = list(MembreJury.select(MembreJury, Jure).join(Jure).where(MembreJury.session == session)
                   .order_by(Jure.nom, Jure.prenom))
    known = {}
    for lien in LienJury.select().join(MembreJury).where(MembreJury.session == session):
        known.setdefault(lien.membre_id, []).append(lien.candidat_id)
    for membre in membres:
        membre.known = sorted(known.get(membre.id, []))
    return membres


def jury_json(session):
    """The jury as the session's JSON export gives it, each juror with habilitations, declaration, links."""
    membres = jury_members(session)
    jures = {j.id: j for j in Jure.with_habilitations(
        Jure.select(Jure, Centre).join(Centre).where(Jure.id.in_([m.jure_id for m in membres])))}
    return [{**juror_json(jures[m.jure_id]), "declaration_le": _iso(m.declaration_le), "liens": m.known}
            for m in membres]


def intervenants_json(session):
    found = {i.role: {"nom": i.nom, "email": i.email} for i in session.intervenants}
    return {role: found.get(role) for role in INTERVENANT_ROLES}
