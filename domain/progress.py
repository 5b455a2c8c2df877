"""How far a session has come: tasks treated (done or sans objet), regulatory ones apart, late ones.
A heading row of the guide (« Accueillir les membres de jury : ») is not a task: it is not counted.

Three ways count the same thing, each where it pays: in Python over loaded items (a page that
shows them all), in one grouped query for many sessions (lists), and in one SQL statement for the
tableaux of one session (after each tick). tests/test_progress.py checks that they agree.
"""
import datetime as dt
from dataclasses import dataclass, field

from peewee import Case, fn

from domain import deadlines
from models import ChecklistItem, db


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


def _counts(key, condition, today):
    """(key, SessionProgress) rows counted by the database, one per value of `key`."""
    item = ChecklistItem
    reg = item.reglementaire == True  # noqa: E712

    def count(cond):
        return fn.SUM(Case(None, [(cond, 1)], 0))

    query = (
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
    for value, total, done, na, reg_total, reg_done, reg_na, late, next_due in query:
        yield value, SessionProgress(Progress(total, done or 0, na or 0),
                                     Progress(reg_total or 0, reg_done or 0, reg_na or 0),
                                     late=late or 0, next_due=as_date(next_due))


def progress_by_session(session_ids, today):
    """{session id: SessionProgress} with late counts and next deadline, in one query, for lists."""
    return dict(_counts(ChecklistItem.session, ChecklistItem.session.in_(list(session_ids)), today))


def progress_by_tableau(session_id, today):
    """{tableau number: SessionProgress} of one session, in one query (after a change to one row).

    Written in SQL rather than built with Peewee: it runs on every tick, and building the query
    cost more than running it. Its late and coming conditions are domain.deadlines' SQL forms."""
    p = db.obj.param
    sql = (
        "SELECT tableau_number, COUNT(*),"
        " SUM(CASE WHEN state = 'done' THEN 1 ELSE 0 END), SUM(CASE WHEN state = 'na' THEN 1 ELSE 0 END),"
        " SUM(CASE WHEN reglementaire THEN 1 ELSE 0 END),"
        " SUM(CASE WHEN reglementaire AND state = 'done' THEN 1 ELSE 0 END),"
        " SUM(CASE WHEN reglementaire AND state = 'na' THEN 1 ELSE 0 END),"
        f" SUM(CASE WHEN {deadlines.LATE_SQL.format(today=p)} THEN 1 ELSE 0 END),"
        f" MIN(CASE WHEN {deadlines.COMING_SQL.format(today=p)} THEN due_on END)"
        f" FROM checklistitem WHERE session_id = {p} AND NOT heading GROUP BY tableau_number"
    )
    rows = db.execute_sql(sql, (today, today, session_id))
    return {
        number: SessionProgress(Progress(total, done, na), Progress(reg, reg_done, reg_na), late=late,
                                next_due=as_date(next_due))
        for number, total, done, na, reg, reg_done, reg_na, late, next_due in rows
    }


def as_date(value):
    """A date from an aggregate, which SQLite returns as ISO text."""
    return dt.date.fromisoformat(value) if isinstance(value, str) else value
