"""The guide's checks (« contrôles »), computed from a session's register and dates.

Each check is one function below, with the words of the guide it comes from, and gives a `Check`:
`ok` True when it holds, False when it fails (the message says what is wrong and what to do), None
when there is nothing to check yet (no jurors, no candidates, no épreuves). A check is never stored:
it is computed again from the register each time a page shows it.

Each check is declared once, by `@check(code, title=…, tasks=…, page=…, reads=…)` on its function:
the guide tasks it concerns by their `key` (guide/v1.toml), the register page where what it reports
is put right (an endpoint), the parts of the register it reads (REGISTER_PARTS: after a tick on a
task, only those are loaded). The session page lists the checks in the order they are declared.
tests/test_checks.py holds every declaration against the guide file, the routes and the register.
The figures that belong to an edition of the guide (the convocation limit) are read from its
version's `checks`.
The register of any number of sessions loads in a constant number of queries (load_registers); one
session's in the same queries, compiled (load_register).
"""
import datetime as dt
import unicodedata
from dataclasses import dataclass, field

from peewee import fn

from domain.deadlines import apply_rule
from formats import fr_date, local
from domain.vocabulary import CONVOCATION_MODES, agree, plural
from domain.emargement import current as current_signins
from domain.candidates import candidate_counts
from statements import Statement, param
from domain.agrements import covering
from models import (AdminEvent, Agrement, Candidat, Centre, Emargement, Emission, Epreuve, EtapePv, Evaluateur,
                    ExamSession, GuideVersion, Habilitation, JournalHead, Jure, LienJury, MembreJury)

MIN_JURY = 2
# « Constater les absences » shows who was absent where (SessionChecks.absences).
ABSENCES_KEY = "constater_absences"
ABSENCES_READS = {"emargements", "candidats", "jury", "epreuves"}


@dataclass(frozen=True)
class Declaration:
    """A check as declared: its code, what the session page calls it, the guide tasks it concerns (by
    key), the register page where it is put right (an endpoint), the parts of the register it reads."""

    code: str
    title: str
    tasks: tuple
    page: str
    reads: frozenset
    function: object
    after_exam: bool = False  # still listed once the session is over, until the UD's copy of the PV is back


DECLARED = {}  # code: Declaration, in the order the session page lists them


def check(code, *, title, tasks, page, reads, after_exam=False):
    """Declare the decorated function `(register, today) -> Check` as the check `code`."""
    def declare(function):
        if code in DECLARED:
            raise ValueError(f"check {code!r} declared twice")
        DECLARED[code] = Declaration(code, title, tuple(tasks), page, frozenset(reads), function, after_exam)
        return function
    return declare


@dataclass
class Check:
    code: str
    ok: bool | None
    message: str
    details: list = field(default_factory=list)  # one line per person or épreuve at fault

    @property
    def declaration(self):
        return DECLARED[self.code]

    @property
    def title(self):
        return self.declaration.title

    @property
    def keys(self):
        return self.declaration.tasks

    @property
    def page(self):
        return self.declaration.page

    @property
    def state(self):
        """ok, failed, or pending (nothing to check yet): the CSS class and the word shown."""
        return {True: "ok", False: "failed", None: "pending"}[self.ok]


@dataclass
class Register:
    """What the checks read: a session, its candidates, jury (each member with `.jure`, the juror
    with `.habs`, and `.known`, the ids of the candidates they know), épreuves and guide figures."""

    session: object
    candidats: list = field(default_factory=list)
    membres: list = field(default_factory=list)
    epreuves: list = field(default_factory=list)
    rules: dict = field(default_factory=dict)
    emargements: list = field(default_factory=list)  # exam day's sign-ins, in the order received
    agrements: list = field(default_factory=list)  # the agréments of the session's site
    jury_letters: list = field(default_factory=list)  # the jury letters issued (Emission rows), by date
    evaluateurs: dict = field(default_factory=dict)  # candidate id: [jure ids] who evaluate them
    other_seats: dict = field(default_factory=dict)  # jure id: [Seat] on sessions around these (any centre)
    pv: dict = field(default_factory=dict)  # the PV's steps recorded (EtapePv), by step


@dataclass(frozen=True)
class Seat:
    """A juror's seat on a session: which, when, at which centre (jury_disponibilite)."""

    session_id: int
    sigle: str
    debut: dt.date
    fin: dt.date
    centre: str


def register_queries(of_sessions):
    """The seven queries a register is read with, by name; `of_sessions(field)` narrows each to the
    sessions wanted (a list of ids for lists, a compiled parameter for one session: statements.REGISTER)."""
    return {
        "candidats": Candidat.select().where(of_sessions(Candidat.session) & Candidat.retire_le.is_null())
        .order_by(Candidat.nom, Candidat.prenom, Candidat.id),
        "membres": MembreJury.select(MembreJury, Jure).join(Jure)
        .where(of_sessions(MembreJury.session) & MembreJury.retire_le.is_null())
        .order_by(Jure.nom, Jure.prenom, Jure.id),
        "liens": LienJury.select(LienJury.membre, LienJury.candidat).join(MembreJury)
        .where(of_sessions(MembreJury.session)),
        "habilitations": Habilitation.select().where(Habilitation.jure.in_(
            MembreJury.select(MembreJury.jure).where(of_sessions(MembreJury.session))))
        .order_by(Habilitation.valide_jusqu_au, Habilitation.id),
        "epreuves": Epreuve.select().where(of_sessions(Epreuve.session) & Epreuve.retire_le.is_null())
        .order_by(Epreuve.date, Epreuve.heure_debut, Epreuve.id),
        "emargements": Emargement.select(Emargement.id, Emargement.session, Emargement.epreuve, Emargement.candidat,
                                         Emargement.jure, Emargement.surveillant, Emargement.statut, Emargement.signe_a)
        .where(of_sessions(Emargement.session)).order_by(Emargement.id),
        "rules": GuideVersion.select(GuideVersion.id, GuideVersion.checks).where(GuideVersion.id.in_(
            ExamSession.select(ExamSession.guide).where(of_sessions(ExamSession.id)))).tuples(),
        "agrements": Agrement.select().where(Agrement.site.in_(
            ExamSession.select(ExamSession.site).where(of_sessions(ExamSession.id)))).order_by(Agrement.id),
        "jury_letters": Emission.select(Emission.id, Emission.session, Emission.destinataire_id, Emission.emis_le)
        .where(of_sessions(Emission.session) & (Emission.document == "convocations-jury")
               & (Emission.destinataire_type == "jure")).order_by(Emission.emis_le, Emission.id),
        "evaluateurs": Evaluateur.select(Evaluateur.candidat, Evaluateur.jure, Candidat.session).join(Candidat)
        .where(of_sessions(Candidat.session)).order_by(Evaluateur.id).tuples(),
        "etapes_pv": EtapePv.select().where(of_sessions(EtapePv.session)).order_by(EtapePv.id),
        # The seats of these sessions' jurors on any session (any centre) whose days meet theirs: between
        # the first day and the last day of the sessions read (one session: its own days).
        "autres_sieges": MembreJury.select(MembreJury.jure, MembreJury.session, ExamSession.sigle, ExamSession.date_debut,
                                           ExamSession.date_fin, Centre.name)
        .join(ExamSession).join(Centre)
        .where(MembreJury.retire_le.is_null() & (ExamSession.archived == False)  # noqa: E712
               & MembreJury.jure.in_(MembreJury.select(MembreJury.jure).where(
                   of_sessions(MembreJury.session) & MembreJury.retire_le.is_null()))
               & (ExamSession.date_debut <= ExamSession.select(fn.MAX(ExamSession.date_fin)).where(
                   of_sessions(ExamSession.id)))
               & (ExamSession.date_fin >= ExamSession.select(fn.MIN(ExamSession.date_debut)).where(
                   of_sessions(ExamSession.id))))
        .order_by(ExamSession.date_debut, ExamSession.id).tuples(),
    }


# One session's register, its queries compiled once: read for the checks shown on a task's row after a
# change to it.
REGISTER = {name: Statement(f"register_{name}", lambda name=name: register_queries(
    lambda field: field == param("session", field))[name])
    for name in register_queries(lambda field: field.is_null())}
# The parts of the register a check reads, as the queries that read each; « jury » is the members with
# their jurors' habilitations and declared links.
REGISTER_PARTS = {"jury": ("membres", "liens", "habilitations"), "candidats": ("candidats",),
                  "epreuves": ("epreuves",), "emargements": ("emargements",), "rules": ("rules",),
                  "agrements": ("agrements",), "jury_letters": ("jury_letters",), "evaluateurs": ("evaluateurs",),
                  "pv": ("etapes_pv",), "autres_sieges": ("autres_sieges",)}


def load_registers(sessions, parts=None):
    """The registers of `sessions` (or only their `parts`, of REGISTER_PARTS), by session id, in a constant
    number of queries whatever their number and size."""
    if not sessions:
        return {}
    ids = [s.id for s in sessions]
    queries = register_queries(lambda f: f.in_(ids))
    names = [name for part in (REGISTER_PARTS if parts is None else parts) for name in REGISTER_PARTS[part]]
    return _registers(sessions, _read([n for n in queries if n in names], lambda name: list(queries[name])))


def load_register(session, parts=None):
    """One session's register, or only its `parts` (of REGISTER_PARTS): the same queries, compiled once
    (they run after a change to a task that a check concerns)."""
    names = [name for part in (REGISTER_PARTS if parts is None else parts) for name in REGISTER_PARTS[part]]
    return _registers([session], _read(names, lambda name: REGISTER[name].rows(session=session.id)))[session.id]


def _read(names, run):
    """{name: rows} of the register's queries `names` (in register_queries' order), by run(name); the
    jurors' links, habilitations and the candidates they evaluate are not read when there is no juror."""
    rows = {}
    for name in names:
        if name in ("liens", "habilitations", "evaluateurs", "autres_sieges") and not rows.get("membres"):
            continue
        rows[name] = run(name)
    return rows


def _registers(sessions, rows):
    """The registers made from the rows of register_queries."""
    registers = {s.id: Register(s) for s in sessions}
    rows = {name: rows.get(name, ()) for name in REGISTER}
    for candidat in rows["candidats"]:
        registers[candidat.session_id].candidats.append(candidat)
    known, habs = {}, {}
    for lien in rows["liens"]:
        known.setdefault(lien.membre_id, []).append(lien.candidat_id)
    for habilitation in rows["habilitations"]:
        habs.setdefault(habilitation.jure_id, []).append(habilitation)
    for membre in rows["membres"]:
        membre.known = sorted(known.get(membre.id, []))
        membre.jure.habs = habs.get(membre.jure_id, [])
        registers[membre.session_id].membres.append(membre)
    for epreuve in rows["epreuves"]:
        registers[epreuve.session_id].epreuves.append(epreuve)
    for signin in rows["emargements"]:
        registers[signin.session_id].emargements.append(signin)
    rules = dict(rows["rules"])
    by_site = {}
    for agrement in rows["agrements"]:
        by_site.setdefault(agrement.site_id, []).append(agrement)
    for letter in rows["jury_letters"]:
        registers[letter.session_id].jury_letters.append(letter)
    for candidat_id, jure_id, session_id in rows["evaluateurs"]:
        registers[session_id].evaluateurs.setdefault(candidat_id, []).append(jure_id)
    for step in rows["etapes_pv"]:
        registers[step.session_id].pv[step.etape] = step
    seats = {}
    for jure_id, session_id, sigle, debut, fin, centre in rows["autres_sieges"]:
        seats.setdefault(jure_id, []).append(Seat(session_id, sigle, debut, fin, centre))
    for register in registers.values():
        register.other_seats = seats
    for register in registers.values():
        register.rules = rules.get(register.session.guide_id) or {}
        register.agrements = by_site.get(register.session.site_id, [])
    return registers


def _same_code(a, b):
    """Sigles and CCP codes compare without case, accents or surrounding spaces."""
    def norm(text):
        return unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode().strip().upper()
    return norm(a) == norm(b)


# --- The checks: one function each, with the words they come from --------------------------------

@check("jury_effectif", title="Jury d'au moins deux membres",
       tasks=("recherche_jury", "convocation_jury", "jury_present"),
       page="register.jury", reads={"jury"})
def jury_effectif(register, today):
    """Guide, « Ouverture de la session » : « Avant le début de la session, vérifier qu'au moins
    deux membres de jury sont présents pour évaluer les candidats »."""
    if not register.membres:
        return Check("jury_effectif", None, "Aucun membre de jury au registre : choisissez au moins deux jurés "
                                            "habilités dans l'annuaire du centre.")
    inactive = _inactive(register, today)
    count = len(register.membres) - len(inactive)
    if count < MIN_JURY:
        left = f" ({', '.join(m.jure.label for m in inactive)}, désactivé dans l'annuaire, ne compte plus)" if inactive else ""
        return Check("jury_effectif", False, f"Le jury ne compte que {plural(count, 'membre')}{left} : il en faut au "
                                             f"moins {MIN_JURY}. Ajoutez un juré habilité, ou prévenez l'UD si c'est "
                                             "impossible.")
    return Check("jury_effectif", True, f"Le jury compte {count} membres (au moins {MIN_JURY}).")


def _no_longer_sits(jure, session, today):
    """A juror made inactive in the directory does not sit on a session not over yet (once it is over,
    its jury is what it was)."""
    return not jure.active and today <= session.date_fin


def _inactive(register, today):
    """The jury's members who no longer sit (_no_longer_sits)."""
    return [m for m in register.membres if _no_longer_sits(m.jure, register.session, today)]


def habilitation_problem(jure, session, today):
    """Why a juror cannot sit on the session's jury, or None. Guide, « Déclaration de la session et
    constitution du jury » : « Vérifier les habilitations des membres de jury sur le titre visé :
    date de fin d'habilitation, étendue de l'habilitation, restriction à certains CCP (le cas
    échéant) » ; the habilitation must be valid until the session's last day, inclusive; for a full
    titre, not restricted to some CCPs. A juror made inactive does not sit on a session to come."""
    if _no_longer_sits(jure, session, today):
        return f"{jure.label} : désactivé dans l'annuaire des jurés, ne peut plus siéger."
    matching = [h for h in jure.habs if _same_code(h.sigle, session.sigle)]
    if not matching:
        return f"{jure.label} : aucune habilitation pour le titre {session.sigle}."
    valid = [h for h in matching if h.valide_jusqu_au >= session.date_fin]
    if not valid:
        last = max(h.valide_jusqu_au for h in matching)
        return (f"{jure.label} : habilitation {session.sigle} valable jusqu'au {fr_date(last)}, "
                f"la session finit le {fr_date(session.date_fin)}.")
    if session.nature == "CCP" and not any(
            not h.ccp_codes or any(_same_code(code, session.code_ccp) for code in h.ccp_codes) for h in valid):
        codes = ", ".join(sorted({code for h in valid for code in h.ccp_codes}))
        if not session.code_ccp:
            return (f"{jure.label} : habilitation restreinte aux CCP {codes} ; renseignez le code CCP de la session "
                    "dans l'en-tête pour la vérifier.")
        return f"{jure.label} : habilitation restreinte aux CCP {codes}, la session porte sur le CCP {session.code_ccp}."
    if session.nature == "TITRE" and all(h.ccp_codes for h in valid):
        codes = ", ".join(sorted({code for h in valid for code in h.ccp_codes}))
        return (f"{jure.label} : habilitation {session.sigle} restreinte aux CCP {codes} ; un titre complet demande "
                "une habilitation sans restriction de CCP.")
    return None


@check("jury_habilitations", title="Habilitations des membres de jury",
       tasks=("recherche_jury", "habilitations_jury", "convocation_jury"),
       page="register.jury", reads={"jury"})
def jury_habilitations(register, today):
    """Guide : « Vérifier les habilitations des membres de jury sur le titre visé » and « Convoquer
    les membres de jury dûment habilités »."""
    if not register.membres:
        return Check("jury_habilitations", None, "Aucun membre de jury au registre : rien à vérifier pour l'instant.")
    problems = [p for p in (habilitation_problem(m.jure, register.session, today) for m in register.membres) if p]
    session = register.session
    if problems:
        return Check("jury_habilitations", False,
                     f"{plural(len(problems), 'membre')} de jury sans habilitation {session.sigle} valable jusqu'au "
                     f"{fr_date(session.date_fin)} : remplacez-{agree(len(problems), 'le', 'les')} "
                     "ou complétez les habilitations dans l'annuaire des jurés.", problems)
    return Check("jury_habilitations", True, agree(len(register.membres), "Le membre du jury est habilité",
                                                   "Les {n} membres du jury sont habilités")
                 + f" pour {session.sigle} jusqu'au {fr_date(session.date_fin)} au moins.")


@check("jury_liens", title="Absence de lien entre le jury et les candidats",
       tasks=("liens_jury", "accueil_liens_jury"),
       page="register.jury", reads={"jury", "candidats", "evaluateurs"})
def jury_liens(register, today):
    """Guide, tableaux 2 and 5 : « Contrôler l'absence de lien personnel et professionnel entre le
    jury et le candidat ». Every juror has signed the declaration or named the candidates they know;
    a juror does not evaluate a candidate they know, so each such candidate keeps at least two
    jurors who do not know them."""
    membres = register.membres
    if not membres:
        return Check("jury_liens", None, "Aucun membre de jury au registre : rien à vérifier pour l'instant.")
    problems = [f"{m.jure.label} : ni déclaration signée, ni candidats connus indiqués."
                for m in membres if not m.declaration_le and not m.known]
    knowers = {}
    for membre in membres:
        for candidat_id in membre.known:
            knowers.setdefault(candidat_id, []).append(membre)
    for candidat in register.candidats:
        names = [m.jure.label for m in knowers.get(candidat.id, [])]
        assigned = register.evaluateurs.get(candidat.id)
        if assigned:
            knowing = [m.jure.label for m in knowers.get(candidat.id, []) if m.jure_id in assigned]
            if knowing:
                problems.append(f"{candidat.label} est évalué(e) par {', '.join(knowing)}, qui le ou la "
                                "connaî(ssen)t : changez ses évaluateurs.")
            continue
        others = len(membres) - len(names)
        if names and others < MIN_JURY:
            problems.append(f"{candidat.label} est connu(e) de {', '.join(names)} : il ne reste que "
                            f"{plural(others, 'membre')} de jury pour l'évaluer, il en faut {MIN_JURY}.")
    if problems:
        return Check("jury_liens", False, "Recueillez la déclaration de chaque juré, et prévoyez assez de jurés "
                                          "pour qu'aucun n'évalue un candidat qu'il connaît.", problems)
    links = sum(len(names) for names in knowers.values())
    extra = (f" ; {plural(links, 'lien déclaré', 'liens déclarés')} : ces jurés n'évalueront pas les "
             "candidats qu'ils connaissent") if links else ""
    return Check("jury_liens", True, agree(len(membres), "Déclaration recueillie pour le membre du jury",
                                           "Déclarations recueillies pour les {n} membres du jury") + f"{extra}.")


@check("candidats_nombre", title="Nombre de candidats transmis à l'UD",
       tasks=("informations_ud",),
       page="register.candidates", reads={"candidats"})
def candidats_nombre(register, today):
    """Guide, « Transmettre à l'UD ... les informations concernant la session ... : le nombre de
    candidats » : the register's counts by parcours are those of the header, sent to the UD."""
    session = register.session
    if not register.candidats:
        return Check("candidats_nombre", None, "Aucun candidat au registre : le nombre annoncé à l'UD ne peut pas "
                                               "encore être vérifié.")
    counts = candidate_counts(session, register.candidats)
    if counts.differ:
        return Check("candidats_nombre", False,
                     f"Le registre compte {counts.formation} en formation et {counts.vae} en VAE, l'en-tête en annonce "
                     f"{session.nb_formation} et {session.nb_vae} : corrigez l'en-tête (et informez l'UD) ou le registre.")
    return Check("candidats_nombre", True,
                 f"Le registre et l'en-tête comptent {counts.formation} en formation et {counts.vae} en VAE.")


def convocation_limit(register):
    """The last day a convocation may be sent, from the guide version's figures (by nature where
    given), or None when the version gives none."""
    rules = register.rules or {}
    rule = (rules.get("convocation_limit_by_nature") or {}).get(register.session.nature) or rules.get("convocation_limit")
    return apply_rule(rule, register.session.date_debut, register.session.date_fin) if rule else None


@check("convocations_delai", title="Convocation des candidats au moins 1 mois avant",
       tasks=("convocation_candidats",),
       page="register.candidates", reads={"candidats", "rules"})
def convocations_delai(register, today):
    """Guide : « Convoquer les candidats aux sessions d'examen au moins 1 mois avant le début de la
    session par lettre remise en mains propres contre décharge ou par lettre recommandée avec AR ».
    One calendar month: a session starting on 31 May convokes on or before 30 April."""
    if not register.candidats:
        return Check("convocations_delai", None, "Aucun candidat au registre : personne à convoquer pour l'instant.")
    limit = convocation_limit(register)
    if limit is None:
        return Check("convocations_delai", None, "L'édition du guide de cette session ne fixe pas de délai de convocation.")
    problems, waiting = [], 0
    for candidat in register.candidats:
        sent = candidat.convocation_envoyee_le
        if sent is None:
            if today > limit:
                problems.append(f"{candidat.label} : aucune convocation enregistrée.")
            else:
                waiting += 1
        elif sent > limit:
            problems.append(f"{candidat.label} : convoqué(e) le {fr_date(sent)}, après le {fr_date(limit)}.")
        elif candidat.convocation_mode not in CONVOCATION_MODES:
            problems.append(f"{candidat.label} : mode d'envoi non indiqué.")
    if problems:
        return Check("convocations_delai", False,
                     f"{plural(len(problems), 'candidat mal convoqué', 'candidats mal convoqués')} : la "
                     f"convocation part au plus tard le {fr_date(limit)}, remise en mains propres contre décharge ou "
                     "en recommandé avec AR. Reportez la session ou prévenez l'UD si le délai ne peut plus être tenu.",
                     problems)
    if waiting:
        return Check("convocations_delai", None, f"{plural(waiting, 'candidat')} à convoquer au plus tard le "
                                                 f"{fr_date(limit)}.")
    return Check("convocations_delai", True, agree(len(register.candidats), "Le candidat a été convoqué",
                                                   "Les {n} candidats ont été convoqués")
                 + f" au plus tard le {fr_date(limit)}.")


@check("vae_recevabilite", title="Recevabilité des candidats VAE",
       tasks=("recevabilite_vae_ceres", "recevabilite_vae"),
       page="register.candidates", reads={"candidats"})
def vae_recevabilite(register, today):
    """Guide : « Collecter la notification de recevabilité du candidat VAE et en vérifier la validité »
    and « Vérifier ... la date de fin de validité de la recevabilité » : valid on the first day."""
    session = register.session
    vae = [c for c in register.candidats if c.parcours == "vae"]
    if not vae:
        return Check("vae_recevabilite", None, "Aucun candidat VAE au registre.")
    problems = []
    for candidat in vae:
        until = candidat.recevabilite_valide_jusqu_au
        if until is None:
            problems.append(f"{candidat.label} : date de fin de recevabilité non renseignée.")
        elif until < session.date_debut:
            problems.append(f"{candidat.label} : recevabilité valable jusqu'au {fr_date(until)}, la session "
                            f"commence le {fr_date(session.date_debut)}.")
    if problems:
        return Check("vae_recevabilite", False, "Recevabilité à vérifier : le candidat VAE ne peut se présenter que "
                                                "si elle est valable le premier jour de la session.", problems)
    return Check("vae_recevabilite", True, f"Recevabilité valable le {fr_date(session.date_debut)} pour "
                                           + agree(len(vae), "le candidat VAE.", "les {n} candidats VAE."))


@check("epreuves_dates", title="Dates et horaires des épreuves",
       tasks=("planning_ud", "affichage_epreuves"),
       page="register.epreuves", reads={"epreuves"})
def epreuves_dates(register, today):
    """Guide : « Transmettre à l'UD ... le planning de la session » and « Afficher les lieux, dates,
    heures et nature des épreuves » : each épreuve lies within the session's days and ends after it
    starts."""
    session = register.session
    if not register.epreuves:
        return Check("epreuves_dates", None, "Aucune épreuve au planning : ajoutez les épreuves de la session.")
    problems = []
    for epreuve in register.epreuves:
        if not session.date_debut <= epreuve.date <= session.date_fin:
            problems.append(f"{epreuve.libelle} le {fr_date(epreuve.date)} : hors des dates de la session "
                            f"(du {fr_date(session.date_debut)} au {fr_date(session.date_fin)}).")
        if epreuve.heure_fin <= epreuve.heure_debut:
            problems.append(f"{epreuve.libelle} le {fr_date(epreuve.date)} : finit à {epreuve.heure_fin}, "
                            f"avant de commencer à {epreuve.heure_debut}.")
    if problems:
        return Check("epreuves_dates", False, "Corrigez le planning des épreuves (ou les dates de la session) avant "
                                              "de le transmettre à l'UD et de l'afficher.", problems)
    return Check("epreuves_dates", True, agree(len(register.epreuves), "L'épreuve a lieu pendant la session.",
                                               "Les {n} épreuves ont lieu pendant la session."))


@check("agrement", title="Agrément du site pour la session",
       tasks=("agrement_ceres", "agrement_decision"),
       page="register.agrement", reads={"agrements", "candidats"})
def agrement(register, today):
    """Guide : « Vérifier dans CERES les dates de validité de l'agrément pour la version du titre visée
    par la session d'examen » and « Vérifier les informations contenues dans le courrier de décision
    d'agrément » (the titre's version, the end date, the number of candidates): the site holds an
    agrément for the session's sigle and millésime covering every day of it, for at least as many
    candidates as the register counts. Pending when the site has no agrément recorded at all."""
    session = register.session
    if not register.agrements:
        return Check("agrement", None, "Aucun agrément enregistré pour ce site : un administrateur peut saisir ceux de "
                                       "la décision de la DREETS (fiche du centre).")
    found = covering(register.agrements, session)
    if not found:
        recorded = "; ".join(a.label for a in register.agrements)
        return Check("agrement", False, f"Aucun agrément du site ne couvre {session.sigle} millésime {session.millesime} "
                                        f"du {fr_date(session.date_debut)} au {fr_date(session.date_fin)} : vérifiez "
                                        "l'agrément dans CERES et la décision de la DREETS.", [f"Enregistrés : {recorded}."])
    count = len(register.candidats)
    # An agrément without a number of candidates does not limit them.
    allowed = None if any(a.nombre_candidats is None for a in found) else max(a.nombre_candidats for a in found)
    if allowed is not None and count > allowed:
        return Check("agrement", False, f"Le registre compte {plural(count, 'candidat')}, l'agrément en prévoit "
                                        f"{allowed} au plus : réduisez la session ou demandez une extension d'agrément.")
    best = found[0]
    return Check("agrement", True, f"Agrément {best.label} : il couvre la session"
                 + (f" ({plural(count, 'candidat')} pour {best.nombre_candidats} au plus)." if best.nombre_candidats
                    else "."))


# The days before the first day a juror's letter goes at the latest, unless the guide version says
# otherwise (`[checks] convocation_jury_days`): the guide convokes the jury in its three-month
# tableau, and an employed juror asks for leave at least 15 days ahead (code du travail, L3142-42).
CONVOCATION_JURY_DAYS = 30


@check("convocations_jury_delai", title="Convocation des membres du jury à temps",
       tasks=("convocation_jury",), page="emissions.index", reads={"jury", "jury_letters", "rules"})
def convocations_jury_delai(register, today):
    """Guide : « Convoquer les membres de jury dûment habilités » : every juror's letter issued at
    least the guide version's number of days before the first day; pending until that limit passes
    with letters still to issue."""
    if not register.membres:
        return Check("convocations_jury_delai", None, "Aucun membre de jury au registre : personne à convoquer.")
    days = int((register.rules or {}).get("convocation_jury_days", CONVOCATION_JURY_DAYS))
    limit = register.session.date_debut - dt.timedelta(days=days)
    first = {}
    for letter in register.jury_letters:
        first.setdefault(letter.destinataire_id, local(letter.emis_le).date())
    problems, waiting = [], []
    for membre in register.membres:
        sent = first.get(membre.jure_id)
        if sent is None:
            (problems if today > limit else waiting).append(f"{membre.jure.label} : aucune convocation émise.")
        elif sent > limit:
            problems.append(f"{membre.jure.label} : convocation émise le {fr_date(sent)}, après le {fr_date(limit)}.")
    if problems:
        return Check("convocations_jury_delai", False,
                     f"Les membres du jury se convoquent au plus tard le {fr_date(limit)} ({days} jours avant la "
                     "session) : émettez les convocations manquantes et prévenez les jurés.", problems)
    if waiting:
        return Check("convocations_jury_delai", None,
                     f"{plural(len(waiting), 'convocation de juré', 'convocations de jurés')} à émettre au plus tard le "
                     f"{fr_date(limit)}.", waiting)
    return Check("convocations_jury_delai", True, agree(len(register.membres), "Le membre du jury a été convoqué",
                                                        "Les {n} membres du jury ont été convoqués")
                 + f" au plus tard le {fr_date(limit)}.")


@check("jury_disponibilite", title="Jurés disponibles aux dates de la session",
       tasks=("recherche_jury", "convocation_jury"), page="register.jury", reads={"jury", "autres_sieges"})
def jury_disponibilite(register, today):
    """Guide : « Rechercher les membres de jury habilités » and « Convoquer les membres de jury » : no
    juror of the session sits, on a day of it, on another session (any centre of the installation)
    whose days overlap its own; the message names the other session, its centre and dates."""
    session = register.session
    if not register.membres:
        return Check("jury_disponibilite", None, "Aucun membre de jury au registre : rien à vérifier pour l'instant.")
    problems = []
    for membre in register.membres:
        for seat in register.other_seats.get(membre.jure_id, ()):
            if seat.session_id != session.id and seat.debut <= session.date_fin and seat.fin >= session.date_debut:
                problems.append(f"{membre.jure.label} siège aussi à la session {seat.sigle} du {fr_date(seat.debut)} "
                                f"au {fr_date(seat.fin)} ({seat.centre}).")
    if problems:
        return Check("jury_disponibilite", False, "Un juré ne peut pas siéger à deux sessions les mêmes jours : "
                                                  "remplacez-le dans l'une d'elles.", problems)
    return Check("jury_disponibilite", True, agree(len(register.membres), "Le membre du jury ne siège à aucune autre "
                                                   "session ces jours-là.", "Les {n} membres du jury ne siègent à aucune "
                                                   "autre session ces jours-là."))


@check("evaluateurs", title="Évaluateurs de chaque candidat",
       tasks=("pv_individuels", "supervision"), page="register.candidates",
       reads={"jury", "candidats", "emargements", "evaluateurs"}, after_exam=True)
def evaluateurs(register, today):
    """Guide : « Vérifier la signature des PV individuels par les seuls membres de jury ayant évalué le
    candidat » and « Superviser et contrôler le déroulement de la session » : every candidate who
    signed in present at an épreuve has at least two evaluators of the jury, none of whom knows them.
    Pending before the first day, and while no candidate has signed in present."""
    session = register.session
    if today < session.date_debut:
        return Check("evaluateurs", None, f"Les évaluateurs se vérifient à partir du premier jour de la session, le "
                                          f"{fr_date(session.date_debut)}.")
    present = {person for (_, kind, person), signin in current_signins(register.emargements).items()
               if kind == "candidat" and signin.statut == "present"}
    candidats = [c for c in register.candidats if c.id in present]
    if not candidats:
        return Check("evaluateurs", None, "Aucun candidat émargé présent : les évaluateurs se vérifient pour les "
                                          "candidats présents aux épreuves.")
    seated = {m.jure_id: m for m in register.membres}
    problems = []
    for candidat in candidats:
        assigned = [seated[j] for j in register.evaluateurs.get(candidat.id, []) if j in seated]
        knowing = [m.jure.label for m in assigned if candidat.id in m.known]
        if len(assigned) < MIN_JURY:
            problems.append(f"{candidat.label} : {plural(len(assigned), 'évaluateur')} désigné(s), il en faut "
                            f"{MIN_JURY}.")
        if knowing:
            problems.append(f"{candidat.label} : évalué(e) par {', '.join(knowing)}, qui le ou la connaî(ssen)t.")
    if problems:
        return Check("evaluateurs", False, "Désignez pour chaque candidat présent au moins deux évaluateurs du jury "
                                           "qui ne le connaissent pas (fiche du candidat) : seuls eux signent son PV "
                                           "individuel.", problems)
    return Check("evaluateurs", True, agree(len(candidats), "Le candidat présent a ses évaluateurs",
                                            "Les {n} candidats présents ont leurs évaluateurs")
                 + ", dont aucun ne le ou les connaît.")


# The days after the session's last day its PV's original reaches the UD at the latest, unless the guide
# version says otherwise (`[checks] pv_ud_days`): « dans un délai de 15 jours suivant la date de la session ».
PV_UD_DAYS = 15


def pv_limit(register):
    """The last day the PV's original may be sent to the UD."""
    days = int((register.rules or {}).get("pv_ud_days", PV_UD_DAYS))
    return register.session.date_fin + dt.timedelta(days=days), days


@check("pv_delai", title="PV original adressé à l'UD dans les délais", tasks=("pv_ud",), page="after.show_pv",
       reads={"pv", "rules"}, after_exam=True)
def pv_delai(register, today):
    """Guide : « Adresser l'original du PV de la session à l'UD … dans un délai de 15 jours suivant la
    date de la session » : sent at most the guide's number of days after the last day; pending until
    that limit passes while unsent."""
    limit, days = pv_limit(register)
    sent = register.pv.get("envoye_ud")
    if sent is not None and sent.date <= limit:
        return Check("pv_delai", True, f"Original du PV adressé à l'UD le {fr_date(sent.date)}, au plus tard le "
                                       f"{fr_date(limit)}.")
    if sent is not None:
        return Check("pv_delai", False, f"Original du PV adressé à l'UD le {fr_date(sent.date)}, après le "
                                        f"{fr_date(limit)} ({days} jours après la session) : joignez au dossier la "
                                        "raison du retard.")
    if today > limit:
        return Check("pv_delai", False, f"L'original du PV devait être adressé à l'UD au plus tard le {fr_date(limit)} "
                                        f"({days} jours après la session) : adressez-le et enregistrez l'envoi.")
    return Check("pv_delai", None, f"Original du PV à adresser à l'UD au plus tard le {fr_date(limit)}.")


AFTER_EXAM = tuple(code for code, declared in DECLARED.items() if declared.after_exam)


def run(register, today):
    """Every check of a register, in the order declared."""
    return [declared.function(register, today) for declared in DECLARED.values()]


@dataclass
class SessionChecks:
    """A session's checks, the checks concerning each of its tasks and the tasks each concerns."""

    checks: list
    items: list = field(default_factory=list)  # the session's items, when the page has them
    register: Register | None = None  # what they were computed from

    @classmethod
    def of(cls, session, today, items=()):
        register = load_register(session)
        return cls(run(register, today), list(items), register)

    @classmethod
    def of_task(cls, session, today, key):
        """The checks concerning a task (its row after a change), the register read only as far as they
        read it: none for most tasks, a part for the few a check concerns."""
        concerned = [declared for declared in DECLARED.values() if key in declared.tasks]
        parts = set().union(*(declared.reads for declared in concerned), ABSENCES_READS if key == ABSENCES_KEY else ())
        if not parts:
            return cls([])
        register = load_register(session, parts)
        return cls([declared.function(register, today) for declared in concerned],
                   register=register if key == ABSENCES_KEY else None)

    def for_key(self, key):
        """The checks concerning a task with this key (none for a task without one)."""
        return [check for check in self.checks if key in check.keys] if key else []

    def tasks(self, check):
        """The items a check concerns, in guide order."""
        return [item for item in self.items if item.key in check.keys]

    @property
    def failed(self):
        return [check for check in self.checks if check.ok is False]

    @property
    def absences(self):
        """Who was absent at which épreuve (the standing sign-ins), for « Constater les absences »."""
        if self.register is None:
            return []
        register = self.register
        names = {("candidat", c.id): c.label for c in register.candidats}
        names.update({("jure", m.jure_id): m.jure.label for m in register.membres})
        epreuves = {e.id: e for e in register.epreuves}
        return [f"{names.get((kind, person), 'Le surveillant')} : {epreuves[epreuve].libelle} du "
                f"{fr_date(epreuves[epreuve].date)}"
                for (epreuve, kind, person), signin in current_signins(register.emargements).items()
                if signin.statut == "absent" and epreuve in epreuves]


# The failed checks of the lists (dashboard, reminders, the network's view) kept per server by session,
# under (session, its journal head, the day, the administrators' journal's last event, the checks asked):
# every change to a register is in its session's journal; a habilitation or an agrément is in the
# administrators'. The check that reads other sessions (`jury_disponibilite`: a seat elsewhere) is never
# kept: one query finds the sessions it may fail, and only their registers are read for it.
_KEPT = {}
_KEPT_MAX = 100_000
OTHER_SESSIONS_CHECKS = ("jury_disponibilite",)


def forget():
    """Empty what is kept (an app made anew: another database)."""
    _KEPT.clear()


def failing_sessions(sessions, today, codes=None):
    """The sessions among `sessions` with failing checks (of `codes`, or all): [(session, [failed checks])],
    in their order; the registers read only for the sessions whose journal moved since they were last
    checked (see _KEPT), in the register's constant number of queries."""
    if not sessions:
        return []
    wanted = [d for d in DECLARED.values() if codes is None or d.code in codes]
    own = tuple(d for d in wanted if d.code not in OTHER_SESSIONS_CHECKS)
    others = [d for d in wanted if d.code in OTHER_SESSIONS_CHECKS]
    ids = [s.id for s in sessions]
    heads = dict(JournalHead.select(JournalHead.session, JournalHead.hash).where(JournalHead.session.in_(ids)).tuples())
    stamp = AdminEvent.select(fn.MAX(AdminEvent.id)).scalar()
    asked = tuple(d.code for d in own)

    def key(session):
        return session.id, heads.get(session.id), today, stamp, asked

    # Read once from what is kept (another thread may empty it meanwhile: this request keeps its copy).
    failed = {s.id: _KEPT.get(key(s)) for s in sessions}
    missing = [s for s in sessions if failed[s.id] is None]
    if missing:
        registers = load_registers(missing, {part for d in own for part in d.reads})
        if len(_KEPT) > _KEPT_MAX:
            _KEPT.clear()
        for session in missing:
            failed[session.id] = [c for c in (d.function(registers[session.id], today) for d in own) if c.ok is False]
            _KEPT[key(session)] = failed[session.id]
    failed = {session_id: list(checks) for session_id, checks in failed.items()}
    if others:
        booked = double_booked(ids)
        suspects = [s for s in sessions if s.id in booked]
        registers = load_registers(suspects, {part for d in others for part in d.reads})
        for session in suspects:
            failed[session.id] += [c for c in (d.function(registers[session.id], today) for d in others) if c.ok is False]
    order = {d.code: n for n, d in enumerate(DECLARED.values())}
    return [(s, sorted(failed[s.id], key=lambda c: order[c.code])) for s in sessions if failed[s.id]]


def double_booked(ids):
    """The ids among `ids` of the sessions whose jury has a juror sitting, on one of their days, on another
    session (any centre, not archived): those `jury_disponibilite` may fail, found in one query."""
    S, Other, OtherSeat = ExamSession, ExamSession.alias(), MembreJury.alias()
    return {session_id for (session_id,) in S.select(S.id).distinct()
            .join(MembreJury, on=((MembreJury.session == S.id) & MembreJury.retire_le.is_null()))
            .join(OtherSeat, on=((OtherSeat.jure == MembreJury.jure) & (OtherSeat.session != S.id)
                                 & OtherSeat.retire_le.is_null()))
            .join(Other, on=((Other.id == OtherSeat.session) & (Other.archived == False)  # noqa: E712
                             & (Other.date_debut <= S.date_fin) & (Other.date_fin >= S.date_debut)))
            .where(S.id.in_(ids)).tuples()}

