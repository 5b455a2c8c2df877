"""The centre's rates (« indicateurs de résultats »): per titre and year, from the sessions whose PV
copy came back from the UD (the results are then final), what a centre publishes (Qualiopi: the rates
of obtaining the certifications it prepares for) and how each figure is computed, written beside it.

Read in three queries whatever the number of sessions: the sessions counted, their candidates with
their result and follow-up (one join), the titres' names.
"""
import datetime as dt
import json
from dataclasses import dataclass, field

from peewee import JOIN

from domain.insertion import due_on
from models import Candidat, Centre, EtapePv, ExamSession, Resultat, SuiviInsertion, Titre

# How each figure is computed, as the page, the CSV and the public page say it.
METHOD = {
    "inscrits": "Candidats inscrits aux sessions comptées (hors candidats retirés de la session).",
    "presents": "Candidats dont le résultat n'est pas « Absent » ; taux de présence = présents / inscrits.",
    "obtenus": "Candidats ayant obtenu le titre (ou le CCP / CCS d'une session de certificat) ; "
               "taux d'obtention = obtenus / présents.",
    "partiels": "Candidats ayant validé une partie des CCP du titre (validation partielle).",
    "ccp_acquis": "CCP acquis, tous candidats confondus (titre, validations partielles).",
    "insertion": "Parmi les présents dont le suivi est dû (N mois après la session), candidats en emploi (dans le "
                 "métier ou un autre) / candidats ayant répondu ; taux de réponse = ayant répondu / suivis dus.",
    "sessions": "Sessions comptées : celles dont la copie du PV est revenue de l'UD (résultats définitifs), par "
                "année de fin de session.",
}


@dataclass
class Rates:
    sigle: str
    annee: int
    libelle: str = ""
    sessions: int = 0
    inscrits: int = 0
    presents: int = 0
    obtenus: int = 0
    partiels: int = 0
    ccp_acquis: int = 0
    suivis_dus: int = 0
    reponses: int = 0
    en_emploi: int = 0
    derniere_session: dt.date | None = None
    session_ids: set = field(default_factory=set)

    @staticmethod
    def rate(part, whole):
        """A percentage rounded to the unit, or None when there is nothing to divide by."""
        return round(100 * part / whole) if whole else None

    @property
    def taux_presence(self):
        return self.rate(self.presents, self.inscrits)

    @property
    def taux_obtention(self):
        return self.rate(self.obtenus, self.presents)

    @property
    def taux_insertion(self):
        return self.rate(self.en_emploi, self.reponses)

    @property
    def taux_reponse(self):
        return self.rate(self.reponses, self.suivis_dus)

    def add(self, other):
        for name in ("inscrits", "presents", "obtenus", "partiels", "ccp_acquis", "suivis_dus", "reponses", "en_emploi"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.session_ids |= other.session_ids
        self.sessions = len(self.session_ids)
        if other.derniere_session and (not self.derniere_session or other.derniere_session > self.derniere_session):
            self.derniere_session = other.derniere_session


def counted_sessions(sessions_query, annee=None, titre=None):
    """The sessions of `sessions_query` the rates count: those whose PV's copy came back from the UD (purged
    ones too: their results stay, anonymous), of a year (of their last day) and a titre when given."""
    S = ExamSession
    query = sessions_query.where(S.id.in_(EtapePv.select(EtapePv.session).where(EtapePv.etape == "copie_ud_recue")))
    if annee:
        query = query.where(S.date_fin.between(dt.date(annee, 1, 1), dt.date(annee, 12, 31)))
    if titre:
        query = query.where(S.sigle == titre)
    return query


def compute(sessions_query, months, today, annee=None, titre=None, by_centre=False):
    """[Rates] per titre (sigle) and year, most recent year first, and the total (Rates with sigle "");
    `by_centre`: per centre instead (sigle: the centre's name, annee 0), for a network."""
    S = ExamSession
    counted = counted_sessions(sessions_query, annee, titre)
    sessions = {s.id: s for s in counted.select(S.id, S.sigle, S.titre, S.date_fin, S.centre, Centre.name)
                .join(Centre, on=(S.centre == Centre.id)).objects()}
    if not sessions:
        return [], Rates("", 0)
    rows = (Candidat.select(Candidat.session, Resultat.decision, Resultat.ccp, SuiviInsertion.situation)
            .join(Resultat, JOIN.LEFT_OUTER, on=(Resultat.candidat == Candidat.id))
            .join(SuiviInsertion, JOIN.LEFT_OUTER, on=(SuiviInsertion.candidat == Candidat.id), src=Candidat)
            .where(Candidat.session.in_(counted.select(S.id)) & Candidat.retire_le.is_null()).tuples())
    names = {sigle: libelle for sigle, libelle in Titre.select(Titre.sigle, Titre.libelle)
             .order_by(Titre.millesime).tuples()}
    groups = {}
    for session_id, decision, ccp, situation in rows:
        session = sessions[session_id]
        key = (session.name, 0) if by_centre else (session.sigle, session.date_fin.year)
        rates = groups.get(key)
        if rates is None:
            rates = groups[key] = (Rates(session.name, 0, "") if by_centre else
                                   Rates(session.sigle, session.date_fin.year, names.get(session.sigle, session.titre)))
        rates.session_ids.add(session_id)
        rates.inscrits += 1
        if decision is None or decision == "absent":
            continue
        rates.presents += 1
        rates.obtenus += decision in ("titre", "obtenu")
        rates.partiels += decision == "partiel"
        if ccp:
            rates.ccp_acquis += sum(1 for value in _ccp(ccp).values() if value == "acquis")
        if due_on(session, months) <= today:
            rates.suivis_dus += 1
            if situation and situation != "sans_nouvelles":
                rates.reponses += 1
                rates.en_emploi += situation in ("emploi_metier", "emploi_autre")
    for (sigle, year), rates in groups.items():
        rates.sessions = len(rates.session_ids)
        rates.derniere_session = max(sessions[i].date_fin for i in rates.session_ids)
    ordered = sorted(groups.values(), key=lambda r: (-r.annee, r.sigle))
    total = Rates("", 0, "Toutes les sessions comptées")
    for rates in ordered:
        total.add(rates)
    return ordered, total


def _ccp(value):
    """A result's CCPs as stored (JSON text from a raw tuple query, or already decoded)."""
    if isinstance(value, str):
        return json.loads(value)
    return value


CSV_COLUMNS = ("annee", "sigle", "titre", "sessions", "inscrits", "presents", "taux_presence", "obtenus",
               "taux_obtention", "partiels", "ccp_acquis", "suivis_dus", "reponses", "en_emploi", "taux_insertion",
               "taux_reponse", "derniere_session")


def csv_rows(ordered):
    for r in ordered:
        yield [r.annee, r.sigle, r.libelle, r.sessions, r.inscrits, r.presents, _pct(r.taux_presence), r.obtenus,
               _pct(r.taux_obtention), r.partiels, r.ccp_acquis, r.suivis_dus, r.reponses, r.en_emploi,
               _pct(r.taux_insertion), _pct(r.taux_reponse),
               r.derniere_session.strftime("%d/%m/%Y") if r.derniere_session else ""]


def _pct(value):
    return "" if value is None else f"{value} %"
