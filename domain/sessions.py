"""Exam sessions: the header form, creating a session from its guide, changing its header,
archiving it, and the views of its checklist (tableaux, exam day, retention)."""
import datetime as dt

from database import locked, retry_on_conflict
from domain import DomainError, deadlines, journal
from domain.titres import ccps_of, titre_of
from domain.inputs import clean_field, parse_date, whole_number
from formats import fr_date
from domain.progress import group_tableaux
from domain.vocabulary import COUNT_FIELDS, MAX_CANDIDATES, NATURES, TEXT_FIELDS
from models import ChecklistItem, ExamSession, GuideVersion, Site, db

REQUIRED_HEADER = {"site", "titre", "sigle", "millesime", "responsable"}
HEADER_TEXT_FIELDS = ("site", "titre", "sigle", "millesime", "libelle_ccp", "code_ccp", "responsable", "suppleant",
                      "numero_ceres")
# "Ouverture de la session" and "Déroulement des épreuves": the tableaux of exam day.
EXAM_DAY_TABLEAUX = (5, 6)


class SessionForm:
    """The header of the official guide, checked field by field.

    The form keeps what the user typed (`raw`) so that a refused form comes back as it was sent,
    with each error beside its field."""

    fields = (*HEADER_TEXT_FIELDS, "nature", "date_debut", "date_fin", *COUNT_FIELDS)

    def __init__(self, formdata=None, session=None):
        if formdata is not None:
            self.raw = {name: formdata.get(name, "") for name in self.fields}
        elif session is not None:
            self.raw = {name: str(getattr(session, name)) for name in self.fields if name != "site"}
            self.raw["site"] = session.site.name
        else:
            self.raw = {name: "" for name in self.fields}
            self.raw.update(nature="TITRE", nb_formation="0", nb_vae="0")
        self.errors = {}
        self.header = {}
        self.site = None

    def validate(self):
        """Fill `header` (the session's fields) and `site`, or `errors`; True when the form can be saved."""
        values = {}
        for name in HEADER_TEXT_FIELDS:
            try:
                values[name] = clean_field(name, self.raw[name], required=name in REQUIRED_HEADER)
            except DomainError as exc:
                self.errors[name] = exc.message

        nature = self.raw["nature"].strip().upper()
        if nature not in NATURES:
            self.errors["nature"] = "Nature de la session : choisissez TITRE, CCP ou CCS."
        elif nature != "TITRE" and not values.get("libelle_ccp") and "libelle_ccp" not in self.errors:
            self.errors["libelle_ccp"] = f"{TEXT_FIELDS['libelle_ccp'][0]} : obligatoire pour une session {nature}."
        values["nature"] = nature

        for name, label in (("date_debut", "Date de début"), ("date_fin", "Date de fin")):
            try:
                values[name] = parse_date(self.raw[name], label)
            except DomainError as exc:
                self.errors[name] = exc.message
        if "date_debut" not in self.errors and "date_fin" not in self.errors and values["date_fin"] < values["date_debut"]:
            self.errors["date_fin"] = (
                f"Date de fin : le {fr_date(values['date_fin'])} est avant la date de début "
                f"({fr_date(values['date_debut'])})."
            )

        for name, label in COUNT_FIELDS.items():
            text = self.raw[name].strip() or "0"
            number = whole_number(text, maximum=MAX_CANDIDATES)
            if number is not None:
                values[name] = number
            elif text.isascii() and text.isdigit():  # digits, but too many candidates
                self.errors[name] = f"{label} : {MAX_CANDIDATES} candidats au plus."
            else:
                self.errors[name] = f"{label} : indiquez un nombre entier positif ou nul."

        if not self.errors and values["nature"] == "CCP":
            titre = titre_of(values["sigle"], values["millesime"])
            codes = [c.code for c in ccps_of(titre)] if titre else []
            if codes and values.get("code_ccp", "").upper() not in {code.upper() for code in codes}:
                self.errors["code_ccp"] = (f"Code CCP : choisissez un CCP du titre {titre.sigle} millésime "
                                           f"{titre.millesime} ({', '.join(codes)}).")
        if self.errors:
            return False
        self.site = values.pop("site")
        self.header = values
        return True


def find_or_create_site(centre, name):
    """The centre's site of that name (whatever its case), created when the centre has none."""
    for site in centre.sites:
        if site.name.casefold() == name.casefold():
            return site
    return Site.create(centre=centre, name=name)


def create_session(centre, site_name, header, user, guide=None):
    """A new session of the centre with its checklist copied from the guide version (the newest by default)."""
    guide = guide or GuideVersion.current()
    with db.atomic():
        site = find_or_create_site(centre, site_name)
        session = ExamSession.create(centre=centre, site=site, guide=guide, created_by=user, **header)
        ChecklistItem.insert_many([
            {
                "session": session, "tableau_number": task.tableau.number, "tableau_title": task.tableau.title,
                "position": task.position, "text": task.text, "underline": task.underline,
                "details": task.details, "reglementaire": task.reglementaire,
                "conseil": task.conseil, "sub": task.sub, "heading": task.heading, "due_rule": task.due_rule,
                "retention_rule": task.retention_rule, "key": task.key, "conditional": task.conditional,
                "long_running": task.long_running,
                "due_on": deadlines.apply_rule(task.due_rule, session.date_debut, session.date_fin),
            }
            for task in guide.tasks()
        ]).execute()
        journal.record(user, session, "created", "", session.label)
    return session


@retry_on_conflict
def update_session(session, site_name, header, user):
    with db.atomic():
        session = locked(ExamSession.select().where(ExamSession.id == session.id)).get()
        site = find_or_create_site(session.centre, site_name)
        changes = []
        if site.id != session.site_id:
            changes.append(("site", session.site.name, site.name))
            session.site = site
        for name, value in header.items():
            old = getattr(session, name)
            if old != value:
                changes.append((name, _display(old), _display(value)))
                setattr(session, name, value)
        if changes:
            session.save()
            for name, old, new in changes:
                journal.record(user, session, name, old, new)
            apply_deadlines(session)
    return session


def apply_deadlines(session):
    """Recompute the due dates of a session's items from their rules and the session's dates."""
    for item in session.items.where(ChecklistItem.due_rule.is_null(False)).order_by(ChecklistItem.id):
        due_on = deadlines.apply_rule(item.due_rule, session.date_debut, session.date_fin)
        if due_on != item.due_on:
            ChecklistItem.update(due_on=due_on).where(ChecklistItem.id == item.id).execute()


@retry_on_conflict
def set_archived(session, archived, user):
    """Archive a finished session (it leaves the dashboard's lists and the reminders), or bring it back."""
    with db.atomic():
        session = locked(ExamSession.select().where(ExamSession.id == session.id)).get()
        if session.archived == archived:
            return session
        session.archived = archived
        session.save()
        journal.record(user, session, "archived", "non" if archived else "oui", "oui" if archived else "non")
    return session


def _display(value):
    return fr_date(value) if isinstance(value, dt.date) else value


def tableaux(items):
    """A session's items (in guide order) grouped as the guide's tableaux, each with its progress."""
    return group_tableaux(items, lambda item: (item.tableau_number, item.tableau_title))


def exam_day(session, items):
    """What exam day needs: tableaux 5 and 6, and the other tasks still undone that were due by the
    last day, as (tableau, its tasks still to do) pairs: each tableau keeps its whole progress."""
    all_tableaux = tableaux(items)
    shown = [t for t in all_tableaux if t.number in EXAM_DAY_TABLEAUX]
    still_to_do = []
    for t in all_tableaux:
        late = [item for item in t.items if item.state == "todo" and item.due_on and item.due_on <= session.date_fin]
        if t.number not in EXAM_DAY_TABLEAUX and late:
            still_to_do.append((t, late))
    return shown, still_to_do


def retention_until(session, items):
    """Until when the session's documents must be kept (the guide's five years), or None."""
    rules = [item.retention_rule for item in items if item.retention_rule]
    return deadlines.apply_rule(rules[0], session.date_debut, session.date_fin) if rules else None
