"""Daily digests: each responsable gets the late tasks of their centre's sessions, those due
within the reminder window, and the sessions in play whose register fails a check. Sent by `flask --app app send-reminders` (documents/email.py writes them)."""
from dataclasses import dataclass

from domain import deadlines, insertion, results
from domain.dashboard import failing_checks
from domain.vocabulary import REMINDER_WINDOW_DAYS, plural
from models import ChecklistItem, ExamSession, User


@dataclass
class Digest:
    user: User
    late: list
    soon: list
    failing: list  # [(session, [failed checks])]
    insertion_due: int = 0  # candidates' insertion follow-ups due (or late) in their centre
    partials: int = 0  # candidates with a partial result of the last SUIVI_PARTIELS_MOIS, not registered again
    network: bool = False  # a coordinator's digest: the network's failing checks, each session with its centre

    @property
    def subject(self):
        late, soon = sum(len(g.items) for g in self.late), sum(len(g.items) for g in self.soon)
        failed = sum(len(checks) for _, checks in self.failing)
        parts = []
        if late:
            parts.append(f"{plural(late, 'tâche')} en retard")
        if soon:
            parts.append(f"{soon} à faire sous {REMINDER_WINDOW_DAYS} jours")
        if failed:
            parts.append(plural(failed, 'contrôle non respecté', 'contrôles non respectés'))
        if self.insertion_due:
            parts.append(plural(self.insertion_due, "suivi d'insertion à faire", "suivis d'insertion à faire"))
        if self.partials:
            parts.append(plural(self.partials, "validation partielle à suivre", "validations partielles à suivre"))
        return ("Jalon, réseau : " if self.network else "Jalon : ") + ", ".join(parts)


def digests(today, insertion_months=6, partial_months=12):
    """One digest per active responsable whose centre has late or coming tasks, failing checks, insertion
    follow-ups due (SUIVI_INSERTION_MOIS after the session) or candidates with a partial result of the
    last SUIVI_PARTIELS_MOIS months not registered to a later session."""
    responsables = list(User.select().where((User.role == "responsable") & (User.active == True)  # noqa: E712
                                            & User.centre.is_null(False)).order_by(User.id))
    centre_ids = {u.centre_id for u in responsables}
    items = list(
        ChecklistItem.select(ChecklistItem, ExamSession).join(ExamSession)
        .where(ExamSession.centre.in_(centre_ids) & deadlines.worked_on_condition()
               & (deadlines.late_condition(today) | deadlines.coming_condition(today, REMINDER_WINDOW_DAYS)))
        .order_by(ChecklistItem.due_on, ExamSession.date_debut, ChecklistItem.position)
    )
    failing = failing_checks(ExamSession.select().where(ExamSession.centre.in_(centre_ids)), today)
    due = [d for d in insertion.due_list(ExamSession.select().where(ExamSession.centre.in_(centre_ids)),
                                         insertion_months, today) if d.state != "a_venir"]
    centre_sessions = ExamSession.select().where(ExamSession.centre.in_(centre_ids))
    partials = [p for p in results.partials(centre_sessions, partial_months, today) if p.followed and not p.registered]
    result = []
    for user in responsables:
        mine = [i for i in items if i.session.centre_id == user.centre_id]
        late = deadlines.group_tasks([i for i in mine if deadlines.is_late(i.state, i.due_on, today)])
        soon = deadlines.group_tasks([i for i in mine if not deadlines.is_late(i.state, i.due_on, today)])
        checks = [(session, failed) for session, failed in failing if session.centre_id == user.centre_id]
        follow_ups = sum(1 for d in due if d.session.centre_id == user.centre_id)
        to_register = sum(1 for p in partials if p.session.centre_id == user.centre_id)
        if late or soon or checks or follow_ups or to_register:
            result.append(Digest(user, late, soon, checks, follow_ups, to_register))
    return result + coordinator_digests(today)


def coordinator_digests(today):
    """One digest per active coordinator: the checks failing across the network's centres (the sessions in
    play, and those over until their PV's copy is back), each session with its centre."""
    coordinators = list(User.select().where((User.role == "coordinateur") & (User.active == True))  # noqa: E712
                        .order_by(User.id))
    if not coordinators:
        return []
    failing = failing_checks(ExamSession.with_places(), today)
    return [Digest(user, [], [], failing, network=True) for user in coordinators] if failing else []
