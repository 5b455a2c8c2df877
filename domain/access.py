"""Who may see and change what: the one place for these rules.

An administrator sees and changes every centre; a responsable sees and changes their centre's
sessions and jurors; a lecteur sees them only. A user never learns of another centre's sessions or
jurors (404).
"""
from models import ExamSession


def visible_to(query, user, centre=ExamSession.centre):
    """The query narrowed to what the user may see: rows whose `centre` field (a session's by
    default; a juror's for the directory) is the user's centre, or every row for an administrator."""
    return query if user.is_admin else query.where(centre == user.centre_id)


def can_see_centre(user, centre_id):
    return user.is_admin or centre_id == user.centre_id


def can_edit_centre(user, centre_id):
    """Change a centre's sessions and directory of jurors: its responsables, and the administrators."""
    return user.is_admin or (user.role == "responsable" and centre_id == user.centre_id)


def can_see(user, session):
    return can_see_centre(user, session.centre_id)


def can_edit(user, session):
    """A change to the session: its centre's responsable or an admin, while it is not closed."""
    return can_edit_centre(user, session.centre_id) and session.closed_at is None


def can_create_sessions(user):
    return user.is_admin or (user.role == "responsable" and user.centre_id is not None)
