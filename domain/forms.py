"""What the register's forms share: a refusal with a message per field, a record saved against the
version it was typed on, and a new row of a session's register written with its journal entry."""
from database import locked
from domain import DomainError, journal
from domain.inputs import whole_number
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


class StaleRecord(DomainError):
    """A record saved against an older version than the one stored: a colleague saved it meanwhile. What
    each field now holds and what was typed are both shown (409); nothing is lost, nothing saved."""

    def __init__(self, stored, differing, labels):
        self.stored = stored  # the record as it now stands
        self.differing = differing  # [(field, stored value, typed value)]
        described = " ; ".join(f"{labels.get(name, name)} : « {before} » enregistré, « {after} » saisi"
                               for name, before, after in differing)
        super().__init__("Un collègue a enregistré cette fiche pendant que vous écriviez"
                         + (f" ({described})" if described else "") + ". Vos valeurs sont conservées ci-dessous : "
                         "enregistrez de nouveau pour les garder.", "version")


def locked_current(model, row, typed_version, values, labels):
    """The record `row` as it now stands, locked until the transaction ends, if `typed_version` (the
    version the form was typed on) is still its version: InvalidForm without a version, StaleRecord when
    a colleague saved it meanwhile (the fields whose stored values differ from `values` named)."""
    version = whole_number(typed_version or "")
    if version is None:
        raise InvalidForm({"version": "Version de la fiche manquante : rechargez la page avant d'enregistrer."})
    current = locked(model.select().where(model.id == row.id)).get()
    if version != current.version:
        differing = [(name, shown(getattr(current, name)), shown(value)) for name, value in values.items()
                     if getattr(current, name) != value]
        raise StaleRecord(current, differing, labels)
    return current


def shown(value):
    """A stored or typed value as a message shows it (dates dd/mm/yyyy)."""
    return value.strftime("%d/%m/%Y") if hasattr(value, "strftime") else ("" if value is None else str(value))
