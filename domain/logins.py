"""Every password check, throttled where every worker sees it: the database.

A wrong password is recorded (account, address, time) in the same transaction that counted the
recent failures, and that transaction holds a lock per account and per address (SQLite: its write
lock, taken at BEGIN; PostgreSQL: advisory locks), so parallel guesses are counted one after the
other, whichever gunicorn worker answers. The limits apply to the login form and to every other
place that asks for a password (changing one's own password).
"""
import datetime as dt

from peewee import JOIN

from database import retry_on_conflict
from domain import DomainError
from models import Centre, LoginFailure, User, db, now
from statements import Statement, param

# Flask-Login's user of a request, with the user's centre (every page's header names it), None for an
# administrator of no centre.
USER = Statement("user", lambda: User.select(User, Centre).join(Centre, JOIN.LEFT_OUTER)
                 .where(User.id == param("id", User.id)).limit(1))


def user_by_id(user_id):
    """The user with this id and their centre (one compiled query), or None."""
    return USER.first(id=user_id)

# (failures, window): past any of these, the account or the address must wait.
ACCOUNT_LIMITS = ((5, dt.timedelta(minutes=1)), (30, dt.timedelta(hours=1)))
ADDRESS_LIMITS = ((20, dt.timedelta(minutes=1)), (200, dt.timedelta(days=1)))
KEPT = dt.timedelta(days=1)


class TooManyAttempts(DomainError):
    def __init__(self):
        super().__init__("Trop de tentatives avec un mot de passe incorrect : patientez quelques minutes avant de "
                         "réessayer.", "password")


def _lock(*keys):
    """Serialize the checks that share a key (PostgreSQL; SQLite's write transactions already are)."""
    if db.obj.for_update:
        for key in keys:  # always in this order: account, then address
            db.execute_sql(f"SELECT pg_advisory_xact_lock(hashtext({db.obj.param}))", (key,))


def _over_limit(condition, limits, at):
    oldest = at - max(window for _, window in limits)
    times = [t for (t,) in LoginFailure.select(LoginFailure.at).where(condition & (LoginFailure.at > oldest)).tuples()]
    return any(sum(t > at - window for t in times) >= count for count, window in limits)


@retry_on_conflict
def check_password(email, password, address, *, user=None):
    """The active user with this e-mail and password, or None; TooManyAttempts while throttled.

    `user` is given when the account is already known (the logged-in user changing a password)."""
    at = now()
    with db.atomic():
        _lock(f"login-account:{email}", f"login-address:{address}")
        if (_over_limit(LoginFailure.account == email, ACCOUNT_LIMITS, at)
                or _over_limit(LoginFailure.address == address, ADDRESS_LIMITS, at)):
            raise TooManyAttempts()
        if user is None:
            user = User.get_or_none(User.email == email) if email else None
        if user is not None and user.active and user.check_password(password):
            LoginFailure.delete().where(LoginFailure.account == email).execute()
            return user
        LoginFailure.create(account=email[:254], address=address[:64], at=at)
        LoginFailure.delete().where(LoginFailure.at < at - KEPT).execute()
    return None
