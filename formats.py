"""Dates as users read them: the form's dd/mm/yyyy and the long form of letters and posters.

A leaf module (no import of Jalon's): the tables, the rules and the documents all write dates so."""


def fr_date(value):
    """dd/mm/yyyy, the way dates are written on the form."""
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
