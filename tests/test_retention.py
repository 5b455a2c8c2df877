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
    signed = dt.datetime(2021, 3, 15, 8, 30)  # UTC, on the épreuve's morning
    emargement.record(models.User.get(models.User.email == "resp@a.fr"), session, {
        "epreuve_id": str(epreuve.id), "candidat_id": str(models.Candidat.get(models.Candidat.session == session).id),
        "statut": "present", "signature": "M1 1 L20 20", "signe_a": signed.isoformat() + "Z",
        "soumission_id": f"old-{sigle}-01"}, "test", signed)
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
    assert f"session {old.id} purgée le " in verify.output
    history = text_of(client.get(f"/sessions/{old.id}/history"))
    assert "Journal purgé le" in history and "ancrée hors de la base à la purge" in history
    assert "Aucune session" in runner.invoke(args=["purge"]).output  # once only
    assert "pièces et données personnelles purgées" in text_of(client.get(f"/sessions/{old.id}"))


def test_the_purge_reaches_every_place_a_name_lives_even_the_files_free_pages(app, runner, client, auth, db):
    """An observation naming a candidate, an attachment's name, the sealed guide, the journal's events:
    after the purge, the names are in none of them, nor in the ZIP, nor (SQLite) anywhere in the
    database file or its WAL."""
    import io
    import zipfile

    from database import sqlite_path
    from helpers import settle_regulatory_tasks
    auth.login()
    session = create_session(sigle="OLDX", date_debut="2021-03-15", date_fin="2021-03-18", nature="CCP",
                             libelle_ccp="Réparer", code_ccp="CP-1")
    client.post(f"/sessions/{session.id}/candidats", data={**CANDIDATE, "nom": "Zébulonne", "prenom": "Quirinalia",
                                                          "identifiant_ceres": "CERES-QUIRINALIA"})
    # After the exam: her result, the PV's steps with the UD's copy named after her, her follow-up.
    candidat = models.Candidat.get(models.Candidat.nom == "Zébulonne")
    assert client.post(f"/candidats/{candidat.id}/resultat", data={"decision": "obtenu"}).status_code == 302
    for etape, extra in (("signe_jury", {}), ("contresigne", {}), ("envoye_ud", {"mode": "depot"}),
                         ("copie_ud_recue", {"fichier": (io.BytesIO(pdf_bytes()), "Copie PV Quirinalia.pdf")})):
        assert client.post(f"/sessions/{session.id}/pv", data={"etape": etape, "date": "2021-03-25", **extra},
                           content_type="multipart/form-data").status_code == 302
    assert client.post(f"/candidats/{candidat.id}/insertion", data={
        "situation": "emploi_metier", "canal": "telephone", "date_contact": "2021-10-01"}).status_code == 302
    item = item_at(session, 33)
    client.post(f"/items/{item.id}/observation",
                data={"observation": "Zébulonne Quirinalia (née le 02/04/1998) : décharge reçue", "version": "0"})
    upload(client, item, pdf_bytes(), "Décharge Zébulonne Quirinalia.pdf")
    settle_regulatory_tasks(session)
    closed = client.post(f"/sessions/{session.id}/cloture", data={"motif": "Session ancienne"})
    assert closed.status_code in (200, 302)
    assert client.get(f"/sessions/{session.id}/guide-cloture.pdf").status_code == 200
    auth.logout()
    if sqlite_path() is not None:  # the names in the database file itself, as after days of use
        models.db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        assert b"Quirinalia" in sqlite_path().read_bytes()

    done = runner.invoke(args=["purge"])
    assert done.exit_code == 0 and f"Purgée : session {session.id} OLDX" in done.output, done.output
    assert models.AuditEvent.select().where(models.AuditEvent.session == session).count() == 0
    head = models.JournalHead.get(models.JournalHead.session == session)
    assert head.events > 5 and len(head.hash) == 64
    seal = models.SealedGuide.get(models.SealedGuide.session == session)
    assert bytes(seal.pdf) == b"" and len(seal.sha256) == 64
    assert models.ChecklistItem.get_by_id(item.id).observation == "(effacé à la purge)"
    # The result and the PV's steps stay (the rates count them), anonymous; the follow-up and the files go.
    assert models.Resultat.get().decision == "obtenu" and models.Candidat.get_by_id(candidat.id).identifiant_ceres == ""
    assert models.SuiviInsertion.select().count() == 0
    assert [s.piece_id for s in models.EtapePv.select()] == [None] * 4

    auth.login("admin@test.fr")
    gone = client.get(f"/sessions/{session.id}/guide-cloture.pdf")
    assert gone.status_code == 410 and "purgé le" in text_of(gone) and seal.sha256 in text_of(gone)
    verify = runner.invoke(args=["verify-journal"])
    assert verify.exit_code == 0 and f"session {session.id} purgée le" in verify.output, verify.output
    names = ("Zébulonne", "Quirinalia")
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/sessions/{session.id}/dossier.zip").data))
    for member in archive.namelist():
        content = archive.read(member)
        for name in names:
            assert name.encode() not in content and name not in member, member
    for page in (f"/sessions/{session.id}", f"/sessions/{session.id}/history", f"/sessions/{session.id}.json"):
        assert not any(name in client.get(page).get_data(as_text=True) for name in names), page
    path = sqlite_path()
    if path is not None:  # PostgreSQL: the README says what VACUUM does and does not erase
        for file in (path, path.with_name(path.name + "-wal")):
            if file.exists():
                data = file.read_bytes()
                assert not any(name.encode() in data for name in names), file


def test_a_juror_who_no_longer_sits_is_forgotten_with_their_last_session_address_included(runner, client, auth, db):
    auth.login()
    old = old_session(client, "OLDJ")
    client.post("/jures", data={"civilite": "Monsieur", "nom": "Oubli", "prenom": "Jean", "email": "oubli@jury.fr",
                                "adresse": "3 rue des Saules", "code_postal": "69003", "ville": "Lyon"})
    jure = models.Jure.get(models.Jure.nom == "Oubli")
    models.MembreJury.create(session=old, jure=jure)
    models.Jure.update(active=False).where(models.Jure.id == jure.id).execute()
    done = runner.invoke(args=["purge"])
    assert done.exit_code == 0 and "1 juré inactif sans autre session anonymisé" in done.output, done.output
    forgotten = models.Jure.get_by_id(jure.id)
    assert (forgotten.prenom, forgotten.email, forgotten.civilite, forgotten.adresse, forgotten.code_postal,
            forgotten.ville) == ("", f"jure-{jure.id}@anonyme.invalid", "", "", "", "")
