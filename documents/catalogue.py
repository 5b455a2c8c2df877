"""The documents Jalon makes, by the guide task each serves (task keys of guide/v1.toml): the
session page lists them all, a task's row links those that serve it."""
from flask import url_for

# endpoint: what the link says
DOCUMENTS = {
    "documents.convocations": "Convocations des candidats (PDF)",
    "documents.jury_convocations": "Convocations du jury, du surveillant et du comédien (PDF)",
    "documents.planning": "Informations et planning pour l'UD (PDF)",
    "documents.affichage": "Affichage des épreuves (PDF)",
    "emargement.page": "Émargement sur tablette",
    "documents.emargement_pdf": "Feuilles d'émargement (PDF)",
    "documents.programme_pdf": "Programme annuel des sessions (PDF)",
    "documents.inspection_file": "Dossier d'inspection (ZIP : guide, journal, registre, documents, pièces)",
}
BY_TASK = {
    "programmation_annuelle": ("documents.programme_pdf",),
    "informations_ud": ("documents.planning",),
    "planning_ud": ("documents.planning",),
    "convocation_jury": ("documents.jury_convocations",),
    "convocation_surveillant": ("documents.jury_convocations",),
    "convocation_candidats": ("documents.convocations",),
    "affichage_epreuves": ("documents.affichage",),
    "identite_candidats": ("emargement.page", "documents.emargement_pdf"),
    "constater_absences": ("emargement.page", "documents.emargement_pdf"),
}


def _url(endpoint, session):
    if endpoint == "documents.programme_pdf":
        return url_for(endpoint, year=session.date_debut.year)
    return url_for(endpoint, session_id=session.id)


def links(session, key=None):
    """(label, address) of the documents serving the task with this key, or of all of them."""
    endpoints = BY_TASK.get(key, ()) if key else DOCUMENTS
    return [(DOCUMENTS[endpoint], _url(endpoint, session)) for endpoint in endpoints]
