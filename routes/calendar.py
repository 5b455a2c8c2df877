"""Calendar feeds (iCalendar) of the deadlines, for a session or a whole centre.

Calendar programs cannot log in, so the URL carries the user's secret feed token; regenerating it
(on the account page) revokes the old URLs. A wrong token, or a session the user may not see,
answers 404.
"""
import datetime as dt
import hashlib

from flask import Blueprint, Response, abort, url_for
from icalendar import Calendar, Event

from deadlines import STATUS_LABELS, group_tasks
from models import ChecklistItem, ExamSession, User, fr_date, now
from routes import today

bp = Blueprint("calendar", __name__, url_prefix="/calendar")


def _feed_user(token):
    user = User.get_or_none((User.feed_token == token) & (User.active == True)) if token else None  # noqa: E712
    if user is None:
        abort(404)
    return user


def _deadline_items(sessions):
    """Tasks with a deadline of these sessions, with their session, in date order; sans objet left out."""
    return list(
        ChecklistItem.select(ChecklistItem, ExamSession).join(ExamSession)
        .where(ChecklistItem.session.in_(sessions) & ChecklistItem.due_on.is_null(False)
               & (ChecklistItem.state != "na"))
        .order_by(ChecklistItem.due_on, ExamSession.id, ChecklistItem.position)
    )


def _calendar(name, items):
    cal = Calendar()
    cal.add("prodid", "-//Jalon//Guide de préparation de la session//FR")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    stamp = now()
    for group in group_tasks(items):
        session, first = group.session, group.items[0]
        done = all(item.state == "done" for item in group.items)
        link = url_for("sessions.show", session_id=session.id, _anchor=f"item-{first.id}", _external=True)
        event = Event()
        key = f"{session.id}-{group.due_on.isoformat()}-{group.label}".encode()
        event.add("uid", f"{hashlib.sha1(key).hexdigest()}@jalon")
        event.add("dtstamp", stamp)
        event.add("dtstart", group.due_on)
        event.add("dtend", group.due_on + dt.timedelta(days=1))
        event.add("summary", f"{'✓ ' if done else ''}{session.sigle} : {group.summary}")
        lines = [f"Session {session.sigle} du {fr_date(session.date_debut)} au {fr_date(session.date_fin)}", ""]
        lines += [f"- {item.text} ({STATUS_LABELS[item.status(today())]})" for item in group.items]
        lines += ["", link]
        event.add("description", "\n".join(lines))
        event.add("url", link)
        cal.add_component(event)
    return Response(cal.to_ical(), mimetype="text/calendar",
                    headers={"Content-Disposition": 'inline; filename="jalon.ics"'})


@bp.get("/<token>/sessions/<int:session_id>.ics")
def session_feed(token, session_id):
    user = _feed_user(token)
    session = ExamSession.get_or_none(ExamSession.id == session_id)
    if session is None or not user.can_see(session):
        abort(404)
    return _calendar(f"Jalon · {session.label}", _deadline_items([session.id]))


@bp.get("/<token>/centre.ics")
def centre_feed(token):
    user = _feed_user(token)
    sessions = ExamSession.select(ExamSession.id).where(ExamSession.archived == False)  # noqa: E712
    if user.role != "admin":
        sessions = sessions.where(ExamSession.centre == user.centre)
    name = user.centre.name if user.centre else "tous les centres"
    return _calendar(f"Jalon · {name}", _deadline_items(sessions))
