"""Evidence is never deleted with what it concerns: a candidate, juror or épreuve holding sign-ins is
withdrawn from the session (kept, out of the counts, checks and documents); one holding none is
deleted after a confirmation, the journal keeping what it held."""
import peewee
import pytest

import models
from documents import session_documents
from domain import checks
from helpers import HTMX, signin, text_of


def _epreuve(session):
    return models.Epreuve.of_session(session).first()


def test_a_candidate_who_signed_in_is_withdrawn_not_deleted(client, register, exam_day):
    session = register
    candidat = models.Candidat.of_session(session).first()
    assert signin(client, session, _epreuve(session), {"candidat_id": str(candidat.id)}).status_code == 200
    # The page offers to withdraw, with a confirmation, not to delete.
    page = client.get(f"/candidats/{candidat.id}").get_data(as_text=True)
    assert f'action="/candidats/{candidat.id}/withdraw"' in page and 'hx-confirm="Retirer' in page
    assert f'action="/candidats/{candidat.id}/remove"' not in page

    response = client.post(f"/candidats/{candidat.id}/remove", headers=HTMX)
    assert response.status_code == 409
    assert "1 émargement" in text_of(response) and "Retirer de la session" in text_of(response)
    assert models.Candidat.get_or_none(models.Candidat.id == candidat.id) is not None
    assert models.Emargement.select().count() == 1

    assert client.post(f"/candidats/{candidat.id}/withdraw").status_code == 302
    candidat = models.Candidat.get_by_id(candidat.id)
    assert candidat.retire_le is not None and models.Emargement.select().count() == 1
    listing = text_of(client.get(f"/sessions/{session.id}/candidats"))
    assert "Retirés de la session" in listing and f"{candidat.nom} {candidat.prenom} : retiré(e) le" in listing
    # Out of the counts, the checks, the documents and the tablet.
    ids = [c["id"] for c in client.get(f"/sessions/{session.id}.json").get_json()["candidats"]]
    assert candidat.id not in ids and len(ids) == 3
    register_ = checks.load_register(session)
    assert candidat.id not in [c.id for c in register_.candidats]
    sheets = session_documents.sign_in_sheets(session)["sheets"]
    assert all(candidat.id not in [c.id for c, _ in sheet["candidats"]] for sheet in sheets)
    assert len(session_documents.convocations(session)["candidats"]) == 3
    assert candidat.label not in text_of(client.get(f"/sessions/{session.id}/emargement?epreuve={_epreuve(session).id}"))
    assert client.get(f"/candidats/{candidat.id}/convocation.pdf").status_code == 409
    # A sign-in for them is refused now; withdrawing again says it is done already.
    refused = signin(client, session, _epreuve(session), {"candidat_id": str(candidat.id)}, submission="f" * 16)
    assert refused.status_code == 422 and models.Emargement.select().count() == 1
    assert client.post(f"/candidats/{candidat.id}/withdraw", headers=HTMX).status_code == 409
    history = text_of(client.get(f"/sessions/{session.id}/history"))
    assert "Retiré de la session (fiche gardée)" in history


def test_a_juror_and_an_epreuve_with_sign_ins_are_withdrawn_and_the_juror_can_sit_again(client, register, exam_day):
    session = register
    epreuve = _epreuve(session)
    jure = models.Jure.get()
    assert signin(client, session, epreuve, {"jure_id": str(jure.id)}).status_code == 200
    assert client.post(f"/sessions/{session.id}/jury/{jure.id}/remove", headers=HTMX).status_code == 409
    assert client.post(f"/epreuves/{epreuve.id}/remove", headers=HTMX).status_code == 409
    page = client.get(f"/sessions/{session.id}/epreuves").get_data(as_text=True)
    assert f'action="/epreuves/{epreuve.id}/withdraw"' in page

    assert client.post(f"/sessions/{session.id}/jury/{jure.id}/withdraw").status_code == 302
    assert client.post(f"/epreuves/{epreuve.id}/withdraw").status_code == 302
    assert checks.load_register(session).membres == []
    assert epreuve.id not in [e.id for e in checks.load_register(session).epreuves]
    assert "Retirés du jury" in text_of(client.get(f"/sessions/{session.id}/jury"))
    assert "Retirées du planning" in text_of(client.get(f"/sessions/{session.id}/epreuves"))
    assert epreuve.id not in [e["epreuve"].id for e in session_documents.sign_in_sheets(session)["sheets"]]
    # Seated again: the same seat, with what it held.
    assert client.post(f"/sessions/{session.id}/jury", data={"jure_id": str(jure.id)}).status_code == 302
    membre = models.MembreJury.get()
    assert membre.retire_le is None and len(checks.load_register(session).membres) == 1
    assert models.Emargement.select().count() == 1


def test_one_without_evidence_is_deleted_after_a_confirmation_and_the_journal_keeps_it(client, register, exam_day):
    session = register
    epreuve = _epreuve(session)
    page = client.get(f"/sessions/{session.id}/epreuves").get_data(as_text=True)
    assert f'action="/epreuves/{epreuve.id}/remove" hx-post="/epreuves/{epreuve.id}/remove" hx-confirm="Supprimer' in page
    assert client.post(f"/epreuves/{epreuve.id}/remove").status_code == 302
    assert models.Epreuve.get_or_none(models.Epreuve.id == epreuve.id) is None
    assert "Supprimée du planning" in text_of(client.get(f"/sessions/{session.id}/history"))


def test_the_database_refuses_a_deletion_that_would_take_evidence(client, register, exam_day):
    """Below the application: deleting what a sign-in refers to fails, whatever the code path."""
    session = register
    candidat = models.Candidat.of_session(session).first()
    assert signin(client, session, _epreuve(session), {"candidat_id": str(candidat.id)}).status_code == 200
    for row in (candidat, _epreuve(session)):
        with pytest.raises(peewee.IntegrityError):
            with models.db.atomic():
                row.delete_instance()
    assert models.Emargement.select().count() == 1
    item = models.ChecklistItem.select().where(models.ChecklistItem.session == session).first()
    with pytest.raises(peewee.IntegrityError):  # the journal's events name the items
        with models.db.atomic():
            models.AuditEvent.create(session=session, item=item, field="state", old_value="", new_value="x",
                                     at=models.now())
            item.delete_instance()
