"""The centre's directory of jurors: each juror holds habilitations (a titre's sigle, valid until a
date, possibly restricted to some CCPs). A juror is never deleted, only made inactive: past sessions
keep their jury. A change to the directory is written in the administrators' journal with the centre
it concerns, in the change's transaction.

With JURES_PARTAGES (`shared`), the installation's centres share one directory: each centre sees and
picks every active juror, changed only by their centre of attachment (and administrators); a person is
one juror, their e-mail unique across the installation; `merge` joins the records that centres had
entered twice.

Personal data (RGPD): name, e-mail, an optional telephone, the training date, the habilitations; no
free-text notes.
"""
import re

from peewee import fn

from domain import access, journal
from domain.forms import InvalidForm, collect, locked_current
from domain.vocabulary import RECORD_FIELD_LABELS
from domain.inputs import clean_civilite, clean_email, clean_field, clean_postcode, parse_date
from models import (AdminEvent, Centre, Emargement, Emission, Evaluateur, ExamSession, Habilitation, Jure, LienJury, MembreJury,
                    db)


_TELEPHONE = re.compile(r"^[0-9+().\- ]*$")


_CCP_CODE = re.compile(r"^[\w.\-/ ]{1,30}$")


def clean_juror(form):
    """The juror's fields from a form (civilite, nom, prenom, email, telephone, postal address,
    professionnalise_le)."""
    errors = {}
    values = {
        "nom": collect(errors, "nom", lambda: clean_field("nom", form.get("nom"), required=True)),
        "prenom": collect(errors, "prenom", lambda: clean_field("prenom", form.get("prenom"), required=True)),
        "email": collect(errors, "email", lambda: clean_email(form.get("email"))),
        "telephone": collect(errors, "telephone", lambda: clean_field("telephone", form.get("telephone"))),
    }
    if values["telephone"] and not _TELEPHONE.match(values["telephone"]):
        errors["telephone"] = "Téléphone : chiffres, espaces et + ( ) . - seulement."
    values["civilite"] = collect(errors, "civilite", lambda: clean_civilite(form.get("civilite")))
    values["adresse"] = collect(errors, "adresse", lambda: clean_field("adresse", form.get("adresse"), multiline=True))
    values["code_postal"] = collect(errors, "code_postal", lambda: clean_postcode(form.get("code_postal")))
    values["ville"] = collect(errors, "ville", lambda: clean_field("ville", form.get("ville")))
    trained = (form.get("professionnalise_le") or "").strip()
    values["professionnalise_le"] = collect(
        errors, "professionnalise_le", lambda: parse_date(trained, "Professionnalisé le")) if trained else None
    if errors:
        raise InvalidForm(errors)
    return values


def clean_habilitation(form):
    """A habilitation's fields from a form (sigle, valide_jusqu_au, ccp as codes separated by commas)."""
    errors = {}
    sigle = collect(errors, "sigle", lambda: clean_field("hab_sigle", form.get("sigle"), required=True, field="sigle"))
    until = collect(errors, "valide_jusqu_au", lambda: parse_date(form.get("valide_jusqu_au"), "Valide jusqu'au"))
    ccp = collect(errors, "ccp", lambda: clean_field("ccp", form.get("ccp")))
    codes = [code.strip() for code in (ccp or "").split(",") if code.strip()]
    if any(not _CCP_CODE.match(code) for code in codes):
        errors["ccp"] = "Codes CCP : des codes séparés par des virgules (ex. CP-01234, CP-01235)."
    if errors:
        raise InvalidForm(errors)
    return {"sigle": sigle.upper(), "valide_jusqu_au": until, "ccp": ", ".join(codes)}


def _log(user, centre, action, jure, details=""):
    AdminEvent.create(user=user, centre=centre, action=action, target=f"{centre.name} · {jure.label}", details=details)


def _check_unique_email(centre, email, jure_id=None, shared=False):
    """One juror per e-mail in a centre; in the installation when the directory is shared."""
    query = Jure.select(Jure, Centre).join(Centre).where(fn.LOWER(Jure.email) == email.lower())
    if not shared:
        query = query.where(Jure.centre == centre)
    if jure_id is not None:
        query = query.where(Jure.id != jure_id)
    other = query.first()
    if other is not None:
        where = "de ce centre" if other.centre_id == getattr(centre, "id", centre) else f"du centre {other.centre.name}"
        raise InvalidForm({"email": f"Un juré {where} a déjà cette adresse e-mail ({other.label}) : c'est la même "
                                    "personne, choisissez-le dans l'annuaire."})


def create_juror(user, centre, form, shared=False):
    """A new juror of the centre, with a first habilitation when the form gives a sigle."""
    values = clean_juror(form)
    habilitation = clean_habilitation(form) if (form.get("sigle") or "").strip() else None
    with db.atomic():
        _check_unique_email(centre, values["email"], shared=shared)
        jure = Jure.create(centre=centre, **values)
        _log(user, centre, "Juré ajouté à l'annuaire", jure, values["email"])
        if habilitation:
            _add_habilitation(user, jure, habilitation)
    return jure


def update_juror(user, jure, form, shared=False):
    """Save a juror's record typed on `form["version"]` of it (StaleRecord when a colleague saved it
    meanwhile)."""
    values = clean_juror(form)
    with db.atomic():
        current = locked_current(Jure, jure, form.get("version"), values, RECORD_FIELD_LABELS)
        _check_unique_email(jure.centre, values["email"], jure.id, shared)
        before = {name: getattr(current, name) for name in values}
        changed = [name for name, value in values.items() if before[name] != value]
        if changed:
            Jure.update(**values, version=current.version + 1).where(Jure.id == jure.id).execute()
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


def directory(user, shared=False):
    """The jurors the user sees (their centre's, and every centre's active ones when the directory is
    shared; every centre's for an administrator or a coordinator), with their centre and habilitations,
    by centre, the active first, in name order."""
    query = Jure.select(Jure, Centre).join(Centre)
    if not access.sees_every_centre(user):
        mine = Jure.centre == user.centre_id
        query = query.where(mine | (Jure.active == True) if shared else mine)  # noqa: E712
    return Jure.with_habilitations(query.order_by(Centre.name, Jure.active.desc(), Jure.nom, Jure.prenom))


def sessions_of(jure):
    """The sessions the juror sits on (any centre), by date, each with its centre: what a shared
    directory shows of them (never another centre's candidates)."""
    return list(ExamSession.select(ExamSession, Centre).join(Centre).switch(ExamSession).join(
        MembreJury, on=(MembreJury.session == ExamSession.id))
        .where((MembreJury.jure == jure.id) & MembreJury.retire_le.is_null()).order_by(ExamSession.date_debut.desc()))


# --- Records entered twice ------------------------------------------------------------------------------

def duplicates():
    """[[jurors with one e-mail (normalised)], ...]: the records of one person entered by several centres
    (or twice by one), each group the oldest first."""
    groups = {}
    for jure in Jure.select(Jure, Centre).join(Centre).order_by(Jure.id):
        groups.setdefault(jure.email.strip().lower(), []).append(jure)
    return [group for group in groups.values() if len(group) > 1]


def merge(group):
    """Merge a group of duplicates into the record kept (the oldest active one, else the oldest): its
    seats on every jury (links and evaluations with them), habilitations, sign-ins and evaluations move to
    it, each session's journal says so, and the others are deleted. Returns (kept, [sessions touched])."""
    kept = next((j for j in group if j.active), group[0])
    touched = set()
    with db.atomic():
        for other in (j for j in group if j.id != kept.id):
            for seat in MembreJury.select().where(MembreJury.jure == other.id):
                mine = MembreJury.get_or_none((MembreJury.session == seat.session_id) & (MembreJury.jure == kept.id))
                if mine is None:
                    MembreJury.update(jure=kept.id).where(MembreJury.id == seat.id).execute()
                else:  # both sat on the session: one seat, with both declarations' links
                    known = {l.candidat_id for l in LienJury.select().where(LienJury.membre == mine.id)}
                    for lien in LienJury.select().where(LienJury.membre == seat.id):
                        if lien.candidat_id not in known:
                            LienJury.create(membre=mine.id, candidat=lien.candidat_id)
                    if mine.declaration_le is None and seat.declaration_le is not None:
                        MembreJury.update(declaration_le=seat.declaration_le).where(MembreJury.id == mine.id).execute()
                    LienJury.delete().where(LienJury.membre == seat.id).execute()
                    MembreJury.delete().where(MembreJury.id == seat.id).execute()
                touched.add(seat.session_id)
            kept_habs = {(h.sigle, h.valide_jusqu_au, h.ccp) for h in Habilitation.select().where(Habilitation.jure == kept.id)}
            for hab in Habilitation.select().where(Habilitation.jure == other.id):
                if (hab.sigle, hab.valide_jusqu_au, hab.ccp) in kept_habs:
                    hab.delete_instance()
                else:
                    Habilitation.update(jure=kept.id).where(Habilitation.id == hab.id).execute()
            touched.update(s for (s,) in Emargement.select(Emargement.session).where(Emargement.jure == other.id).tuples())
            Emargement.update(jure=kept.id).where(Emargement.jure == other.id).execute()
            # The letters issued to the other record were for this person: listed under the one kept (their
            # bytes and hashes do not change).
            Emission.update(destinataire_id=kept.id).where(
                (Emission.destinataire_type == "jure") & (Emission.destinataire_id == other.id)).execute()
            evaluated = {e.candidat_id for e in Evaluateur.select().where(Evaluateur.jure == kept.id)}
            for evaluation in Evaluateur.select().where(Evaluateur.jure == other.id):
                if evaluation.candidat_id in evaluated:
                    evaluation.delete_instance()
                else:
                    Evaluateur.update(jure=kept.id).where(Evaluateur.id == evaluation.id).execute()
            for session_id in sorted(touched):
                journal.record(None, session_id, "jury", f"{other.label} (fiche {other.id}, {other.centre.name})",
                               f"Fiches en double fusionnées : {kept.label} (fiche {kept.id}, {kept.centre.name})",
                               checked=True)
            AdminEvent.create(user=None, centre=kept.centre_id, action="Fiches de juré fusionnées",
                              target=f"{kept.centre.name} · {kept.label}",
                              details=f"fiche {other.id} ({other.centre.name}) fusionnée dans la fiche {kept.id}")
            other.delete_instance()
    return kept, sorted(touched)


def with_habilitations(jure_id):
    """A juror with their centre and habilitations."""
    return Jure.with_habilitations(Jure.select(Jure, Centre).join(Centre).where(Jure.id == jure_id))[0]
