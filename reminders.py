"""Daily e-mail digests: each responsable gets the late tasks of their centre's sessions and those
due in the next 7 days. Run by `flask --app app send-reminders` from cron."""
import datetime as dt
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage

from flask import current_app, render_template, url_for

from deadlines import SOON_DAYS, group_tasks
from models import ChecklistItem, ExamSession, User


@dataclass
class Digest:
    user: User
    late: list
    soon: list

    @property
    def subject(self):
        late, soon = sum(len(g.items) for g in self.late), sum(len(g.items) for g in self.soon)
        parts = []
        if late:
            parts.append(f"{late} {'tâche' if late == 1 else 'tâches'} en retard")
        if soon:
            parts.append(f"{soon} à faire sous {SOON_DAYS} jours")
        return "Jalon : " + ", ".join(parts)


def digests(today):
    """One digest per active responsable whose centre has late or coming tasks."""
    responsables = list(User.select().where((User.role == "responsable") & (User.active == True)  # noqa: E712
                                            & User.centre.is_null(False)).order_by(User.id))
    centre_ids = {u.centre_id for u in responsables}
    items = list(
        ChecklistItem.select(ChecklistItem, ExamSession).join(ExamSession)
        .where(ExamSession.centre.in_(centre_ids) & (ExamSession.archived == False)  # noqa: E712
               & (ChecklistItem.state == "todo")
               & (ChecklistItem.due_on <= today + dt.timedelta(days=SOON_DAYS)))
        .order_by(ChecklistItem.due_on, ExamSession.date_debut, ChecklistItem.position)
    )
    result = []
    for user in responsables:
        mine = [i for i in items if i.session.centre_id == user.centre_id]
        late = group_tasks([i for i in mine if i.due_on < today])
        soon = group_tasks([i for i in mine if i.due_on >= today])
        if late or soon:
            result.append(Digest(user, late, soon))
    return result


def message(digest, today):
    """The e-mail of a digest; call inside a request context whose base URL is the app's public address."""
    config = current_app.config
    msg = EmailMessage()
    msg["Subject"] = digest.subject
    msg["From"] = config["MAIL_FROM"]
    msg["To"] = digest.user.email
    link = lambda group: url_for(  # noqa: E731
        "sessions.show", session_id=group.session.id, _anchor=f"item-{group.items[0].id}", _external=True)
    msg.set_content(render_template("reminders/digest.txt", digest=digest, today=today, link=link))
    return msg


def send(messages):
    """Send through the SMTP server of the settings (SMTP_HOST, SMTP_PORT, SMTP_STARTTLS, SMTP_USER...)."""
    config = current_app.config
    with smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=30) as smtp:
        if config["SMTP_STARTTLS"]:
            smtp.starttls()
        if config["SMTP_USER"]:
            smtp.login(config["SMTP_USER"], config["SMTP_PASSWORD"])
        for msg in messages:
            smtp.send_message(msg)
