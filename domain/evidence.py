"""The evidence a register's row holds, and what becomes of the row when it goes.

A candidate, a jury member or an épreuve that holds evidence of the session (sign-ins, a candidate's
result: EVIDENCE) is never removed: removing it
is refused (409, saying what it holds) and it is withdrawn from the session instead (`retire_le`):
its row stays, shown as withdrawn, out of the counts, checks and documents. One that holds nothing
is removed, the journal keeping what it held. The database refuses any deletion that would take
evidence with it (migration 18): this module says why before it comes to that."""
from domain import DomainError, journal
from domain.vocabulary import plural
from models import Candidat, Emargement, Epreuve, MembreJury, Resultat, db, now


class HoldsEvidence(DomainError):
    """A removal refused because the row holds evidence: withdraw it instead (routes answer 409)."""


def _signins(row):
    """The sign-ins a candidate, jury member or épreuve holds."""
    if isinstance(row, Candidat):
        return Emargement.candidat == row.id
    if isinstance(row, Epreuve):
        return Emargement.epreuve == row.id
    return (Emargement.session == row.session_id) & (Emargement.jure == row.jure_id)


def _results(row):
    """The result a candidate holds (a jury member or an épreuve holds none)."""
    return Resultat.candidat == row.id if isinstance(row, Candidat) else Resultat.id.is_null()


# What a row may hold, as (model, singular, plural, the condition on the evidence's rows for that row).
EVIDENCE = ((Emargement, "émargement", "émargements", _signins), (Resultat, "résultat", "résultats", _results))


def held(row):
    """The evidence `row` holds, as French counts (« 2 émargements »); empty when it holds none."""
    counts = ((model.select().where(condition(row)).count(), one, many) for model, one, many, condition in EVIDENCE)
    return [plural(count, one, many) for count, one, many in counts if count]


def remove(user, row, label, description, field, journal_text):
    """Delete `row` (a candidate, jury member or épreuve named `label`) unless it holds evidence, in
    which case HoldsEvidence says what and that it can be withdrawn; the journal's entry `field`
    keeps `description`, what the row held."""
    with db.atomic():
        holds = held(row)
        if holds:
            raise HoldsEvidence(f"{label} ne peut pas être supprimé(e) : {', '.join(holds)} le ou la concernent "
                                f"et sont des preuves de la session. Utilisez « Retirer de la session » : "
                                f"la fiche est gardée, marquée retirée, hors des comptes, des contrôles et des documents.")
        journal.record(user, row.session_id, field, description, journal_text)
        row.delete_instance(recursive=isinstance(row, MembreJury))


def withdraw(user, row, description, field, journal_text):
    """Withdraw `row` from the session: kept (with its evidence), marked withdrawn now."""
    if row.retire_le is not None:
        raise DomainError("Déjà retiré(e) de la session.")
    with db.atomic():
        type(row).update(retire_le=now()).where(type(row).id == row.id).execute()
        journal.record(user, row.session_id, field, description, journal_text)


def holders(session):
    """The ids of the session's candidates, jurors and épreuves that hold evidence, by kind
    (« candidat », « jure », « epreuve »): their pages offer to withdraw them, not to delete them."""
    result = {"candidat": set(), "jure": set(), "epreuve": set()}
    rows = Emargement.select(Emargement.candidat, Emargement.jure, Emargement.epreuve).where(
        Emargement.session == session).distinct().tuples()
    for candidat_id, jure_id, epreuve_id in rows:
        result["epreuve"].add(epreuve_id)
        if candidat_id:
            result["candidat"].add(candidat_id)
        if jure_id:
            result["jure"].add(jure_id)
    result["candidat"].update(c for (c,) in Resultat.select(Resultat.candidat).where(Resultat.session == session).tuples())
    return result
