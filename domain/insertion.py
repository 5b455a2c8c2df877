"""« Assurer un suivi de l'insertion professionnelle des candidats ayant été présentés au titre
professionnel »: for each candidate present at the session, where they stood when contacted a number
of months after its last day (SUIVI_INSERTION_MOIS, 6 by default): in a job of the trade or another,
in training, looking for work, or no news; when and how they were reached.

Personal data (RGPD): the situation, the date and the channel only, no free text; purged with the
session. A follow-up is recorded after the session's closing too (the guide's task runs for months),
journalled after the seal. Once every candidate present has one, the guide's task is marked done.
"""
import datetime as dt
from dataclasses import dataclass

from database import locked
from domain import access, checklist, emargement, journal
from domain.deadlines import add_months
from domain.forms import InvalidForm, collect
from domain.inputs import parse_past_date
from domain.vocabulary import INSERTION_CANAUX, INSERTION_SITUATIONS
from formats import fr_date
from models import Candidat, Emargement, ExamSession, Resultat, SuiviInsertion, db, now

TASK_KEY = "suivi_insertion"
# A follow-up becomes « en retard » this many days after it is due.
LATE_AFTER_DAYS = 30


def due_on(session, months):
    return add_months(session.date_fin, months)


def present_ids(sessions):
    """The ids of the candidates present at `sessions` (a list of ids, or a query of them): signed in
    present at an épreuve, or, where the session recorded no sign-in (on paper), with a result other than
    « absent » (two queries)."""
    ids = sessions
    signins = list(Emargement.select(Emargement.id, Emargement.session, Emargement.epreuve, Emargement.candidat,
                                     Emargement.jure, Emargement.surveillant, Emargement.statut)
                   .where(Emargement.session.in_(ids) & Emargement.candidat.is_null(False)))
    signed_sessions = {s.session_id for s in signins}
    present = {person for (_, kind, person), s in emargement.current(signins).items()
               if kind == "candidat" and s.statut == "present"}
    for candidat_id, session_id in (Resultat.select(Resultat.candidat, Resultat.session)
                                    .where(Resultat.session.in_(ids) & (Resultat.decision != "absent")).tuples()):
        if session_id not in signed_sessions:
            present.add(candidat_id)
    return present


def record(user, candidat, form, today):
    """Record (or correct) the candidate's follow-up; InvalidForm (nothing saved) when a field is wrong or
    the candidate was not present."""
    errors = {}
    situation = (form.get("situation") or "").strip()
    if situation not in INSERTION_SITUATIONS:
        errors["situation"] = "Situation : choisissez " + ", ".join(f"« {s} »" for s in INSERTION_SITUATIONS.values()) + "."
    canal = (form.get("canal") or "").strip()
    if canal not in INSERTION_CANAUX:
        errors["canal"] = "Moyen de contact : choisissez " + ", ".join(f"« {c} »" for c in INSERTION_CANAUX.values()) + "."
    date = collect(errors, "date_contact", lambda: parse_past_date(form.get("date_contact"), "Date du contact", today))
    with db.atomic():
        session = locked(ExamSession.select().where(ExamSession.id == candidat.session_id)).get()
        access.require_editable(user, session, after_closing=True)
        if date is not None and date <= session.date_fin:
            errors["date_contact"] = (f"Date du contact : après la session (qui s'est terminée le "
                                      f"{fr_date(session.date_fin)}).")
        present = present_ids([session.id])
        if candidat.id not in present or candidat.retire_le is not None:
            errors["situation"] = (f"{candidat.label} n'a pas été présent(e) aux épreuves : le suivi de l'insertion "
                                   "concerne les candidats présentés.")
        if errors:
            raise InvalidForm(errors)
        current = SuiviInsertion.get_or_none(SuiviInsertion.candidat == candidat.id)
        values = {"situation": situation, "date_contact": date, "canal": canal, "saisi_le": now(), "saisi_par": user}
        old = describe(current) if current else ""
        if current is None:
            current = SuiviInsertion.create(candidat=candidat.id, session=session.id, **values)
        else:
            SuiviInsertion.update(**values).where(SuiviInsertion.id == current.id).execute()
            current = SuiviInsertion.get_by_id(current.id)
        journal.record(user, session.id, "insertion", f"{candidat.label} : {old}" if old else "",
                       f"{candidat.label} : {describe(current)}", checked=True)
        followed = {s for (s,) in SuiviInsertion.select(SuiviInsertion.candidat).where(
            SuiviInsertion.session == session.id).tuples()}
        if present <= followed:
            checklist.mark_key_done(user, session.id, TASK_KEY, date, after_closing=True)
    return current


def describe(follow_up):
    return (f"{INSERTION_SITUATIONS[follow_up.situation]} (contact le {fr_date(follow_up.date_contact)}, "
            f"{INSERTION_CANAUX[follow_up.canal].lower()})")


def of_session(session):
    """{candidate id: SuiviInsertion} of the session."""
    return {s.candidat_id: s for s in SuiviInsertion.select().where(SuiviInsertion.session == session)}


@dataclass
class Due:
    candidat: object
    session: object
    due_on: dt.date
    state: str  # a_venir, a_faire, en_retard


DUE_LABELS = {"a_venir": "À venir", "a_faire": "À faire", "en_retard": "En retard"}


# A follow-up more than this many days late is no longer asked for (the list would only grow).
GIVEN_UP_AFTER_DAYS = 365


def due_list(sessions_query, months, today, ahead_days=30):
    """The follow-ups still to record of the candidates present at the sessions of `sessions_query` (those
    the user sees, not purged), due within `ahead_days` or already due (for a year at most), soonest first
    (four queries whatever the number of sessions)."""
    # A session's follow-ups are due `months` after its last day: those whose last day is in the window.
    latest_end = add_months(today + dt.timedelta(days=ahead_days), -months)
    earliest_end = add_months(today - dt.timedelta(days=GIVEN_UP_AFTER_DAYS), -months)
    S = ExamSession
    chosen = sessions_query.where(S.purged_at.is_null() & S.date_fin.between(earliest_end, latest_end))
    sessions = {s.id: s for s in chosen}
    if not sessions:
        return []
    ids = chosen.select(S.id)
    present = present_ids(ids)
    followed = {c for (c,) in SuiviInsertion.select(SuiviInsertion.candidat).where(SuiviInsertion.session.in_(ids)).tuples()}
    result = []
    for candidat in (Candidat.select().where(Candidat.session.in_(ids) & Candidat.retire_le.is_null())
                     .order_by(Candidat.nom, Candidat.prenom)):
        if candidat.id in followed or candidat.id not in present:
            continue
        session = sessions[candidat.session_id]
        due = due_on(session, months)
        state = "a_venir" if due > today else ("en_retard" if (today - due).days > LATE_AFTER_DAYS else "a_faire")
        result.append(Due(candidat, session, due, state))
    return sorted(result, key=lambda d: (d.due_on, d.session.id, d.candidat.nom))
