"""The guide's checks computed from the register: each rule on both sides of its boundaries.

The rules are pure functions of a Register (model instances, not saved): these tests build the
register in memory; test_register_checks.py loads real registers through the routes."""
import datetime as dt

import pytest

from domain import checks
from models import Candidat, Epreuve, ExamSession, Habilitation, Jure, MembreJury

D = dt.date
V1_RULES = {"convocation_limit": {"from": "debut", "months": -1}}
FAR, APRIL_1ST = D(2030, 1, 1), D(2027, 4, 1)


def make_session(**changes):
    values = {"id": 1, "guide_id": 1, "sigle": "DWWM", "nature": "TITRE", "code_ccp": "", "nb_formation": 1,
              "nb_vae": 0, "date_debut": D(2027, 5, 31), "date_fin": D(2027, 6, 2), **changes}
    return ExamSession(**values)


def juror(name="Durand", habs=(("DWWM", FAR, ""),)):
    jure = Jure(nom=name, prenom="Paul")
    jure.habs = [Habilitation(sigle=s, valide_jusqu_au=until, ccp=ccp) for s, until, ccp in habs]
    return jure


def member(jure=None, declaration=APRIL_1ST, known=()):
    membre = MembreJury(declaration_le=declaration)
    membre.jure = jure or juror()
    membre.known = list(known)
    return membre


def candidate(cid=1, parcours="formation", sent=APRIL_1ST, mode="lrar", recevabilite=None, name="Martin"):
    return Candidat(id=cid, nom=name, prenom="Léa", parcours=parcours, convocation_envoyee_le=sent,
                    convocation_mode=mode if sent else "", recevabilite_valide_jusqu_au=recevabilite)


def register(session=None, candidats=(), membres=(), epreuves=(), rules=V1_RULES):
    return checks.Register(session or make_session(), list(candidats), list(membres), list(epreuves), rules)


TODAY = D(2027, 1, 10)


def verdict(check_function, reg, today=TODAY):
    return check_function(reg, today).ok


# --- jury_effectif -----------------------------------------------------------------------------

def test_a_jury_needs_two_members():
    assert verdict(checks.jury_effectif, register()) is None
    one = checks.jury_effectif(register(membres=[member()]), TODAY)
    assert one.ok is False and "au moins 2" in one.message
    assert verdict(checks.jury_effectif, register(membres=[member(), member(juror("Petit"))])) is True


# --- jury_habilitations ------------------------------------------------------------------------

@pytest.mark.parametrize("until, ok", [(D(2027, 6, 2), True), (D(2027, 6, 1), False), (D(2027, 6, 3), True)])
def test_a_habilitation_must_last_until_the_last_day_inclusive(until, ok):
    reg = register(membres=[member(juror(habs=[("DWWM", until, "")]))])
    result = checks.jury_habilitations(reg, TODAY)
    assert result.ok is ok
    if not ok:
        assert result.details == ["Paul Durand : habilitation DWWM valable jusqu'au 01/06/2027, "
                                  "la session finit le 02/06/2027."]


def test_a_habilitation_for_another_titre_does_not_count_and_sigles_compare_without_case():
    assert verdict(checks.jury_habilitations, register(membres=[member(juror(habs=[("CDA", D(2030, 1, 1), "")]))])) is False
    assert verdict(checks.jury_habilitations, register(membres=[member(juror(habs=[(" dwwm", D(2030, 1, 1), "")]))])) is True
    assert verdict(checks.jury_habilitations, register(membres=[member(juror(habs=[]))])) is False
    assert verdict(checks.jury_habilitations, register()) is None


def test_a_ccp_session_refuses_a_habilitation_restricted_to_other_ccps():
    ccp = make_session(nature="CCP", code_ccp="CP-002")
    restricted = [("DWWM", D(2030, 1, 1), "CP-001, CP-003")]
    result = checks.jury_habilitations(register(ccp, membres=[member(juror(habs=restricted))]), TODAY)
    assert result.ok is False and "restreinte aux CCP CP-001, CP-003" in result.details[0]
    covering = [("DWWM", D(2030, 1, 1), "CP-001, cp-002")]
    assert verdict(checks.jury_habilitations, register(ccp, membres=[member(juror(habs=covering))])) is True
    whole = [("DWWM", D(2030, 1, 1), "")]
    assert verdict(checks.jury_habilitations, register(ccp, membres=[member(juror(habs=whole))])) is True
    # A full titre session asks for a habilitation without CCP restriction.
    titre = checks.jury_habilitations(register(membres=[member(juror(habs=restricted))]), TODAY)
    assert titre.ok is False and "un titre complet demande une habilitation sans restriction de CCP" in titre.details[0]
    assert verdict(checks.jury_habilitations, register(membres=[member(juror(habs=whole))])) is True
    # The restriction cannot be checked while the session's CCP code is missing: it says so.
    unknown = checks.jury_habilitations(register(make_session(nature="CCP"), membres=[member(juror(habs=restricted))]), TODAY)
    assert unknown.ok is False and "renseignez le code CCP" in unknown.details[0]


def test_an_expired_habilitation_beside_a_valid_one_for_the_same_titre_is_enough():
    habs = [("DWWM", D(2026, 1, 1), ""), ("DWWM", D(2031, 1, 1), "")]
    assert verdict(checks.jury_habilitations, register(membres=[member(juror(habs=habs))])) is True


# --- jury_liens --------------------------------------------------------------------------------

def test_every_juror_declares_or_names_the_candidates_they_know():
    assert verdict(checks.jury_liens, register()) is None
    undeclared = checks.jury_liens(register(membres=[member(declaration=None), member(juror("Petit"))]), TODAY)
    assert undeclared.ok is False and undeclared.details == ["Paul Durand : ni déclaration signée, ni candidats connus indiqués."]
    # Naming the candidates one knows is a declaration too.
    three = [member(declaration=None, known=[1]), member(juror("Petit")), member(juror("Roux"))]
    assert verdict(checks.jury_liens, register(candidats=[candidate()], membres=three)) is True


def test_a_candidate_known_by_a_juror_keeps_two_jurors_who_do_not_know_them():
    two = [member(known=[1]), member(juror("Petit"))]
    result = checks.jury_liens(register(candidats=[candidate()], membres=two), TODAY)
    assert result.ok is False
    assert result.details == ["Martin Léa est connu(e) de Paul Durand : il ne reste que 1 membre de jury pour "
                              "l'évaluer, il en faut 2."]
    three = [*two, member(juror("Roux"))]
    assert verdict(checks.jury_liens, register(candidats=[candidate()], membres=three)) is True


# --- candidats_nombre --------------------------------------------------------------------------

def test_the_register_counts_match_the_header_sent_to_the_ud():
    assert verdict(checks.candidats_nombre, register()) is None
    header = make_session(nb_formation=1, nb_vae=1)
    both = [candidate(1), candidate(2, "vae", recevabilite=D(2028, 1, 1))]
    assert verdict(checks.candidats_nombre, register(header, candidats=both)) is True
    result = checks.candidats_nombre(register(header, candidats=both[:1]), TODAY)
    assert result.ok is False and "1 en formation et 0 en VAE, l'en-tête en annonce 1 et 1" in result.message


# --- convocations_delai ------------------------------------------------------------------------

@pytest.mark.parametrize("debut, sent, ok", [
    (D(2027, 5, 31), D(2027, 4, 30), True),   # 31 May: on or before 30 April
    (D(2027, 5, 31), D(2027, 5, 1), False),
    (D(2027, 3, 30), D(2027, 2, 28), True),   # a session in March: February's last day
    (D(2027, 3, 30), D(2027, 3, 1), False),
    (D(2028, 3, 31), D(2028, 2, 29), True),   # leap year
    (D(2027, 2, 15), D(2027, 1, 15), True),   # a session in February
    (D(2027, 2, 15), D(2027, 1, 16), False),
])
def test_a_candidate_is_convoked_at_least_one_calendar_month_before(debut, sent, ok):
    session = make_session(date_debut=debut, date_fin=debut + dt.timedelta(days=2))
    assert verdict(checks.convocations_delai, register(session, candidats=[candidate(sent=sent)])) is ok


def test_a_convocation_needs_one_of_the_two_modes_the_guide_allows():
    reg = register(candidats=[candidate(mode="")])
    result = checks.convocations_delai(reg, TODAY)
    assert result.ok is False and result.details == ["Martin Léa : mode d'envoi non indiqué."]


def test_a_candidate_not_yet_convoked_is_pending_until_the_limit_then_fails():
    reg = register(candidats=[candidate(sent=None)])
    assert checks.convocations_delai(reg, D(2027, 4, 30)).ok is None
    assert "à convoquer au plus tard le 30/04/2027" in checks.convocations_delai(reg, D(2027, 4, 30)).message
    assert checks.convocations_delai(reg, D(2027, 5, 1)).ok is False
    assert verdict(checks.convocations_delai, register()) is None


def test_the_convocation_limit_is_the_guide_versions_figure_by_nature():
    older = {"convocation_limit": {"from": "debut", "months": -1},
             "convocation_limit_by_nature": {"CCP": {"from": "debut", "days": -15}}}
    ccp = make_session(nature="CCP")  # 31 May: 16 May at the latest
    assert verdict(checks.convocations_delai, register(ccp, [candidate(sent=D(2027, 5, 16))], rules=older)) is True
    assert verdict(checks.convocations_delai, register(ccp, [candidate(sent=D(2027, 5, 17))], rules=older)) is False
    titre = make_session()
    assert verdict(checks.convocations_delai, register(titre, [candidate(sent=D(2027, 5, 16))], rules=older)) is False
    no_figure = checks.convocations_delai(register(candidats=[candidate()], rules={}), TODAY)
    assert no_figure.ok is None and "ne fixe pas de délai" in no_figure.message


# --- vae_recevabilite --------------------------------------------------------------------------

@pytest.mark.parametrize("until, ok", [(D(2027, 5, 31), True), (D(2027, 5, 30), False), (None, False)])
def test_a_vae_recevabilite_is_valid_on_the_first_day(until, ok):
    reg = register(candidats=[candidate(parcours="vae", recevabilite=until), candidate(2)])
    assert verdict(checks.vae_recevabilite, reg) is ok


def test_without_vae_candidates_there_is_nothing_to_check():
    assert verdict(checks.vae_recevabilite, register(candidats=[candidate()])) is None


# --- epreuves_dates ----------------------------------------------------------------------------

def epreuve(date, start="09:00", end="12:00"):
    return Epreuve(libelle="Mise en situation professionnelle", date=date, heure_debut=start, heure_fin=end, lieu="Salle 1")


@pytest.mark.parametrize("date, ok", [
    (D(2027, 5, 31), True), (D(2027, 6, 2), True), (D(2027, 5, 30), False), (D(2027, 6, 3), False)])
def test_an_epreuve_lies_within_the_sessions_days(date, ok):
    assert verdict(checks.epreuves_dates, register(epreuves=[epreuve(date)])) is ok


def test_an_epreuve_ends_after_it_starts():
    assert verdict(checks.epreuves_dates, register(epreuves=[epreuve(D(2027, 6, 1), "14:00", "14:00")])) is False
    assert verdict(checks.epreuves_dates, register(epreuves=[epreuve(D(2027, 6, 1), "14:00", "14:01")])) is True
    assert verdict(checks.epreuves_dates, register()) is None


def test_every_check_is_declared_against_the_guide_the_routes_and_the_register(tmp_path):
    """Each declaration names task keys the guide file has, a page that is a route, parts of the
    register that register_queries reads; the checks run in the order declared, each giving its code."""
    from guide import read_guide
    from helpers import make_app
    keys = {task["key"] for tableau in read_guide()["phases"] for task in tableau["tasks"] if "key" in task}
    endpoints = {rule.endpoint for rule in make_app(tmp_path).url_map.iter_rules()}
    queries = set(checks.register_queries(lambda field: field.is_null()))
    assert len(checks.DECLARED) >= 7
    for code, declared in checks.DECLARED.items():
        assert declared.tasks and set(declared.tasks) <= keys, (code, set(declared.tasks) - keys)
        assert declared.page in endpoints, (code, declared.page)
        assert declared.reads and declared.reads <= set(checks.REGISTER_PARTS), (code, declared.reads)
    assert {q for part in checks.REGISTER_PARTS.values() for q in part} == queries == set(checks.REGISTER)
    assert checks.ABSENCES_KEY in keys and checks.ABSENCES_READS <= set(checks.REGISTER_PARTS)
    assert [c.code for c in checks.run(register(), TODAY)] == list(checks.DECLARED)


def test_a_juror_made_inactive_no_longer_counts_for_a_session_to_come():
    """A deactivated juror still counted on an upcoming session's jury and was convoked."""
    active = member(juror(habs=[("DWWM", D(2030, 1, 1), "")]))
    gone = member(juror(habs=[("DWWM", D(2030, 1, 1), "")]))
    gone.jure.active = False
    jury = register(membres=[active, gone])
    effectif = checks.jury_effectif(jury, TODAY)
    assert effectif.ok is False and "désactivé dans l'annuaire, ne compte plus" in effectif.message
    habilitations = checks.jury_habilitations(jury, TODAY)
    assert habilitations.ok is False and "désactivé dans l'annuaire des jurés" in habilitations.details[0]
    after = D(2027, 6, 3)  # once the session is over, its jury is what it was
    assert verdict(checks.jury_effectif, jury, after) is True and verdict(checks.jury_habilitations, jury, after) is True


def test_counts_agree_with_their_nouns_in_french():
    """« Les 1 épreuve ont lieu pendant la session. » : one helper agrees every count with its noun."""
    from domain.vocabulary import agree, plural
    assert [plural(n, "épreuve") for n in (0, 1, 2)] == ["0 épreuve", "1 épreuve", "2 épreuves"]
    assert plural(3, "rappel envoyé", "rappels envoyés") == "3 rappels envoyés"
    assert agree(1, "L'épreuve a lieu", "Les {n} épreuves ont lieu") == "L'épreuve a lieu"
    assert agree(4, "L'épreuve a lieu", "Les {n} épreuves ont lieu") == "Les 4 épreuves ont lieu"
    one = checks.epreuves_dates(register(epreuves=[epreuve(D(2027, 6, 1))]), TODAY)
    assert one.message == "L'épreuve a lieu pendant la session."
    two = checks.epreuves_dates(register(epreuves=[epreuve(D(2027, 6, 1)), epreuve(D(2027, 6, 2))]), TODAY)
    assert two.message == "Les 2 épreuves ont lieu pendant la session."
    alone = checks.convocations_delai(register(candidats=[candidate()]), TODAY)
    assert alone.message.startswith("Le candidat a été convoqué au plus tard le")
