"""Every Jinja filter and global: dates in French, deadlines in words, and the vocabulary's tables."""
from flask.templating import Environment
from markupsafe import Markup, escape

from documents import catalogue, letters
from domain import access, deadlines, vocabulary
from formats import fr_date, fr_datetime, fr_long_date


class JalonEnvironment(Environment):
    """Flask's Jinja environment, with each template's globals in one dict.

    Jinja keeps them as a ChainMap over the environment's, and a template importing macros
    (« {% from "_macros.html" import … %} ») compares its globals' names with the macros' template's
    on each render: one ChainMap lookup per name, a tenth of a row's rendering after a tick. Every
    global is set when the app starts (init_app below, Flask and its extensions), before any template
    is loaded, as Jinja asks."""

    def make_globals(self, d):
        return {**self.globals, **(d or {})}


def nl2br(text):
    """Text as typed, escaped, its line breaks kept."""
    return Markup("<br/>".join(escape(line) for line in (text or "").split("\n")))


def task_status(item, today):
    """A task's status code against its deadline (vocabulary.STATUS_LABELS)."""
    return deadlines.status(item.state, item.done_on, item.due_on, today)


VOCABULARY = ("CIVILITES", "STATUS_LABELS", "STAGE_LABELS", "ROLE_LABELS", "STATE_LABELS", "AUDIT_FIELD_LABELS", "NATURES",
              "TEXT_FIELDS", "COUNT_FIELDS", "MAX_CANDIDATES", "REMINDER_WINDOW_DAYS", "DASHBOARD_WINDOW_DAYS",
              "PARCOURS_LABELS", "CONVOCATION_MODES", "CHECK_STATE_LABELS", "CHECK_PAGE_LABELS",
              "EPREUVE_CATEGORIES", "DECISION_LABELS", "CCP_RESULTS", "PV_STEPS", "PV_MODES", "INSERTION_SITUATIONS",
              "INSERTION_CANAUX", "NOT_OCCURRED")


def init_app(app):
    env = app.jinja_env
    env.filters.update(
        fr_date=fr_date,
        fr_datetime=fr_datetime,
        greeting=letters.greeting,
        addressed=letters.addressed,
        fr_long_date=fr_long_date,
        nl2br=nl2br,
        j_label=lambda due_on, session: deadlines.j_label(due_on, session.date_debut),
        countdown=deadlines.countdown,
    )
    env.globals.update(
        task_status=task_status,
        plural=vocabulary.plural,
        session_documents=catalogue.links,
        session_stage=deadlines.stage,
        # The rights of domain.access by their names (can_edit, can_reopen, administers...).
        **{right.__name__: right for right in access.TEMPLATE_RIGHTS},
        # The vocabulary's tables and limits, by their names in lower case (status_labels, natures...).
        **{name.lower(): getattr(vocabulary, name) for name in VOCABULARY},
    )
