"""Every password check, throttled where every worker sees it: the database; and the logins it opens,
one per device, each ended alone.

A wrong password is recorded (account, address, time) in the same transaction that counted the
recent failures, and that transaction holds a lock per account and per address (SQLite: its write
lock, taken at BEGIN; PostgreSQL: advisory locks), so parallel guesses are counted one after the
other, whichever gunicorn worker answers. The limits apply to the login form and to every other
place that asks for a password (changing one's own password).
"""
import datetime as dt
import hashlib
import secrets

from peewee import JOIN, fn

from database import retry_on_conflict
from domain import DomainError
from models import Centre, Connexion, LoginFailure, User, db, now
from statements import Statement, param

# Flask-Login's user of a request, with the user's centre (every page's header names it; None for an
# administrator of no centre), found only through an open login of theirs (`connexion`, `seen`).
# (The login's columns as expressions, not fields: Peewee sets them on the user, as the compiled row does.)
USER = Statement("user", lambda: User.select(
    User, Centre, fn.COALESCE(Connexion.id, 0).alias("connexion"),
    fn.COALESCE(Connexion.vue_le, Connexion.ouverte_le).alias("seen"))
    .join(Centre, JOIN.LEFT_OUTER).switch(User).join(Connexion, on=(Connexion.user == User.id))
    .where((User.id == param("id", User.id)) & (Connexion.token_hash == param("token"))
           & Connexion.fermee_le.is_null()).limit(1))

# A login's last request is written at most this often (not on every request: a tick stays one write).
SEEN_EVERY = dt.timedelta(minutes=5)


def _digest(token):
    return hashlib.sha256(token.encode()).hexdigest()


def open_login(user, appareil, adresse):
    """A new login of `user` on a device: its token (the login cookie carries it) set on the user."""
    token = secrets.token_urlsafe(24)
    at = now()
    Connexion.create(user=user, token_hash=_digest(token), ouverte_le=at, vue_le=at, appareil=(appareil or "")[:200],
                     adresse=(adresse or "")[:64])
    user.login_token = token
    return token


def user_of_login(user_id, nonce, token):
    """The active user of an open login (its cookie's user id, nonce and token), or None; the login's
    last request noted when the one noted is older than SEEN_EVERY."""
    user = USER.first(id=user_id, token=_digest(token))
    if user is None or not user.active or user.login_nonce != nonce:
        return None
    user.login_token = token
    at = now()
    if user.seen is None or at - user.seen > SEEN_EVERY:
        Connexion.update(vue_le=at).where(Connexion.id == user.connexion).execute()
    return user


def close_login(user, connexion_id=None):
    """End one login of the user (their current one by default); the others stay open."""
    query = Connexion.user == user.id
    if connexion_id is None:
        query &= Connexion.token_hash == _digest(user.login_token)
    else:
        query &= Connexion.id == connexion_id
    return Connexion.update(fermee_le=now()).where(query & Connexion.fermee_le.is_null()).execute()


def close_other_logins(user):
    """End every login of the user but the current one."""
    return Connexion.update(fermee_le=now()).where(
        (Connexion.user == user.id) & Connexion.fermee_le.is_null()
        & (Connexion.token_hash != _digest(user.login_token))).execute()


def close_all_logins(user):
    """End every login of the user, on every device (a new password, a deactivation)."""
    return Connexion.update(fermee_le=now()).where(
        (Connexion.user == user.id) & Connexion.fermee_le.is_null()).execute()


def current_login(user):
    """The id of the user's login this instance stands for, or None."""
    return getattr(user, "connexion", None)


def open_logins(user):
    """The user's open logins, the most recently seen first."""
    return list(Connexion.select().where((Connexion.user == user.id) & Connexion.fermee_le.is_null())
                .order_by(Connexion.vue_le.desc(), Connexion.id.desc()))

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
