"""Deadlines of the guide, computed from a session's dates, and the status of a task against them.

A rule comes from the guide file, e.g. {"from": "debut", "months": -3}: three calendar months
before the session's first day. "fin" counts from its last day, "annee" names a fixed day of the
session's year ({"from": "annee", "month": 1, "day": 31}).
"""
import calendar
import datetime as dt
from dataclasses import dataclass

BASES = ("debut", "fin", "annee")
SOON_DAYS = 7

STATUS_LABELS = {
    "en_retard": "En retard",
    "sous_7_jours": "À faire sous 7 jours",
    "a_faire": "À faire",
    "fait": "Fait",
    "fait_en_retard": "Fait en retard",
    "sans_objet": "Sans objet",
}


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


def status(state, done_on, due_on, today):
    """The status of a task against its deadline, one of STATUS_LABELS."""
    if state == "na":
        return "sans_objet"
    if state == "done":
        return "fait_en_retard" if due_on and done_on > due_on else "fait"
    if due_on is None or due_on > today + dt.timedelta(days=SOON_DAYS):
        return "a_faire"
    return "en_retard" if due_on < today else "sous_7_jours"


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


# --- The session's timeline -----------------------------------------------------------------------

# The order in which a group of tasks sharing a date takes its status: the most urgent wins.
_GROUP_ORDER = ("en_retard", "sous_7_jours", "a_faire", "fait_en_retard", "fait", "sans_objet")
SHAPES = {"en_retard": "triangle", "sous_7_jours": "diamond", "a_faire": "circle",
          "fait_en_retard": "square", "fait": "check", "sans_objet": "dash"}


@dataclass
class Mark:
    date: dt.date
    j: str
    labels: list
    status: str
    first_item_id: int
    count: int
    x: float = 0
    above: bool = True
    row: int = 0

    @property
    def shape(self):
        return SHAPES[self.status]

    @property
    def status_label(self):
        return STATUS_LABELS[self.status]

    @property
    def title(self):
        extra = f" (+{len(self.labels) - 1})" if len(self.labels) > 1 else ""
        return self.labels[0] + extra


@dataclass
class Timeline:
    marks: list
    start: dt.date
    end: dt.date
    today_x: float | None
    width: int
    height: int
    axis_y: int


def timeline(items, date_debut, today, width=1000, margin=70, label_chars=30):
    """The session's deadlines on a strip from the first to the last, one mark per date.

    Positions are computed here so that the template only draws. Labels alternate above and
    below the strip, and go one row further out when they would run into their neighbour.
    """
    groups = {}
    for item in items:
        if item.due_on is None:
            continue
        groups.setdefault(item.due_on, []).append(item)
    if not groups:
        return None
    start, end = min(groups), max(groups)
    span = max((end - start).days, 1)
    marks = []
    for date in sorted(groups):
        group = groups[date]
        statuses = {item.status(today) for item in group}
        labels = list(dict.fromkeys(item.due_label for item in group))
        marks.append(Mark(
            date=date, j=j_label(date, date_debut), labels=labels,
            status=next(s for s in _GROUP_ORDER if s in statuses), first_item_id=group[0].id,
            count=len(group), x=margin + (width - 2 * margin) * (date - start).days / span,
        ))
    last_x = {True: [], False: []}
    char_width = 6.2
    for index, mark in enumerate(marks):
        mark.above = index % 2 == 0
        rows = last_x[mark.above]
        mark.row = next((r for r, x in enumerate(rows) if mark.x - x > label_chars * char_width), len(rows))
        if mark.row == len(rows):
            rows.append(mark.x)
        rows[mark.row] = mark.x
    row_count = max(len(last_x[True]), len(last_x[False]), 1)
    axis_y = 30 + 34 * row_count
    today_x = None
    if start <= today <= end:
        today_x = margin + (width - 2 * margin) * (today - start).days / span
    return Timeline(marks, start, end, today_x, width, 2 * axis_y, axis_y)
