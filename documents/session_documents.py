"""The documents the guide asks for, made from the session and its register: the candidates' and the
jury's convocations, the planning for the UD, the poster, the sign-in sheets, the annual programme.

Each function gathers what its template (templates/exports/) shows, or raises MissingData saying
what to fill in first: a document whose data is missing is not produced.
"""
import base64
import io
from dataclasses import dataclass, field

from PIL import Image, ImageDraw

from documents.spreadsheet import csv_bytes
from domain import DomainError, access, emargement, pv, results
from domain.vocabulary import PERSON_ROLE_LABELS
from formats import fr_date
from domain.candidates import candidate_counts
from domain.jury import jury_members
from models import Candidat, Centre, Epreuve, ExamSession, Intervenant, Site

# What the convocation says when the session gives no text of its own.
DEFAULT_TENUE = "Une tenue correcte, adaptée au métier et aux mises en situation de l'examen."


class MissingData(DomainError):
    """A document that cannot be made yet: the message says what to fill in first (422)."""


def _epreuves(session, candidates_only):
    query = Epreuve.of_session(session)
    epreuves = [e for e in query if e.for_candidates or not candidates_only]
    if not epreuves:
        raise MissingData("Ajoutez d'abord les épreuves de la session (page « Épreuves ») : ce document en "
                          "donne les dates, horaires et lieux.")
    return epreuves


def _candidates(session):
    candidats = list(Candidat.of_session(session))
    if not candidats:
        raise MissingData("Ajoutez d'abord les candidats de la session (page « Candidats ») : ce document est "
                          "fait pour eux.")
    return candidats


def convocations(session, candidat=None):
    """The candidates' convocations: every candidate, or one."""
    epreuves = _epreuves(session, candidates_only=True)
    candidats = [candidat] if candidat is not None else _candidates(session)
    return {"title": "Convocations des candidats" if candidat is None else f"Convocation de {candidat.label}",
            "candidats": candidats, "epreuves": epreuves, "tenue": session.tenue_professionnelle or DEFAULT_TENUE}


@dataclass
class Convoked:
    """Someone the jury's convocations address: a juror, the surveillant or the comédien."""

    kind: str
    name: str
    email: str
    id: int | None = None  # the juror's id (None for the surveillant and the comédien)
    row: object = None  # the Jure or Intervenant: civility, postal address
    days: list = field(default_factory=list)  # (épreuve, sign-in) where they signed in (attestations)

    @property
    def key(self):
        """As an issued document names its addressee: « jure:12 », « surveillant », « comedien »."""
        return f"jure:{self.id}" if self.kind == "jure" else self.kind

    @property
    def role_label(self):
        return PERSON_ROLE_LABELS[self.kind]

    @property
    def as_role(self):
        return {"jure": "en qualité de membre du jury", "surveillant": "en qualité de surveillant",
                "comedien": "en qualité de comédien"}[self.kind]

    @property
    def intro(self):
        return {
            "jure": "Vous êtes convoqué(e) comme membre du jury de la session d'examen : vous évaluerez les "
                    "candidats et délibérerez avec les autres membres du jury.",
            "surveillant": "Vous êtes convoqué(e) pour assurer la surveillance des épreuves de la session d'examen.",
            "comedien": "Vous êtes convoqué(e) pour tenir le rôle prévu par le référentiel d'évaluation (RE) dans "
                        "les mises en situation de la session d'examen.",
        }[self.kind]

    @property
    def documents(self):
        if self.kind == "jure":
            return ("vous recevrez sur place le référentiel emploi activités compétences (REAC) et le référentiel "
                    "d'évaluation (RE) du titre, le dossier technique d'évaluation (DTE) jury et les dossiers des "
                    "candidats.")
        if self.kind == "surveillant":
            return "vous recevrez sur place les consignes de surveillance et le règlement général des sessions."
        return "vous recevrez sur place le dossier technique d'évaluation et les consignes de la mise en situation."


def jury_convocations(session):
    epreuves = _epreuves(session, candidates_only=False)
    people = [Convoked("jure", m.jure.label, m.jure.email, m.jure_id, m.jure) for m in jury_members(session)]
    staff = {i.role: i for i in Intervenant.select().where(Intervenant.session == session)}
    people += [Convoked(role, staff[role].nom, staff[role].email, None, staff[role])
               for role in ("surveillant", "comedien") if role in staff]
    if not people:
        raise MissingData("Composez d'abord le jury de la session, ou désignez son surveillant (page « Jury »).")
    return {"title": "Convocations du jury, du surveillant et du comédien", "people": people, "epreuves": epreuves,
            "counts": candidate_counts(session, list(Candidat.of_session(session)))}


def jury_attestations(session):
    """Each juror who signed in, with the épreuves (date, hours) they signed in at: their attestation
    of presence, for their employer or their expenses."""
    epreuves = {e.id: e for e in Epreuve.of_session(session)}
    standing = emargement.current(emargement.of_session(session))
    people = []
    for membre in jury_members(session):
        days = sorted(((epreuves[epreuve_id], signin) for (epreuve_id, kind, person), signin in standing.items()
                       if kind == "jure" and person == membre.jure_id and signin.statut == "present"
                       and epreuve_id in epreuves), key=lambda pair: (pair[0].date, pair[0].heure_debut))
        if days:
            people.append(Convoked("jure", membre.jure.label, membre.jure.email, membre.jure_id, membre.jure, days))
    if not people:
        raise MissingData("Aucun membre du jury n'a émargé : les attestations de présence se font d'après les "
                          "émargements du jury (page « Émargement sur tablette »).")
    return {"title": "Attestations de présence des membres du jury", "people": people}


def _duration(epreuve):
    (h1, m1), (h2, m2) = (map(int, t.split(":")) for t in (epreuve.heure_debut, epreuve.heure_fin))
    minutes = (h2 * 60 + m2) - (h1 * 60 + m1)
    return f"{minutes // 60} h {minutes % 60:02d}" if minutes % 60 else f"{minutes // 60} h"


def planning(session):
    epreuves = _epreuves(session, candidates_only=False)
    staff = Intervenant.of(session, "surveillant")
    return {"title": "Informations et planning de la session (UD)", "epreuves": epreuves, "duration": _duration,
            "counts": candidate_counts(session, list(Candidat.of_session(session))),
            "places": sorted({e.lieu for e in epreuves}), "jury": [m.jure.label for m in jury_members(session)],
            "surveillant": staff.nom if staff else ""}


def affichage(session):
    return {"title": "Affichage des épreuves", "orientation": "landscape",
            "epreuves": _epreuves(session, candidates_only=True)}


def signature_image(path_data):
    """A signature's strokes drawn as a PNG (a data: URI for the sheet): black on white, one bit
    per pixel at the box's size, which prints sharp in a 4 × 1.5 cm box and costs little to make."""
    image = Image.new("1", emargement.SIGNATURE_BOX, 1)
    pen = ImageDraw.Draw(image)
    for stroke in emargement.parse_signature(path_data):
        if len(stroke) == 1:
            x, y = stroke[0]
            pen.ellipse((x - 2, y - 2, x + 2, y + 2), fill=0)
        else:
            pen.line(stroke, fill=0, width=3, joint="curve")
    out = io.BytesIO()
    image.save(out, "PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


@dataclass
class SignedIn:
    statut: str
    signe_a: object
    image: str | None
    identity: bool = False  # the identity document was checked


def sign_in_sheets(session):
    """One sheet per épreuve: the candidates, the jurors and the surveillant with their sign-ins."""
    epreuves = _epreuves(session, candidates_only=True)
    candidats = _candidates(session)
    jures = [m.jure for m in jury_members(session)]
    staff = Intervenant.of(session, "surveillant")
    standing = emargement.current(emargement.of_session(session))

    def shown(epreuve, kind, person_id):
        signin = standing.get((epreuve.id, kind, person_id))
        if signin is None:
            return None
        image = signature_image(signin.signature) if signin.statut == "present" and signin.signature else None
        return SignedIn(signin.statut, signin.signe_a, image, signin.identite_verifiee)

    sheets = [{
        "epreuve": e,
        "candidats": [(c, shown(e, "candidat", c.id)) for c in candidats],
        "jures": [(j, shown(e, "jure", j.id)) for j in jures],
        "surveillant": (staff.nom, shown(e, "surveillant", None)) if staff else None,
    } for e in epreuves]
    # A sheet per day of the jury's presence (arrival and departure signed), épreuves, corrections and
    # deliberations alike.
    days = {}
    for e in _epreuves(session, candidates_only=False):
        days.setdefault(e.date, []).append(f"{e.libelle} de {e.heure_debut} à {e.heure_fin}")
    jury_days = [{"date": day, "epreuves": labels, "jures": jures} for day, labels in sorted(days.items())] if jures else []
    return {"title": "Feuilles d'émargement", "sheets": sheets, "jury_days": jury_days}


# --- The centre's annual programme --------------------------------------------------------------

PROGRAMME_COLUMNS = ("Centre", "Sigle", "Titre", "Nature", "Libellé CCP/CCS", "Début", "Fin", "Site",
                     "Candidats formation", "Candidats VAE")


def programme(user, year):
    """The sessions of year N the user's centre runs (every centre for an administrator)."""
    S = ExamSession
    sessions = list(access.visible_to(S.select(S, Centre, Site).join(Centre).switch(S).join(Site), user)
                    .where((S.date_debut >= f"{year}-01-01") & (S.date_debut <= f"{year}-12-31"))
                    .order_by(S.date_debut, S.sigle, S.id))
    if not sessions:
        raise MissingData(f"Aucune session en {year} : créez d'abord les sessions de l'année.")
    rows = [{"centre": s.centre.name, "sigle": s.sigle, "titre": s.titre,
             "nature": s.nature, "libelle_ccp": s.libelle_ccp,
             "date_debut": s.date_debut, "date_fin": s.date_fin, "site": s.site.name,
             "nb_formation": s.nb_formation, "nb_vae": s.nb_vae} for s in sessions]
    centres = sorted({row["centre"] for row in rows})
    return {"title": f"Programme des sessions {year}", "year": year, "rows": rows, "centres": centres,
            "several_centres": len(centres) > 1, "header_text": f"{', '.join(centres)} · programme des sessions {year}"}


def programme_csv(context):
    """The programme as a spreadsheet (documents.spreadsheet: what Excel opens in France)."""
    return csv_bytes(PROGRAMME_COLUMNS, (
        (row["centre"], row["sigle"], row["titre"], row["nature"], row["libelle_ccp"], fr_date(row["date_debut"]),
         fr_date(row["date_fin"]), row["site"], row["nb_formation"], row["nb_vae"]) for row in context["rows"]))


def results_statement(session):
    """« Relevé des résultats »: each candidate's decision and CCPs, with their CERES identifier, to check
    the PV printed from CERES against before it is signed."""
    try:
        shape = results.results_form(session)
    except DomainError as exc:
        raise MissingData(exc.message) from None
    candidats = _candidates(session)
    recorded = results.results(session)
    if not recorded:
        raise MissingData("Saisissez d'abord les résultats des candidats (page « Résultats »), après la délibération.")
    return {"title": "Relevé des résultats", "shape": shape, "candidats": candidats, "recorded": recorded,
            "evaluators": results.evaluators(session), "jury": {m.jure_id: m.jure for m in jury_members(session)}}


def posted_results(session):
    """« Résultats à afficher »: the candidates who validated a titre, a CCP (a partial result, with its
    CCPs acquired) or a CCS, never those who did not; only once the UD's copy of the PV is back."""
    if "copie_ud_recue" not in pv.steps(session):
        raise MissingData("La liste des résultats s'affiche à réception de la copie du PV envoyée par l'UD : "
                          "enregistrez d'abord l'étape « Copie du PV reçue de l'UD » (page « Procès-verbal »).")
    shape = results.results_form(session) if session.nature == "TITRE" else None
    labels = {c.code: c.libelle for c in shape.ccps} if shape else {}
    recorded = results.results(session)
    lines = []
    for candidat in Candidat.of_session(session):
        result = recorded.get(candidat.id)
        if result is None or result.decision not in ("titre", "partiel", "obtenu"):
            continue
        acquired = [(code, labels.get(code, "")) for code in results.validated_ccps(result)] \
            if result.decision == "partiel" else []
        lines.append((candidat, result, acquired))
    if not lines:
        raise MissingData("Aucun candidat n'a validé le titre, un CCP ou le certificat : il n'y a pas de liste à afficher.")
    return {"title": "Résultats de la session", "lines": lines}
