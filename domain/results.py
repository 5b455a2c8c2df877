"""After the exam: who evaluated whom, and each candidate's result as the jury decided it.

The evaluators of a candidate are jurors of the session's jury who do not know them (the guide:
« Vérifier la signature des PV individuels par les seuls membres de jury ayant évalué le candidat »).
A result is the decision and, for a titre session, each CCP of the titre's version acquired or not;
it is refused when it contradicts itself or the exam day (sign-ins), or before the deliberation.
Results are evidence (never deleted by a cascade); each change is journalled in its transaction.
"""
from dataclasses import dataclass

from database import locked
from domain import DomainError, access, candidates, emargement, journal
from domain.forms import InvalidForm
from domain.deadlines import add_months
from domain.inputs import whole_number
from domain.titres import ccps_of, titre_of
from domain.vocabulary import CCP_RESULTS, DECISION_LABELS, DECISIONS_CERTIFICAT, DECISIONS_TITRE
from formats import fr_date
from models import Candidat, Emargement, Epreuve, Evaluateur, ExamSession, Jure, LienJury, MembreJury, Resultat, db, now


# --- Evaluators ------------------------------------------------------------------------------------

def evaluators(session):
    """{candidate id: [jure ids]} of the session's candidates (one query)."""
    result = {}
    for candidat_id, jure_id in (Evaluateur.select(Evaluateur.candidat, Evaluateur.jure).join(Candidat)
                                 .where(Candidat.session == session).order_by(Evaluateur.id).tuples()):
        result.setdefault(candidat_id, []).append(jure_id)
    return result


def evaluators_of(candidat):
    """The jure ids who evaluate the candidate."""
    return [j for (j,) in Evaluateur.select(Evaluateur.jure).where(Evaluateur.candidat == candidat.id)
            .order_by(Evaluateur.id).tuples()]


def set_evaluators(user, candidat, jure_ids):
    """The candidate's evaluators, replacing those recorded: jurors seated on the session's jury, none
    declared as knowing the candidate (422 otherwise, nothing changed)."""
    wanted = []
    for value in jure_ids:
        number = whole_number(value)
        if number is None:
            raise InvalidForm({"evaluateurs": "Évaluateurs : choisissez des membres du jury de la session."})
        if number not in wanted:
            wanted.append(number)
    with db.atomic():
        session = locked(ExamSession.select().where(ExamSession.id == candidat.session_id)).get()
        access.require_editable(user, session)
        seated = {m.jure_id: m for m in MembreJury.select(MembreJury, Jure).join(Jure).where(
            (MembreJury.session == session) & MembreJury.retire_le.is_null())}
        unknown = [j for j in wanted if j not in seated]
        if unknown:
            raise InvalidForm({"evaluateurs": "Évaluateurs : choisissez des membres du jury de la session "
                                              "(un juré choisi n'en fait pas partie)."})
        knowing = {lien.membre_id for lien in LienJury.select().where(LienJury.candidat == candidat.id)}
        knows = [seated[j].jure.label for j in wanted if seated[j].id in knowing]
        if knows:
            raise InvalidForm({"evaluateurs": f"{', '.join(knows)} connaî{'t' if len(knows) == 1 else 'ssent'} "
                                              f"{candidat.label} (déclaration de liens) : un juré n'évalue pas un "
                                              "candidat qu'il connaît."})
        before = evaluators_of(candidat)
        if before == wanted:
            return wanted
        Evaluateur.delete().where(Evaluateur.candidat == candidat.id).execute()
        for jure_id in wanted:
            Evaluateur.create(candidat=candidat.id, jure=jure_id)
        names = ", ".join(seated[j].jure.label for j in wanted) or "aucun"
        old = ", ".join(seated[j].jure.label if j in seated else f"juré {j}" for j in before) or "aucun"
        journal.record(user, session.id, "evaluateurs", f"{candidat.label} : {old}", f"{candidat.label} : {names}")
    return wanted


# --- Results -----------------------------------------------------------------------------------------

def deliberation_day(session, epreuves=None):
    """The day results may be entered from: the session's « délibérations » slot (the last one), else
    its last day."""
    epreuves = Epreuve.of_session(session) if epreuves is None else epreuves
    days = [e.date for e in epreuves if e.categorie == "deliberation"]
    return max(days) if days else session.date_fin


@dataclass
class Form:
    """What a session's results are entered against: its decisions and, for a titre, its CCPs."""

    decisions: dict
    ccps: list  # TitreCcp rows in order (a titre session), else empty
    titre: object = None


def results_form(session):
    """The decisions and CCPs of the session's results; a titre session whose titre is not recorded
    raises DomainError (the titre first: Administration → Titres)."""
    if session.nature != "TITRE":
        return Form(DECISIONS_CERTIFICAT, [])
    titre = titre_of(session.sigle, session.millesime)
    if titre is None:
        raise DomainError(f"Le titre {session.sigle} millésime {session.millesime} n'est pas enregistré : un "
                          "administrateur doit d'abord le saisir avec ses CCP (Administration → Titres) pour que les "
                          "résultats indiquent les CCP acquis.", "decision")
    return Form(DECISIONS_TITRE, ccps_of(titre), titre)


def _signed_in(candidat):
    """The statuses of the candidate's standing sign-ins (one per épreuve)."""
    signins = Emargement.select().where((Emargement.candidat == candidat.id)).order_by(Emargement.id)
    return [s.statut for s in emargement.current(signins).values()]


def clean_result(session, candidat, form, today):
    """(decision, {code: acquis|non_acquis} or None) from the form, or InvalidForm saying what
    contradicts what."""
    try:
        shape = results_form(session)
    except DomainError as exc:
        raise InvalidForm({"decision": exc.message}) from None
    errors = {}
    decision = (form.get("decision") or "").strip()
    if decision not in shape.decisions:
        errors["decision"] = "Décision : choisissez " + ", ".join(f"« {label} »" for label in shape.decisions.values()) + "."
    ccp = None
    if shape.ccps:
        ccp = {}
        for c in shape.ccps:
            value = (form.get(f"ccp_{c.code}") or "").strip()
            if value in CCP_RESULTS:
                ccp[c.code] = value
            elif value or decision != "absent":
                errors[f"ccp_{c.code}"] = f"{c.code} : indiquez acquis ou non acquis."
        if not errors:
            acquired = [code for code, value in ccp.items() if value == "acquis"]
            if decision == "titre" and len(acquired) < len(shape.ccps):
                errors["decision"] = ("Titre obtenu : tous les CCP doivent être acquis ; avec des CCP non acquis, la "
                                      "décision est une validation partielle.")
            elif decision == "partiel" and not acquired:
                errors["decision"] = "Validation partielle : indiquez au moins un CCP acquis (sinon : non obtenu)."
            elif decision == "partiel" and len(acquired) == len(shape.ccps):
                errors["decision"] = "Validation partielle : tous les CCP sont acquis, la décision est le titre obtenu."
            elif decision == "non_obtenu" and acquired:
                errors["decision"] = (f"Non obtenu : des CCP sont acquis ({', '.join(acquired)}) ; la décision est "
                                      "une validation partielle.")
            elif decision == "absent" and acquired:
                errors["decision"] = f"Absent : aucun CCP ne peut être acquis ({', '.join(acquired)} indiqué(s))."
            if decision == "absent":
                ccp = dict.fromkeys((c.code for c in shape.ccps), "non_acquis")
    if not errors:
        statuses = _signed_in(candidat)
        if decision == "absent" and "present" in statuses:
            errors["decision"] = (f"Absent : {candidat.label} a émargé présent(e) ; corrigez l'émargement si "
                                  "c'est une erreur.")
        elif decision != "absent" and statuses and "present" not in statuses:
            errors["decision"] = (f"{candidat.label} a été constaté(e) absent(e) à toutes les épreuves "
                                  "émargées : la décision est « Absent ».")
        day = deliberation_day(session)
        if today < day:
            errors["decision"] = (f"Les résultats se saisissent après la délibération du jury, le {fr_date(day)} "
                                  "(créneau « Délibérations du jury » du planning, sinon le dernier jour de la session).")
    if errors:
        raise InvalidForm(errors)
    return decision, ccp


def describe(decision, ccp):
    text = DECISION_LABELS[decision]
    if ccp:
        text += " (" + ", ".join(f"{code} {CCP_RESULTS[value].lower()}" for code, value in ccp.items()) + ")"
    return text


def save_result(user, candidat, form, today):
    """Record the candidate's result (replacing the one recorded); refused when the session is closed."""
    with db.atomic():
        session = locked(ExamSession.select().where(ExamSession.id == candidat.session_id)).get()
        access.require_editable(user, session)
        decision, ccp = clean_result(session, candidat, form, today)
        current = Resultat.get_or_none(Resultat.candidat == candidat.id)
        old = describe(current.decision, current.ccp) if current else ""
        new = describe(decision, ccp)
        if old == new:
            return current
        if current is None:
            current = Resultat.create(candidat=candidat.id, session=session.id, decision=decision, ccp=ccp,
                                      saisi_le=now(), saisi_par=user)
        else:
            Resultat.update(decision=decision, ccp=ccp, saisi_le=now(), saisi_par=user).where(
                Resultat.id == current.id).execute()
        journal.record(user, session.id, "resultat", f"{candidat.label} : {old}" if old else "",
                       f"{candidat.label} : {new}")
    return Resultat.get_by_id(current.id)


def results(session):
    """{candidate id: Resultat} of the session."""
    return {r.candidat_id: r for r in Resultat.select().where(Resultat.session == session).order_by(Resultat.candidat)}


def validated_ccps(result):
    return [code for code, value in (result.ccp or {}).items() if value == "acquis"]


# --- Candidates with some CCPs and not yet the titre -------------------------------------------------------

@dataclass
class Partial:
    candidat: object
    session: object
    acquired: list  # CCP codes
    left: list
    followed: bool  # within SUIVI_PARTIELS_MOIS of the session's last day
    registered: list  # the later candidate records that continue this one: [(Candidat, session)]


def partials(sessions_query, months, today):
    """The candidates of `sessions_query`'s sessions with a partial result (« validation partielle »):
    the CCPs acquired and those left, and where they were registered since; those of the last `months`
    first (the most recent first), then the older ones (four queries)."""
    S = ExamSession
    rows = list(Resultat.select(Resultat, Candidat, S).join(Candidat, on=(Resultat.candidat == Candidat.id))
                .join(S, on=(Resultat.session == S.id))
                .where((Resultat.decision == "partiel") & S.id.in_(sessions_query.select(S.id)) & S.purged_at.is_null())
                .order_by(S.date_fin.desc(), Candidat.nom, Candidat.prenom))
    later = {}
    ids = [r.candidat.id for r in rows]
    if ids:
        for candidat in Candidat.select(Candidat, S).join(S).where(Candidat.precedent.in_(ids)).order_by(S.date_debut):
            later.setdefault(candidat.precedent, []).append((candidat, candidat.session))
    limit = add_months(today, -months)
    result = [Partial(r.candidat, r.session, validated_ccps(r),
                      [code for code, value in (r.ccp or {}).items() if value != "acquis"],
                      r.session.date_fin >= limit, later.get(r.candidat.id, [])) for r in rows]
    return sorted(result, key=lambda p: not p.followed)  # stable: the most recent first within each group


def later_sessions(partial, editable):
    """The sessions a partial candidate may be registered to: later sessions of the same titre (sigle)
    among `editable` (the user's open sessions), not one they are in already."""
    taken = {s.id for _, s in partial.registered}
    return [s for s in editable if s.sigle.upper() == partial.session.sigle.upper()
            and s.date_debut > partial.session.date_fin and s.id not in taken]


def register_again(user, candidat, target, today):
    """« Inscrire à une session »: a new candidate record in a later session of the same titre, linked to
    the first one (`precedent`), its contact details carried over; InvalidForm when it cannot be."""
    first = Resultat.get_or_none(Resultat.candidat == candidat.id)
    if first is None or first.decision != "partiel":
        raise InvalidForm({"session_id": f"{candidat.label} n'a pas de validation partielle à compléter."})
    origin = ExamSession.get_by_id(candidat.session_id)
    if target is None or target.sigle.upper() != origin.sigle.upper() or target.date_debut <= origin.date_fin:
        raise InvalidForm({"session_id": f"Session : choisissez une session de {origin.sigle} qui commence après le "
                                         f"{fr_date(origin.date_fin)}."})
    if Candidat.select().where((Candidat.session == target.id) & (Candidat.precedent == candidat.id)).exists():
        raise InvalidForm({"session_id": f"{candidat.label} est déjà inscrit(e) à cette session."})
    form = {"civilite": candidat.civilite, "nom": candidat.nom, "prenom": candidat.prenom,
            "date_naissance": candidat.date_naissance.isoformat(), "email": candidat.email, "adresse": candidat.adresse,
            "parcours": candidat.parcours, "identifiant_ceres": candidat.identifiant_ceres,
            "recevabilite_valide_jusqu_au": candidat.recevabilite_valide_jusqu_au.isoformat()
            if candidat.recevabilite_valide_jusqu_au else ""}
    with db.atomic():
        added = candidates.add_candidate(user, target, form, today)
        Candidat.update(precedent=candidat.id).where(Candidat.id == added.id).execute()
        left = [code for code, value in (first.ccp or {}).items() if value != "acquis"]
        journal.record(user, target.id, "candidat", "",
                       f"{added.label} : validation partielle de la session du {fr_date(origin.date_debut)} "
                       f"(CCP restant{'s' if len(left) > 1 else ''} : {', '.join(left) or 'aucun'})")
    return Candidat.get_by_id(added.id)
