"""Issuing a document (« Émettre »): made for sending, dated and placed by its issue, kept byte for byte;
refused while a check it depends on fails; previews say « PROJET »; the inspection file holds the
originals."""
import datetime as dt
import hashlib
import io
import zipfile

import pytest

import formats
import models
from domain import retention
from helpers import EPREUVE, juror, printed, text_of

ISSUED_AT = dt.datetime(2027, 1, 29, 10, 0, tzinfo=formats.ZoneInfo("Europe/Paris"))


@pytest.fixture
def issuing_day(monkeypatch, register):
    monkeypatch.setattr(formats, "clock", lambda: ISSUED_AT)
    models.Site.update(ville="Lyon").where(models.Site.id == register.site_id).execute()
    return register


def issue(client, session, document, **extra):
    return client.post(f"/sessions/{session.id}/emissions", data={"document": document, **extra})


def test_convocations_are_issued_one_per_candidate_dated_by_their_issue_and_kept_as_sent(client, issuing_day, tmp_path):
    session = issuing_day
    response = issue(client, session, "convocations")
    assert response.status_code == 302, text_of(response)[:800]
    rows = list(models.Emission.select().order_by(models.Emission.numero))
    assert [r.destinataire_type for r in rows] == ["candidat"] * 4 and [r.numero for r in rows] == [1, 2, 3, 4]
    first = rows[0]
    text, pages, _, _ = printed(client.get(f"/emissions/{first.id}.pdf"), tmp_path)
    assert "Lyon, le vendredi 29 janvier 2027" in text and f"Réf. CONV-{session.id}-1" in text
    assert "PROJET" not in text and "Jalon" not in text and pages == 1
    # The same bytes every time, as stored, with their hash.
    again = client.get(f"/emissions/{first.id}.pdf")
    assert again.data == bytes(models.Emission.get_by_id(first.id).pdf)
    assert hashlib.sha256(again.data).hexdigest() == first.sha256 == again.headers["X-Content-SHA256"]
    # The preview says what it is, and has no date of its own.
    preview, _, _, _ = printed(client.get(f"/sessions/{session.id}/convocations.pdf"), tmp_path, "preview.pdf")
    assert "PROJET — document non émis" in preview and "(date d'émission)" in preview
    # Listed, journalled, in the JSON.
    page = text_of(client.get(f"/sessions/{session.id}/emissions"))
    assert f"CONV-{session.id}-4" in page and "29/01/2027 à 10:00" in page
    data = client.get(f"/sessions/{session.id}.json").get_json()["documents_emis"]
    assert [(d["id"], d["document"], d["destinataire"]["type"], d["emis_le"], d["sha256"]) for d in data] == [
        (r.id, "convocations", "candidat", "2027-01-29T10:00:00", r.sha256) for r in rows]
    assert "Convocations des candidats émis pour" in text_of(client.get(f"/sessions/{session.id}/history"))
    # The inspection file holds the originals under emis/, as the JSON lists them.
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/sessions/{session.id}/dossier.zip").data))
    issued = sorted(name for name in archive.namelist() if name.startswith("emis/"))
    assert len(issued) == len(data) and "convocations.pdf" not in archive.namelist()
    assert sorted(hashlib.sha256(archive.read(name)).hexdigest() for name in issued) == sorted(d["sha256"] for d in data)


def test_issuing_is_refused_while_a_check_it_depends_on_fails_and_nothing_is_stored(client, issuing_day):
    session = issuing_day
    client.post(f"/sessions/{session.id}/epreuves", data={**EPREUVE, "date": "2027-03-25"})  # after the session
    refused = issue(client, session, "convocations")
    assert refused.status_code == 422
    page = text_of(refused)
    assert "Dates et horaires des épreuves" in page and "hors des dates de la session" in page
    assert f'href="/sessions/{session.id}/epreuves"' in refused.get_data(as_text=True)
    # The planning: the header's counts differ from the register's, one juror only.
    planning = text_of(issue(client, session, "planning"))
    assert "Nombre de candidats transmis à l'UD" in planning and "Jury d'au moins deux membres" in planning
    jury = issue(client, session, "convocations-jury")
    assert jury.status_code == 422 and "Jury d'au moins deux membres" in text_of(jury)
    assert models.Emission.select().count() == 0 and "document émis" not in text_of(
        client.get(f"/sessions/{session.id}/history"))


def test_a_jury_letter_is_held_back_for_a_juror_whose_habilitation_ends_too_soon(client, issuing_day):
    session = issuing_day
    short = juror(client, "Court", until="2027-03-16")  # the session ends on 18/03
    client.post(f"/sessions/{session.id}/jury", data={"jure_id": str(short.id)})
    other = juror(client, "Valide")  # habilitated for the whole titre until 2029
    client.post(f"/sessions/{session.id}/jury", data={"jure_id": str(other.id)})
    refused = issue(client, session, "convocations-jury", destinataire=f"jure:{short.id}")
    assert refused.status_code == 422 and "Court" in text_of(refused) and "valable jusqu'au 16/03/2027" in text_of(refused)
    # The jury as a whole fails its habilitations check, but a habilitated juror's own letter is not its business.
    assert issue(client, session, "convocations-jury", destinataire=f"jure:{other.id}").status_code == 302
    assert [(e.destinataire_type, e.destinataire_id) for e in models.Emission.select()] == [("jure", other.id)]


def test_issue_and_record_the_sending_in_one_step(client, issuing_day):
    session = issuing_day
    candidat = models.Candidat.of_session(session).first()
    refused = issue(client, session, "convocations", destinataire=f"candidat:{candidat.id}", enregistrer_envoi="1",
                    mode="pigeon")
    assert refused.status_code == 422 and models.Emission.select().count() == 0
    done = issue(client, session, "convocations", destinataire=f"candidat:{candidat.id}", enregistrer_envoi="1",
                 mode="lrar", reference="1A 999 888", retour="candidats")
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/sessions/{session.id}/candidats")
    emission = models.Emission.get()
    candidat = models.Candidat.get_by_id(candidat.id)
    assert (candidat.convocation_envoyee_le, candidat.convocation_mode, candidat.convocation_reference,
            candidat.convocation_emission) == (dt.date(2027, 1, 29), "lrar", "1A 999 888", emission.id)


def test_a_purged_sessions_issued_documents_answer_410_and_keep_their_hash(app, client, issuing_day):
    session = issuing_day
    assert issue(client, session, "affichage").status_code == 302
    emission = models.Emission.get()
    entry = retention.Due(models.ExamSession.get_by_id(session.id), dt.date(2032, 3, 18), 0, 0, 4, 0)
    retention.purge(entry, app.config["ANCHOR_FILE"])
    gone = client.get(f"/emissions/{emission.id}.pdf")
    assert gone.status_code == 410 and emission.sha256 in text_of(gone)
    assert models.Emission.get_by_id(emission.id).sha256 == emission.sha256


def test_an_issued_letter_carries_the_letterhead_the_signatory_and_french_typography(client, issuing_day, tmp_path):
    import subprocess
    from helpers import png_bytes
    session = issuing_day
    models.Centre.update(adresse="24 rue de la Villette", code_postal="69003", ville="Lyon", telephone="04 72 00 00 00",
                         email="examens@centre-a.fr", siret="73282932000074", nda="84691234569", logo=png_bytes()).where(
        models.Centre.id == session.centre_id).execute()
    models.Site.update(signataire_nom="Karim Benali", signataire_qualite="Directeur", signature=png_bytes()).where(
        models.Site.id == session.site_id).execute()
    candidat = models.Candidat.of_session(session).first()
    models.Candidat.update(civilite="Madame").where(models.Candidat.id == candidat.id).execute()
    from helpers import header_of
    assert client.post(f"/sessions/{session.id}", data={**header_of(session), "numero_ceres": "CER-2027-0042"}
                       ).status_code == 302
    assert issue(client, session, "convocations", destinataire=f"candidat:{candidat.id}").status_code == 302
    letter = client.get(f"/emissions/{models.Emission.get().id}.pdf")
    text, _, _, path = printed(letter, tmp_path)
    for words in ("Centre A", "24 rue de la Villette", "69003 Lyon", "Tél. 04 72 00 00 00", "examens@centre-a.fr",
                  "SIRET 73282932000074", "Déclaration d'activité n° 84691234569", "Pour Centre A, Karim Benali Directeur",
                  "Madame, Vous êtes convoqué(e)", "Veuillez agréer, Madame, l'expression",
                  "du lundi 15 mars 2027 au jeudi 18 mars 2027", "Session CERES n° CER-2027-0042"):
        assert words in text, words
    assert "Madame, Monsieur" not in text
    lines = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert not [line for line in lines.splitlines() if line.strip()[:1] in (":", ";", "!", "?", "»")]
    raw = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "Objet\u00a0:" in raw or "Objet :" in raw  # the space before « : » never breaks
    images = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True).stdout
    assert len(images.splitlines()[2:]) == 2  # the logo and the signature


def test_a_jurors_letter_puts_their_postal_address_in_the_window_or_says_by_hand(client, issuing_day, tmp_path):
    session = issuing_day
    posted = juror(client, "Poste")
    models.Jure.update(civilite="Monsieur", adresse="5 place Bellecour", code_postal="69002", ville="Lyon").where(
        models.Jure.id == posted.id).execute()
    other = juror(client, "Main")
    for jure in (posted, other):
        client.post(f"/sessions/{session.id}/jury", data={"jure_id": str(jure.id)})
    for jure in (posted, other):
        assert issue(client, session, "convocations-jury", destinataire=f"jure:{jure.id}").status_code == 302
    first, second = models.Emission.select().order_by(models.Emission.numero)
    text, _, _, _ = printed(client.get(f"/emissions/{first.id}.pdf"), tmp_path)
    assert "Monsieur Paul Poste Membre du jury 5 place Bellecour 69002 Lyon" in text and "Monsieur, Vous" in text
    assert "L3142-42" in text and "quinze jours calendaires" in text and "procès-verbal" in text
    text, _, _, _ = printed(client.get(f"/emissions/{second.id}.pdf"), tmp_path, "second.pdf")
    assert "À remettre en main propre" in text and "@jury.fr" not in text


def test_jurors_attestations_of_presence_and_the_jury_letters_deadline(client, issuing_day, tmp_path, monkeypatch):
    from domain import checks
    session = issuing_day
    valide = juror(client, "Valide")
    client.post(f"/sessions/{session.id}/jury", data={"jure_id": str(valide.id)})

    def deadline():
        found = {c.code: c for c in checks.run(checks.load_register(models.ExamSession.get_by_id(session.id)),
                                               formats.local_today())}
        return found["convocations_jury_delai"]
    # 29/01, 45 days ahead of 15/03: the limit (13/02) has not passed, letters are still to issue.
    assert deadline().ok is None and "à émettre au plus tard le 13/02/2027" in deadline().message
    assert issue(client, session, "convocations-jury", destinataire=f"jure:{valide.id}").status_code == 302
    assert "Paul Durand : aucune convocation émise." in deadline().details
    monkeypatch.setattr(formats, "clock", lambda: dt.datetime(2027, 2, 20, 9, 0, tzinfo=ISSUED_AT.tzinfo))
    late = deadline()
    assert late.ok is False and "Paul Durand : aucune convocation émise." in late.details
    # No juror signed in yet: no attestation to make.
    refused = issue(client, session, "attestations-jury")
    assert refused.status_code == 422 and "Aucun membre du jury n'a émargé" in text_of(refused)
    monkeypatch.setattr(formats, "clock", lambda: dt.datetime(2027, 3, 15, 9, 5, tzinfo=ISSUED_AT.tzinfo))
    epreuve = models.Epreuve.of_session(session).first()
    from helpers import signin
    assert signin(client, session, epreuve, {"jure_id": str(valide.id)}).status_code == 200
    assert issue(client, session, "attestations-jury").status_code == 302
    attestation = models.Emission.get(models.Emission.document == "attestations-jury")
    text, pages, _, _ = printed(client.get(f"/emissions/{attestation.id}.pdf"), tmp_path)
    assert pages == 1 and "Attestation de présence" in text and "Paul Valide" in text
    assert "lundi 15 mars 2027 Mise en situation professionnelle de 8 h 30 à 12 h 9 h 05" in text
    assert f"Réf. ATTEST-{session.id}-" in text


def test_the_planning_and_the_poster_issued_read_back_as_sent(client, auth, session, monkeypatch, tmp_path):
    """On a register where every check holds: the planning for the UD carries its issue date, the
    letterhead and the signatory; the poster its reference; neither says « PROJET » nor « Jalon »."""
    from helpers import fill_register
    monkeypatch.setattr(formats, "clock", lambda: ISSUED_AT)
    auth.login()
    fill_register(client, session)
    models.Site.update(ville="Lyon", signataire_nom="Karim Benali", signataire_qualite="Directeur").where(
        models.Site.id == session.site_id).execute()
    assert issue(client, session, "planning").status_code == 302
    assert issue(client, session, "affichage").status_code == 302
    planning, poster = models.Emission.select().where(models.Emission.document.in_(["planning", "affichage"])).order_by(
        models.Emission.numero)
    text, _, _, _ = printed(client.get(f"/emissions/{planning.id}.pdf"), tmp_path)
    assert "Transmis à l'unité départementale (UD) de la DREETS par Centre A, le 29/01/2027" in text
    assert "Pour Centre A, Karim Benali Directeur" in text and f"Réf. UD-{session.id}-{planning.numero}" in text
    text, _, _, _ = printed(client.get(f"/emissions/{poster.id}.pdf"), tmp_path, "poster.pdf")
    assert f"Réf. AFF-{session.id}-{poster.numero}" in text
    for body in (planning, poster):
        text, _, _, _ = printed(client.get(f"/emissions/{body.id}.pdf"), tmp_path, "again.pdf")
        assert "PROJET" not in text and "Jalon" not in text


def test_an_agrement_that_does_not_cover_the_session_holds_the_convocations_back(client, issuing_day):
    session = issuing_day
    models.Agrement.create(site=session.site_id, sigle="DWWM", valide_du=dt.date(2025, 1, 1),
                           valide_au=dt.date(2027, 3, 16))  # ends before the session's last day
    refused = issue(client, session, "convocations")
    assert refused.status_code == 422 and "Agrément du site pour la session" in text_of(refused)
    assert f'href="/sessions/{session.id}/agrement"' in refused.get_data(as_text=True)
    assert models.Emission.select().count() == 0
