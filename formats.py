"""Dates and times as users read them, and the one clock: the form's dd/mm/yyyy, the long form of
letters and posters, and instants shown in the centre's time zone.

Instants are stored in UTC, naive (`utc_now`); they are shown, and « today » is computed, in JALON_TZ
(Europe/Paris by default), whatever the server's own time zone. A leaf module (no import of Jalon's):
the tables, the rules and the documents all write dates so.
"""
import datetime as dt
import os
from zoneinfo import ZoneInfo

ZONE = ZoneInfo(os.environ.get("JALON_TZ") or "Europe/Paris")


def set_zone(name):
    """The centre's time zone (the JALON_TZ setting), for display and « today »."""
    global ZONE
    ZONE = ZoneInfo(name)


def _utc_clock():
    return dt.datetime.now(dt.timezone.utc)


# The clock, replaced by tests that need a given instant (a night at 23:30 UTC, a change of hour).
clock = _utc_clock


def utc_now():
    """Now, in UTC, naive and to the second: how instants are stored."""
    return clock().astimezone(dt.timezone.utc).replace(tzinfo=None, microsecond=0)


def local(value):
    """A stored instant (naive UTC) as the centre's local time (naive), or None."""
    if value is None:
        return None
    return value.replace(tzinfo=dt.timezone.utc).astimezone(ZONE).replace(tzinfo=None)


def local_today():
    """Today's date in the centre's time zone (not the server's: at 23:30 UTC it is already tomorrow
    in Paris)."""
    return local(utc_now()).date()


def to_utc(value):
    """An instant read from outside (a tablet's time): aware, converted; naive, taken as the centre's
    local time. Returned naive UTC, to the second."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZONE)
    return value.astimezone(dt.timezone.utc).replace(tzinfo=None, microsecond=0)


def fr_datetime(value, pattern="%d/%m/%Y à %H:%M"):
    """A stored instant as the centre's local time, « 15/03/2027 à 08:30 » (or `pattern`)."""
    return local(value).strftime(pattern) if value else ""


def fr_date(value):
    """dd/mm/yyyy, the way dates are written on the form; a stored instant's date in local time."""
    if isinstance(value, dt.datetime):
        value = local(value)
    return value.strftime("%d/%m/%Y") if value else ""


_WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
_MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
           "novembre", "décembre")


def fr_long_date(value):
    """« lundi 15 mars 2027 », for posters and letters (whatever the server's locale)."""
    if not value:
        return ""
    day = "1er" if value.day == 1 else str(value.day)
    return f"{_WEEKDAYS[value.weekday()]} {day} {_MONTHS[value.month - 1]} {value.year}"
