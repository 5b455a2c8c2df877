"""When things are due: the guide's deadline rules, and what is late, coming soon, or where a
session stands, each written once in Python and, beside it, as the database condition.

A rule comes from the guide file, e.g. {"from": "debut", "months": -3}: three calendar months
before the session's first day. "fin" counts from its last day, "annee" names a fixed day of the
session's year ({"from": "annee", "month": 1, "day": 31}).

tests/test_deadlines.py checks that the Python and database forms agree on every boundary date.
"""
import calendar
import datetime as dt
from dataclasses import dataclass

from domain.vocabulary import REMINDER_WINDOW_DAYS
from models import ChecklistItem, ExamSession

BASES = ("debut", "fin", "annee")


def add_months(date, months):
    """The same day `months` calendar months later (or earlier), kept within the month:
    31 May minus 3 months is 28 (or 29) February."""
    month_index = date.month - 1 + months
    year, month = date.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(date.day, calendar.monthrange(year, month)[1]))


def apply_rule(rule, date_debut, date_fin):
    """The date a rule gives for a session, or None when there is no rule."""
    if not rule:
        return None
    if rule["from"] == "annee":
        return dt.date(date_debut.year, rule["month"], rule["day"])
    base = date_debut if rule["from"] == "debut" else date_fin
    date = add_months(base, rule.get("months", 0) + 12 * rule.get("years", 0))
    return date + dt.timedelta(days=rule.get("days", 0))


def check_rule(rule, *, retention=False):
    """A French message saying what is wrong with a rule read from a guide file, or None."""
    if not isinstance(rule, dict) or rule.get("from") not in BASES:
        return "« from » doit valoir debut, fin ou annee"
    if rule["from"] == "annee":
        try:
            dt.date(2000, rule.get("month"), rule.get("day"))
        except (TypeError, ValueError):
            return "une échéance « annee » doit donner un mois et un jour valables"
    for key in ("months", "days", "years"):
        if not isinstance(rule.get(key, 0), int):
            return f"« {key} » doit être un nombre entier"
    if not retention and not isinstance(rule.get("label"), str):
        return "une échéance doit avoir un libellé court (label)"
    return None


# --- Late and coming tasks: Python, Peewee and SQL forms of the same conditions ----------------

def is_late(state, due_on, today):
    """A task still to do whose deadline has passed."""
    return state == "todo" and due_on is not None and due_on < today


def late_condition(today):
    return (ChecklistItem.state == "todo") & (ChecklistItem.due_on < today)


def is_coming(state, due_on, today, window=None):
    """A task still to do due today or later (within `window` days, when given)."""
    if state != "todo" or due_on is None or due_on < today:
        return False
    return window is None or due_on <= today + dt.timedelta(days=window)


def coming_condition(today, window=None):
    condition = (ChecklistItem.state == "todo") & (ChecklistItem.due_on >= today)
    if window is not None:
        condition &= ChecklistItem.due_on <= today + dt.timedelta(days=window)
    return condition


def status(state, done_on, due_on, today):
    """The status of a task against its deadline, a code of vocabulary.STATUS_LABELS."""
    if state == "na":
        return "na"
    if state == "done":
        return "done_late" if due_on and done_on > due_on else "done"
    if is_late(state, due_on, today):
        return "late"
    return "soon" if is_coming(state, due_on, today, REMINDER_WINDOW_DAYS) else "todo"


# --- Where a session stands ---------------------------------------------------------------------

def stage(session, today):
    """En préparation, en cours, terminée or archivée: a code of vocabulary.STAGE_LABELS."""
    if session.archived:
        return "archived"
    if today < session.date_debut:
        return "preparing"
    return "running" if today <= session.date_fin else "finished"


def stage_condition(code, today):
    S = ExamSession
    return {
        "preparing": (S.archived == False) & (S.date_debut > today),  # noqa: E712
        "running": (S.archived == False) & (S.date_debut <= today) & (S.date_fin >= today),  # noqa: E712
        "finished": (S.archived == False) & (S.date_fin < today),  # noqa: E712
        "archived": S.archived == True,  # noqa: E712
    }[code]


def worked_on_condition():
    """Sessions whose tasks are still worked on: neither archived nor closed (a closed session is done
    with: its guide is sealed). Their tasks and checks are in the to-do lists, calendars and reminders."""
    return (ExamSession.archived == False) & ExamSession.closed_at.is_null()  # noqa: E712


def in_play_condition(today):
    """Sessions still running or to come, not archived: the dashboard's first list."""
    return stage_condition("preparing", today) | stage_condition("running", today)


# --- Words for deadlines ------------------------------------------------------------------------

def j_label(due_on, date_debut):
    """The deadline counted from the session's first day, as on exam calendars: J-90, J, J+15."""
    days = (due_on - date_debut).days
    return "J" if days == 0 else f"J{days:+d}"


def countdown(due_on, today):
    """How far the deadline is from today, in words."""
    days = (due_on - today).days
    if days == 0:
        return "aujourd'hui"
    if days > 0:
        return "demain" if days == 1 else f"dans {days} jours"
    return "hier" if days == -1 else f"il y a {-days} jours"


@dataclass
class TaskGroup:
    """Tasks of one session due on one day for the same reason (the exam-day tables hold many)."""

    session: object
    due_on: dt.date
    label: str
    items: list

    @property
    def summary(self):
        """One line: the task itself, or the deadline and how many tasks share it."""
        if len(self.items) == 1:
            return self.items[0].text
        return f"{self.label} : {len(self.items)} tâches"


def group_tasks(items):
    """Tasks (with their session loaded) grouped by session, day and deadline, in their order."""
    groups = {}
    for item in items:
        key = (item.session.id, item.due_on, item.due_label)
        groups.setdefault(key, TaskGroup(item.session, item.due_on, item.due_label, [])).items.append(item)
    return list(groups.values())
