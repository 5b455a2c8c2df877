"""A network's view of itself (/reseau): one line per centre and site with where its sessions stand.

For each site of each centre: sessions in preparation and running, tasks late, checks failing (by
code), agréments ending within 6 months, jurors whose habilitation ends within 3 months and who sit
on a coming session. Each figure names the rows behind it (`Line.rows`), for the page listing them.

Read in a constant number of queries whatever the number of centres and sessions: one per kind of
figure, grouped by site in SQL, and the checks of the sessions in play only (a finished session's
checks are not a network's concern until they are failing after the exam: checks.AFTER_EXAM), kept by
journal head (checks.failing_sessions) so that only the registers that changed are read again.
"""
import datetime as dt
from dataclasses import dataclass, field

from peewee import Case, fn

from domain import checks, deadlines
from domain.dashboard import failing_checks
from domain.deadlines import add_months
from models import Agrement, Centre, ChecklistItem, ExamSession, Habilitation, Jure, MembreJury, Site

AGREMENT_MONTHS = 6
HABILITATION_MONTHS = 3
# What a figure of a line is, by its code in links (/reseau/liste?quoi=…).
FIGURES = {"preparation": "Sessions en préparation", "en_cours": "Sessions en cours", "retard": "Tâches en retard",
           "agrements": "Agréments échus dans les 6 mois", "jures": "Jurés dont l'habilitation échoit dans les 3 mois"}


@dataclass
class Filters:
    annee: int | None = None
    titre: str = ""
    site: int | None = None

    def sessions(self, query):
        S = ExamSession
        if self.annee:
            query = query.where(S.date_debut.between(dt.date(self.annee, 1, 1), dt.date(self.annee, 12, 31)))
        if self.titre:
            query = query.where(S.sigle == self.titre)
        if self.site:
            query = query.where(S.site == self.site)
        return query

    def args(self, **more):
        values = {"annee": self.annee, "titre": self.titre, "site": self.site, **more}
        return {k: v for k, v in values.items() if v}


@dataclass
class Line:
    centre: object
    site: object
    preparation: int = 0
    en_cours: int = 0
    retard: int = 0
    checks: dict = field(default_factory=dict)  # code: number of sessions failing it
    agrements: int = 0
    jures: int = 0

    def as_dict(self):
        return {"centre": {"id": self.centre.id, "nom": self.centre.name},
                "site": {"id": self.site.id, "nom": self.site.name},
                "sessions_en_preparation": self.preparation, "sessions_en_cours": self.en_cours,
                "taches_en_retard": self.retard, "controles_non_respectes": dict(sorted(self.checks.items())),
                "agrements_echeance_6_mois": self.agrements, "jures_habilitation_3_mois": self.jures}


def in_play(query, today):
    """The sessions of `query` in preparation or running, neither archived nor closed."""
    return query.where(deadlines.in_play_condition(today) & deadlines.worked_on_condition())


def lines(filters, today):
    """Every site of every centre, with its figures (a constant number of queries)."""
    S = ExamSession
    sites = list(Site.select(Site, Centre).join(Centre).order_by(Centre.name, Site.name))
    if filters.site:
        sites = [s for s in sites if s.id == filters.site]
    by_site = {s.id: Line(s.centre, s) for s in sites}
    sessions = filters.sessions(S.select())
    for site_id, preparing, running in (sessions.select(S.site, fn.SUM(_case(deadlines.stage_condition("preparing", today))),
                                                        fn.SUM(_case(deadlines.stage_condition("running", today))))
                                        .where(deadlines.worked_on_condition()).group_by(S.site).tuples()):
        if site_id in by_site:
            by_site[site_id].preparation, by_site[site_id].en_cours = int(preparing or 0), int(running or 0)
    late = (ChecklistItem.select(S.site, fn.COUNT(ChecklistItem.id)).join(S)
            .where(deadlines.worked_on_condition() & deadlines.late_condition(today)
                   & S.id.in_(sessions.select(S.id))).group_by(S.site).tuples())
    for site_id, count in late:
        if site_id in by_site:
            by_site[site_id].retard = count
    for site_id, codes in failing_codes(sessions, today):
        line = by_site.get(site_id)
        if line is not None:
            for code in codes:
                line.checks[code] = line.checks.get(code, 0) + 1
    agrement_limit = add_months(today, AGREMENT_MONTHS)
    for site_id, count in (Agrement.select(Agrement.site, fn.COUNT(Agrement.id))
                           .where(Agrement.valide_au.between(today, agrement_limit)).group_by(Agrement.site).tuples()):
        if site_id in by_site:
            by_site[site_id].agrements = count
    for site_id, count in (expiring_jurors(sessions, today).select(S.site, fn.COUNT(fn.DISTINCT(Jure.id)))
                           .group_by(S.site).tuples()):
        if site_id in by_site:
            by_site[site_id].jures = count
    return list(by_site.values())


def _case(condition):
    """1 where `condition` holds, else 0, for a SUM."""
    return Case(None, ((condition, 1),), 0)


# --- The checks failing across the network ---------------------------------------------------------------

def failing_codes(sessions, today):
    """[(site id, [codes of the checks failing])] of the sessions of `sessions` in play (every check) and of
    those over since AFTER_EXAM_DAYS whose PV's copy is not back (the checks of after the exam): the
    dashboard's list, kept by journal head (checks.failing_sessions); the double bookings by their query
    alone (the figure needs no message)."""
    own = tuple(code for code in checks.DECLARED if code not in checks.OTHER_SESSIONS_CHECKS)
    found = [(session.site_id, [check.code for check in failed])
             for session, failed in failing_checks(sessions, today, own)]
    S = ExamSession
    ids = [i for (i,) in in_play(sessions, today).select(S.id).tuples()]
    booked = checks.double_booked(ids) if ids else set()
    found += [(site_id, ["jury_disponibilite"]) for session_id, site_id in
              S.select(S.id, S.site).where(S.id.in_(list(booked))).tuples()] if booked else []
    return found


def expiring_jurors(sessions, today):
    """Seats on coming sessions of jurors whose habilitation for the session's sigle ends within
    HABILITATION_MONTHS (a query of MembreJury joined to Jure, Habilitation and ExamSession)."""
    S = ExamSession
    limit = add_months(today, HABILITATION_MONTHS)
    return (MembreJury.select().join(Jure).switch(MembreJury).join(S)
            .join(Habilitation, on=((Habilitation.jure == Jure.id) & (Habilitation.sigle == S.sigle)))
            .where(MembreJury.retire_le.is_null() & (S.date_debut >= today) & S.closed_at.is_null()
                   & Habilitation.valide_jusqu_au.between(today, limit) & S.id.in_(sessions.select(S.id))))
