"""Jalon's tables, and the queries that belong to them.

A guide version is the official "Guide de préparation de la session" as loaded from a file of
guide/, in tableaux of tasks. An exam session is a frozen run of one guide version: creating it
copies the version's tasks into checklist items, so a later guide never changes an existing
session. The rules that change these rows live in domain/; database.py gives `db` its engine.
"""
import json
import secrets

from flask_login import UserMixin
from peewee import (
    BlobField,
    BooleanField,
    CharField,
    DatabaseProxy,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)
from werkzeug.security import check_password_hash, generate_password_hash

from formats import fr_date, utc_now

db = DatabaseProxy()


def now():
    """Now, in UTC (naive): every instant is stored so, and shown in JALON_TZ (formats.py)."""
    return utc_now()


class JSONTextField(TextField):
    """JSON kept as text, so that it reads the same on SQLite and PostgreSQL."""

    def db_value(self, value):
        return None if value is None else json.dumps(value, ensure_ascii=False)

    def python_value(self, value):
        return None if value is None else json.loads(value)


class BaseModel(Model):
    class Meta:
        database = db


class Centre(BaseModel):
    """A centre agréé, with the identity its letters carry (migration 21: the letterhead)."""

    name = CharField(max_length=200, unique=True)
    adresse = TextField(default="")  # street lines; the town is code_postal and ville
    code_postal = CharField(max_length=5, default="")
    ville = CharField(max_length=100, default="")
    telephone = CharField(max_length=30, default="")
    email = CharField(max_length=254, default="")
    siret = CharField(max_length=14, default="")
    nda = CharField(max_length=11, default="")  # numéro de déclaration d'activité
    logo = BlobField(null=True)  # PNG or JPEG, at most 1 MB
    # The centre's rates published without login at /public/<id>/indicateurs (an administrator's
    # choice; migration 27).
    indicateurs_publics = BooleanField(default=False)


class Site(BaseModel):
    """A site of a centre: where sessions take place, its address and who signs its letters."""

    centre = ForeignKeyField(Centre, backref="sites", on_delete="CASCADE")
    name = CharField(max_length=200)
    adresse = TextField(default="")
    code_postal = CharField(max_length=5, default="")
    ville = CharField(max_length=100, default="")
    signataire_nom = CharField(max_length=200, default="")
    signataire_qualite = CharField(max_length=200, default="")
    signature = BlobField(null=True)  # PNG, at most 512 KB

    class Meta:
        indexes = ((("centre", "name"), True),)


class Agrement(BaseModel):
    """An agrément of a site for a titre (as the DREETS' decision letter states it): the titre's
    version (millésime; empty: any), its reference, its dates, its plateau technique and the number
    of candidates it allows (optional). Never deleted: a session checked against it keeps its reason."""

    site = ForeignKeyField(Site, backref="agrements", on_delete="RESTRICT")
    sigle = CharField(max_length=30)
    millesime = CharField(max_length=20, default="")
    reference = CharField(max_length=100, default="")
    valide_du = DateField()
    valide_au = DateField()
    plateau_technique = TextField(default="")
    nombre_candidats = IntegerField(null=True)

    @property
    def label(self):
        version = f" (millésime {self.millesime})" if self.millesime else ""
        reference = f", réf. {self.reference}" if self.reference else ""
        return f"{self.sigle}{version}{reference}, du {fr_date(self.valide_du)} au {fr_date(self.valide_au)}"


class User(UserMixin, BaseModel):
    email = CharField(max_length=254, unique=True)
    display_name = CharField(max_length=200)
    password_hash = CharField(max_length=255)
    role = CharField(max_length=20, default="responsable")
    centre = ForeignKeyField(Centre, null=True, backref="users", on_delete="SET NULL")
    active = BooleanField(default=True)
    # Calendar programs cannot log in: a feed's URL carries this secret instead.
    feed_token = CharField(max_length=64, null=True, unique=True)
    # Part of the login cookie's user id: changing it (new password) ends every open login.
    login_nonce = CharField(max_length=32, default=lambda: secrets.token_hex(8))

    # werkzeug's default (scrypt) in production; the tests set a cheap method (PASSWORD_HASH_METHOD).
    password_method = "scrypt"

    @property
    def is_active(self):
        return self.active

    @property
    def is_admin(self):
        return self.role == "admin"

    @property
    def is_coordinator(self):
        """A network's coordinator: reads every centre, changes none of theirs (domain/access.py)."""
        return self.role == "coordinateur"

    @staticmethod
    def role_needs_centre(role):
        """A responsable or a lecteur belongs to one centre; an administrator or a coordinator to none."""
        return role not in ("admin", "coordinateur")

    @classmethod
    def admins(cls):
        """The active administrators."""
        return cls.select().where((cls.role == "admin") & (cls.active == True))  # noqa: E712

    # The token of the login this instance stands for (domain.logins), set when it is opened or loaded.
    login_token = ""

    def get_id(self):
        return f"{self.id}:{self.login_nonce}:{self.login_token}"

    def set_password(self, password):
        self.password_hash = generate_password_hash(password, method=self.password_method)
        self.login_nonce = secrets.token_hex(8)

    def check_password(self, password):
        return check_password_hash(self.password_hash, password)


class GuideVersion(BaseModel):
    version = CharField(max_length=50, unique=True)
    label = CharField(max_length=300)
    title = CharField(max_length=300)
    imported_at = DateTimeField(default=now)
    # The figures of the register's checks given by this edition ([checks] in its file), e.g.
    # {"convocation_limit": {"from": "debut", "months": -1}} (migration 9).
    checks = JSONTextField(null=True)

    @classmethod
    def current(cls):
        """The version imported last (by its row's order: a clock set back, or a database made under a
        fixed clock, does not make an older import the current one)."""
        return cls.select().order_by(cls.id.desc()).first()

    def tasks(self):
        """The version's tasks with their tableau, in the guide's order."""
        return (GuideTask.select(GuideTask, GuideTableau).join(GuideTableau)
                .where(GuideTableau.guide == self).order_by(GuideTask.position))


class GuideTableau(BaseModel):
    """One of the guide's tables (« tableau »): planning, jury, candidates, exam pack..."""

    guide = ForeignKeyField(GuideVersion, backref="tableaux", on_delete="CASCADE")
    number = IntegerField()
    title = CharField(max_length=300)


class TaskText(BaseModel):
    """What a guide task and a checklist item share: the task as the guide states it.

    The text with its underlined part (a deadline on the form), its "▶" sub-points, its flags, and
    its deadline and retention rules. (A Peewee base model: its subclasses get these columns.)"""

    text = TextField()
    underline = TextField(null=True)
    details = JSONTextField(null=True)
    reglementaire = BooleanField()
    conseil = BooleanField()
    sub = BooleanField(default=False)
    # A row of the form that only introduces the "▶" tasks under it (« Accueillir les membres de
    # jury : »): shown, never ticked, not counted in progress (migration 4).
    heading = BooleanField(default=False)
    due_rule = JSONTextField(null=True)
    retention_rule = JSONTextField(null=True)
    # A stable name for the tasks the register's checks concern (domain/checks.py), else None.
    key = CharField(max_length=50, null=True)
    # A task that applies only « en cas de » something: « Non survenu » first; « Fait » with its report
    # (an observation or an attachment) (migration 27).
    conditional = BooleanField(default=False)
    # A task that runs for months after the session (insertion follow-up, keeping the documents): not
    # required to close it (migration 27).
    long_running = BooleanField(default=False)

    @property
    def text_parts(self):
        """The text split around its underlined part: (before, underlined, after)."""
        if self.underline and self.underline in self.text:
            before, after = self.text.split(self.underline, 1)
            return before, self.underline, after
        return self.text, "", ""

    @property
    def due_label(self):
        return self.due_rule["label"] if self.due_rule else ""


class GuideTask(TaskText):
    tableau = ForeignKeyField(GuideTableau, backref="tasks", on_delete="CASCADE")
    position = IntegerField()


class ExamSession(BaseModel):
    centre = ForeignKeyField(Centre, backref="sessions", on_delete="RESTRICT")
    site = ForeignKeyField(Site, backref="sessions", on_delete="RESTRICT")
    guide = ForeignKeyField(GuideVersion, backref="sessions", on_delete="RESTRICT")
    titre = CharField(max_length=300)
    sigle = CharField(max_length=30)
    millesime = CharField(max_length=20)
    nature = CharField(max_length=5)
    libelle_ccp = CharField(max_length=300, default="")
    code_ccp = CharField(max_length=30, default="")
    date_debut = DateField(index=True)
    date_fin = DateField()
    nb_formation = IntegerField(default=0)
    nb_vae = IntegerField(default=0)
    responsable = CharField(max_length=200)
    suppleant = CharField(max_length=200, default="")
    numero_ceres = CharField(max_length=30, default="")  # the session's number in CERES (migration 24)
    archived = BooleanField(default=False)
    # « Tenue professionnelle » as the candidates' convocation states it (migration 10).
    tenue_professionnelle = TextField(default="")
    # Closing (« clôture », migration 12): a closed session is read-only until an admin reopens it.
    closed_at = DateTimeField(null=True)
    closed_by = ForeignKeyField(User, null=True, backref="closed_sessions", on_delete="SET NULL")
    # Retention (migration 14): « conservation prolongée » (its reason) keeps a session out of the
    # purge, e.g. during an inspection; purged_at says when its personal data and attachments went.
    conservation_prolongee = TextField(default="")
    purged_at = DateTimeField(null=True)
    created_at = DateTimeField(default=now)
    created_by = ForeignKeyField(User, null=True, on_delete="SET NULL")

    HEADER_FIELDS = (
        "titre", "sigle", "millesime", "nature", "libelle_ccp", "code_ccp",
        "date_debut", "date_fin", "nb_formation", "nb_vae", "responsable", "suppleant", "numero_ceres",
    )

    @property
    def label(self):
        return f"{self.sigle} du {fr_date(self.date_debut)} au {fr_date(self.date_fin)}"

    @classmethod
    def with_places(cls):
        """Sessions with their centre and site (one query)."""
        return cls.select(cls, Centre, Site).join(Centre).switch(cls).join(Site)

    def ordered_items(self):
        return list(self.items.order_by(ChecklistItem.position))


class ChecklistItem(TaskText):
    """One task of a session's checklist, copied from its guide version with its deadline rule."""

    session = ForeignKeyField(ExamSession, backref="items", on_delete="CASCADE")
    tableau_number = IntegerField()
    tableau_title = CharField(max_length=300)
    position = IntegerField()
    # Computed from due_rule and the session's dates (domain.sessions.apply_deadlines); kept as a
    # column so that late and coming tasks can be found across sessions in one indexed query.
    due_on = DateField(null=True, index=True)
    state = CharField(max_length=10, default="todo")
    done_on = DateField(null=True)
    na_reason = TextField(default="")
    observation = TextField(default="")
    # Bumped by every change; observation_version is the version at which the observation text
    # last changed, so a save is stale only when someone else changed the text itself.
    version = IntegerField(default=0)
    observation_version = IntegerField(default=0)
    updated_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    updated_at = DateTimeField(null=True)

    class Meta:
        indexes = ((("session", "position"), True), (("state", "due_on"), False))
        only_save_dirty = True  # a tick writes the few columns it changes, not the task's text


class AuditEvent(BaseModel):
    """Append-only trail of every change: who, when, what (a code of AUDIT_FIELD_LABELS or a header
    field), before and after."""

    user = ForeignKeyField(User, null=True, on_delete="SET NULL")
    at = DateTimeField(default=now, index=True)
    session = ForeignKeyField(ExamSession, backref="events", on_delete="RESTRICT")
    item = ForeignKeyField(ChecklistItem, null=True, backref="events", on_delete="RESTRICT")
    item_version = IntegerField(null=True)  # the item's version this change made
    field = CharField(max_length=50)
    old_value = TextField(default="")
    new_value = TextField(default="")
    # SHA-256 of the previous event's hash and this event's content: the session's journal is a
    # chain that shows an edited, deleted or inserted row (domain/journal.py, migration 11).
    hash = CharField(max_length=64, null=True)
    # The time text the hash covers for an event written before instants were stored in UTC
    # (migration 20: the server's local time, as hashed then); None for later events (journal.canonical).
    at_canonique = CharField(max_length=32, null=True)

    class Meta:
        indexes = ((("session", "at"), False),)  # migration 2


class Piece(BaseModel):
    """A supporting document attached to a task (« pièce justificative »): a PDF, JPEG or PNG kept
    in the database with its SHA-256, so that every worker sees it and one backup holds everything.
    Removing one records who and when; its bytes stay until the session's retention ends."""

    item = ForeignKeyField(ChecklistItem, backref="pieces", on_delete="RESTRICT")
    session = ForeignKeyField(ExamSession, backref="pieces", on_delete="RESTRICT")
    nom = CharField(max_length=200)  # the original name, made safe for display and downloads
    type = CharField(max_length=50)  # application/pdf, image/jpeg or image/png, from the content
    taille = IntegerField()
    sha256 = CharField(max_length=64)
    contenu = BlobField()
    apercu = BlobField(null=True)  # an image's preview (upright, reduced), made once (migration 15)
    ajoutee_par = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    ajoutee_le = DateTimeField(default=now)
    retiree_par = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    retiree_le = DateTimeField(null=True)

    class Meta:
        indexes = ((("session", "item"), False),)

    @classmethod
    def attached(cls):
        """The files still attached, without their bytes, in the order they came (narrowed by the
        caller to a session or a task)."""
        return (cls.select(cls.id, cls.item, cls.nom, cls.type, cls.taille, cls.sha256, cls.ajoutee_le)
                .where(cls.retiree_le.is_null()).order_by(cls.id))


class SealedGuide(BaseModel):
    """The completed guide as rendered when the session was closed, kept byte for byte with its
    SHA-256 (each closing adds one: an earlier one stays downloadable after a reopening)."""

    session = ForeignKeyField(ExamSession, backref="sealed_guides", on_delete="RESTRICT")
    at = DateTimeField()
    by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    pdf = BlobField()
    sha256 = CharField(max_length=64)
    journal_hash = CharField(max_length=64)  # the journal's head when it was sealed

    @classmethod
    def latest(cls, session, seal_id=None):
        """The session's latest sealed guide (or the one with `seal_id`, if it is the session's), or None."""
        query = cls.select().where(cls.session == session)
        if seal_id is not None:
            query = query.where(cls.id == seal_id)
        return query.order_by(cls.id.desc()).first()


class Emission(BaseModel):
    """A document issued for sending (« émis »): its PDF bytes as sent, never changed nor deleted (a new
    issue supersedes it, both stay); a purge removes the bytes and keeps the hash (migration 22)."""

    session = ForeignKeyField(ExamSession, backref="emissions", on_delete="RESTRICT")
    numero = IntegerField()  # the session's issue number, in the letter's reference (documents.catalogue)
    document = CharField(max_length=30)  # convocations, convocations-jury, planning, affichage, emargement…
    destinataire_type = CharField(max_length=20, default="")  # candidat, jure, surveillant, comedien, or none
    destinataire_id = IntegerField(null=True)
    destinataire_nom = CharField(max_length=250, default="")  # as printed, for the list
    emis_le = DateTimeField()
    emis_par = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    pdf = BlobField()
    sha256 = CharField(max_length=64)
    taille = IntegerField()

    class Meta:
        indexes = ((("session", "numero"), True),)


class JournalHead(BaseModel):
    """The head of a session's journal chain: its last hash and its number of events, kept beside the
    events so that a deleted last event shows too (domain/journal.py)."""

    session = ForeignKeyField(ExamSession, primary_key=True, backref="journal_head", on_delete="RESTRICT")
    hash = CharField(max_length=64)
    events = IntegerField()


class AdminEvent(BaseModel):
    """Append-only trail of the administrators' changes (accounts, centres, guide versions) and of the
    changes to a centre's directory of jurors (with that centre)."""

    user = ForeignKeyField(User, null=True, on_delete="SET NULL")
    centre = ForeignKeyField(Centre, null=True, on_delete="SET NULL")  # migration 6
    at = DateTimeField(default=now, index=True)
    action = CharField(max_length=100)
    target = CharField(max_length=300)
    details = TextField(default="")


class Jure(BaseModel):
    """A juror of the centre's directory, shared by its sessions (the same professionals sit on many
    juries). Never deleted: a past session keeps its jury; a juror who no longer sits is inactive."""

    centre = ForeignKeyField(Centre, backref="jures", on_delete="RESTRICT")
    nom = CharField(max_length=100)
    prenom = CharField(max_length=100)
    email = CharField(max_length=254)
    telephone = CharField(max_length=30, default="")
    professionnalise_le = DateField(null=True)  # the training for jurors, when followed
    civilite = CharField(max_length=10, default="")  # Madame, Monsieur or none (migration 21)
    adresse = TextField(default="")  # postal, for the window of the jury's letter (optional)
    code_postal = CharField(max_length=5, default="")
    ville = CharField(max_length=100, default="")
    active = BooleanField(default=True)
    version = IntegerField(default=0)  # each save of the record adds one (migration 16)

    class Meta:
        indexes = ((("centre", "email"), True),)

    @property
    def label(self):
        return f"{self.prenom} {self.nom}"

    @classmethod
    def with_habilitations(cls, query):
        """The jurors of `query`, each with `.habs`, its habilitations (two queries in all)."""
        jures = list(query)
        by_id = {jure.id: jure for jure in jures}
        for jure in jures:
            jure.habs = []
        habilitations = Habilitation.select().where(Habilitation.jure.in_(list(by_id))).order_by(
            Habilitation.sigle, Habilitation.valide_jusqu_au) if by_id else []
        for habilitation in habilitations:
            by_id[habilitation.jure_id].habs.append(habilitation)
        return jures


class Habilitation(BaseModel):
    """A juror's habilitation for a titre (its sigle) until a date, possibly restricted to some CCPs."""

    jure = ForeignKeyField(Jure, backref="habilitations", on_delete="CASCADE")
    sigle = CharField(max_length=30)
    valide_jusqu_au = DateField()
    ccp = CharField(max_length=300, default="")  # CCP codes, "CP-01, CP-02"; empty: the whole titre

    @property
    def ccp_codes(self):
        return [code for code in (c.strip() for c in self.ccp.split(",")) if code]


def _withdrawn(model, withdrawn):
    """The condition for a register's rows taking part (or, `withdrawn`, withdrawn from the session:
    kept for the evidence they hold, out of the counts, checks and documents)."""
    return model.retire_le.is_null(not withdrawn)


class Candidat(BaseModel):
    """A candidate of a session, with what the convocation and the exam day need (RGPD: nothing else)."""

    session = ForeignKeyField(ExamSession, backref="candidats", on_delete="CASCADE")
    civilite = CharField(max_length=10, default="")  # Madame, Monsieur or none (migration 21)
    nom = CharField(max_length=100)
    prenom = CharField(max_length=100)
    date_naissance = DateField()
    email = CharField(max_length=254, default="")
    adresse = TextField(default="")  # postal, several lines, for the letter
    parcours = CharField(max_length=10)  # formation or vae
    recevabilite_valide_jusqu_au = DateField(null=True)  # VAE only
    convocation_envoyee_le = DateField(null=True)
    convocation_mode = CharField(max_length=20, default="")  # main_propre or lrar
    convocation_reference = CharField(max_length=100, default="")
    convocation_emission = IntegerField(null=True)  # the issued document the convocation sent (Emission id)
    version = IntegerField(default=0)  # each save of the record adds one (migration 16)
    retire_le = DateTimeField(null=True)  # withdrawn from the session, kept for its sign-ins (migration 18)
    identifiant_ceres = CharField(max_length=30, default="")  # the candidate's number in CERES (migration 27)
    # The candidate's record in an earlier session of the same titre this one continues (a partial
    # result registered again, /candidats/partiels; migration 27).
    precedent = IntegerField(null=True)

    @property
    def label(self):
        return f"{self.nom} {self.prenom}"

    @classmethod
    def of_session(cls, session, withdrawn=False):
        """The session's candidates in name order: those taking part, or (`withdrawn`) those withdrawn."""
        return cls.select().where((cls.session == session) & _withdrawn(cls, withdrawn)).order_by(
            cls.nom, cls.prenom, cls.id)


class Epreuve(BaseModel):
    """A slot of the session's schedule: an épreuve, or the jury's corrections or deliberations
    (`categorie`, migration 10: the candidates' documents show the épreuves only)."""

    session = ForeignKeyField(ExamSession, backref="epreuves", on_delete="CASCADE")
    libelle = CharField(max_length=200)
    date = DateField()
    heure_debut = CharField(max_length=5)  # HH:MM
    heure_fin = CharField(max_length=5)
    lieu = CharField(max_length=200)
    categorie = CharField(max_length=20, default="epreuve")  # epreuve, correction or deliberation
    retire_le = DateTimeField(null=True)  # withdrawn from the schedule, kept for its sign-ins (migration 18)

    @property
    def for_candidates(self):
        return self.categorie == "epreuve"

    @classmethod
    def of_session(cls, session, withdrawn=False):
        """The session's épreuves in time order: those held, or (`withdrawn`) those withdrawn."""
        return cls.select().where((cls.session == session) & _withdrawn(cls, withdrawn)).order_by(
            cls.date, cls.heure_debut, cls.id)


class MembreJury(BaseModel):
    """A juror of the directory sitting on a session's jury, with their signed declaration of no
    personal or professional link with the candidates (the date), and the candidates they do know."""

    session = ForeignKeyField(ExamSession, backref="jury", on_delete="CASCADE")
    jure = ForeignKeyField(Jure, backref="sieges", on_delete="RESTRICT")
    declaration_le = DateField(null=True)
    retire_le = DateTimeField(null=True)  # withdrawn from the jury, kept for their sign-ins (migration 18)

    class Meta:
        indexes = ((("session", "jure"), True),)


class LienJury(BaseModel):
    """A candidate a juror knows: that juror must not evaluate them."""

    membre = ForeignKeyField(MembreJury, backref="liens", on_delete="CASCADE")
    candidat = ForeignKeyField(Candidat, backref="liens", on_delete="CASCADE")

    class Meta:
        indexes = ((("membre", "candidat"), True),)


class Intervenant(BaseModel):
    """The session's surveillant, or its comédien where the RE provides one."""

    session = ForeignKeyField(ExamSession, backref="intervenants", on_delete="CASCADE")
    role = CharField(max_length=20)  # surveillant or comedien
    nom = CharField(max_length=200)
    email = CharField(max_length=254, default="")

    class Meta:
        indexes = ((("session", "role"), True),)

    @classmethod
    def of(cls, session, role):
        """The session's intervenant in this role (surveillant, comedien), or None."""
        return cls.get_or_none((cls.session == session) & (cls.role == role))


class Emargement(BaseModel):
    """A sign-in on exam day: a candidate, juror or the surveillant present at an épreuve (with the
    signature drawn on the tablet) or absent. Rows are only inserted: a correction is a new row
    that supersedes the earlier ones for that person and épreuve; all stay in the history."""

    # Evidence: never deleted with what it refers to (migration 18).
    session = ForeignKeyField(ExamSession, backref="emargements", on_delete="RESTRICT")
    epreuve = ForeignKeyField(Epreuve, backref="emargements", on_delete="RESTRICT")
    candidat = ForeignKeyField(Candidat, null=True, backref="emargements", on_delete="RESTRICT")
    jure = ForeignKeyField(Jure, null=True, backref="emargements", on_delete="RESTRICT")
    surveillant = BooleanField(default=False)  # the session's surveillant (neither candidate nor juror)
    statut = CharField(max_length=10)  # present or absent
    signature = TextField(default="")  # the strokes as SVG path data, in a 400 × 150 box
    signe_a = DateTimeField()  # when it was signed, by the tablet's clock
    recu_a = DateTimeField(default=now)  # when the server received it
    appareil = CharField(max_length=200, default="")
    user = ForeignKeyField(User, null=True, on_delete="SET NULL")  # who held the tablet
    soumission_id = CharField(max_length=64, unique=True)  # the tablet's id: a resent one is recognised
    correction = BooleanField(default=False)
    # The identity document was checked (the tablet asks before « Présent »; migration 25): recorded,
    # never a reason to refuse a signature.
    identite_verifiee = BooleanField(default=False)

    class Meta:
        indexes = ((("session", "epreuve"), False),)


class LoginFailure(BaseModel):
    """A wrong password, kept a day to throttle guesses (domain/logins.py): per account and address."""

    account = CharField(max_length=254, index=True)
    address = CharField(max_length=64, index=True)
    at = DateTimeField(index=True)


class Connexion(BaseModel):
    """One open login of a user, on one device (domain/logins.py): logging out ends it alone; « Mon
    compte » lists them and ends any. The login cookie carries its token, kept here as its SHA-256."""

    user = ForeignKeyField(User, backref="connexions", on_delete="CASCADE")
    token_hash = CharField(max_length=64, unique=True)
    ouverte_le = DateTimeField()
    vue_le = DateTimeField()  # its last request, to the nearest few minutes
    appareil = CharField(max_length=200, default="")  # the browser's User-Agent
    adresse = CharField(max_length=64, default="")
    fermee_le = DateTimeField(null=True)


class Ancre(BaseModel):
    """An anchor of the journals (domain/anchors.py): the heads that changed since the previous anchor,
    folded into one hash chained to the previous anchor's, also appended to a file outside the database."""

    at = DateTimeField()
    motif = CharField(max_length=200)  # « quotidienne », « clôture de la session 12 », « purge de la session 3 »
    previous = CharField(max_length=64)  # the previous anchor's hash ("" for the first)
    hash = CharField(max_length=64, unique=True)


class AncreTete(BaseModel):
    """A session's journal head (hash, number of events) as an anchor saw it."""

    ancre = ForeignKeyField(Ancre, backref="tetes", on_delete="RESTRICT")
    session = ForeignKeyField(ExamSession, backref="+", on_delete="RESTRICT")
    hash = CharField(max_length=64)
    events = IntegerField()

    class Meta:
        indexes = ((("session", "ancre"), False),)


class Titre(BaseModel):
    """A titre professionnel in one version (millésime): its level, RNCP code and CCPs, in order
    (migration 26). A session's sigle and millésime find it."""

    sigle = CharField(max_length=30)
    millesime = CharField(max_length=20)
    libelle = CharField(max_length=300)
    niveau = CharField(max_length=10, default="")
    code_rncp = CharField(max_length=20, default="")
    fin_validite = DateField(null=True)

    class Meta:
        indexes = ((("sigle", "millesime"), True),)


class TitreCcp(BaseModel):
    """A CCP of a titre's version, in the titre's order."""

    titre = ForeignKeyField(Titre, backref="ccps", on_delete="CASCADE")
    position = IntegerField()
    code = CharField(max_length=30)
    libelle = CharField(max_length=300)

    @property
    def line(self):
        """As the titre's form lists it: « code;libellé »."""
        return f"{self.code};{self.libelle}"


class CleSignature(BaseModel):
    """A public key the centre's inspection files were signed with (documents/signing.py): the current
    one, and those it replaced, with their dates (migration 23)."""

    cle_publique = CharField(max_length=64, unique=True)  # base64 of the 32-byte Ed25519 key
    empreinte = CharField(max_length=64)
    creee_le = DateTimeField()
    retiree_le = DateTimeField(null=True)


class Evaluateur(BaseModel):
    """A juror of the session's jury who evaluates a candidate (migration 27)."""

    candidat = ForeignKeyField(Candidat, backref="evaluateurs", on_delete="CASCADE")
    jure = ForeignKeyField(Jure, backref="+", on_delete="RESTRICT")

    class Meta:
        indexes = ((("candidat", "jure"), True),)


class Resultat(BaseModel):
    """A candidate's result as the jury decided it: the decision and, for a titre session, each CCP
    acquired or not (evidence: never deleted by a cascade; migration 27)."""

    candidat = ForeignKeyField(Candidat, backref="+", unique=True, on_delete="RESTRICT")
    session = ForeignKeyField(ExamSession, backref="resultats", on_delete="RESTRICT")
    decision = CharField(max_length=20)  # titre, partiel, non_obtenu, absent; obtenu for a CCP or CCS
    ccp = JSONTextField(null=True)  # {code: "acquis" | "non_acquis"}, in the titre's order
    saisi_le = DateTimeField(default=now)
    saisi_par = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")


class EtapePv(BaseModel):
    """A step of the session's PV after the exam (signed, countersigned, entered in CERES, sent to the
    UD, its copy back), with its date and proof (evidence; migration 27)."""

    session = ForeignKeyField(ExamSession, backref="etapes_pv", on_delete="RESTRICT")
    etape = CharField(max_length=20)
    date = DateField()
    par = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    piece = ForeignKeyField(Piece, null=True, backref="+", on_delete="RESTRICT")
    mode = CharField(max_length=20, default="")  # envoye_ud: lrar, depot or demarche_en_ligne
    reference = CharField(max_length=100, default="")
    saisie_le = DateTimeField(default=now)

    class Meta:
        indexes = ((("session", "etape"), True),)


class SuiviInsertion(BaseModel):
    """Where a candidate present at the session stood when contacted, months after it (« Assurer un
    suivi de l'insertion professionnelle »; RGPD data, purged with the session; migration 27)."""

    candidat = ForeignKeyField(Candidat, backref="+", unique=True, on_delete="CASCADE")
    session = ForeignKeyField(ExamSession, backref="+", on_delete="CASCADE")
    situation = CharField(max_length=20)  # emploi_metier, emploi_autre, formation, recherche, sans_nouvelles
    date_contact = DateField()
    canal = CharField(max_length=20)
    saisi_le = DateTimeField(default=now)
    saisi_par = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")


MODELS = (Centre, Site, User, GuideVersion, GuideTableau, GuideTask, ExamSession, ChecklistItem, AuditEvent, JournalHead,
          SealedGuide, Piece,
          AdminEvent, LoginFailure, Jure, Habilitation, Candidat, Epreuve, MembreJury, LienJury, Intervenant,
          Emargement, Connexion, Ancre, AncreTete, Agrement, Emission, CleSignature, Titre, TitreCcp,
          Evaluateur, Resultat, EtapePv, SuiviInsertion)
