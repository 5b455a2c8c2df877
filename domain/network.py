"""A network's view of itself (/reseau): one line per centre and site with where its sessions stand.

For each site of each centre: sessions in preparation and running, tasks late, checks failing (by
code), agréments ending within 6 months, jurors whose habilitation ends within 3 months and who sit
on a coming session. Each figure names the rows behind it (`Line.rows`), for the page listing them.

Read in a constant number of queries whatever the number of centres and sessions: one per kind of
figure, grouped by site in SQL, and the checks of the sessions in play only (a finished session's
checks are not a network's concern until they are failing after the exam: checks.AFTER_EXAM), kept by
journal head (failing_codes) so that only the registers that changed are read again.
"""
import datetime as dt
from dataclasses import dataclass, field

from peewee import Case, fn

from domain import checks, deadlines
from domain.dashboard import AFTER_EXAM_DAYS, failing_checks
from domain.insertion import add_months
from models import (AdminEvent, Agrement, Centre, ChecklistItem, EtapePv, ExamSession, Habilitation, JournalHead, Jure,
                    MembreJury, Site)

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

    @property
    def checks_failing(self):
        return sum(self.checks.values())

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


def failing(sessions, today):
    """The sessions of `sessions` whose checks fail: in play by every check, over by those of after the exam."""
    return failing_checks(sessions, today)


# --- The checks failing across the network, kept by session ----------------------------------------------

# The checks a session's own register decides, kept per server by the session's journal head: every change
# to a register is journalled, in its session's journal. What is not (the directory's habilitations, the
# sites' agréments) is in the administrators' journal, whose last event is part of the key; the day is
# too. The one check that reads other sessions (jury_disponibilite) is never kept: one query finds the
# seats booked twice across the network.
OWN_CHECKS = tuple(code for code in checks.DECLARED if code != "jury_disponibilite")
_KEPT = {}
_KEPT_MAX = 100_000


def forget():
    """Empty what is kept (an app made anew: another database)."""
    _KEPT.clear()


def failing_codes(sessions, today):
    """[(site id, [codes of the checks failing])] of the sessions of `sessions` in play (every check) and of
    those over since AFTER_EXAM_DAYS whose PV's copy is not back (the checks of after the exam): a
    constant number of queries, the registers read only for the sessions whose journal moved."""
    S = ExamSession
    playing = in_play(sessions, today)
    over = over_sessions(sessions, today)
    heads = dict(JournalHead.select(JournalHead.session, JournalHead.hash).where(
        JournalHead.session.in_(playing.select(S.id)) | JournalHead.session.in_(over.select(S.id))).tuples())
    stamp = AdminEvent.select(fn.MAX(AdminEvent.id)).scalar()
    found = {}
    for query, codes in ((playing, OWN_CHECKS), (over, checks.AFTER_EXAM)):
        rows = list(query)
        missing = [s for s in rows if (s.id, heads.get(s.id), today, stamp, codes) not in _KEPT]
        if missing:
            registers = checks.load_registers(missing, {part for code in codes for part in checks.DECLARED[code].reads})
            if len(_KEPT) > _KEPT_MAX:
                _KEPT.clear()
            for session in missing:
                failed = [code for code in codes
                          if checks.DECLARED[code].function(registers[session.id], today).ok is False]
                _KEPT[(session.id, heads.get(session.id), today, stamp, codes)] = failed
        for session in rows:
            found.setdefault(session.id, (session.site_id, []))[1].extend(
                _KEPT[(session.id, heads.get(session.id), today, stamp, codes)])
    for session_id, site_id in double_bookings(playing):
        found.setdefault(session_id, (site_id, []))[1].append("jury_disponibilite")
    return [(site_id, codes) for site_id, codes in found.values() if codes]


def over_sessions(sessions, today):
    S = ExamSession
    copy_back = EtapePv.select(EtapePv.session).where(EtapePv.etape == "copie_ud_recue")
    return sessions.where(deadlines.stage_condition("finished", today)
                          & (S.date_fin >= today - dt.timedelta(days=AFTER_EXAM_DAYS))
                          & S.purged_at.is_null() & S.id.not_in(copy_back))


def double_bookings(sessions):
    """(session id, site id) of the sessions of `sessions` whose jury has a juror sitting, on one of their
    days, on another session (any centre, not archived): jury_disponibilite, found in one query."""
    S = ExamSession
    Other = S.alias()
    OtherSeat = MembreJury.alias()
    return list(sessions.select(S.id, S.site).distinct()
                .join(MembreJury, on=((MembreJury.session == S.id) & MembreJury.retire_le.is_null()))
                .join(OtherSeat, on=((OtherSeat.jure == MembreJury.jure) & (OtherSeat.session != S.id)
                                     & OtherSeat.retire_le.is_null()))
                .join(Other, on=((Other.id == OtherSeat.session) & (Other.archived == False)  # noqa: E712
                                 & (Other.date_debut <= S.date_fin) & (Other.date_fin >= S.date_debut)))
                .tuples())


def expiring_jurors(sessions, today):
    """Seats on coming sessions of jurors whose habilitation for the session's sigle ends within
    HABILITATION_MONTHS (a query of MembreJury joined to Jure, Habilitation and ExamSession)."""
    S = ExamSession
    limit = add_months(today, HABILITATION_MONTHS)
    return (MembreJury.select().join(Jure).switch(MembreJury).join(S)
            .join(Habilitation, on=((Habilitation.jure == Jure.id) & (Habilitation.sigle == S.sigle)))
            .where(MembreJury.retire_le.is_null() & (S.date_debut >= today) & S.closed_at.is_null()
                   & Habilitation.valide_jusqu_au.between(today, limit) & S.id.in_(sessions.select(S.id))))
