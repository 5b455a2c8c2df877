"""Daily reminders, received by a real SMTP server started by the test."""
from aiosmtpd.controller import Controller

import models
from domain import sessions
from helpers import Inbox, create_session, free_port


def test_each_responsable_gets_the_late_and_coming_tasks_of_their_centre(app, runner, db, smtp):
    create_session(sigle="DWWM", date_debut="2027-03-01", date_fin="2027-03-02")  # convocation due today
    create_session(sigle="LATE", date_debut="2027-04-20", date_fin="2027-04-21")  # 3-month tasks late
    create_session("Centre B", sigle="CDA", date_debut="2027-02-05", date_fin="2027-02-05")
    result = runner.invoke(args=["send-reminders"])
    assert result.exit_code == 0, result.output
    assert "2 rappels envoyés" in result.output
    by_recipient = {tuple(rcpt): msg for rcpt, msg in smtp.messages}
    assert set(by_recipient) == {("resp@a.fr",), ("resp@b.fr",)}
    mail = by_recipient[("resp@a.fr",)]
    assert mail["From"] == "jalon@centre-a.fr"
    assert mail["Subject"] == "Jalon : 10 tâches en retard, 2 à faire sous 7 jours"
    body = mail.get_content()
    assert "Bonjour Romain Resp" in body
    assert "EN RETARD" in body and "Créer la session dans CERES" in body and "LATE du 20/04/2027" in body
    assert "Convoquer les candidats" in body and "(aujourd'hui)" in body
    assert "http://intranet.centre-a.fr/jalon/sessions/" in body
    assert "CDA" not in body
    other = by_recipient[("resp@b.fr",)].get_content()
    assert "Ouverture de la session : 18 tâches" in other and "DWWM" not in other


def test_nobody_is_mailed_when_nothing_is_due(app, runner, db, smtp):
    create_session(sigle="LOIN", date_debut="2028-03-01", date_fin="2028-03-02")
    session = create_session(sigle="ARCH", date_debut="2027-04-20", date_fin="2027-04-21")
    sessions.set_archived(session, True, None)
    result = runner.invoke(args=["send-reminders"])
    assert "0 rappel envoyé" in result.output
    assert smtp.messages == []


def test_dry_run_prints_instead_of_sending(app, runner, db, smtp):
    create_session(sigle="LATE", date_debut="2027-04-20", date_fin="2027-04-21")
    result = runner.invoke(args=["send-reminders", "--dry-run"])
    assert result.exit_code == 0
    assert "À : resp@a.fr" in result.output and "Créer la session dans CERES" in result.output
    assert smtp.messages == []


def test_an_unreachable_server_is_reported_in_french(app, runner, db):
    create_session(sigle="LATE", date_debut="2027-04-20", date_fin="2027-04-21")
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=free_port())
    result = runner.invoke(args=["send-reminders"])
    assert result.exit_code != 0
    assert "1 rappel non envoyé par 127.0.0.1" in result.output
    assert "Échec pour resp@a.fr" in result.output


class PickyInbox(Inbox):
    """A server that refuses one mailbox (550) and, like many, does not offer SMTPUTF8."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == "resp@a.fr":
            return "550 5.1.1 Mailbox unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def test_a_refused_address_does_not_stop_the_others(app, runner, db):
    inbox = PickyInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), enable_SMTPUTF8=False)
    controller.start()
    try:
        app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=controller.port)
        centre_a = models.Centre.get(models.Centre.name == "Centre A")
        centre_b = models.Centre.get(models.Centre.name == "Centre B")
        # Sent in account order: resp@a.fr (refused), resp@b.fr, élodie (non-ASCII), then one more.
        models.User.create(email="élodie@a.fr", display_name="Élodie", role="responsable", centre=centre_a,
                           password_hash="x")
        models.User.create(email="suite@b.fr", display_name="Suite", role="responsable", centre=centre_b,
                           password_hash="x")
        create_session(sigle="LATE", date_debut="2027-04-20", date_fin="2027-04-21")
        create_session("Centre B", sigle="CDA", date_debut="2027-02-05", date_fin="2027-02-05")
        result = runner.invoke(args=["send-reminders"])
    finally:
        controller.stop()
    assert result.exit_code == 1
    assert "2 rappels envoyés" in result.output
    assert "Échec pour resp@a.fr : 550 5.1.1 Mailbox unknown" in result.output
    assert "Échec pour élodie@a.fr" in result.output and "SMTPUTF8" in result.output
    assert sorted(r for rcpt, _ in inbox.messages for r in rcpt) == ["resp@b.fr", "suite@b.fr"]


def test_each_coordinator_gets_the_networks_failing_checks_with_their_centres(app, runner, db, smtp):
    for centre, sigle in (("Centre A", "DWWM"), ("Centre B", "CDA")):
        session = create_session(centre, sigle=sigle, date_debut="2027-03-15", date_fin="2027-03-16")
        jure = models.Jure.create(centre=session.centre, nom=f"Seul{sigle}", prenom="Juré", email=f"{sigle}@jury.fr")
        models.MembreJury.create(session=session, jure=jure)  # a jury of one: jury_effectif fails
    result = runner.invoke(args=["send-reminders"])
    assert result.exit_code == 0, result.output
    by_recipient = {tuple(rcpt): msg for rcpt, msg in smtp.messages}
    mail = by_recipient[("coord@test.fr",)]
    assert mail["Subject"].startswith("Jalon, réseau : ") and "contrôles non respectés" in mail["Subject"]
    body = mail.get_content()
    assert "DWWM du 15/03/2027 · Centre A, Lyon Gerland" in body and "CDA du 15/03/2027 · Centre B" in body
    assert "Jury d'au moins deux membres" in body and "/reseau" in body
    # A responsable's digest stays their centre's.
    assert "Centre B" not in by_recipient[("resp@a.fr",)].get_content()
