"""Who may see and change what: the one place for these rules, asked the same way by routes and
templates (each `can_…` below is a template global of the same name).

An administrator sees and changes every centre; a network's coordinator sees every centre and
changes none of them (their own account only); a responsable sees and changes their centre's sessions
and jurors; a lecteur sees them only. A user never learns of another centre's sessions or
jurors (404). A closed session is changed by nobody (409) until an administrator reopens it.

The `require_…` functions raise this module's errors, which the app answers in one place
(routes/errors.py): Unknown 404, Forbidden 403, Closed 409.
"""
from models import ExamSession


class Unknown(Exception):
    """Nothing the user may see by this address: another centre's, or none (404)."""


class Forbidden(Exception):
    """The user sees it but their account may not make this change (403)."""


class Closed(Exception):
    """A change to a closed session (409, « Session clôturée le … »); `session` as it was read closed,
    when it was (the change's transaction that read it is rolled back)."""

    def __init__(self, session_id, session=None):
        super().__init__(f"session {session_id} is closed")
        self.session_id = session_id
        self.session = session


def administers(user):
    """Every centre, the accounts, the guide versions."""
    return user.is_admin


def sees_every_centre(user):
    """Administrators and the network's coordinators see every centre (lists then name each row's)."""
    return administers(user) or user.is_coordinator


def visible_to(query, user, centre=ExamSession.centre):
    """The query narrowed to what the user may see: rows whose `centre` field (a session's by
    default; a juror's for the directory) is the user's centre, or every row for those who see every
    centre."""
    return query if sees_every_centre(user) else query.where(centre == user.centre_id)


def can_see_centre(user, centre_id):
    return sees_every_centre(user) or centre_id == user.centre_id


def can_see_juror(user, jure, shared):
    """A juror's record: their centre's users, the administrators and coordinators, and every centre's while
    the juror is active in a directory the installation's centres share (JURES_PARTAGES)."""
    return can_see_centre(user, jure.centre_id) or (shared and jure.active)


def can_see_network(user):
    """The network's view (/reseau): its coordinators and the administrators."""
    return sees_every_centre(user)


def can_edit_centre(user, centre_id):
    """Change a centre's sessions and directory of jurors: its responsables, and the administrators."""
    return administers(user) or (user.role == "responsable" and centre_id == user.centre_id)


def can_see(user, session):
    return can_see_centre(user, session.centre_id)


def refusal(user, session, after_closing=False):
    """Why the user may not change the session: "forbidden" (their account), "closed" (it is), or
    None when they may. `after_closing`: one of the changes the guide's last tasks make for months
    after the exam (the PV's later steps, the insertion follow-up, the attestations and the posted
    results): a closed session takes it, unless it was purged."""
    if not can_edit_centre(user, session.centre_id):
        return "forbidden"
    if session.closed_at is not None and not (after_closing and session.purged_at is None):
        return "closed"
    return None


def can_edit(user, session):
    """A change to the session: its centre's responsable or an admin, while it is not closed."""
    return refusal(user, session) is None


def can_create_sessions(user):
    return administers(user) or (user.role == "responsable" and user.centre_id is not None)


def can_choose_centre(user):
    """A new session or juror is for a centre chosen in the form (administrators), else the user's own."""
    return administers(user)


def can_edit_directory(user, centre_id=None):
    """Add jurors to a centre's directory (the user's own by default) and change them."""
    return administers(user) or can_edit_centre(user, user.centre_id if centre_id is None else centre_id)


def can_archive(user, session):
    """Archive a session or bring it back: filing, not a change to what it records, so a closed
    session may be archived too."""
    return can_edit_centre(user, session.centre_id)


def can_reopen(user, session):
    """Reopen a closed session (with a reason, journalled)."""
    return administers(user) and can_see(user, session)


def can_extend_retention(user, session):
    """Hold a session past its five years of retention (« conservation prolongée »), or lift the hold."""
    return administers(user) and can_see(user, session)


def require_visible(user, session):
    """The session, if the user may see it; Unknown otherwise (None included)."""
    if session is None or not can_see(user, session):
        raise Unknown()
    return session


def require_editable(user, session, after_closing=False):
    """The session, if the user may change it: Unknown, Forbidden or Closed otherwise. Every change to a
    session, its tasks or its register comes through here, in the change's transaction where it has one.
    `after_closing` as for `refusal`."""
    reason = refusal(user, require_visible(user, session), after_closing)
    if reason == "forbidden":
        raise Forbidden()
    if reason == "closed":
        raise Closed(session.id, session)
    return session


def require_centre(user, centre_id, edit=False):
    """A centre's own row (a juror): Unknown unless the user sees the centre, Forbidden unless they may
    change it when `edit`."""
    if not can_see_centre(user, centre_id):
        raise Unknown()
    if edit and not can_edit_centre(user, centre_id):
        raise Forbidden()


# The rights templates ask, by name.
TEMPLATE_RIGHTS = (administers, sees_every_centre, can_create_sessions, can_choose_centre, can_edit_directory,
                   can_archive, can_reopen, can_extend_retention, can_see_network, can_see_centre)
