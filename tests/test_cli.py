"""The command line: init-db, create-user, seed-demo."""
import models
from domain import checks
from helpers import PASSWORD


def test_init_db_can_run_twice(app, runner, db):
    for _ in range(2):
        result = runner.invoke(args=["init-db"])
        assert result.exit_code == 0, result.output
        assert "Base de données prête" in result.output
    assert models.GuideTask.select().count() == 99


def test_create_user_creates_the_centre_and_the_user_can_log_in(app, runner, client, db):
    result = runner.invoke(args=[
        "create-user", "Marie@Centre-C.fr", "--password", "mot de passe long", "--role", "responsable",
        "--centre", "Centre C", "--name", "Marie Curie",
    ])
    assert result.exit_code == 0, result.output
    user = models.User.get(models.User.email == "marie@centre-c.fr")
    assert (user.role, user.centre.name, user.display_name) == ("responsable", "Centre C", "Marie Curie")
    assert client.post("/login", data={"email": "marie@centre-c.fr", "password": "mot de passe long"}).status_code == 302


def test_create_user_prompts_for_the_password(app, runner, db):
    result = runner.invoke(args=["create-user", "x@a.fr", "--centre", "Centre A"],
                                          input="secret secret\nsecret secret\n")
    assert result.exit_code == 0, result.output
    assert models.User.get(models.User.email == "x@a.fr").check_password("secret secret")


def test_create_user_refuses_a_responsable_without_centre_or_a_bad_role(app, runner, db):
    assert runner.invoke(args=["create-user", "y@a.fr", "--password", PASSWORD]).exit_code != 0
    assert runner.invoke(args=["create-user", "y@a.fr", "--password", PASSWORD, "--role", "chef"]).exit_code != 0
    assert not models.User.select().where(models.User.email == "y@a.fr").exists()


def test_seed_demo_makes_a_lived_in_centre_once(app, runner, client, db):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "responsable@horizon.demo" in result.output and "jalon-demo-2027" in result.output
    centre = models.Centre.get(models.Centre.name == "Centre de formation Horizon")
    sessions = list(centre.sessions.order_by(models.ExamSession.date_debut))
    assert len(sessions) == 3
    treated = [sum(i.state != "todo" for i in s.items) for s in sessions]
    assert treated[0] == 98 and 0 < treated[1] < 98 and treated[2] == 0  # all but the heading
    # « En cas de… » did not happen: « Non survenu », never ticked.
    plis = models.ChecklistItem.get((models.ChecklistItem.session == sessions[0].id)
                                    & (models.ChecklistItem.text == "Annuler la session en cas de plis non scellés"))
    assert (plis.state, plis.na_reason) == ("na", "Non survenu")
    assert any(i.observation for i in sessions[0].items)
    # The titres of its sessions, with their CCPs.
    assert {(t.sigle, t.ccps.count()) for t in models.Titre.select()} == {("DWWM", 2), ("TP SEC", 3)}
    # The registers: every check holds for the finished session; each check of before the exam fails
    # once in the others (those of after the exam cannot fail before it).
    today = app.config["TODAY"]
    results = [{c.code: c.ok for c in checks.SessionChecks.of(s, today).checks} for s in sessions]
    assert all(results[0].values()), results[0]
    failed = [code for result in results[1:] for code, ok in result.items() if ok is False]
    assert sorted(failed) == sorted(set(checks.DECLARED) - set(checks.AFTER_EXAM)), results
    # The finished session's file: results, the PV's chain with its proofs, the posted results, then the
    # session closed, its guide sealed.
    finished = models.ExamSession.get_by_id(sessions[0].id)
    assert finished.closed_at is not None and models.SealedGuide.select().count() == 1
    assert [e.etape for e in models.EtapePv.select().order_by(models.EtapePv.id)] == [
        "signe_jury", "pv_individuels", "contresigne", "ceres_saisi", "envoye_ud", "copie_ud_recue"]
    assert {p.nom for p in models.Piece.select()} == {"PV de session signé.pdf", "Copie du PV retournée par l'UD.pdf"}
    assert sorted(r.decision for r in models.Resultat.select()) == ["absent", "non_obtenu", "partiel"] + ["titre"] * 4
    assert models.Emission.select().where(models.Emission.document == "resultats-affichage").count() == 1
    # The network's second centre shares Antoine Roux, booked the CCP session's last day: both sessions say so.
    assert "coordination@horizon.demo" in result.output and "responsable@alpes.horizon.demo" in result.output
    second = models.ExamSession.get(models.ExamSession.centre != centre)
    found = {c.code: c for c in checks.SessionChecks.of(second, today).checks}["jury_disponibilite"]
    assert found.ok is False and "(Centre de formation Horizon)" in found.details[0]
    assert runner.invoke(args=["verify-journal"]).exit_code == 0
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert centre.sessions.count() == 3
    assert client.post("/login", data={"email": "lecteur@horizon.demo", "password": "jalon-demo-2027"}).status_code == 302


def test_create_user_follows_the_email_rule_of_the_admin_form(app, runner, client, db):
    refused = runner.invoke(args=["create-user", "marie@intranet", "--password", "mot de passe long",
                                  "--centre", "Centre A"])
    assert refused.exit_code != 0 and "Adresse e-mail invalide" in refused.output
    assert not models.User.select().where(models.User.email == "marie@intranet").exists()
    result = runner.invoke(args=["create-user", " Paul@Horizon.demo ", "--password", "mot de passe long",
                                 "--centre", "Centre A"])
    assert result.exit_code == 0, result.output
    assert models.User.get(models.User.email == "paul@horizon.demo")
    assert client.post("/login", data={"email": "PAUL@horizon.demo ", "password": "mot de passe long"}).status_code == 302


def test_the_signing_key_is_made_once_published_and_rotated_keeping_the_old_one(app, runner, client, auth, db):
    import os
    from documents import signing
    auth.login("admin@test.fr")
    page = client.get("/admin").get_data(as_text=True)
    first = models.CleSignature.get()
    assert first.empreinte in page and "en service" in page
    path = os.path.join(app.instance_path, signing.KEY_FILE)
    assert os.stat(path).st_mode & 0o777 == 0o600
    assert signing.current(app.instance_path).id == first.id  # the same key, not made again
    result = runner.invoke(args=["rotate-signing-key"])
    assert result.exit_code == 0 and "Nouvelle clé de signature" in result.output, result.output
    keys = list(models.CleSignature.select().order_by(models.CleSignature.id))
    assert len(keys) == 2 and keys[0].retiree_le is not None and keys[1].retiree_le is None
    assert keys[0].empreinte in client.get("/admin").get_data(as_text=True)
