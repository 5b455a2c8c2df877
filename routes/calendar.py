"""Calendar feeds (iCalendar) of the deadlines, for a session or a whole centre.

Calendar programs cannot log in, so the URL carries the user's secret feed token; regenerating it
(on the account page) revokes the old URLs. A wrong token, or a session the user may not see,
answers 404.
"""
from flask import Blueprint, Response, abort

from documents.ical import calendar
from domain import access, deadlines
from models import ChecklistItem, ExamSession, User
from documents.links import group_link
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


def _feed(name, items):
    return Response(calendar(name, items, today(), group_link), mimetype="text/calendar",
                    headers={"Content-Disposition": 'inline; filename="jalon.ics"'})


@bp.get("/<token>/sessions/<int:session_id>.ics")
def session_feed(token, session_id):
    user = _feed_user(token)
    session = ExamSession.get_or_none(ExamSession.id == session_id)
    if session is None or not access.can_see(user, session):
        abort(404)
    return _feed(f"Jalon · {session.label}", _deadline_items([session.id]))


@bp.get("/<token>/centre.ics")
def centre_feed(token):
    user = _feed_user(token)
    sessions = access.visible_to(ExamSession.select(ExamSession.id).where(deadlines.worked_on_condition()), user)
    name = user.centre.name if user.centre else "tous les centres"
    return _feed(f"Jalon · {name}", _deadline_items(sessions))
