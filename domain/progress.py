"""How far a session has come: tasks treated (done or sans objet), regulatory ones apart, late ones.
A heading row of the guide (« Accueillir les membres de jury : ») is not a task: it is not counted.

Two ways count the same thing, each where it pays: in Python over loaded items (a page that
shows them all), and in one grouped query, for many sessions (lists) or for the tableaux of one
session (after each tick: the same query, compiled once). tests/test_progress.py checks that they agree.
"""
import datetime as dt
from dataclasses import dataclass, field

from peewee import Case, fn

from domain import deadlines
from models import ChecklistItem
from statements import Statement, param


@dataclass
class Progress:
    total: int = 0
    done: int = 0
    na: int = 0

    @property
    def treated(self):
        return self.done + self.na

    @property
    def todo(self):
        return self.total - self.treated

    @property
    def percent(self):
        return round(100 * self.treated / self.total) if self.total else 0

    def add(self, other):
        self.total, self.done, self.na = self.total + other.total, self.done + other.done, self.na + other.na


@dataclass
class SessionProgress:
    all: Progress
    reglementaire: Progress
    late: int = 0
    next_due: dt.date | None = None

    @classmethod
    def total(cls, parts):
        """The sum of several progresses (a session's tableaux)."""
        result = cls(Progress(), Progress())
        for part in parts:
            result.all.add(part.all)
            result.reglementaire.add(part.reglementaire)
            result.late += part.late
            dues = [d for d in (result.next_due, part.next_due) if d]
            result.next_due = min(dues) if dues else None
        return result

    @classmethod
    def of(cls, items, today=None):
        """Counts over the items; with `today`, also how many are late and the next deadline."""
        result = cls(Progress(), Progress())
        for item in items:
            if item.heading:
                continue
            if today is not None and deadlines.is_late(item.state, item.due_on, today):
                result.late += 1
            if today is not None and item.state == "todo" and item.due_on and item.due_on >= today:
                result.next_due = min(filter(None, (result.next_due, item.due_on)))
            counters = (result.all, result.reglementaire) if item.reglementaire else (result.all,)
            for p in counters:
                p.total += 1
                p.done += item.state == "done"
                p.na += item.state == "na"
        return result


@dataclass
class Tableau:
    """One of the guide's tables with its tasks (guide tasks or a session's items)."""

    number: int
    title: str
    items: list = field(default_factory=list)

    @property
    def progress(self):
        return SessionProgress.of(self.items)


def group_tableaux(rows, tableau_of):
    """Rows in guide order grouped into Tableau objects; tableau_of(row) gives (number, title)."""
    tableaux = []
    for row in rows:
        number, title = tableau_of(row)
        if not tableaux or tableaux[-1].number != number:
            tableaux.append(Tableau(number, title))
        tableaux[-1].items.append(row)
    return tableaux


def counts_query(key, condition, today):
    """(key, total, done, na, regulatory total, done, na, late, next deadline) rows counted by the
    database, one per value of `key`, for the tasks matching `condition`."""
    item = ChecklistItem
    reg = item.reglementaire == True  # noqa: E712

    def count(cond):
        return fn.SUM(Case(None, [(cond, 1)], 0))

    return (
        item.select(
            key, fn.COUNT(item.id), count(item.state == "done"), count(item.state == "na"),
            count(reg), count(reg & (item.state == "done")), count(reg & (item.state == "na")),
            count(deadlines.late_condition(today)),
            fn.MIN(Case(None, [(deadlines.coming_condition(today), item.due_on)], None)),
        )
        .where(condition & (item.heading == False))  # noqa: E712
        .group_by(key)
        .tuples()
    )


# The progress of a session's tableaux, after each change to one of its tasks.
TABLEAU_PROGRESS = Statement("tableau_progress", lambda: counts_query(
    ChecklistItem.tableau_number, ChecklistItem.session == param("session", ChecklistItem.session),
    param("today", ChecklistItem.due_on)))


def progress_of(rows):
    """{key: SessionProgress} from counts_query's rows."""
    return {
        value: SessionProgress(Progress(total, done or 0, na or 0), Progress(reg or 0, reg_done or 0, reg_na or 0),
                               late=late or 0, next_due=as_date(next_due))
        for value, total, done, na, reg, reg_done, reg_na, late, next_due in rows
    }


def progress_by_session(session_ids, today):
    """{session id: SessionProgress} with late counts and next deadline, in one query, for lists."""
    return progress_of(counts_query(ChecklistItem.session, ChecklistItem.session.in_(list(session_ids)), today))


def progress_by_tableau(session_id, today):
    """{tableau number: SessionProgress} of one session, in one query (after a change to one row): the
    same query, compiled once (statements.TABLEAU_PROGRESS), since it runs on every tick."""
    return progress_of(TABLEAU_PROGRESS.rows(session=session_id, today=today))


def as_date(value):
    """A date from an aggregate, which SQLite returns as ISO text."""
    return dt.date.fromisoformat(value) if isinstance(value, str) else value
