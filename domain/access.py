"""Who may see and change what: the one place for these rules.

An administrator sees and changes every centre; a responsable sees and changes their centre's
sessions; a lecteur sees them only. A user never learns of another centre's sessions.
"""
from models import ExamSession


def visible_to(query, user):
    """The query (on ExamSession, or joined to it) narrowed to the sessions the user may see."""
    return query if user.is_admin else query.where(ExamSession.centre == user.centre_id)


def can_see(user, session):
    return user.is_admin or session.centre_id == user.centre_id


def can_edit(user, session):
    return user.is_admin or (user.role == "responsable" and session.centre_id == user.centre_id)


def can_create_sessions(user):
    return user.is_admin or (user.role == "responsable" and user.centre_id is not None)
