"""A whole session as JSON (« Export JSON »): its header, every task with its state, its register
(candidates, jury, surveillant and comédien, épreuves, sign-ins) and the guide's checks computed from
it; and the JSON shapes of the register's rows, one function each (also /jures.json's)."""
from domain import checks, emargement, insertion, journal, pieces, pv, sessions
from domain import results as domain_results
from domain.deadlines import status
from domain.vocabulary import INTERVENANT_ROLES
from domain.jury import jury_members
from formats import local
from models import Candidat, Centre, Emission, Epreuve, ExamSession, Jure

# The export's published status values (version 1 of the format, French): the codes renamed in
# code since keep their published spelling here, so that programs reading exports keep working.
EXPORTED_STATUS = {"late": "en_retard", "soon": "sous_7_jours", "todo": "a_faire", "done": "fait",
                   "done_late": "fait_en_retard", "na": "sans_objet"}


def _iso(date):
    return date.isoformat() if date else None


def juror_json(jure):
    """A juror as /jures.json gives it (jure.habs loaded by Jure.with_habilitations)."""
    return {
        "id": jure.id, "centre": jure.centre.name, "civilite": jure.civilite, "nom": jure.nom, "prenom": jure.prenom,
        "email": jure.email, "telephone": jure.telephone, "adresse": jure.adresse, "code_postal": jure.code_postal,
        "ville": jure.ville,
        "professionnalise_le": jure.professionnalise_le.isoformat() if jure.professionnalise_le else None,
        "active": jure.active,
        "habilitations": [{"id": h.id, "sigle": h.sigle, "valide_jusqu_au": h.valide_jusqu_au.isoformat(),
                           "ccp": h.ccp_codes} for h in jure.habs],
    }


def candidate_json(candidat, evaluateurs=()):
    return {
        "id": candidat.id, "civilite": candidat.civilite, "nom": candidat.nom, "prenom": candidat.prenom,
        "date_naissance": candidat.date_naissance.isoformat(), "email": candidat.email, "adresse": candidat.adresse,
        "parcours": candidat.parcours,
        "recevabilite_valide_jusqu_au": _iso(candidat.recevabilite_valide_jusqu_au),
        "convocation": {"envoyee_le": _iso(candidat.convocation_envoyee_le), "mode": candidat.convocation_mode or None,
                        "reference": candidat.convocation_reference},
        "identifiant_ceres": candidat.identifiant_ceres, "evaluateurs": list(evaluateurs),
    }


def epreuve_json(epreuve):
    return {"id": epreuve.id, "libelle": epreuve.libelle, "date": epreuve.date.isoformat(),
            "heure_debut": epreuve.heure_debut, "heure_fin": epreuve.heure_fin, "lieu": epreuve.lieu,
            "categorie": epreuve.categorie}


def jury_json(session):
    """The jury as the session's JSON export gives it, each juror with habilitations, declaration, links."""
    membres = jury_members(session)
    jures = {j.id: j for j in Jure.with_habilitations(
        Jure.select(Jure, Centre).join(Centre).where(Jure.id.in_([m.jure_id for m in membres])))}
    return [{**juror_json(jures[m.jure_id]), "declaration_le": _iso(m.declaration_le), "liens": m.known}
            for m in membres]


def intervenants_json(session):
    found = {i.role: {"nom": i.nom, "email": i.email} for i in session.intervenants}
    return {role: found.get(role) for role in INTERVENANT_ROLES}


def piece_json(piece):
    return {"id": piece.id, "nom": piece.nom, "taille": piece.taille, "sha256": piece.sha256,
            "ajoutee_le": local(piece.ajoutee_le).isoformat()}


def signin_json(signin):
    kind, person_id = emargement.signin_person(signin)
    return {"id": signin.id, "epreuve_id": signin.epreuve_id, "personne": {"type": kind, "id": person_id},
            "statut": signin.statut, "signe_a": local(signin.signe_a).isoformat(), "recu_a": local(signin.recu_a).isoformat(),
            "correction": signin.correction, "identite_verifiee": signin.identite_verifiee}


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
                    "pieces": [piece_json(p) for p in attached.get(item.id, [])],
                    "status": EXPORTED_STATUS[status(item.state, item.done_on, item.due_on, today)],
                }
                for item in tableau.items
            ],
        }
        for tableau in sessions.tableaux(items)
    ]
    results = checks.SessionChecks.of(session, today, items)
    evaluators = domain_results.evaluators(session)
    # "phases" is the export's published key for the guide's tableaux.
    return {"session": header, "journal_hash": journal.head_hash(session), "phases": tableaux,
            "candidats": [candidate_json(c, evaluators.get(c.id, ())) for c in Candidat.of_session(session)],
            "epreuves": [epreuve_json(e) for e in Epreuve.of_session(session)],
            "jury": jury_json(session), **intervenants_json(session),
            "emargement": [signin_json(s) for s in emargement.of_session(session)],
            "controles": [{"code": c.code, "ok": c.ok, "message": c.message, "details": c.details,
                           "items": [item.id for item in results.tasks(c)]} for c in results.checks],
            "documents_emis": [emission_json(e) for e in Emission.select(
                Emission.id, Emission.document, Emission.destinataire_type, Emission.destinataire_id, Emission.emis_le,
                Emission.emis_par, Emission.sha256, Emission.taille).where(Emission.session == session)
                .order_by(Emission.numero)],
            "resultats": [{"candidat_id": r.candidat_id, "decision": r.decision, "ccp": r.ccp or {}}
                          for r in domain_results.results(session).values()],
            "pv": [pv.step_json(step) for step in pv.steps(session).values()],
            "insertion": [{"candidat_id": f.candidat_id, "situation": f.situation, "date_contact": f.date_contact.isoformat(),
                           "canal": f.canal} for f in insertion.of_session(session).values()]}


def emission_json(emission):
    """An issued document (its bytes at /emissions/<id>.pdf); its time in Paris local time, as the export's."""
    return {"id": emission.id, "document": emission.document,
            "destinataire": {"type": emission.destinataire_type, "id": emission.destinataire_id}
            if emission.destinataire_type else None,
            "emis_le": local(emission.emis_le).isoformat(), "emis_par": emission.emis_par_id,
            "sha256": emission.sha256, "taille": emission.taille}
