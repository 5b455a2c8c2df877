"""The timeline's layout: a pure function of dates; no two labels overlap, and none crosses the
today line, however crowded the deadlines."""
import datetime as dt
import random

import pytest

from documents.timeline import GAP, Mark, layout

D = dt.date
LABELS = ["Convocation des candidats", "Ouverture de la session", "Fin des épreuves", "PV original",
          "Réception du pli d'examen", "Programmation", "Jury"]


def marks_on(dates):
    return [Mark(date=d, j="J", labels=[LABELS[n % len(LABELS)]], status="todo", first_item_id=n, count=1)
            for n, d in enumerate(sorted(set(dates)))]


def assert_readable(line):
    boxes = [m.box for m in line.marks]
    for n, a in enumerate(boxes):
        assert 0 <= a.left and a.right <= line.width and 0 <= a.top and a.bottom <= line.height
        for b in boxes[n + 1:]:
            assert not a.overlaps(b), (a, b)
    if line.today_x is not None:
        for y1, y2 in line.today_segments:
            for box in boxes:
                crosses = box.left - GAP < line.today_x < box.right + GAP and y1 < box.bottom and box.top < y2
                assert not crosses, (box, y1, y2)
        assert line.today_label_y > max(b.bottom for b in boxes)


def test_a_session_two_weeks_away_keeps_its_crowded_labels_apart():
    today = D(2027, 3, 1)
    dates = [D(2027, 2, 14), D(2027, 3, 12), D(2027, 3, 15), D(2027, 3, 18), D(2027, 3, 19), D(2026, 12, 15),
             D(2027, 1, 31), D(2027, 4, 2)]
    line = layout(marks_on(dates), today)
    assert_readable(line)
    assert len({m.row for m in line.marks}) > 1  # crowded dates need more than one row


def test_sparse_deadlines_stay_on_the_first_row():
    line = layout(marks_on([D(2027, 1, 1), D(2027, 6, 1), D(2027, 12, 1)]), D(2027, 3, 1))
    assert_readable(line)
    assert {m.row for m in line.marks} == {0}


def test_a_label_never_crosses_the_today_line_even_at_the_start_of_the_strip():
    # Today just after the first deadline: its label cannot go left (the strip's edge).
    line = layout(marks_on([D(2027, 1, 1), D(2027, 1, 3), D(2027, 12, 31)]), D(2027, 1, 2))
    assert_readable(line)


@pytest.mark.parametrize("seed", range(30))
def test_random_crowds_of_deadlines_stay_readable(seed):
    rng = random.Random(seed)
    start = D(2027, 1, 1)
    dates = [start + dt.timedelta(days=rng.randint(0, rng.choice([10, 60, 400]))) for _ in range(rng.randint(1, 25))]
    today = start + dt.timedelta(days=rng.randint(-5, 80))
    assert_readable(layout(marks_on(dates), today))
