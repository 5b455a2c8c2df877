"""After the guide's five years: `flask purge` removes a session's attachments and its people's personal
data, keeps the journal's chain valid, and skips a session held for an inspection."""
import datetime as dt

import models
from domain import emargement
from helpers import CANDIDATE, create_session, item_at, pdf_bytes, text_of, upload


def old_session(client, sigle):
    session = create_session(sigle=sigle, date_debut="2021-03-15", date_fin="2021-03-18")  # kept until 18/03/2026
    client.post(f"/sessions/{session.id}/candidats", data=CANDIDATE)
    upload(client, item_at(session, 33), pdf_bytes(), "decharge.pdf")
    epreuve = models.Epreuve.create(session=session, libelle="MSP", date=dt.date(2021, 3, 15), heure_debut="08:00",
                                    heure_fin="12:00", lieu="Salle")
    now = dt.datetime.now().replace(microsecond=0)
    emargement.record(models.User.get(models.User.email == "resp@a.fr"), session, {
        "epreuve_id": str(epreuve.id), "candidat_id": str(models.Candidat.get(models.Candidat.session == session).id),
        "statut": "present", "signature": "M1 1 L20 20", "signe_a": now.isoformat(), "soumission_id": f"old-{sigle}-01"},
        "test", now)
    return session


def test_the_purge_lists_then_removes_and_keeps_the_chain(app, runner, client, auth, db, session):
    auth.login()
    old, held = old_session(client, "OLD"), old_session(client, "HELD")
    auth.logout()
    auth.login("admin@test.fr")
    assert client.post(f"/sessions/{held.id}/conservation", data={"motif": "Contrôle de la DREETS en cours"}
                       ).status_code == 302
    dry = runner.invoke(args=["purge", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert f"À purger : session {old.id} OLD du 15/03/2021 (conservation jusqu'au 18/03/2026) : 1 pièce" in dry.output
    assert "HELD" not in dry.output and "DWWM" not in dry.output and "rien n'a été modifié" in dry.output
    assert models.Piece.select().where(models.Piece.session == old).count() == 1

    done = runner.invoke(args=["purge"])
    assert done.exit_code == 0 and f"Purgée : session {old.id} OLD" in done.output
    assert models.Piece.select().where(models.Piece.session == old).count() == 0
    candidat = models.Candidat.get(models.Candidat.session == old)
    assert (candidat.nom, candidat.prenom, candidat.email, candidat.adresse) == ("Candidat 1", "", "", "")
    assert models.Emargement.get(models.Emargement.session == old).signature == ""
    assert models.Candidat.get(models.Candidat.session == held).nom == "Martin"  # held: untouched
    assert models.Piece.select().where(models.Piece.session == held).count() == 1
    verify = runner.invoke(args=["verify-journal"])
    assert verify.exit_code == 0, verify.output
    assert "Durée de conservation échue le 18/03/2026" in text_of(client.get(f"/sessions/{old.id}/history"))
    assert "Aucune session" in runner.invoke(args=["purge"]).output  # once only
    assert "pièces et données personnelles purgées" in text_of(client.get(f"/sessions/{old.id}"))
