"""The home page: a centre's sessions and what is late or coming, across them.

Every list is one query whatever the number of sessions or items: the page's cost stays flat as a
centre's history grows (bench/dashboard_bench.py measures it with 1,000 sessions).
"""
import datetime as dt
from dataclasses import dataclass

from peewee import fn

from domain import access, checks, deadlines
from domain.inputs import whole_number
from domain.progress import as_date, progress_by_session
from domain.vocabulary import DASHBOARD_WINDOW_DAYS, NATURES, STAGE_LABELS
from models import Candidat, ChecklistItem, Epreuve, EtapePv, ExamSession, MembreJury

PAGE_SIZE = 20
ACTIVE_PAGE_SIZE = 12
LIST_LIMIT = 50


def _page(text):
    return whole_number(text, minimum=1, maximum=99_999) or 1


@dataclass
class Filters:
    year: int | None = None
    nature: str | None = None
    stage: str | None = None
    page: int = 1
    active_page: int = 1

    @classmethod
    def from_args(cls, args):
        """Filters from the query string; a value that makes no sense is ignored, never an error."""
        year = args.get("annee", "")
        return cls(
            year=whole_number(year, minimum=2000, maximum=2100),
            nature=args.get("nature") if args.get("nature") in NATURES else None,
            stage=args.get("etat") if args.get("etat") in STAGE_LABELS else None,
            page=_page(args.get("page", "")),
            active_page=_page(args.get("avenir", "")),
        )

    def args(self, **changes):
        """The query string arguments of these filters, for links (paging keeps the filters)."""
        values = {"annee": self.year, "nature": self.nature, "etat": self.stage, "page": self.page,
                  "avenir": self.active_page, **changes}
        return {k: v for k, v in values.items() if v and not (k in ("page", "avenir") and v == 1)}

    @property
    def active(self):
        """Whether a filter (not a page) is set."""
        return any((self.year, self.nature, self.stage))

    def conditions(self, today):
        S = ExamSession
        conditions = []
        if self.year:
            conditions.append(S.date_debut.between(dt.date(self.year, 1, 1), dt.date(self.year, 12, 31)))
        if self.nature:
            conditions.append(S.nature == self.nature)
        if self.stage:
            conditions.append(deadlines.stage_condition(self.stage, today))
        return conditions


@dataclass
class Page:
    """One page of a list of sessions."""

    sessions: list
    number: int
    count: int
    size: int

    @property
    def pages(self):
        return max(1, -(-self.count // self.size))


def _paged(query, number, size):
    count = query.count()
    number = min(number, max(1, -(-count // size)))
    return Page(list(query.paginate(number, size)), number, count, size)


def _where(query, conditions):
    return query.where(*conditions) if conditions else query


@dataclass
class Dashboard:
    active: Page
    past: Page
    progress: dict
    soon: list
    late: list
    late_count: int
    late_more: int
    years: list
    failing: list  # [(session, [its failed checks])], sessions in play only

    def checks_on(self, group):
        """The failed checks of a group's session that concern one of its tasks."""
        keys = {item.key for item in group.items if item.key}
        for session, failed in self.failing:
            if session.id == group.session.id:
                return [check for check in failed if keys & set(check.keys)]
        return []


def build(user, filters, today):
    S = ExamSession
    conditions = filters.conditions(today)
    sessions = _where(access.visible_to(S.with_places(), user), conditions)
    in_play = deadlines.in_play_condition(today)
    active = _paged(sessions.where(in_play).order_by(S.date_debut, S.id), filters.active_page, ACTIVE_PAGE_SIZE)
    past = _paged(sessions.where(~in_play).order_by(S.date_debut.desc(), S.id.desc()), filters.page, PAGE_SIZE)
    progress = progress_by_session([s.id for s in active.sessions + past.sessions], today)

    # Tasks of the sessions still worked on (neither archived nor closed) across the centre, most urgent
    # first: a plain join on the session, so that the database can start from the (state, due_on) index.
    tasks = _where(access.visible_to(ChecklistItem.select(ChecklistItem, S).join(S), user), conditions).where(
        deadlines.worked_on_condition())
    soon = list(
        tasks.where(deadlines.coming_condition(today, DASHBOARD_WINDOW_DAYS))
        .order_by(ChecklistItem.due_on, S.date_debut, ChecklistItem.position).limit(LIST_LIMIT)
    )
    late_query = tasks.where(deadlines.late_condition(today))
    late = list(late_query.order_by(ChecklistItem.due_on, ChecklistItem.position).limit(LIST_LIMIT))
    late_count = late_query.count()
    first, last = access.visible_to(S.select(fn.MIN(S.date_debut), fn.MAX(S.date_debut)), user).tuples().get()
    years = list(range(as_date(last).year, as_date(first).year - 1, -1)) if first else []
    return Dashboard(active, past, progress, deadlines.group_tasks(soon), deadlines.group_tasks(late), late_count,
                     late_count - len(late), years, failing_checks(sessions, today))


# How long after its last day a session's checks of after the exam stay listed while its PV's copy has not
# come back from the UD (the PV is due within 15 days: three months covers a late one, not a history).
AFTER_EXAM_DAYS = 90


def failing_checks(sessions, today, codes=None):
    """The sessions of `sessions` whose register fails a check (of `codes`, or any): those in play (worked
    on) by every check, soonest first; then those over (for AFTER_EXAM_DAYS) whose PV's copy has not come
    back from the UD, by the checks of after the exam (checks.AFTER_EXAM: the PV's delay, the evaluators).
    Only sessions with a register are read (a check with nothing to check never fails): a constant number
    of queries."""
    S = ExamSession
    # A register: a candidate, a juror or an épreuve (each looked up by its session's index).
    with_register = (fn.EXISTS(Candidat.select(Candidat.id).where(Candidat.session == S.id))
                     | fn.EXISTS(MembreJury.select(MembreJury.id).where(MembreJury.session == S.id))
                     | fn.EXISTS(Epreuve.select(Epreuve.id).where(Epreuve.session == S.id)))
    in_play = list(sessions.where(with_register & deadlines.in_play_condition(today)
                                  & deadlines.worked_on_condition()).order_by(S.date_debut, S.id))
    copy_back = EtapePv.select(EtapePv.session).where(EtapePv.etape == "copie_ud_recue")
    over = list(sessions.where(with_register & deadlines.stage_condition("finished", today)
                               & (S.date_fin >= today - dt.timedelta(days=AFTER_EXAM_DAYS))
                               & S.purged_at.is_null() & S.id.not_in(copy_back)).order_by(S.date_fin, S.id))
    after = tuple(code for code in checks.AFTER_EXAM if codes is None or code in codes)
    return checks.failing_sessions(in_play, today, codes) + (checks.failing_sessions(over, today, after) if after else [])
