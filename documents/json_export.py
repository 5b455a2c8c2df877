"""A whole session as JSON (« Export JSON »): its header, every task with its state, its register
(candidates, jury, surveillant and comédien, épreuves) and the guide's checks computed from it."""
from domain import checks, emargement, journal, pieces, register, sessions
from domain.deadlines import status
from models import Candidat, Epreuve, ExamSession

# The export's published status values (version 1 of the format, French): the codes renamed in
# code since keep their published spelling here, so that programs reading exports keep working.
EXPORTED_STATUS = {"late": "en_retard", "soon": "sous_7_jours", "todo": "a_faire", "done": "fait",
                   "done_late": "fait_en_retard", "na": "sans_objet"}


def _iso(date):
    return date.isoformat() if date else None


def session_export(session, items, today):
    header = {name: getattr(session, name) for name in ExamSession.HEADER_FIELDS}
    header.update(
        id=session.id, centre=session.centre.name, site=session.site.name,
        date_debut=_iso(session.date_debut), date_fin=_iso(session.date_fin),
        guide_version=session.guide.version, archived=session.archived,
        retention_until=_iso(sessions.retention_until(session, items)),
    )
    attached = pieces.listed(session=session)
    tableaux = [
        {
            "title": tableau.title,
            "items": [
                {
                    "id": item.id, "key": item.key, "text": item.text, "underline": item.underline,
                    "details": item.details or [], "sub": item.sub,
                    "reglementaire": item.reglementaire, "conseil": item.conseil,
                    "state": item.state, "done_on": _iso(item.done_on),
                    "na_reason": item.na_reason, "observation": item.observation, "version": item.version,
                    "due_on": _iso(item.due_on),
                    "pieces": [pieces.piece_json(p) for p in attached.get(item.id, [])],
                    "status": EXPORTED_STATUS[status(item.state, item.done_on, item.due_on, today)],
                }
                for item in tableau.items
            ],
        }
        for tableau in sessions.tableaux(items)
    ]
    results = checks.SessionChecks.of(session, today, items)
    # "phases" is the export's published key for the guide's tableaux.
    return {"session": header, "journal_hash": journal.head_hash(session), "phases": tableaux,
            "candidats": [register.candidate_json(c) for c in Candidat.of_session(session)],
            "epreuves": [register.epreuve_json(e) for e in Epreuve.of_session(session)],
            "jury": register.jury_json(session), **register.intervenants_json(session),
            "emargement": [emargement.signin_json(s) for s in emargement.of_session(session)],
            "controles": [{"code": c.code, "ok": c.ok, "message": c.message, "details": c.details,
                           "items": [item.id for item in results.tasks(c)]} for c in results.checks]}
