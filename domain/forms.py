"""What the register's forms share: a refusal with a message per field, and a new row of a session's
register written with its journal entry."""
from domain import DomainError, journal
from models import db


class InvalidForm(DomainError):
    """A refused form: a French message per field, the first one as the message."""

    def __init__(self, errors):
        super().__init__(next(iter(errors.values())), next(iter(errors)))
        self.errors = errors


def collect(errors, name, check):
    try:
        return check()
    except DomainError as exc:
        errors[name] = exc.message
        return None


def create_in_session(user, session, model, values, code, description):
    """A new row of the session's register (a candidate, an épreuve) and its journal entry."""
    with db.atomic():
        row = model.create(session=session, **values)
        journal.record(user, session, code, "", description(row))
    return row
