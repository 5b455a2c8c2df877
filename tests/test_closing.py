"""Closing a session: refused while regulatory tasks are to do; then read-only on every write route
(the list is derived from the app's routes), its guide sealed byte for byte; reopened by an admin only."""
import datetime as dt
import hashlib
import io
import subprocess

import pytest
from pypdf import PdfReader

import formats
import models

from domain import access, closing, journal
from helpers import (CANDIDATE, EPREUVE, HTMX, JUROR, PASSWORD, item_at, pdf_bytes, section, settle_regulatory_tasks,
                     text_of, upload)
from liveserver import LiveServer, login

# The view arguments that name a session, directly or through one of its rows.
SESSION_ARGUMENTS = ("session_id", "item_id", "candidat_id", "epreuve_id", "piece_id")
# Closing and reopening act on a closed session; the retention hold (admins) is about keeping it, not changing it.
# What is done to a closed session as a whole: its closing, reopening, retention hold and archiving
# (filing: it changes nothing it records).
CLOSING_ROUTES = {"sessions.close", "sessions.reopen", "sessions.hold", "sessions.archive", "sessions.unarchive"}
# The guide's last tasks run for months after the closing (test_after_exam.py): the insertion follow-up,
# and registering a partial candidate to a later session (a change to that session, not to the closed one).
# The PV's later steps and the attestations and posted results are refused here: the form names none.
AFTER_CLOSING_ROUTES = {"after.record_insertion", "after.register_again"}


@pytest.fixture
def closed(client, auth, session):
    auth.login()
    client.post("/jures", data=JUROR)
    client.post(f"/sessions/{session.id}/candidats", data=CANDIDATE)
    client.post(f"/sessions/{session.id}/epreuves", data=EPREUVE)
    client.post(f"/sessions/{session.id}/jury", data={"jure_id": str(models.Jure.get().id)})
    settle_regulatory_tasks(session)
    # A jury of one and a header counting 10 + 2: two checks fail, closed with a reason.
    response = client.post(f"/sessions/{session.id}/cloture", data={"motif": DESPITE})
    assert response.status_code == 302, text_of(response)
    return models.ExamSession.get_by_id(session.id)


DESPITE = "Second juré absent excusé, PV signé par l'UD"


def test_closing_is_refused_while_a_regulatory_task_is_to_do(client, auth, session):
    auth.login()
    response = client.post(f"/sessions/{session.id}/cloture")
    assert response.status_code == 422
    page = text_of(response)
    assert "Session non clôturée : 73 tâches réglementaires encore à faire." in page
    assert "Créer la session dans CERES au minimum 3 mois avant le début de la session" in page
    assert models.ExamSession.get_by_id(session.id).closed_at is None and models.SealedGuide.select().count() == 0


def test_a_task_set_back_to_do_while_closing_is_seen_and_refuses_it(client, auth, session, monkeypatch):
    """The tasks used to be read before the closing's transaction: one set back « à faire » in between
    was missed and the session closed with a regulatory task to do. It is set back here at the moment
    the closing locks the session."""
    auth.login()
    settle_regulatory_tasks(session)
    task = (models.ChecklistItem.select().where((models.ChecklistItem.session == session)
                                                & models.ChecklistItem.reglementaire & ~models.ChecklistItem.heading)
            .order_by(models.ChecklistItem.position).first())
    lock = closing.locked

    def set_back_meanwhile(query):
        models.ChecklistItem.update(state="todo").where(models.ChecklistItem.id == task.id).execute()
        return lock(query)

    monkeypatch.setattr(closing, "locked", set_back_meanwhile)
    response = client.post(f"/sessions/{session.id}/cloture")
    assert response.status_code == 422
    assert task.text[:40] in text_of(response)
    assert models.ExamSession.get_by_id(session.id).closed_at is None and models.SealedGuide.select().count() == 0


@pytest.mark.parametrize("change", ["candidat", "epreuve", "jury", "piece"])
def test_a_change_checked_before_a_closing_and_written_after_it_is_refused(client, auth, session, monkeypatch,
                                                                             change):
    """Changes check their rights before their transaction: a closing committed in between used to
    let them in after the guide was sealed. The journal, where every change passes in its transaction,
    now refuses them (409, nothing written). The closing is committed here right after the check."""
    auth.login()
    client.post("/jures", data=JUROR)
    post = {"candidat": lambda: client.post(f"/sessions/{session.id}/candidats", data=CANDIDATE),
            "epreuve": lambda: client.post(f"/sessions/{session.id}/epreuves", data=EPREUVE),
            "jury": lambda: client.post(f"/sessions/{session.id}/jury", data={"jure_id": str(models.Jure.get().id)}),
            "piece": lambda: upload(client, item_at(session, 3), pdf_bytes(), "pv.pdf")}[change]
    closer = models.User.get(models.User.email == "resp@a.fr")
    check = access.require_editable

    def closed_right_after(user, checked, after_closing=False):
        result = check(user, checked, after_closing)
        models.ExamSession.update(closed_at=dt.datetime(2027, 1, 30, 16, 5), closed_by=closer).where(
            models.ExamSession.id == session.id).execute()
        return result

    counts = lambda: [m.select().count() for m in (models.AuditEvent, models.Candidat, models.Epreuve,  # noqa: E731
                                                    models.MembreJury, models.Piece)]
    before = counts()
    monkeypatch.setattr(access, "require_editable", closed_right_after)
    response = post()
    assert response.status_code == 409, text_of(response)
    assert "Session clôturée le 30/01/2027 à 17:05" in text_of(response)  # stored 16:05 UTC, shown in Paris
    assert counts() == before


def test_a_closed_session_has_its_guide_sealed_byte_for_byte(app, client, closed, tmp_path):
    seal = models.SealedGuide.get()
    first = client.get(f"/sessions/{closed.id}/guide-cloture.pdf")
    second = client.get(f"/sessions/{closed.id}/guide-cloture.pdf")
    assert first.status_code == 200 and first.data == second.data == bytes(seal.pdf)
    assert hashlib.sha256(first.data).hexdigest() == seal.sha256 == first.headers["X-Content-SHA256"]
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(first.data)).pages).split())
    assert f"Clôturée le {formats.fr_datetime(closed.closed_at)}" in text and "Romain Resp" in text
    assert seal.journal_hash in text.replace(" ", "")
    events = list(models.AuditEvent.select().where(models.AuditEvent.session == closed).order_by(models.AuditEvent.id))
    assert events[-1].field == "cloture" and events[-2].hash == seal.journal_hash  # the head when it was sealed
    assert all(v.intact for v in journal.verify())
    page = text_of(client.get(f"/sessions/{closed.id}"))
    assert "Session clôturée le" in page and "Clôturer la session" not in page
    assert 'class="action action--done"' not in client.get(f"/sessions/{closed.id}").get_data(as_text=True)


def test_the_sealed_and_issued_bytes_survive_a_server_restart(app, client, closed, tmp_path):
    from documents import issuing
    from documents.pdf import PdfMaker
    closed_at = models.ExamSession.get_by_id(closed.id).closed_at
    models.ExamSession.update(closed_at=None).where(models.ExamSession.id == closed.id).execute()
    with app.test_request_context():  # a document issued before the closing (the route refuses after it)
        emission = issuing.issue(models.User.get(models.User.email == "resp@a.fr"), closed, "affichage", "",
                                 PdfMaker(app.instance_path, 0), dt.date(2027, 2, 1))[0]
    models.ExamSession.update(closed_at=closed_at).where(models.ExamSession.id == closed.id).execute()
    bodies = [client.get(f"/sessions/{closed.id}/guide-cloture.pdf").data, client.get(f"/emissions/{emission.id}.pdf").data]
    assert hashlib.sha256(bodies[1]).hexdigest() == emission.sha256
    served = []
    for run in range(2):  # gunicorn started, stopped, started again on the same database
        (tmp_path / f"run{run}").mkdir()
        server = LiveServer(app.config["DATABASE_URL"], tmp_path / f"run{run}", workers=1).start()
        try:
            browser = login(server.url, "resp@a.fr", PASSWORD)
            served.append([browser.get(f"{server.url}{path}", timeout=10).content for path in (
                f"/sessions/{closed.id}/guide-cloture.pdf", f"/emissions/{emission.id}.pdf")])
        finally:
            server.stop()
    assert served == [bodies, bodies]


def write_routes(app):
    """Every POST route that changes a session, its items or its register, from the app's own map."""
    for rule in app.url_map.iter_rules():
        if ("POST" in rule.methods and rule.endpoint not in CLOSING_ROUTES | AFTER_CLOSING_ROUTES
                and set(rule.arguments) & set(SESSION_ARGUMENTS)):
            yield rule


def test_every_change_to_a_closed_session_answers_409(app, client, closed):
    ids = {"session_id": closed.id, "item_id": item_at(closed, 1).id,
           "candidat_id": models.Candidat.get().id, "epreuve_id": models.Epreuve.get().id,
           "jure_id": models.Jure.get().id,
           "piece_id": models.Piece.create(item=item_at(closed, 1), session=closed, nom="a.pdf", type="application/pdf",
                                           taille=1, sha256="0" * 64, contenu=b"%").id}
    events = models.AuditEvent.select().count()
    rules = list(write_routes(app))
    assert len(rules) >= 20, [r.endpoint for r in rules]
    for rule in rules:
        url = rule.build({name: ids[name] for name in rule.arguments}, append_unknown=False)[1]
        for headers in ({}, HTMX):
            response = client.post(url, data={"done_on": "2027-01-30", "observation": "x", "version": "0",
                                              "nom": "X", "statut": "absent"}, headers=headers)
            assert response.status_code == 409, (rule.endpoint, response.status_code)
            assert "Session clôturée le" in text_of(response), rule.endpoint
    assert models.AuditEvent.select().count() == events


def test_only_an_admin_reopens_with_a_reason_and_a_new_closing_seals_again(client, auth, closed):
    assert client.post(f"/sessions/{closed.id}/reouverture", data={"motif": "Erreur"}).status_code == 403
    auth.logout()
    auth.login("admin@test.fr")
    refused = client.post(f"/sessions/{closed.id}/reouverture", data={"motif": " "})
    assert refused.status_code == 422 and "Motif" in text_of(refused)
    assert client.post(f"/sessions/{closed.id}/reouverture", data={"motif": "Date du PV corrigée"}).status_code == 302
    assert models.ExamSession.get_by_id(closed.id).closed_at is None
    assert "Rouverte : Date du PV corrigée" in text_of(client.get(f"/sessions/{closed.id}/history"))
    first = models.SealedGuide.get()
    assert client.post(f"/items/{item_at(closed, 2).id}/observation", data={"observation": "Corrigé", "version": "0"}
                       ).status_code == 302
    assert client.post(f"/sessions/{closed.id}/cloture", data={"motif": DESPITE}).status_code == 302
    assert models.SealedGuide.select().count() == 2
    earlier = client.get(f"/sessions/{closed.id}/guide-cloture.pdf?scellement={first.id}")
    assert earlier.data == bytes(first.pdf)
    assert client.get(f"/sessions/{closed.id}/guide-cloture.pdf").data != earlier.data
    assert all(v.intact for v in journal.verify())


def test_a_lecteur_downloads_the_sealed_guide_and_another_centre_does_not_see_it(client, auth, closed):
    auth.logout()
    auth.login("lecteur@a.fr")
    assert client.get(f"/sessions/{closed.id}/guide-cloture.pdf").status_code == 200
    assert client.post(f"/sessions/{closed.id}/cloture").status_code == 403
    auth.logout()
    auth.login("resp@b.fr")
    assert client.get(f"/sessions/{closed.id}/guide-cloture.pdf").status_code == 404


def test_closing_with_failing_checks_asks_for_a_reason_journalled_and_printed_on_the_sealed_guide(client, auth,
                                                                                                    session, tmp_path):
    auth.login()
    client.post("/jures", data={**JUROR, "ccp": ""})  # habilitated for the whole titre
    jure = models.Jure.get()
    client.post(f"/sessions/{session.id}/jury", data={"jure_id": str(jure.id)})
    client.post(f"/sessions/{session.id}/jury/{jure.id}/declaration", data={"declaration_le": "2027-01-20"})
    settle_regulatory_tasks(session)
    assert "cloture-motif" in client.get(f"/sessions/{session.id}").get_data(as_text=True)  # the page asks for it
    refused = client.post(f"/sessions/{session.id}/cloture")
    page = text_of(refused)
    assert refused.status_code == 422 and "1 contrôle du registre non respecté" in page
    assert "Jury d'au moins deux membres" in page and "Le jury ne compte que 1 membre" in page
    assert models.ExamSession.get_by_id(session.id).closed_at is None and models.SealedGuide.select().count() == 0
    assert client.post(f"/sessions/{session.id}/cloture", data={"motif": DESPITE}).status_code == 302
    assert models.ExamSession.get_by_id(session.id).closed_at is not None
    history = text_of(client.get(f"/sessions/{session.id}/history"))
    assert f"malgré 1 contrôle non respecté (Jury d'au moins deux membres) ; motif : {DESPITE}" in history
    path = tmp_path / "scelle.pdf"
    path.write_bytes(bytes(models.SealedGuide.get().pdf))
    text = " ".join(subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
                    .stdout.split())
    assert "Contrôles non respectés à la clôture Jury d'au moins deux membres" in text
    assert f"Motif de la clôture malgré eux {DESPITE}" in text


def test_a_closed_session_leaves_the_task_lists_and_reminders_and_may_be_archived(client, runner, closed, smtp):
    """Its late optional tasks and failing checks stayed on the dashboard and in the reminders, and
    archiving it answered 409."""
    models.ExamSession.update(date_debut=dt.date(2027, 3, 1), date_fin=dt.date(2027, 3, 2)).where(
        models.ExamSession.id == closed.id).execute()
    models.ChecklistItem.update(state="todo", due_on=dt.date(2027, 1, 20)).where(
        (models.ChecklistItem.session == closed) & (models.ChecklistItem.reglementaire == False)  # noqa: E712
        & (models.ChecklistItem.heading == False)).execute()  # noqa: E712
    html = client.get("/").get_data(as_text=True)
    assert "En retard (0)" in section(html, "late-title")
    assert 'id="checks-title"' not in html or "(0 session)" in section(html, "checks-title")
    result = runner.invoke(args=["send-reminders"])
    assert "0 rappel envoyé" in result.output and smtp.messages == []
    assert "Archiver la session" in text_of(client.get(f"/sessions/{closed.id}"))
    assert client.post(f"/sessions/{closed.id}/archive").status_code == 302
    assert models.ExamSession.get_by_id(closed.id).archived
    assert "Désarchiver la session" in text_of(client.get(f"/sessions/{closed.id}"))
    assert client.post(f"/sessions/{closed.id}/unarchive").status_code == 302
    assert all(v.intact for v in journal.verify([closed.id]))


def test_the_annual_programme_lists_archived_sessions_too(client, auth, session):
    auth.login()
    assert client.post(f"/sessions/{session.id}/archive").status_code == 302
    response = client.get("/programme/2027.csv")
    assert response.status_code == 200 and "DWWM" in response.get_data(as_text=True)
