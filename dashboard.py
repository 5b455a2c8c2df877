"""The home page: a centre's sessions and what is late or coming, across them.

Every list is one query whatever the number of sessions or items: the page's cost stays flat as a
centre's history grows (bench/dashboard_bench.py measures it with 1,000 sessions).
"""
import datetime as dt
from dataclasses import dataclass

from deadlines import group_tasks
from peewee import fn

from models import Centre, ChecklistItem, ExamSession, Site, as_date, progress_by_session

STAGES = {"preparation": "En préparation", "en_cours": "En cours", "terminee": "Terminée", "archivee": "Archivée"}
NATURES = ("TITRE", "CCP", "CCS")
PAGE_SIZE = 20
ACTIVE_PAGE_SIZE = 12
LIST_LIMIT = 50
SOON_DAYS = 14


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
            year=int(year) if year.isdigit() and 2000 <= int(year) <= 2100 else None,
            nature=args.get("nature") if args.get("nature") in NATURES else None,
            stage=args.get("etat") if args.get("etat") in STAGES else None,
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


def _page(text):
    return int(text) if text.isdigit() and 0 < int(text) < 100_000 else 1


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


def _session_conditions(user, filters, today):
    """What the user's filters and rights say about ExamSession, as a list of conditions."""
    S = ExamSession
    conditions = [] if user.role == "admin" else [S.centre == user.centre]
    if filters.year:
        conditions.append(S.date_debut.between(dt.date(filters.year, 1, 1), dt.date(filters.year, 12, 31)))
    if filters.nature:
        conditions.append(S.nature == filters.nature)
    if filters.stage:
        conditions.append({
            "preparation": (S.archived == False) & (S.date_debut > today),  # noqa: E712
            "en_cours": (S.archived == False) & (S.date_debut <= today) & (S.date_fin >= today),  # noqa: E712
            "terminee": (S.archived == False) & (S.date_fin < today),  # noqa: E712
            "archivee": S.archived == True,  # noqa: E712
        }[filters.stage])
    return conditions


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


def build(user, filters, today):
    S = ExamSession
    conditions = _session_conditions(user, filters, today)
    sessions = _where(S.select(S, Centre, Site).join(Centre).switch(S).join(Site), conditions)
    active = _paged(sessions.where((S.archived == False) & (S.date_fin >= today)).order_by(S.date_debut, S.id),  # noqa: E712
                    filters.active_page, ACTIVE_PAGE_SIZE)
    past = _paged(sessions.where((S.archived == True) | (S.date_fin < today))  # noqa: E712
                  .order_by(S.date_debut.desc(), S.id.desc()), filters.page, PAGE_SIZE)
    progress = progress_by_session([s.id for s in active.sessions + past.sessions], today)

    # Tasks of the sessions in play (not archived) across the centre, most urgent first: a plain
    # join on the session, so that the database can start from the (state, due_on) index.
    todo = _where(ChecklistItem.select(ChecklistItem, S).join(S), conditions).where(
        (S.archived == False) & (ChecklistItem.state == "todo"))  # noqa: E712
    soon = list(
        todo.where(ChecklistItem.due_on.between(today, today + dt.timedelta(days=SOON_DAYS)))
        .order_by(ChecklistItem.due_on, S.date_debut, ChecklistItem.position).limit(LIST_LIMIT)
    )
    late_query = todo.where(ChecklistItem.due_on < today)
    late = list(late_query.order_by(ChecklistItem.due_on, ChecklistItem.position).limit(LIST_LIMIT))
    late_count = late_query.count()
    rights = [] if user.role == "admin" else [S.centre == user.centre]
    first, last = _where(S.select(fn.MIN(S.date_debut), fn.MAX(S.date_debut)), rights).tuples().get()
    years = list(range(as_date(last).year, as_date(first).year - 1, -1)) if first else []
    return Dashboard(active, past, progress, group_tasks(soon), group_tasks(late), late_count,
                     late_count - len(late), years)
