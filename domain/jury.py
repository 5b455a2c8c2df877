"""A session's jury: jurors of the centre's directory seated on it, each with their signed declaration
and the candidates they declared they know. Written in the session's journal."""
from peewee import fn

from domain import evidence, journal
from domain.forms import InvalidForm, collect
from domain.inputs import parse_past_date, whole_number
from models import Candidat, Centre, Evaluateur, Habilitation, Jure, LienJury, MembreJury, db


def add_to_jury(user, session, jure_id, shared=False):
    """Seat a juror (active, from the centre's directory, or any centre's when it is `shared`) on its jury."""
    jure = Jure.get_or_none(Jure.id == jure_id) if jure_id else None
    if jure is None or not jure.active or (jure.centre_id != session.centre_id and not shared):
        raise InvalidForm({"jure_id": "Juré : choisissez un juré actif de l'annuaire du centre."})
    with db.atomic():
        membre = MembreJury.get_or_none((MembreJury.session == session) & (MembreJury.jure == jure))
        if membre is not None and membre.retire_le is None:
            raise InvalidForm({"jure_id": f"{jure.label} fait déjà partie du jury."})
        if membre is not None:  # withdrawn earlier: seated again, with what the seat held
            MembreJury.update(retire_le=None).where(MembreJury.id == membre.id).execute()
        else:
            membre = MembreJury.create(session=session, jure=jure)
        journal.record(user, session, "jury", "", f"{jure.label} ajouté(e) au jury")
    return MembreJury.get_by_id(membre.id)


def _held_seat(membre):
    """What the member's seat held, for the journal when it goes."""
    known = [c.label for c in Candidat.select().join(LienJury).where(LienJury.membre == membre.id)]
    return (f"{membre.jure.label} : déclaration " + (f"signée le {membre.declaration_le:%d/%m/%Y}" if membre.declaration_le
                                                     else "non signée")
            + (f" ; connaît {', '.join(known)}" if known else ""))


def remove_from_jury(user, membre):
    """Take a juror off the jury when they hold no evidence of the session (HoldsEvidence otherwise); the
    candidates they were to evaluate no longer count them."""
    with db.atomic():
        evidence.remove(user, membre, membre.jure.label, _held_seat(membre), "jury", "Supprimé(e) du jury")
        Evaluateur.delete().where((Evaluateur.jure == membre.jure_id) & Evaluateur.candidat.in_(
            Candidat.select(Candidat.id).where(Candidat.session == membre.session_id))).execute()


def withdraw_from_jury(user, membre):
    """Withdraw a juror from the jury, their seat and sign-ins kept."""
    evidence.withdraw(user, membre, _held_seat(membre), "jury", "Retiré(e) du jury (gardé avec ses émargements)")


def record_declaration(user, membre, declaration_le, liens, today):
    """The juror's signed declaration (its date, not after today, or none yet) and the session's
    candidates they know."""
    errors = {}
    date = collect(errors, "declaration_le", lambda: parse_past_date(declaration_le, "Déclaration signée le", today)) \
        if (declaration_le or "").strip() else None
    candidats = {c.id: c for c in Candidat.select().where(Candidat.session == membre.session_id)}
    known = [candidats.get(whole_number(value)) for value in liens]
    if any(c is None for c in known):
        errors["liens"] = "Liens : choisissez des candidats de la session."
    if errors:
        raise InvalidForm(errors)
    known = sorted({c.id: c for c in known}.values(), key=lambda c: c.id)
    with db.atomic():
        MembreJury.update(declaration_le=date).where(MembreJury.id == membre.id).execute()
        LienJury.delete().where(LienJury.membre == membre).execute()
        for candidat in known:
            LienJury.create(membre=membre, candidat=candidat)
        journal.record(user, membre.session_id, "declaration", "",
                       f"{membre.jure.label} : déclaration " + (f"signée le {date:%d/%m/%Y}" if date else "non signée")
                       + (f" ; connaît {', '.join(c.label for c in known)}" if known else " ; aucun lien déclaré"))
    return MembreJury.get_by_id(membre.id)


def jury_members(session, withdrawn=False):
    """The session's jury in name order (or, `withdrawn`, the members withdrawn from it), each member
    with its juror and `known`: the ids of the candidates they know (two queries)."""
    membres = list(MembreJury.select(MembreJury, Jure).join(Jure)
                   .where((MembreJury.session == session) & MembreJury.retire_le.is_null(not withdrawn))
                   .order_by(Jure.nom, Jure.prenom))
    known = {}
    for lien in LienJury.select().join(MembreJury).where(MembreJury.session == session):
        known.setdefault(lien.membre_id, []).append(lien.candidat_id)
    for membre in membres:
        membre.known = sorted(known.get(membre.id, []))
    return membres


def member(session, jure_id):
    """The session's jury member that is this juror (with the juror), or None."""
    return (MembreJury.select(MembreJury, Jure).join(Jure)
            .where((MembreJury.session == session) & (MembreJury.jure == jure_id)).first())


def centre_jurors(session, shared=False):
    """The jurors the jury page shows and picks from, with their habilitations and centre, by id: the
    session's centre's; when the directory is shared, other centres' active jurors habilitated for the
    session's sigle too (a network's thousands of jurors are not one list); its members' always."""
    seated = MembreJury.select(MembreJury.jure).where(MembreJury.session == session)
    mine = (Jure.centre == session.centre_id) | Jure.id.in_(seated)
    habilitated = Jure.id.in_(Habilitation.select(Habilitation.jure).where(
        fn.UPPER(Habilitation.sigle) == (session.sigle or "").strip().upper()))
    query = Jure.select(Jure, Centre).join(Centre).where(
        mine | ((Jure.active == True) & habilitated) if shared else mine)  # noqa: E712
    return {j.id: j for j in Jure.with_habilitations(query.order_by(Jure.nom, Jure.prenom))}
