"""Progress is counted three ways (Python over loaded items, one query for many sessions, one SQL
statement per tableau after a tick): they must agree, whatever the states and deadlines."""
import datetime as dt
import random

import models
from domain import checklist
from domain.progress import SessionProgress, progress_by_session, progress_by_tableau
from helpers import TODAY, create_session


def test_the_three_progress_counters_agree(db):
    rng = random.Random(20270201)
    sessions = [create_session(), create_session(sigle="CDA", date_debut="2027-02-03", date_fin="2027-02-05")]
    user = models.User.get(models.User.email == "resp@a.fr")
    for session in sessions:
        for item in session.ordered_items():
            choice = 1 if item.heading else rng.random()  # a heading is never ticked
            if choice < 0.3 and item.conditional:  # « en cas de… »: done with its report
                models.ChecklistItem.update(observation="Survenu : rapport joint.").where(
                    models.ChecklistItem.id == item.id).execute()
            if choice < 0.3:
                checklist.mark_done(item.id, user, TODAY - dt.timedelta(days=rng.randint(0, 30)), TODAY)
            elif choice < 0.4:
                checklist.mark_na(item.id, user, "Sans candidat VAE")
            if rng.random() < 0.2:  # deadlines on both sides of today, some on today itself
                due_on = TODAY + dt.timedelta(days=rng.randint(-3, 3))
                models.ChecklistItem.update(due_on=due_on).where(models.ChecklistItem.id == item.id).execute()

    by_session = progress_by_session([s.id for s in sessions], TODAY)
    for session in sessions:
        items = session.ordered_items()
        in_python = SessionProgress.of(items, TODAY)
        by_tableau = progress_by_tableau(session.id, TODAY)
        assert SessionProgress.total(by_tableau.values()) == in_python == by_session[session.id]
        assert in_python.all.treated > 0 and in_python.late > 0
        assert in_python.all.total == 98  # 99 rows of the guide, one of them a heading
        for number, progress in by_tableau.items():
            tableau_items = [i for i in items if i.tableau_number == number]
            assert SessionProgress.of(tableau_items, TODAY) == progress
