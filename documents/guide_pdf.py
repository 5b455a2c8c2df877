"""The guide as a PDF: completed or blank for a session, blank for a guide version, and sealed at a
session's closing."""
from documents.pdf import layout_pdf, stamp
from formats import fr_datetime
from domain import checks, closing, pieces, sessions
from formats import local, local_today
from domain.guides import guide_tableaux
from domain.progress import SessionProgress


def sealed_guide(session, key_fingerprint=""):
    """The renderer of the guide sealed at closing: the completed guide with who closed it, when, and
    the journal's head (and, when the register failed checks, which and the reason it was closed
    anyway), stamped with fixed lines only (no download time), so that its bytes are final."""
    def render(when, user, journal_hash, exception=None, anchor=None):
        body = layout_pdf(GUIDE_TEMPLATE, **guide_context(session, today=local(when).date()), sealed={
            "at": when, "by": user.display_name, "journal_hash": journal_hash, "exception": exception,
            "anchor": anchor, "key_fingerprint": key_fingerprint})
        return stamp(body, (f"Clôturée le {fr_datetime(when)}", f"par {user.display_name}"))
    return render


GUIDE_TEMPLATE = "exports/guide.pdf.html"


def guide_context(session, blank=False, today=None):
    """What the session's guide shows: completed (with the register's checks as of `today`, so that a
    task ticked while its check fails shows on paper), or blank."""
    items = session.ordered_items()
    return dict(
        session=session, centre_name=session.centre.name,
        tableaux=sessions.tableaux(items), blank=blank, progress=None if blank else SessionProgress.of(items),
        regulatory_todo=closing.regulatory_todo(items),
        guide_label=f"guide version {session.guide.version}", pieces={} if blank else pieces.listed(session=session),
        register_checks=[] if blank else checks.run(checks.load_register(session), today or local_today()),
    )


def blank_guide_context(guide):
    """What a guide version's blank form shows, for no session."""
    return dict(session=None, centre_name=None, tableaux=guide_tableaux(guide), blank=True, progress=None,
                regulatory_todo=[], guide_label=f"guide version {guide.version}", register_checks=[])
