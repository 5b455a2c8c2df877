"""The documents Jalon makes for a session, each declared once: from a declaration come its route
(GET /sessions/<id>/<file>.pdf, endpoint documents.<name>: routes/documents.py), its link on the
session page and on the rows of the tasks it serves, and its place in the inspection file.

A declaration names its builder (documents/session_documents.py: the session → its template's
context, or MissingData saying what to fill in first), its template (templates/exports/), the guide
tasks it serves by key (guide/v1.toml), whether the inspection file holds it, and who may download
it (a right of domain.access). The few links that are not a session's PDF (the tablet's sign-in
page, the annual programme, the inspection file itself) are declared below them.
"""
from dataclasses import dataclass, field

from flask import url_for

from documents import session_documents as docs
from domain import access


@dataclass(frozen=True)
class Document:
    name: str  # its endpoint in the documents blueprint
    file: str  # its file name without « .pdf », in its address, its download name and the inspection file
    label: str  # what its link says
    build: object  # session -> the template's context
    template: str
    tasks: tuple = ()  # the keys of the guide tasks it serves
    inspection: bool = False  # rendered into the inspection file (what only renders the records)
    audience: object = access.can_see  # (user, session) -> whether they may download it
    # Issuing (documents/issuing.py): one issued document per candidate (« candidat ») or per person
    # convoked (« personne »), or one for the session (None); the checks that hold issuing back.
    per: str | None = None
    gates: tuple = ()
    issuable: bool = True  # sent, hence issued (a preview says « PROJET »); False: it renders records
    prefix: str = "DOC"  # an issued one's reference: « <prefix>-<session>-<n° d'émission> »
    after_closing: bool = False  # issued after the session's closing too (attestations, posted results)
    marks: str | None = None  # the key of the guide task issuing it marks done that day

    @property
    def endpoint(self):
        return f"documents.{self.name}"


DOCUMENTS = (
    # The letters: the inspection file holds their issued originals (emis/), never regenerated.
    Document("convocations", "convocations", "Convocations des candidats (PDF)", docs.convocations,
             "exports/convocations.pdf.html", tasks=("convocation_candidats",), per="candidat",
             gates=("epreuves_dates", "agrement"), prefix="CONV"),
    Document("jury_convocations", "convocations-jury", "Convocations du jury, du surveillant et du comédien (PDF)",
             docs.jury_convocations, "exports/convocations_jury.pdf.html",
             tasks=("convocation_jury", "convocation_surveillant"), per="personne", gates=("jury_effectif",),
             prefix="JURY"),
    Document("planning", "planning", "Informations et planning pour l'UD (PDF)", docs.planning,
             "exports/planning.pdf.html", tasks=("informations_ud", "planning_ud"),
             gates=("epreuves_dates", "candidats_nombre", "jury_effectif", "jury_habilitations", "agrement"), prefix="UD"),
    Document("affichage", "affichage", "Affichage des épreuves (PDF)", docs.affichage, "exports/affichage.pdf.html",
             tasks=("affichage_epreuves",), gates=("epreuves_dates",), prefix="AFF"),
    Document("jury_attestations", "attestations-jury", "Attestations de présence des jurés (PDF)",
             docs.jury_attestations, "exports/attestations_jury.pdf.html", tasks=("jury_present",), per="personne",
             prefix="ATTEST", after_closing=True),
    Document("resultats_affichage", "resultats-affichage", "Résultats à afficher (PDF)", docs.posted_results,
             "exports/resultats_affichage.pdf.html", tasks=("resultats_affichage",), prefix="RES", after_closing=True,
             marks="resultats_affichage"),
    Document("resultats", "resultats", "Relevé des résultats, à comparer au PV (PDF)", docs.results_statement,
             "exports/resultats.pdf.html", tasks=("resultats_ceres", "pv_contresigne", "pv_individuels"),
             inspection=True, issuable=False),
    Document("emargement_pdf", "emargement", "Feuilles d'émargement (PDF)", docs.sign_in_sheets,
             "exports/emargement.pdf.html", tasks=("identite_candidats", "constater_absences"), inspection=True,
             issuable=False),
)
BY_NAME = {document.name: document for document in DOCUMENTS}
BY_FILE = {document.file: document for document in DOCUMENTS}  # as POST /sessions/<id>/emissions names them


def reference(document, session_id, numero):
    """An issued document's reference, printed in its footer: « CONV-12-3 »."""
    return f"{BY_FILE[document].prefix}-{session_id}-{numero}"


@dataclass(frozen=True)
class Link:
    """A page or file of a session that is not one of its PDFs, linked like them."""

    endpoint: str
    label: str
    tasks: tuple = ()
    address: object = field(default=None)  # session -> its URL, when not url_for(endpoint, session_id=…)


LINKS = (
    Link("emissions.index", "Documents émis (convocations, planning, affichage envoyés)",
         tasks=("convocation_candidats", "convocation_jury", "convocation_surveillant", "informations_ud",
                "planning_ud", "affichage_epreuves")),
    Link("emargement.page", "Émargement sur tablette", tasks=("identite_candidats", "constater_absences")),
    Link("documents.programme_pdf", "Programme annuel des sessions (PDF)", tasks=("programmation_annuelle",),
         address=lambda session: url_for("documents.programme_pdf", year=session.date_debut.year)),
    Link("documents.inspection_file", "Dossier d'inspection (ZIP : guide, journal, registre, documents, pièces)"),
)


def _entries():
    """Every link of the session page, in its order: the documents, then the other links."""
    for entry in (*DOCUMENTS, *LINKS):
        yield entry.label, entry.tasks, entry


def _url(entry, session):
    if isinstance(entry, Link) and entry.address is not None:
        return entry.address(session)
    return url_for(entry.endpoint, session_id=session.id)


def links(session, key=None):
    """(label, address) of the documents serving the task with this key, or of all of them."""
    return [(label, _url(entry, session)) for label, tasks, entry in _entries() if key is None or key in tasks]


def in_inspection_file():
    """The documents the inspection file holds, when their data is there."""
    return [document for document in DOCUMENTS if document.inspection]
