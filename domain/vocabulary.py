"""Codes and their French wording, one table each; templates read them as globals (templating.py).

Codes are English (what the code and the database store); the labels are the guide's and the users'
words. The README's « Vocabulary » table lists the form's terms and their names in code.
"""

ROLES = ("admin", "responsable", "lecteur", "coordinateur")
ROLE_LABELS = {"admin": "Administrateur", "responsable": "Responsable de session", "lecteur": "Lecteur",
               "coordinateur": "Coordinateur du réseau"}

NATURES = ("TITRE", "CCP", "CCS")

# A checklist item's state, as the user sets it.
STATES = ("todo", "done", "na")
STATE_LABELS = {"todo": "À faire", "done": "Fait", "na": "Sans objet"}

# How many days ahead a deadline counts as coming soon: the row's badge and the daily reminder
# ("à faire sous 7 jours"), and the home page's list of what is coming (a wider view).
REMINDER_WINDOW_DAYS = 7
DASHBOARD_WINDOW_DAYS = 14

# A task's status against its deadline (domain.deadlines.status), most urgent first.
STATUSES = ("late", "soon", "todo", "done_late", "done", "na")
STATUS_LABELS = {
    "late": "En retard",
    "soon": f"À faire sous {REMINDER_WINDOW_DAYS} jours",
    "todo": "À faire",
    "done": "Fait",
    "done_late": "Fait en retard",
    "na": "Sans objet",
}

# Where a session stands (domain.deadlines.stage).
STAGE_LABELS = {"preparing": "En préparation", "running": "En cours", "finished": "Terminée", "archived": "Archivée"}

# What a session's journal entry changed: a code per change, the header fields by their form name.
AUDIT_FIELD_LABELS = {
    "created": "création",
    "state": "état",
    "observation": "observation",
    "archived": "archivée",
    "site": "site",
    "candidat": "candidat",
    "convocation": "convocation",
    "emission": "document émis",
    "numero_ceres": "n° CERES",
    "epreuve": "épreuve",
    "jury": "jury",
    "declaration": "déclaration du juré",
    "surveillant": "surveillant",
    "comedien": "comédien",
    "tenue_professionnelle": "tenue professionnelle (convocation)",
    "emargement": "émargement",
    "piece": "pièce justificative",
    "cloture": "clôture",
    "reouverture": "réouverture",
    "purge": "purge (durée de conservation échue)",
    "conservation": "conservation prolongée",
    "evaluateurs": "évaluateurs",
    "resultat": "résultat",
    "pv": "procès-verbal",
    "insertion": "suivi de l'insertion",
}

# The text fields of the forms: label and maximum length, read by the checks and the templates.
TEXT_FIELDS = {
    "site": ("Désignation du site agréé", 200),
    "titre": ("Libellé du titre professionnel", 300),
    "sigle": ("Sigle du TP", 30),
    "millesime": ("Millésime", 20),
    "libelle_ccp": ("Libellé du CCP / CCS", 300),
    "code_ccp": ("Code CCP", 30),
    "responsable": ("Nom du responsable de session", 200),
    "suppleant": ("Nom du responsable de session suppléant", 200),
    "numero_ceres": ("N° de la session dans CERES (facultatif)", 30),
    "observation": ("L'observation", 5000),
    "reason": ("Le motif", 500),
    "centre_name": ("Le nom du centre", 200),
    "site_name": ("Le nom du site", 200),
    "display_name": ("Le nom", 200),
    "email": ("L'adresse e-mail", 254),
    # The register: jurors of the centre and their habilitations.
    "nom": ("Nom", 100),
    "prenom": ("Prénom", 100),
    "telephone": ("Téléphone", 30),
    "hab_sigle": ("Sigle du titre", 30),
    "ccp": ("Codes CCP", 300),
    "adresse": ("Adresse postale", 500),
    "ville": ("Ville", 100),
    "reference": ("Référence (n° de recommandé ou de décharge)", 100),
    "libelle": ("Libellé de l'épreuve", 200),
    "lieu": ("Lieu (salle ou adresse)", 200),
    "tenue_professionnelle": ("Tenue professionnelle", 1000),
    "identifiant_ceres": ("Identifiant CERES du candidat (facultatif)", 30),
}

# What a form that names no centre of the list is told (an administrator chooses one).
CHOOSE_A_CENTRE = "Centre agréé : choisissez un centre dans la liste."
# The fields of a candidate's or a juror's record, as their forms name them.
RECORD_FIELD_LABELS = {"nom": "Nom", "prenom": "Prénom", "date_naissance": "Date de naissance", "email": "Adresse e-mail",
                       "adresse": "Adresse postale", "parcours": "Parcours",
                       "recevabilite_valide_jusqu_au": "Recevabilité VAE valide jusqu'au", "telephone": "Téléphone",
                       "professionnalise_le": "Professionnalisation suivie le",
                       "convocation_envoyee_le": "Convocation envoyée le", "convocation_mode": "Mode",
                       "convocation_reference": "Référence", "civilite": "Civilité", "code_postal": "Code postal",
                       "ville": "Ville", "identifiant_ceres": "Identifiant CERES"}
# A person's civility on their letters (« Madame, » instead of « Madame, Monsieur, »), optional.
CIVILITES = {"": "Non précisée", "Madame": "Madame", "Monsieur": "Monsieur"}
# A candidate's route to the titre, and how the guide allows convoking them.
PARCOURS_LABELS = {"formation": "Formation", "vae": "VAE"}
# The session's intervenants besides its jury, and the role of each person exam day's sheets list.
INTERVENANT_ROLES = {"surveillant": "Surveillant", "comedien": "Comédien"}
PERSON_ROLE_LABELS = {"jure": "Membre du jury", **INTERVENANT_ROLES}
CONVOCATION_MODES = {"main_propre": "Remise en mains propres contre décharge",
                     "lrar": "Lettre recommandée avec accusé de réception"}
# A check of the register (domain/checks.py): its state, and the register page where it is put right.
CHECK_STATE_LABELS = {"ok": "Contrôle respecté", "failed": "Contrôle non respecté", "pending": "Contrôle en attente"}
CHECK_PAGE_LABELS = {"register.jury": "Voir le jury", "register.candidates": "Voir les candidats",
                     "register.epreuves": "Voir les épreuves", "register.agrement": "Voir l'agrément",
                     "emissions.index": "Voir les documents émis", "after.show_pv": "Voir le procès-verbal"}
# A slot of the schedule: the candidates' documents (convocation, poster, sign-in) show épreuves only.
EPREUVE_CATEGORIES = {"epreuve": "Épreuve", "correction": "Corrections", "deliberation": "Délibérations du jury"}
COUNT_FIELDS = {"nb_formation": "Nombre de candidats en formation", "nb_vae": "Nombre de candidats en VAE"}
MAX_CANDIDATES = 999

# After the exam (issue « Après la session »). A candidate's decision: for a titre session, and for a
# CCP or CCS session; a CCP of a titre session acquired or not.
DECISIONS_TITRE = {"titre": "Titre obtenu", "partiel": "Validation partielle (CCP acquis)",
                   "non_obtenu": "Non obtenu", "absent": "Absent"}
DECISIONS_CERTIFICAT = {"obtenu": "Obtenu", "non_obtenu": "Non obtenu", "absent": "Absent"}
DECISION_LABELS = {**DECISIONS_TITRE, **DECISIONS_CERTIFICAT}
CCP_RESULTS = {"acquis": "Acquis", "non_acquis": "Non acquis"}
# The PV's steps after the exam, in the order the guide takes them, with the task each marks done.
PV_STEPS = {"signe_jury": "PV global signé par le jury", "pv_individuels": "PV individuels signés par leurs évaluateurs",
            "contresigne": "PV contresigné par le responsable de session", "ceres_saisi": "Résultats saisis dans CERES",
            "envoye_ud": "Original du PV adressé à l'UD", "copie_ud_recue": "Copie du PV reçue de l'UD"}
PV_MODES = {"lrar": "Lettre recommandée avec AR", "depot": "Dépôt à l'UD contre récépissé",
            "demarche_en_ligne": "Démarche en ligne"}
# Where a candidate stands when their insertion is followed, and how they were reached.
INSERTION_SITUATIONS = {"emploi_metier": "En emploi dans le métier", "emploi_autre": "En emploi dans un autre métier",
                        "formation": "En formation", "recherche": "En recherche d'emploi",
                        "sans_nouvelles": "Sans nouvelles"}
INSERTION_CANAUX = {"telephone": "Téléphone", "courriel": "Courriel", "courrier": "Courrier", "entretien": "Entretien",
                    "enquete": "Enquête en ligne"}
# The reason « Non survenu » gives a conditional task (one click: « sans objet »).
NOT_OCCURRED = "Non survenu"


def plural(count, singular, plural_form=None):
    """A count and its noun, agreed as French agrees them: « 0 épreuve », « 1 épreuve », « 2 épreuves »
    (0 and 1 take the singular). `plural_form` when adding « s » to the last word is not it (« rappels
    envoyés », « travaux »)."""
    if abs(count) < 2:
        return f"{count} {singular}"
    return f"{count} {plural_form or singular + 's'}"


def agree(count, one, many):
    """The sentence for one thing or for several (« L'épreuve a lieu… » / « Les 3 épreuves ont lieu… »):
    `many` may hold {n}, the count."""
    return one if count == 1 else many.format(n=count)


def max_length(name):
    return TEXT_FIELDS[name][1]


def label(name):
    return TEXT_FIELDS[name][0]
