"""Deadlines computed from the session's dates, as the guide states them."""
import datetime as dt

import pytest

import models
from documents.timeline import timeline
from domain import deadlines, guides, sessions
from domain.deadlines import add_months, apply_rule, status
from domain.vocabulary import REMINDER_WINDOW_DAYS, STAGE_LABELS
from guide import read_guide
from helpers import HEADER, HTMX, TODAY, create_session, reload, text_of

D = dt.date


@pytest.mark.parametrize("start, months, expected", [
    (D(2027, 5, 31), -3, D(2027, 2, 28)),
    (D(2028, 5, 31), -3, D(2028, 2, 29)),
    (D(2027, 3, 31), -1, D(2027, 2, 28)),
    (D(2027, 3, 15), -3, D(2026, 12, 15)),
    (D(2027, 1, 31), -1, D(2026, 12, 31)),
    (D(2027, 12, 31), 2, D(2028, 2, 29)),
    (D(2026, 10, 18), 60, D(2031, 10, 18)),
    (D(2028, 2, 29), 12, D(2029, 2, 28)),
])
def test_calendar_months_stay_within_the_month(start, months, expected):
    assert add_months(start, months) == expected


def rules_by_text():
    return {task["text"]: task.get("due", phase.get("due")) for phase in read_guide()["phases"] for task in phase["tasks"]}


def test_each_rule_matches_the_words_of_the_guide():
    rules = rules_by_text()
    three_months = [text for text, rule in rules.items() if rule and rule.get("months") == -3]
    assert len(three_months) == 4
    assert all("3 mois" in text for text in three_months)
    assert all("3 mois avant" not in text or rules[text] for text in rules)
    programmer = next(r for t, r in rules.items() if t.startswith("Programmer et communiquer"))
    assert programmer == {"from": "annee", "month": 1, "day": 31, "label": "Programmation annuelle des sessions"}
    convoquer = next(r for t, r in rules.items() if t.startswith("Convoquer les candidats"))
    assert (convoquer["from"], convoquer["months"]) == ("debut", -1)
    pli = next(r for t, r in rules.items() if "non réception du pli 4 semaines" in t)
    assert (pli["from"], pli["days"]) == ("debut", -28)
    pv = next(r for t, r in rules.items() if t.startswith("Adresser l'original du PV"))
    assert (pv["from"], pv["days"]) == ("fin", 15)
    phases = read_guide()["phases"]
    assert all(rules[t["text"]]["from"] == "debut" for t in phases[4]["tasks"])
    assert all(rules[t["text"]]["from"] == "fin" for t in phases[5]["tasks"])
    dated = {t for t, r in rules.items() if r}
    assert len(dated) == 8 + len(phases[4]["tasks"]) + len(phases[5]["tasks"])


def test_a_session_gets_its_due_dates(db):
    session = create_session(date_debut="2027-05-31", date_fin="2027-06-03")
    items = session.ordered_items()
    by_start = lambda start: next(i for i in items if i.text.startswith(start)).due_on  # noqa: E731
    assert by_start("Programmer et communiquer") == D(2027, 1, 31)
    assert by_start("Créer la session dans CERES") == D(2027, 2, 28)
    assert by_start("Convoquer les candidats") == D(2027, 4, 30)
    assert by_start("Contacter le service des examens en cas de non réception") == D(2027, 5, 3)
    assert by_start("Ouvrir le pli d'examen") == D(2027, 6, 3)
    assert by_start("Accueillir les membres de jury") is None  # a heading: its ▶ tasks have the date
    assert by_start("Vérifier l'identité des membres de jury") == D(2027, 5, 31)
    assert by_start("Adresser l'original du PV") == D(2027, 6, 18)
    assert by_start("Contresigner le PV") is None
    assert by_start("Conserver les documents") is None
    assert sessions.retention_until(session, items) == D(2032, 6, 3)


@pytest.mark.parametrize("state, done_on, due_on, expected", [
    ("todo", None, None, "todo"),
    ("todo", None, TODAY - dt.timedelta(days=1), "late"),
    ("todo", None, TODAY, "soon"),
    ("todo", None, TODAY + dt.timedelta(days=7), "soon"),
    ("todo", None, TODAY + dt.timedelta(days=8), "todo"),
    ("done", TODAY, TODAY, "done"),
    ("done", TODAY, TODAY - dt.timedelta(days=1), "done_late"),
    ("done", TODAY, None, "done"),
    ("na", None, TODAY - dt.timedelta(days=30), "na"),
])
def test_status_on_both_sides_of_each_boundary(state, done_on, due_on, expected):
    assert status(state, done_on, due_on, TODAY) == expected


def test_the_row_shows_the_due_date_and_its_status(client, auth, db):
    # TODAY is 01/02/2027: a session on 20/04/2027 has its three-month tasks due on 20/01 (late).
    session = create_session(date_debut="2027-04-20", date_fin="2027-04-22")
    auth.login()
    page = text_of(client.get(f"/sessions/{session.id}"))
    assert "Échéance : 20/01/2027 (J-90) ⚠ En retard, il y a 12 jours" in page
    assert "Échéance : 20/03/2027 (J-31)" in page
    assert "Échéance : 07/05/2027 (J+17)" in page
    assert "5 tâches en retard" in page  # the four three-month tasks and the programme due 31/01
    assert "Conservation des documents de la session jusqu'au 22/04/2032" in page
    item = next(i for i in session.ordered_items() if i.text.startswith("Créer la session dans CERES"))
    response = client.post(f"/items/{item.id}/done", data={"done_on": "2027-01-25"}, headers=HTMX)
    assert "Fait en retard" in text_of(response)
    assert "4 tâches en retard" in text_of(response)


def test_editing_the_dates_recomputes_the_deadlines_at_once(client, auth, session):
    auth.login()
    item = next(i for i in session.ordered_items() if i.text.startswith("Convoquer les candidats"))
    assert item.due_on == D(2027, 2, 15)
    client.post(f"/sessions/{session.id}", data={**HEADER, "date_debut": "2027-05-31", "date_fin": "2027-06-02"})
    assert reload(item).due_on == D(2027, 4, 30)
    pv = next(i for i in session.ordered_items() if i.text.startswith("Adresser l'original du PV"))
    assert reload(pv).due_on == D(2027, 6, 17)


def test_a_session_keeps_the_rules_of_its_guide_version(db, tmp_path):
    from guide import CURRENT_GUIDE

    old = create_session()
    text = CURRENT_GUIDE.read_text(encoding="utf-8").replace('version = "1"', 'version = "2"', 1)
    text = text.replace('due = { from = "debut", months = -1, label = "Convocation des candidats" }',
                        'due = { from = "debut", days = -45, label = "Convocation des candidats" }')
    path = tmp_path / "v2.toml"
    path.write_text(text, encoding="utf-8")
    guides.import_guide(read_guide(path))
    new = create_session()
    convoquer = lambda s: next(i for i in s.ordered_items() if i.text.startswith("Convoquer les candidats"))  # noqa: E731
    assert convoquer(new).due_on == D(2027, 1, 29)
    sessions.update_session(old, "Lyon Gerland", {"date_debut": D(2027, 3, 22), "date_fin": D(2027, 3, 25)}, None)
    assert convoquer(old).due_on == D(2027, 2, 22)


def test_the_json_export_has_due_dates_and_statuses(client, auth, session):
    auth.login()
    items = [i for p in client.get(f"/sessions/{session.id}.json").get_json()["phases"] for i in p["items"]]
    convoquer = next(i for i in items if i["text"].startswith("Convoquer les candidats"))
    assert (convoquer["due_on"], convoquer["status"]) == ("2027-02-15", "a_faire")
    ceres = next(i for i in items if i["text"].startswith("Créer la session dans CERES"))
    assert (ceres["due_on"], ceres["status"]) == ("2026-12-15", "en_retard")
    assert next(i for i in items if i["text"].startswith("Contresigner"))["due_on"] is None


def test_the_timeline_marks_each_deadline_with_shape_and_words(client, auth, session):
    auth.login()
    ceres = next(i for i in session.ordered_items() if i.text.startswith("Créer la session dans CERES"))
    client.post(f"/items/{ceres.id}/done", data={"done_on": "2026-12-10"})
    html = client.get(f"/sessions/{session.id}").get_data(as_text=True)
    timeline = html[html.index('<section class="timeline"'):html.index("</section>", html.index('<section class="timeline"'))]
    # 31/01, 15/12 (three-month tasks), 15/02 (convocation), 15/02 (pli: 28 days), 15/03, 18/03, 02/04
    assert timeline.count('class="mark mark--') == 6
    assert 'class="today"' in timeline and "Aujourd'hui" in timeline
    assert "15/12/2026 (J-90)" in timeline and "02/04/2027 (J+18)" in timeline
    assert "<polygon" in timeline  # a late mark is a triangle with "!"
    assert "En retard" in timeline


def test_timeline_groups_deadlines_of_the_same_day():
    items = []
    for n, (due, label, state) in enumerate([(D(2027, 1, 10), "A", "done"), (D(2027, 1, 10), "B", "todo"),
                                               (D(2027, 3, 1), "C", "todo")]):
        item = models.ChecklistItem(id=n + 1, state=state, done_on=D(2027, 1, 9) if state == "done" else None,
                                    due_on=due, due_rule={"from": "debut", "label": label})
        items.append(item)
    line = timeline(items, D(2027, 3, 1), TODAY)
    assert [(m.date, m.labels, m.status, m.count) for m in line.marks] == [
        (D(2027, 1, 10), ["A", "B"], "late", 2), (D(2027, 3, 1), ["C"], "todo", 1)]
    assert line.marks[0].x < line.today_x < line.marks[1].x
    assert apply_rule(None, TODAY, TODAY) is None


# --- The Python and database forms of « late », « coming » and the stage agree ---------------------

BOUNDARIES = [TODAY + dt.timedelta(days=d) for d in (-400, -1, 0, 1, REMINDER_WINDOW_DAYS, REMINDER_WINDOW_DAYS + 1, 14, 15)]


@pytest.mark.parametrize("state", ["todo", "done", "na"])
def test_late_and_coming_agree_in_python_and_in_the_database_on_every_boundary(db, state):
    session = create_session()
    items = session.ordered_items()[:len(BOUNDARIES) + 1]
    for item, due_on in zip(items, [*BOUNDARIES, None], strict=True):
        models.ChecklistItem.update(due_on=due_on, state=state, done_on=TODAY if state == "done" else None).where(
            models.ChecklistItem.id == item.id).execute()
    ids = [item.id for item in items]
    rows = list(models.ChecklistItem.select().where(models.ChecklistItem.id.in_(ids)))
    for window in (None, REMINDER_WINDOW_DAYS, 14):
        in_python = {i.id for i in rows if deadlines.is_coming(i.state, i.due_on, TODAY, window)}
        in_database = {i.id for i in models.ChecklistItem.select().where(
            models.ChecklistItem.id.in_(ids) & deadlines.coming_condition(TODAY, window))}
        assert in_python == in_database, window
    late_python = {i.id for i in rows if deadlines.is_late(i.state, i.due_on, TODAY)}
    late_database = {i.id for i in models.ChecklistItem.select().where(
        models.ChecklistItem.id.in_(ids) & deadlines.late_condition(TODAY))}
    assert late_python == late_database
    assert len(late_python) == (2 if state == "todo" else 0)


@pytest.mark.parametrize("offset", [-5, -4, -3, -1, 0, 1, 2, 3])
@pytest.mark.parametrize("archived", [False, True])
def test_the_stage_agrees_in_python_and_in_the_database_on_every_boundary(db, offset, archived):
    # A session from TODAY + offset to TODAY + offset + 3: before, on its first day, during, on its last, after.
    start = TODAY + dt.timedelta(days=offset)
    session = create_session(date_debut=start.isoformat(), date_fin=(start + dt.timedelta(days=3)).isoformat())
    if archived:
        sessions.set_archived(session, True, None)
    session = models.ExamSession.get_by_id(session.id)
    in_database = [code for code in STAGE_LABELS if models.ExamSession.select().where(
        (models.ExamSession.id == session.id) & deadlines.stage_condition(code, TODAY)).exists()]
    assert in_database == [deadlines.stage(session, TODAY)]
    in_play = models.ExamSession.select().where(
        (models.ExamSession.id == session.id) & deadlines.in_play_condition(TODAY)).exists()
    assert in_play == (deadlines.stage(session, TODAY) in ("preparing", "running"))
