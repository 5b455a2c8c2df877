"""The home page: a centre's sessions, what is late and what is coming, across sessions."""

import models
from helpers import create_session, item_at, section, text_of
from database import counting_queries


def test_late_and_coming_tasks_across_sessions_link_to_their_rows(client, auth, db):
    # Today is 01/02/2027.
    soon = create_session(sigle="SOON", date_debut="2027-03-01", date_fin="2027-03-02")  # convocation due 01/02
    late = create_session(sigle="LATE", date_debut="2027-04-20", date_fin="2027-04-21")  # 3-month tasks due 20/01
    create_session("Centre B", sigle="OTHER", date_debut="2027-04-20", date_fin="2027-04-21")
    auth.login()
    html = client.get("/").get_data(as_text=True)
    late_list = section(html, "late-title")
    assert "LATE (20/04/2027)" in late_list and "il y a 12 jours" in late_list
    ceres = next(i for i in late.ordered_items() if i.text.startswith("Créer la session dans CERES"))
    assert f'href="/sessions/{late.id}#item-{ceres.id}"' in late_list
    assert "OTHER" not in html
    soon_list = section(html, "soon-title")
    convoquer = next(i for i in soon.ordered_items() if i.text.startswith("Convoquer les candidats"))
    assert f'href="/sessions/{soon.id}#item-{convoquer.id}"' in soon_list
    assert "01/02/2027 · aujourd'hui" in soon_list
    # Not the exam-day tables: 01/03 is 28 days away. The pli reminder (J-28) is today too.
    assert "Ouverture de la session" not in soon_list


def test_exam_day_tasks_are_grouped_in_one_line(client, auth, db):
    create_session(sigle="JOUR", date_debut="2027-02-08", date_fin="2027-02-09")
    auth.login()
    soon_list = section(client.get("/").get_data(as_text=True), "soon-title")
    assert "Ouverture de la session : 18 tâches" in soon_list
    assert "Fin des épreuves : 16 tâches" in soon_list


def test_session_cards_show_progress_late_count_and_next_deadline(client, auth, session):
    auth.login()
    client.post(f"/items/{item_at(session, 1).id}/done")
    page = text_of(client.get("/"))
    # Session 15/03/2027: 31/01 and the four tasks at 15/12/2026 are late; next deadline 15/02.
    assert "Toutes les tâches : 1/98" in page and "Réglementaires : 1/75" in page
    assert "4 en retard" in page
    assert "Prochaine échéance : 15/02/2027 (dans 14 jours)" in page
    assert "En préparation" in page


def test_filters_by_year_nature_and_state(client, auth, db):
    create_session(sigle="A2027", date_debut="2027-03-15", date_fin="2027-03-16")
    create_session(sigle="B2026", date_debut="2026-06-01", date_fin="2026-06-02")
    create_session(sigle="CCCP", nature="CCP", libelle_ccp="Un CCP", date_debut="2027-01-30", date_fin="2027-02-03")
    auth.login()
    def shown(**args):
        page = text_of(client.get("/", query_string=args))
        return {s for s in ("A2027", "B2026", "CCCP") if s in page}
    assert shown() == {"A2027", "B2026", "CCCP"}
    assert shown(annee="2026") == {"B2026"}
    assert shown(nature="CCP") == {"CCCP"}
    assert shown(etat="running") == {"CCCP"}
    assert shown(etat="preparing") == {"A2027"}
    assert shown(etat="finished") == {"B2026"}
    assert shown(etat="archived") == set()
    # Nonsense in the query string is ignored, never an error.
    assert shown(annee="abcd", nature="<x>", etat="'", page="-3") == {"A2027", "B2026", "CCCP"}


def test_archiving_takes_a_session_out_of_the_task_lists(client, auth, db):
    session = create_session(sigle="OLD", date_debut="2027-01-10", date_fin="2027-01-12")
    auth.login()
    assert "OLD (10/01/2027)" in section(client.get("/").get_data(as_text=True), "late-title")
    assert client.post(f"/sessions/{session.id}/archive").status_code == 302
    html = client.get("/").get_data(as_text=True)
    assert "OLD" not in section(html, "late-title")
    assert "Archivée" in section(html, "past-title")
    assert "OLD" in text_of(client.get("/", query_string={"etat": "archived"}))
    client.post(f"/sessions/{session.id}/archive")
    assert models.AuditEvent.select().where(models.AuditEvent.field == "archived").count() == 1
    client.post(f"/sessions/{session.id}/unarchive")
    assert not models.ExamSession.get_by_id(session.id).archived


def test_past_sessions_are_paged(client, auth, db):
    for day in range(1, 26):
        create_session(sigle=f"P{day:02d}", date_debut=f"2026-01-{day:02d}", date_fin=f"2026-01-{day:02d}")
    auth.login()
    first = section(client.get("/").get_data(as_text=True), "past-title")
    assert "Sessions passées (25)" in first and "Page 1 / 2" in first
    assert "P25" in first and "P06" in first and "P05" not in first
    second = section(client.get("/?page=2").get_data(as_text=True), "past-title")
    assert "P05" in second and "P01" in second and "P25" not in second
    assert "Page 2 / 2" in text_of(client.get("/?page=99"))


def test_the_number_of_queries_does_not_grow_with_sessions(client, auth, db):
    auth.login()
    create_session(sigle="S0", date_debut="2027-03-01", date_fin="2027-03-02")
    with counting_queries() as few:
        client.get("/")
    for n in range(1, 30):
        create_session(sigle=f"S{n}", date_debut=f"2026-{n % 12 + 1:02d}-0{n % 9 + 1}",
                       date_fin=f"2026-{n % 12 + 1:02d}-0{n % 9 + 1}")
        create_session(sigle=f"F{n}", date_debut="2027-06-01", date_fin="2027-06-02")
    with counting_queries() as many:
        response = client.get("/")
    assert response.status_code == 200
    assert len(many) == len(few), (len(few), len(many))
    assert len(many) <= 12
