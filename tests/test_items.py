"""Ticking the guide: Fait le, Sans objet, observations, and taking a mark back."""
import re

import pytest

import models
from helpers import HTMX, TODAY, item_at, reload, text_of


@pytest.fixture
def item(session):
    return item_at(session, 2)


def events_of(item):
    return list(models.AuditEvent.select().where(models.AuditEvent.item == item).order_by(models.AuditEvent.id))


def test_marking_a_task_done_records_today(client, auth, item):
    auth.login()
    response = client.post(f"/items/{item.id}/done", headers=HTMX)
    assert response.status_code == 200
    item = reload(item)
    assert (item.state, item.done_on, item.version) == ("done", TODAY, 1)
    assert item.updated_by.email == "resp@a.fr"
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith(f'<tr id="item-{item.id}"')
    assert "Fait le 01/02/2027" in text_of(response)


def test_the_answer_updates_the_progress_out_of_band(client, auth, item):
    auth.login()
    response = client.post(f"/items/{item.id}/done", headers=HTMX)
    html = response.get_data(as_text=True)
    assert '<div id="session-progress" class="session-progress" hx-swap-oob="true">' in html
    assert '<span id="tableau-1-progress" class="tableau-progress" hx-swap-oob="true">' in html
    page = text_of(response)
    assert "Toutes les tâches : 1/98" in page and "Tâches réglementaires : 1/75" in page
    assert "1/14 traitées" in page


@pytest.mark.parametrize("page", ["", "/jour-j"])
def test_every_out_of_band_target_of_a_tick_is_on_the_page_it_was_made_from(client, auth, session, page):
    # On Jour J, a late task of tableau 2 is shown with its tableau's progress line: without it, htmx
    # reports htmx:oobErrorNoTarget and the figure goes stale.
    auth.login()
    html = client.get(f"/sessions/{session.id}{page}").get_data(as_text=True)
    ceres = next(i for i in session.ordered_items() if i.text.startswith("Créer la session dans CERES"))
    assert f'id="item-{ceres.id}"' in html
    answer = client.post(f"/items/{ceres.id}/done", headers=HTMX).get_data(as_text=True)
    targets = re.findall(r'<[^>]* id="([^"]+)"[^>]*hx-swap-oob', answer)
    assert targets == ["session-progress", f"tableau-{ceres.tableau_number}-progress"]
    for target in targets:
        assert f'id="{target}"' in html


def test_an_earlier_date_can_be_set(client, auth, item):
    auth.login()
    client.post(f"/items/{item.id}/done", data={"done_on": "2026-12-03"}, headers=HTMX)
    assert reload(item).done_on.isoformat() == "2026-12-03"
    client.post(f"/items/{item.id}/done", data={"done_on": "05/01/2027"}, headers=HTMX)
    assert reload(item).done_on.isoformat() == "2027-01-05"


@pytest.mark.parametrize("done_on, message", [
    ("2027-02-02", "ne peut pas être dans le futur"),
    ("2027-02-30", "le 30/02/2027 n'existe pas"),
    ("hier", "n'est pas une date"),
])
def test_a_bad_done_date_is_refused_and_changes_nothing(client, auth, item, done_on, message):
    auth.login()
    response = client.post(f"/items/{item.id}/done", data={"done_on": done_on}, headers=HTMX)
    assert response.status_code == 422
    assert message in text_of(response)
    assert f'value="{done_on}"' in response.get_data(as_text=True)
    assert (reload(item).state, reload(item).version) == ("todo", 0)
    assert events_of(item) == []


def test_the_same_done_twice_leaves_one_state_and_one_event(client, auth, item):
    auth.login()
    client.post(f"/items/{item.id}/done", headers=HTMX)
    client.post(f"/items/{item.id}/done", headers=HTMX)
    item = reload(item)
    assert (item.state, item.version) == ("done", 1)
    assert len(events_of(item)) == 1


def test_any_mark_can_be_taken_back(client, auth, item):
    auth.login()
    client.post(f"/items/{item.id}/done", headers=HTMX)
    response = client.post(f"/items/{item.id}/todo", headers=HTMX)
    assert "À faire" in text_of(response)
    item = reload(item)
    assert (item.state, item.done_on) == ("todo", None)
    client.post(f"/items/{item.id}/todo", headers=HTMX)
    assert reload(item).version == 2


def test_sans_objet_needs_a_reason(client, auth, item):
    auth.login()
    response = client.post(f"/items/{item.id}/na", data={"reason": "   "}, headers=HTMX)
    assert response.status_code == 422
    assert "Indiquez pourquoi cette tâche est sans objet" in text_of(response)
    assert reload(item).state == "todo"
    response = client.post(f"/items/{item.id}/na", data={"reason": "Aucun candidat concerné"}, headers=HTMX)
    assert "Sans objet : Aucun candidat concerné" in text_of(response)
    item = reload(item)
    assert (item.state, item.na_reason, item.done_on) == ("na", "Aucun candidat concerné", None)
    client.post(f"/items/{item.id}/todo", headers=HTMX)
    assert (reload(item).state, reload(item).na_reason) == ("todo", "")


def test_an_observation_is_saved_and_kept_verbatim(client, auth, item):
    auth.login()
    text = "Courrier envoyé le 12/01.\nRelance : <b>faite</b> & « validée »"
    response = client.post(f"/items/{item.id}/observation", data={"observation": text, "version": "0"}, headers=HTMX)
    assert response.status_code == 200
    assert reload(item).observation == text
    html = response.get_data(as_text=True)
    assert "Relance : &lt;b&gt;faite&lt;/b&gt; &amp; « validée »" in html
    assert f'name="version" value="{reload(item).version}"' in html


def test_an_observation_over_5000_characters_is_refused_and_the_text_kept(client, auth, item):
    auth.login()
    text = "é" * 5001
    response = client.post(f"/items/{item.id}/observation", data={"observation": text, "version": "0"}, headers=HTMX)
    assert response.status_code == 422
    assert "5001 caractères pour 5000 au plus" in text_of(response)
    assert text in response.get_data(as_text=True)
    assert reload(item).observation == ""


def test_a_stale_observation_gets_409_with_both_texts_and_overwrites_nothing(client, auth, item):
    auth.login()
    client.post(f"/items/{item.id}/observation", data={"observation": "Texte de Nadia", "version": "0"}, headers=HTMX)
    response = client.post(f"/items/{item.id}/observation", data={"observation": "Texte de Karim", "version": "0"},
                           headers=HTMX)
    assert response.status_code == 409
    page = text_of(response)
    assert "Un collègue a modifié cette observation" in page
    assert "Texte de Nadia" in page and "Texte de Karim" in page
    assert reload(item).observation == "Texte de Nadia"
    # Saving again from the conflict row (it carries the current version) is a deliberate choice.
    current = reload(item).version
    assert f'name="version" value="{current}"' in response.get_data(as_text=True)
    merged = "Texte de Nadia\nTexte de Karim"
    response = client.post(f"/items/{item.id}/observation", data={"observation": merged, "version": str(current)},
                           headers=HTMX)
    assert response.status_code == 200
    assert reload(item).observation == merged


def test_a_state_change_by_a_colleague_does_not_make_an_observation_stale(client, auth, item):
    auth.login()
    client.post(f"/items/{item.id}/done", headers=HTMX)
    response = client.post(f"/items/{item.id}/observation", data={"observation": "OK", "version": "0"}, headers=HTMX)
    assert response.status_code == 200
    assert (reload(item).observation, reload(item).state) == ("OK", "done")


@pytest.mark.parametrize("version", ["", "abc", "-1", "99999999999999999999"])
def test_an_observation_without_a_valid_version_is_refused(client, auth, item, version):
    auth.login()
    response = client.post(f"/items/{item.id}/observation", data={"observation": "x", "version": version},
                           headers=HTMX)
    assert response.status_code in (400, 422)
    assert reload(item).observation == ""


def test_every_change_is_in_the_audit_trail(client, auth, item):
    auth.login()
    client.post(f"/items/{item.id}/done", data={"done_on": "2027-01-10"}, headers=HTMX)
    client.post(f"/items/{item.id}/observation", data={"observation": "Vu", "version": "1"}, headers=HTMX)
    client.post(f"/items/{item.id}/todo", headers=HTMX)
    trail = [(e.field, e.old_value, e.new_value, e.user.email) for e in events_of(item)]
    assert trail == [
        ("state", "À faire", "Fait le 10/01/2027", "resp@a.fr"),
        ("observation", "", "Vu", "resp@a.fr"),
        ("state", "Fait le 10/01/2027", "À faire", "resp@a.fr"),
    ]
    page = text_of(client.get(f"/sessions/{item.session_id}/history"))
    assert "Fait le 10/01/2027" in page and "Romain Resp" in page


def test_a_plain_form_post_is_sent_back_to_the_session_page(client, auth, item):
    auth.login()
    response = client.post(f"/items/{item.id}/done")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/sessions/{item.session_id}#item-{item.id}"
    response = client.post(f"/items/{item.id}/na", data={"reason": ""})
    assert response.status_code == 422
    assert "Indiquez pourquoi" in text_of(response) and "Tâches à réaliser" in text_of(response)


def test_an_unknown_task_is_not_found(client, auth, db):
    auth.login()
    assert client.post("/items/999999/done").status_code == 404


def test_an_htmx_error_goes_to_the_message_banner(client, auth, other_session):
    auth.login()
    response = client.post(f"/items/{item_at(other_session, 1).id}/done", headers=HTMX)
    assert response.status_code == 404
    assert response.headers["HX-Retarget"] == "#flash"
    assert "Page introuvable" in text_of(response)


def test_wrong_method_gets_a_french_405(client, auth, item):
    auth.login()
    response = client.get(f"/items/{item.id}/done")
    assert response.status_code == 405
    assert "Action impossible" in text_of(response)


def test_the_jury_welcome_heading_is_not_a_task(client, auth, session):
    # « Accueillir les membres de jury : » introduces seven ▶ tasks: it is never late, never
    # ticked, and not counted; the figures of the page, the JSON export and the PDF agree.
    auth.login()
    heading = next(i for i in session.ordered_items() if i.text == "Accueillir les membres de jury :")
    subs = [i for i in session.ordered_items() if i.sub]
    assert heading.heading and heading.due_on is None and len(subs) == 7
    for item in subs:
        client.post(f"/items/{item.id}/done", data={"done_on": "2027-02-01"}, headers=HTMX)
    response = client.post(f"/items/{heading.id}/done", headers=HTMX)
    assert response.status_code == 422 and "n'est pas une tâche" in text_of(response)
    assert reload(heading).state == "todo"
    page = text_of(client.get(f"/sessions/{session.id}/jour-j"))
    assert "Toutes les tâches : 7/98" in page
    row = client.get(f"/sessions/{session.id}").get_data(as_text=True)
    row = row[row.index(f'id="item-{heading.id}"'):]
    row = row[:row.index("</tr>")]
    assert "En retard" not in row and "Fait" not in row
