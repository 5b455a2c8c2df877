"""Exam day's sign-in (« émargement »): who was present at each épreuve, with their signature drawn
on the tablet, and who was absent.

A sign-in is only ever inserted. The tablet gives each submission a random id: a submission sent
again (after a dropped connection, a server restart) is recognised and recorded once. A second
sign-in for the same person and épreuve is refused unless it is an explicit correction, which then
supersedes the earlier one; both stay (table and journal).
"""
import datetime as dt
import re
from dataclasses import dataclass

from peewee import IntegrityError

from domain import DomainError, journal, jury
from domain.inputs import whole_number
from domain.vocabulary import PARCOURS_LABELS, PERSON_ROLE_LABELS
from formats import fr_date, fr_datetime, local, to_utc
from models import Candidat, Emargement, Epreuve, Intervenant, db

SIGNATURE_MAX_BYTES = 64 * 1024
# The strokes as SVG path data in a 400 × 150 box: "M x y L x y L x y M x y ...", numbers with at
# most one decimal. The tablet scales its canvas to that box.
SIGNATURE_BOX = (400, 150)
_TOKEN = re.compile(r"([ML])\s*(-?\d{1,4}(?:\.\d+)?)[\s,]+(-?\d{1,4}(?:\.\d+)?)\s*")
_SUBMISSION = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
STATUTS = {"present": "présent(e)", "absent": "absent(e)"}


class InvalidSignIn(DomainError):
    """A sign-in refused: the message says why (422)."""


class AlreadySigned(DomainError):
    """This person already signed in for this épreuve: only an explicit correction replaces it (409)."""


def parse_signature(text):
    """The strokes of a signature's path data, as lists of (x, y) points; InvalidSignIn when the
    text is not path data of the box, too large, or draws nothing."""
    text = (text or "").strip()
    if len(text.encode()) > SIGNATURE_MAX_BYTES:
        raise InvalidSignIn(f"Signature trop volumineuse : {SIGNATURE_MAX_BYTES // 1024} Ko au plus.")
    strokes, position = [], 0
    width, height = SIGNATURE_BOX
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match:
            raise InvalidSignIn("Signature illisible : recommencez-la.")
        command, x, y = match.group(1), float(match.group(2)), float(match.group(3))
        if not (-5 <= x <= width + 5 and -5 <= y <= height + 5):
            raise InvalidSignIn("Signature illisible : recommencez-la.")
        if command == "M" or not strokes:
            strokes.append([])
        strokes[-1].append((x, y))
        position = match.end()
    if sum(len(stroke) for stroke in strokes) < 2:
        raise InvalidSignIn("Signature vide : faites signer la personne dans le cadre, ou indiquez « Absent ».")
    return strokes


@dataclass(frozen=True)
class Person:
    """Who signs: a candidate, a juror of the session's jury, or its surveillant."""

    kind: str  # candidat, jure or surveillant
    id: int | None
    label: str

    @property
    def key(self):
        return (self.kind, self.id)


def signin_person(signin):
    if signin.candidat_id:
        return ("candidat", signin.candidat_id)
    if signin.jure_id:
        return ("jure", signin.jure_id)
    return ("surveillant", None)


def _person(session, form):
    candidat_id, jure_id = whole_number(form.get("candidat_id", "")), whole_number(form.get("jure_id", ""))
    if candidat_id and not jure_id:
        candidat = Candidat.get_or_none((Candidat.id == candidat_id) & (Candidat.session == session)
                                        & Candidat.retire_le.is_null())
        if candidat:
            return Person("candidat", candidat.id, candidat.label)
    elif jure_id and not candidat_id:
        membre = jury.member(session, jure_id)
        if membre and membre.retire_le is None:
            return Person("jure", membre.jure_id, membre.jure.label)
    elif form.get("surveillant") == "1":
        surveillant = Intervenant.of(session, "surveillant")
        if surveillant:
            return Person("surveillant", None, surveillant.nom)
    raise InvalidSignIn("Personne inconnue : choisissez un candidat, un membre du jury ou le surveillant de la session.")


QUEUE_DAYS = 7  # a signature may wait that long on a tablet without network


def _signed_at(text, now, epreuve):
    """The tablet's time of signing (stored in UTC): not ahead of the server's clock `now` (beyond a
    small drift), not older than a signature can wait in a tablet's queue, and on the épreuve's day
    in the centre's time zone: a sign-in queued offline and sent the next morning is recorded, one
    signed the day before is not."""
    try:
        signed = to_utc(dt.datetime.fromisoformat((text or "").strip().replace("Z", "+00:00")))
    except (ValueError, OverflowError):
        raise InvalidSignIn("Heure de signature illisible : rechargez la page et recommencez.") from None
    if not now - dt.timedelta(days=QUEUE_DAYS) <= signed <= now + dt.timedelta(minutes=10):
        raise InvalidSignIn(f"Heure de signature ({fr_datetime(signed)}) trop éloignée de l'heure du serveur "
                            f"({fr_datetime(now)}) : vérifiez l'horloge de la tablette.")
    if local(signed).date() != epreuve.date:
        raise InvalidSignIn(f"« {epreuve.libelle} » a lieu le {fr_date(epreuve.date)} : on émarge le jour de l'épreuve "
                            f"(signature du {fr_date(signed)}).")
    return signed


def record(user, session, form, appareil, now):
    """Record a sign-in from the tablet's form; returns (the sign-in, whether it is new). A
    submission id seen before returns the sign-in it recorded, unchanged."""
    submission = (form.get("soumission_id") or "").strip()
    if not _SUBMISSION.match(submission):
        raise InvalidSignIn("Envoi sans identifiant valable : rechargez la page et recommencez.")
    known = Emargement.get_or_none(Emargement.soumission_id == submission)
    if known is not None:
        if known.session_id != session.id:
            raise InvalidSignIn("Cet envoi concerne une autre session.")
        return known, False
    epreuve = Epreuve.get_or_none((Epreuve.id == whole_number(form.get("epreuve_id", ""))) & (Epreuve.session == session)
                                  & (Epreuve.categorie == "epreuve") & Epreuve.retire_le.is_null())
    if epreuve is None:
        raise InvalidSignIn("Épreuve inconnue : choisissez une épreuve de la session.")
    person = _person(session, form)
    statut = (form.get("statut") or "").strip()
    if statut not in STATUTS:
        raise InvalidSignIn("Statut : présent ou absent.")
    strokes = parse_signature(form.get("signature")) if statut == "present" else None
    signed_at = _signed_at(form.get("signe_a"), now, epreuve)
    correction = form.get("correction") == "1"
    try:
        with db.atomic():
            earlier = current_for(epreuve, person)
            if earlier is not None and not correction:
                raise AlreadySigned(f"{person.label} a déjà émargé pour « {epreuve.libelle} » "
                                    f"({STATUTS[earlier.statut]} à {fr_datetime(earlier.signe_a, '%H:%M')}) : "
                                    "utilisez « Corriger ».")
            signin = Emargement.create(
                session=session, epreuve=epreuve, candidat=person.id if person.kind == "candidat" else None,
                jure=person.id if person.kind == "jure" else None, surveillant=person.kind == "surveillant",
                statut=statut, signature=_normalized(strokes) if strokes else "", signe_a=signed_at, recu_a=now,
                identite_verifiee=statut == "present" and form.get("identite_verifiee") == "1",
                appareil=(appareil or "")[:200], user=user, soumission_id=submission, correction=correction)
            what = f"{STATUTS[statut]}" + (f", signé à {fr_datetime(signed_at, '%H:%M')}" if statut == "present" else "")
            if statut == "present" and form.get("identite_verifiee") == "1":
                what += ", pièce d'identité vérifiée"
            journal.record(user, session, "emargement",
                           f"{STATUTS[earlier.statut]} (corrigé)" if earlier is not None else "",
                           f"{person.label}, {epreuve.libelle} du {epreuve.date:%d/%m/%Y} : {what}")
    except IntegrityError:  # the same submission arrived twice at once: the other one recorded it
        return Emargement.get(Emargement.soumission_id == submission), False
    return signin, True


def _normalized(strokes):
    """The strokes written back as compact path data (one decimal at most)."""
    def number(value):
        return f"{value:.1f}".rstrip("0").rstrip(".")
    return " ".join(
        " ".join(f"{'M' if i == 0 else 'L'}{number(x)} {number(y)}" for i, (x, y) in enumerate(stroke))
        for stroke in strokes)


def current_for(epreuve, person):
    """The sign-in that stands for a person at an épreuve (the latest), or None."""
    query = Emargement.select().where(Emargement.epreuve == epreuve)
    if person.kind == "candidat":
        query = query.where(Emargement.candidat == person.id)
    elif person.kind == "jure":
        query = query.where(Emargement.jure == person.id)
    else:
        query = query.where(Emargement.surveillant == True)  # noqa: E712
    return query.order_by(Emargement.id.desc()).first()


def current(signins):
    """The sign-ins that stand, by (épreuve id, person kind, person id): the latest of each."""
    result = {}
    for signin in sorted(signins, key=lambda s: s.id):
        result[(signin.epreuve_id, *signin_person(signin))] = signin
    return result


def of_session(session):
    return list(Emargement.select().where(Emargement.session == session).order_by(Emargement.id))


@dataclass
class Line:
    """A person's line on an épreuve's sheet."""

    kind: str  # candidat, jure or surveillant
    id: int | None
    label: str
    detail: str  # parcours, or the role

    @property
    def field(self):
        """The form field naming this person in a sign-in, and its value."""
        return {"candidat": ("candidat_id", self.id), "jure": ("jure_id", self.id), "surveillant": ("surveillant", 1)}[self.kind]

    def dom_id(self, epreuve):
        return f"signin-{epreuve.id}-{self.kind}-{self.id or 0}"


def sheet_lines(session):
    """The lines of an épreuve's sheet: (the candidates, the staff: jurors and the surveillant)."""
    candidats = [Line("candidat", c.id, c.label, PARCOURS_LABELS[c.parcours]) for c in Candidat.of_session(session)]
    staff = [Line("jure", m.jure_id, m.jure.label, PERSON_ROLE_LABELS["jure"]) for m in jury.jury_members(session)]
    surveillant = Intervenant.of(session, "surveillant")
    if surveillant:
        staff.append(Line("surveillant", None, surveillant.nom, PERSON_ROLE_LABELS["surveillant"]))
    return candidats, staff


def epreuves_shown(session, today, chosen_id=None):
    """(the session's épreuves for candidates, those the sheet shows): today's, or the one chosen (e.g.
    a day whose date was typed wrong)."""
    epreuves = [e for e in Epreuve.of_session(session) if e.for_candidates]
    shown = [e for e in epreuves if e.id == chosen_id] or [e for e in epreuves if e.date == today]
    return epreuves, shown
