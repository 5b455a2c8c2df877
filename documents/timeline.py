"""The session's deadlines on a strip, laid out here so that the template only draws.

`marks()` groups a session's dated tasks by day; `layout()` is a pure function of the marks' dates
and today's: it places each label (its date and what is due) above or below the strip, in the
first row where it overlaps no other label and does not cross the today line, so that crowded
deadlines (the weeks before a session) stay readable.
"""
import datetime as dt
from dataclasses import dataclass, field

from domain.deadlines import j_label, status
from domain.vocabulary import STATUSES, STATUS_LABELS

SHAPES = {"late": "triangle", "soon": "diamond", "todo": "circle", "done_late": "square", "done": "check",
          "na": "dash"}
TITLE_CHARS = 32        # a label's second line is cut there, with "…"
CHAR_WIDTH = 7.2        # an upper bound of a character's width at the labels' font size (12 px, bold)
ROW_HEIGHT = 34         # two lines of label and the space between rows
GAP = 8                 # the least space between two labels, or a label and the today line
TOP = 30                # above the first row
TODAY_BAND = 22         # the today label's own band, under every row


@dataclass
class Box:
    left: float
    right: float
    top: float
    bottom: float

    def overlaps(self, other):
        return (self.left < other.right + GAP and other.left < self.right + GAP
                and self.top < other.bottom and other.top < self.bottom)

    def crosses(self, x):
        return self.left - GAP < x < self.right + GAP


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
    anchor: str = "middle"
    label_x: float = 0
    label_y: float = 0
    leader_end: float = 0
    box: Box | None = None

    @property
    def shape(self):
        return SHAPES[self.status]

    @property
    def status_label(self):
        return STATUS_LABELS[self.status]

    @property
    def date_text(self):
        return f"{self.date:%d/%m/%Y} · {self.j}"

    @property
    def title(self):
        extra = f" (+{len(self.labels) - 1})" if len(self.labels) > 1 else ""
        title = self.labels[0] + extra
        return title if len(title) <= TITLE_CHARS else title[:TITLE_CHARS - 1] + "…"


@dataclass
class Timeline:
    marks: list
    start: dt.date
    end: dt.date
    width: int
    height: int
    axis_y: float
    today_x: float | None = None
    today_label_x: float = 0
    today_label_anchor: str = "start"
    today_label_y: float = 0
    today_segments: list = field(default_factory=list)


def marks(items, date_debut, today):
    """One mark per date that has tasks: their deadline labels and the most urgent status."""
    groups = {}
    for item in items:
        if item.due_on is not None:
            groups.setdefault(item.due_on, []).append(item)
    result = []
    for date in sorted(groups):
        group = groups[date]
        statuses = {status(item.state, item.done_on, item.due_on, today) for item in group}
        result.append(Mark(
            date=date, j=j_label(date, date_debut), labels=list(dict.fromkeys(item.due_label for item in group)),
            status=next(s for s in STATUSES if s in statuses), first_item_id=group[0].id, count=len(group),
        ))
    return result


def timeline(items, date_debut, today, width=1000):
    """The session's timeline, or None when no task has a deadline."""
    found = marks(items, date_debut, today)
    return layout(found, today, width) if found else None


def _candidates(x, text_width, width):
    """(anchor, text x, left, right) for each way to hang a label on x that stays on the strip."""
    options = (("middle", x, x - text_width / 2, x + text_width / 2),
               ("start", x + GAP, x + GAP, x + GAP + text_width),
               ("end", x - GAP, x - GAP - text_width, x - GAP))
    return [option for option in options if option[2] >= 0 and option[3] <= width]


def layout(marks, today, width=1000, margin=70):
    """Place the marks on the strip and their labels in rows; returns the Timeline.

    Every label lies inside the strip, overlaps no other label and keeps clear of the today line."""
    start, end = marks[0].date, marks[-1].date
    span = max((end - start).days, 1)

    def x_of(date):
        return margin + (width - 2 * margin) * (date - start).days / span

    today_x = x_of(today) if start <= today <= end else None
    rows = {True: [], False: []}  # placed boxes per side, per row (offsets from the axis)
    for index, mark in enumerate(marks):
        mark.x = x_of(mark.date)
        text_width = max(len(mark.date_text), len(mark.title)) * CHAR_WIDTH
        options = [o for o in _candidates(mark.x, text_width, width) if today_x is None
                   or not Box(o[2], o[3], 0, 0).crosses(today_x)] or _candidates(mark.x, text_width, width)
        sides = (index % 2 == 0, index % 2 != 0)
        row = 0
        while True:
            placed = False
            for above in sides:
                # Vertical offsets from the axis: the date line's baseline, and the box around both lines.
                baseline = -(TOP + ROW_HEIGHT * row) if above else 26 + ROW_HEIGHT * row
                for anchor, text_x, left, right in options:
                    box = Box(left, right, baseline - 11, baseline + 17)
                    band = rows[above][row] if row < len(rows[above]) else []
                    if any(box.overlaps(other) for other in band):
                        continue
                    if row == len(rows[above]):
                        rows[above].append([])
                    rows[above][row].append(box)
                    mark.above, mark.row, mark.anchor, mark.label_x = above, row, anchor, text_x
                    mark.label_y = baseline
                    mark.box = box
                    placed = True
                    break
                if placed:
                    break
            if placed:
                break
            row += 1

    axis_y = TOP + 4 + ROW_HEIGHT * max(len(rows[True]), 1)
    below = 26 + ROW_HEIGHT * max(len(rows[False]), 1)
    height = int(axis_y + below + TODAY_BAND)
    for mark in marks:  # offsets from the axis become coordinates
        mark.label_y += axis_y
        mark.box = Box(mark.box.left, mark.box.right, mark.box.top + axis_y, mark.box.bottom + axis_y)
        mark.leader_end = mark.label_y + 10 if mark.above else mark.label_y - 14
    result = Timeline(marks, start, end, width, height, axis_y, today_x)
    if today_x is not None:
        result.today_segments = _today_segments(today_x, [m.box for m in marks], height)
        # The today label has the bottom band to itself: no deadline label reaches it.
        result.today_label_y = height - 8
        fits_right = today_x + 4 + len("Aujourd'hui") * CHAR_WIDTH <= width
        result.today_label_x = today_x + 4 if fits_right else today_x - 4
        result.today_label_anchor = "start" if fits_right else "end"
    return result


def _today_segments(today_x, boxes, height):
    """The today line from top to bottom, interrupted where a label had no other place than across
    it (a label at the very start of the strip, today just after it)."""
    segments, y = [], 6.0
    for box in sorted((b for b in boxes if b.crosses(today_x)), key=lambda b: b.top):
        if box.top - 2 > y:
            segments.append((y, box.top - 2))
        y = max(y, box.bottom + 2)
    if height - 6 > y:
        segments.append((y, height - 6.0))
    return segments
