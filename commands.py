"""Command line: flask --app app create-user | seed-demo | send-reminders | check-deploy | backup |
restore | db-upgrade (init-db is database.py's)."""
import contextlib
import datetime as dt
import io
import math
import os
import sqlite3
from collections import Counter
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from pypdf import PdfWriter

import migrations
from database import sqlite_path
from documents import reminder_mail
from domain import DomainError, administration, closing, emargement, journal, pieces, register, reminders, retention
from domain.checklist import mark_done, mark_na, save_observation
from domain.inputs import clean_email, normalize_email
from domain.sessions import create_session
from domain.vocabulary import ROLE_LABELS, ROLES
from models import Candidat, ChecklistItem, Centre, Epreuve, ExamSession, MembreJury, User, db
from routes import group_link
from routes.exports import sealed_guide


class CommandError(click.ClickException):
    """A command's failure, told in French."""

    def show(self, file=None):
        click.echo(f"Erreur : {self.format_message()}", err=True)


DEMO_CENTRE = "Centre de formation Horizon"
DEMO_SITE = "Lyon Gerland"
DEMO_PASSWORD = "jalon-demo-2027"
DEMO_USERS = (
    ("admin@horizon.demo", "Claire Admin", "admin"),
    ("responsable@horizon.demo", "Karim Benali", "responsable"),
    ("lecteur@horizon.demo", "Sophie Lecteur", "lecteur"),
)


def init_app(app):
    app.cli.add_command(create_user_command)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(send_reminders_command)
    app.cli.add_command(check_deploy_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(db_upgrade_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(verify_journal_command)
    app.cli.add_command(purge_command)


def upsert_user(email, password, role, centre_name, display_name=None):
    """Create or update a user; the centre is created when it does not exist yet."""
    with db.atomic():
        centre = Centre.get_or_create(name=centre_name)[0] if centre_name else None
        email = normalize_email(email)
        user = User.get_or_none(User.email == email) or User(email=email)
        user.display_name = display_name or user.display_name or email.split("@")[0]
        user.role, user.centre, user.active = role, centre, True
        user.set_password(password)
        user.save()
    return user


@click.command("db-upgrade")
@with_appcontext
def db_upgrade_command():
    """Apply the schema migrations the database lacks (the app also does it at start)."""
    with db.connection_context():
        before = migrations.current_version(db.obj)
        applied = migrations.upgrade(db.obj)
        after = migrations.current_version(db.obj)
    for migration in applied:
        click.echo(f"Migration {migration.version} appliquée : {migration.name}")
    click.echo(f"Schéma à jour : version {after}" + ("" if applied else f" (inchangée depuis la version {before})") + ".")


@click.command("create-user")
@click.argument("email")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--role", type=click.Choice(ROLES), default="responsable", show_default=True)
@click.option("--centre", "centre_name", default=None, help="Nom du centre agréé (créé s'il n'existe pas).")
@click.option("--name", "display_name", default=None, help="Nom affiché.")
@with_appcontext
def create_user_command(email, password, role, centre_name, display_name):
    """Create a user (or update the one with that e-mail)."""
    if User.role_needs_centre(role) and not centre_name:
        raise CommandError("un responsable ou un lecteur appartient à un centre : indiquez --centre.")
    try:
        email = clean_email(email)
        administration.check_password(password, email=email, display_name=display_name or email.split("@")[0])
    except DomainError as exc:
        raise CommandError(exc.message) from None
    with db.connection_context():
        user = upsert_user(email, password, role, centre_name, display_name)
    click.echo(f"Utilisateur {user.email} ({role}) enregistré.")


@click.command("seed-demo")
@with_appcontext
def seed_demo_command():
    """A demo centre with one user per role and three sessions at different stages."""
    with db.connection_context():
        created = seed_demo(current_app.config["TODAY"] or dt.date.today())
    click.echo("Données de démonstration " + ("créées." if created else "déjà présentes."))
    click.echo(f"Connexions de démonstration (mot de passe : {DEMO_PASSWORD}) :")
    for email, _, role in DEMO_USERS:
        click.echo(f"  {email:<28} {ROLE_LABELS[role]}")


def seed_demo(today):
    """Seed the demo once; returns False when the demo centre already has sessions."""
    centre = Centre.get_or_none(Centre.name == DEMO_CENTRE)
    if centre and ExamSession.select().where(ExamSession.centre == centre).exists():
        return False
    users = {role: upsert_user(email, DEMO_PASSWORD, role, DEMO_CENTRE, name) for email, name, role in DEMO_USERS}
    centre = users["responsable"].centre
    responsable = users["responsable"]

    def session(sigle, titre, start_in_days, days, nature="TITRE", libelle_ccp="", code_ccp="", counts=(10, 2)):
        start = today + dt.timedelta(days=start_in_days)
        header = dict(
            titre=titre, sigle=sigle, millesime=str(start.year - 2), nature=nature,
            libelle_ccp=libelle_ccp, code_ccp=code_ccp, date_debut=start,
            date_fin=start + dt.timedelta(days=days), nb_formation=counts[0], nb_vae=counts[1],
            responsable=responsable.display_name, suppleant="Nadia Morel",
        )
        return create_session(centre, DEMO_SITE, header, responsable)

    def done_on(session, item):
        """A plausible date: a few days before the task's deadline, or as its table comes in the guide."""
        if item.due_on and item.tableau_number < 5:
            return item.due_on - dt.timedelta(days=3)
        if item.tableau_number <= 4:
            return session.date_debut - dt.timedelta(days=(5 - item.tableau_number) * 15)
        return {5: session.date_debut, 6: session.date_fin}.get(item.tableau_number, session.date_fin + dt.timedelta(days=6))

    def work(session, upto_tableau, observations, na=(), skip=()):
        """Mark done every task of the tableaux up to `upto_tableau`, but those in `skip`."""
        for item in session.ordered_items():
            if item.tableau_number > upto_tableau:
                break
            if item.position in skip or item.heading:
                continue
            if item.position in na:
                mark_na(item.id, responsable, na[item.position])
            else:
                mark_done(item.id, responsable, min(today, done_on(session, item)), today)
        for position, text in observations.items():
            item = session.items.where(ChecklistItem.position == position).get()
            save_observation(item.id, responsable, text, item.version)

    finished = session("DWWM", "Développeur web et web mobile", -40, 4, counts=(5, 2))
    work(finished, 7, {
        1: "Calendrier prévisionnel envoyé à l'UD le 15/01 par courriel.",
        28: "Jury : M. Durand et Mme Petit, habilitations valables jusqu'en 2029.",
        44: "Matière d'œuvre reçue, contrôlée par le formateur.",
        96: "PV envoyé en recommandé avec AR à l'UD.",
    }, na={4: "Aucun candidat en situation de handicap sur cette session.",
           5: "Aucun aménagement d'épreuve demandé."})
    upcoming = session("TP SEC", "Secrétaire comptable", 12, 3)
    work(upcoming, 3, skip={31}, observations={
        33: "Pli reçu intact, rangé dans l'armoire forte du bureau 12.",
        18: "Deux candidats VAE : recevabilité vérifiée dans CERES.",
        31: "Convocations prêtes, en attente de la salle définitive.",
    })
    ccp = session("CCP 1 CDA", "Concepteur développeur d'applications", 95, 2, nature="CCP",
                  libelle_ccp="Développer une application sécurisée", code_ccp="CP-01234")
    seed_demo_register(responsable, finished, upcoming, ccp)
    seed_demo_evidence(responsable, finished, today)
    return True


def seed_demo_evidence(user, finished, today):
    """The finished session's file: the signed PV attached to its task, then the session closed and
    its guide sealed, as a centre would leave it for an inspection."""
    writer = PdfWriter()  # the demo's PV: a one-page PDF
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": "PV de session signé (démonstration)"})
    out = io.BytesIO()
    writer.write(out)
    pv = finished.items.where(ChecklistItem.text.startswith("Adresser l'original du PV")).get()
    pieces.attach(user, pv, out.getvalue(), "PV de session signé.pdf", 10 * 1024 * 1024, 200 * 1024 * 1024)
    closed_at = dt.datetime.combine(finished.date_fin + dt.timedelta(days=14), dt.time(17, 5))
    closing.close(user, finished, sealed_guide(finished), min(closed_at, dt.datetime.now()))


def seed_demo_register(user, finished, upcoming, ccp):
    """The registers of the demo: the finished session's holds every check; the upcoming one is
    full but fails six checks, one of each kind, and the CCP session has a jury of one (the
    seventh), so that each check can be seen failing."""
    iso = dt.date.isoformat
    centre = finished.centre
    jurors = {}
    for nom, prenom, sigles in (
        ("Durand", "Paul", {"DWWM": 5, "TP SEC": 3}), ("Petit", "Hélène", {"DWWM": 4, "TP SEC": 0}),
        ("Nguyen", "Thi Mai", {"TP SEC": 4}), ("Roux", "Antoine", {"CCP 1 CDA": 3}),
    ):
        jure = register.create_juror(user, centre, {
            "nom": nom, "prenom": prenom, "email": f"{prenom.split()[0].lower()}.{nom.lower()}@jury.demo".replace("é", "e"),
            "professionnalise_le": "2024-06-12"})
        for sigle, years in sigles.items():
            # Hélène Petit's TP SEC habilitation ends on the session's first day: it fails the check.
            until = upcoming.date_debut if years == 0 else upcoming.date_debut.replace(year=upcoming.date_debut.year + years)
            register.add_habilitation(user, jure, {"sigle": sigle, "valide_jusqu_au": iso(until),
                                                   "ccp": "CP-01234" if sigle == "CCP 1 CDA" else ""})
        jurors[nom] = jure
    people = [("Martin", "Léa", "formation"), ("Bernard", "Luc", "formation"), ("Thomas", "Inès", "formation"),
              ("Robert", "Hugo", "formation"), ("Richard", "Camille", "formation"), ("Moreau", "Sarah", "vae"),
              ("Lefèvre", "Jean-Marc", "vae")]

    def candidates(session, rows, convoked_days_before, recevabilite_days_after):
        added = []
        for index, (nom, prenom, parcours) in enumerate(rows):
            until = session.date_debut + dt.timedelta(days=recevabilite_days_after(index))
            candidat = register.add_candidate(user, session, {
                "nom": nom, "prenom": prenom, "date_naissance": f"{1985 + index}-0{index % 9 + 1}-12",
                "email": f"{prenom.lower()}.{nom.lower()}@mail.demo".replace("é", "e").replace("è", "e"),
                "adresse": f"{index + 3} rue de la République\n69002 Lyon", "parcours": parcours,
                "recevabilite_valide_jusqu_au": iso(until) if parcours == "vae" else ""})
            sent = session.date_debut - dt.timedelta(days=convoked_days_before(index))
            register.record_convocation(user, candidat, {"envoyee_le": iso(sent), "mode": "lrar" if index % 2 else "main_propre",
                                                         "reference": f"1A 000 {index:03d}" if index % 2 else f"D-{index + 1}"})
            added.append(candidat)
        return added

    def jury(session, members, knows=None):
        for nom in members:
            membre = register.add_to_jury(user, session, jurors[nom].id)
            liens = [str(knows[nom].id)] if knows and nom in knows else []
            register.record_declaration(user, membre, iso(session.date_debut - dt.timedelta(days=20)), liens)
        register.set_intervenant(user, session, {"role": "surveillant", "nom": "Marc Veille", "email": "marc.veille@horizon.demo"})

    def epreuves(session, shift=0):
        day = session.date_debut
        for libelle, offset, start, end in (("Mise en situation professionnelle", 0, "08:30", "12:30"),
                                            ("Entretien technique", 1, "09:00", "11:00"),
                                            ("Entretien final", 1 + shift, "14:00", "17:00")):
            register.add_epreuve(user, session, {"libelle": libelle, "date": iso(day + dt.timedelta(days=offset)),
                                                 "heure_debut": start, "heure_fin": end, "lieu": "Salle Lumière, bâtiment B"})

    # The finished session: everything in order.
    candidates(finished, people, lambda i: 35, lambda i: 200)
    jury(finished, ("Durand", "Petit"))
    epreuves(finished)
    # The upcoming session: the header still says 10 + 2 (candidats_nombre); Sarah Moreau's
    # recevabilité ends the day before (vae_recevabilite); Hugo Robert was convoked 20 days before
    # (convocations_delai); Paul Durand knows Léa Martin in a jury of two (jury_liens); Hélène Petit's
    # habilitation ends too soon (jury_habilitations); the final interview is set after the last day
    # (epreuves_dates).
    added = candidates(upcoming, people, lambda i: 20 if i == 3 else 33, lambda i: -1 if i == 5 else 300)
    jury(upcoming, ("Durand", "Petit"), knows={"Durand": added[0]})
    epreuves(upcoming, shift=(upcoming.date_fin - upcoming.date_debut).days)
    # The CCP session, three months ahead: one juror so far (jury_effectif).
    jury(ccp, ("Roux",))
    # The finished session's first épreuve was signed on the tablet; one candidate was absent.
    first = Epreuve.of_session(finished).first()
    signed = dt.datetime.combine(first.date, dt.time(8, 20))
    people = [("candidat_id", c.id) for c in Candidat.of_session(finished)]
    people += [("jure_id", m.jure_id) for m in MembreJury.select().where(MembreJury.session == finished)]
    for index, (field, person) in enumerate(people):
        absent = index == 4
        emargement.record(user, finished, {
            "epreuve_id": str(first.id), field: str(person), "statut": "absent" if absent else "present",
            "signature": "" if absent else demo_signature(index), "signe_a": (signed + dt.timedelta(minutes=index)).isoformat(),
            "soumission_id": f"demo-{finished.id}-{index:04d}"}, "démonstration", signed + dt.timedelta(minutes=index))


def demo_signature(seed):
    """A signature-like scribble for the demo, different for each seed: a loop, a flourish, a stroke."""
    path = []
    for stroke in range(3):
        points = []
        for step in range(18):
            t = step / 17
            x = 30 + 110 * stroke + 100 * t
            y = 75 + (35 - 8 * stroke) * math.sin((t * (3 + seed % 3) + stroke * 0.7 + seed * 0.37) * math.pi) * (1 - t / 2)
            points.append(f"{'M' if step == 0 else 'L'}{x:.1f} {min(145.0, max(5.0, y)):.1f}")
        path.append(" ".join(points))
    return " ".join(path)


@click.command("verify-journal")
@click.option("--session", "session_id", type=int, help="Vérifier le journal d'une seule session.")
@with_appcontext
def verify_journal_command(session_id):
    """Recompute every session's journal chain: exit 1 naming the first event that no longer matches."""
    with db.connection_context():
        if session_id is not None and not ExamSession.select().where(ExamSession.id == session_id).exists():
            raise click.ClickException(f"Session {session_id} inconnue.")
        verdicts = journal.verify(None if session_id is None else [session_id])
    broken = [v for v in verdicts if not v.intact]
    for verdict in broken:
        where = f", événement {verdict.broken_at}" if verdict.broken_at else ""
        click.echo(f"Journal altéré : session {verdict.session_id}{where} ({verdict.reason}).", err=True)
    if broken:
        raise SystemExit(1)
    total = sum(v.events for v in verdicts)
    click.echo(f"journal intact : {total} événement{'s' if total > 1 else ''}"
               f" ({len(verdicts)} session{'s' if len(verdicts) > 1 else ''})")


@click.command("purge")
@click.option("--dry-run", is_flag=True, help="Lister ce qui serait purgé, sans rien changer.")
@with_appcontext
def purge_command(dry_run):
    """Purge the sessions whose five years of retention have ended (not those held for an inspection)."""
    today = current_app.config["TODAY"] or dt.date.today()
    with db.connection_context():
        entries = retention.due(today)
        if not entries:
            click.echo("Aucune session dont la durée de conservation est échue.")
            return
        for entry in entries:
            s = entry.session
            click.echo(f"{'À purger' if dry_run else 'Purgée'} : session {s.id} {s.sigle} du {s.date_debut:%d/%m/%Y} "
                       f"(conservation jusqu'au {entry.until:%d/%m/%Y}) : {entry.pieces} pièce(s) "
                       f"({entry.pieces_bytes / 1024 / 1024:.1f} Mo), {entry.candidats} candidat(s), "
                       f"{entry.signatures} signature(s)")
            if not dry_run:
                forgotten = retention.purge(entry)
                if forgotten:
                    click.echo(f"  {forgotten} juré(s) inactif(s) sans autre session anonymisé(s)")
    if dry_run:
        click.echo(f"{len(entries)} session(s) à purger ; rien n'a été modifié (--dry-run).")
    else:
        click.echo(f"{len(entries)} session(s) purgée(s) ; le journal de chacune le consigne.")


@click.command("send-reminders")
@click.option("--dry-run", is_flag=True, help="Afficher les messages au lieu de les envoyer.")
@with_appcontext
def send_reminders_command(dry_run):
    """E-mail each responsable the late tasks of their centre and those due within 7 days."""
    today = current_app.config["TODAY"] or dt.date.today()
    with db.connection_context(), current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
        messages = [reminder_mail.message(digest, today, group_link) for digest in reminders.digests(today)]
    if dry_run:
        for msg in messages:
            click.echo(f"À : {msg['To']}\nObjet : {msg['Subject']}\n\n{msg.get_content()}\n")
        click.echo(f"{len(messages)} rappel(s) préparé(s).")
        return
    failures = reminder_mail.send(messages)
    click.echo(f"{len(messages) - len(failures)} rappel(s) envoyé(s).")
    if failures:
        for msg, reason in failures:
            click.echo(f"Échec pour {msg['To']} : {reason}", err=True)
        raise CommandError(f"{len(failures)} rappel(s) non envoyé(s) par {current_app.config['SMTP_HOST']} "
                           "(les autres destinataires les ont reçus).")


KEY_ADVICE = "créez-en une avec : python3 -c 'import secrets; print(secrets.token_hex(32))'"
KEY_MIN_BITS = 128


def estimated_key_bits(key):
    """A cautious estimate of a key's randomness, in bits: its length times the Shannon entropy of its
    characters, counting a repeated chunk once (« changemechangeme… » is worth one « changeme »).
    A key made by secrets.token_hex(32) scores about 240; 32 × « a » scores 0."""
    if not key:
        return 0
    for size in range(1, len(key) // 2 + 1):  # the shortest chunk the key repeats, if any
        chunk = key[:size]
        if (chunk * (len(key) // size + 1))[:len(key)] == key:
            key = chunk
            break
    counts = Counter(key)
    per_char = -sum(n / len(key) * math.log2(n / len(key)) for n in counts.values())
    return len(key) * per_char


def deployment_problems(app):
    """What makes this installation unsafe to run for real, in French; empty when all is well."""
    config = app.config
    problems = []
    key = config.get("SECRET_KEY") or ""
    if not key:
        problems.append("SECRET_KEY absente : définissez-la dans l'environnement.")
    elif len(key) < 32 or estimated_key_bits(key) < KEY_MIN_BITS:
        problems.append(f"SECRET_KEY trop faible (au moins 32 caractères tirés au hasard) : {KEY_ADVICE}")
    if app.debug or os.environ.get("FLASK_DEBUG", "") not in ("", "0"):
        problems.append("Mode debug actif : il affiche le code et permet d'exécuter des commandes.")
    if not config.get("SESSION_COOKIE_SECURE"):
        problems.append("Cookies de session non sécurisés : servez Jalon en HTTPS et définissez SESSION_COOKIE_SECURE=1.")
    if not config.get("SESSION_COOKIE_HTTPONLY"):
        problems.append("SESSION_COOKIE_HTTPONLY est désactivé.")
    with db.connection_context():
        demo = [u.email for u in User.select().where(User.email.in_([e for e, _, _ in DEMO_USERS]) & (User.active == True))  # noqa: E712
                if u.check_password(DEMO_PASSWORD)]
    if demo:
        problems.append(f"Comptes de démonstration actifs avec leur mot de passe public : {', '.join(demo)}.")
    path = sqlite_path()
    if path is not None:
        for candidate in (path, *(path.with_name(path.name + suffix) for suffix in ("-wal", "-shm"))):
            if candidate.exists() and candidate.stat().st_mode & 0o004:
                problems.append(f"Le fichier {candidate} est lisible par tous les utilisateurs de la machine (chmod o-rwx).")
    secret_file = Path(app.instance_path) / "secret_key"
    if secret_file.exists() and secret_file.stat().st_mode & 0o077:
        problems.append(f"Le fichier {secret_file} est lisible par d'autres que son propriétaire (chmod 600).")
    return problems


@click.command("check-deploy")
@with_appcontext
def check_deploy_command():
    """Check the installation for what must not reach production (exit code 1 if anything is wrong)."""
    problems = deployment_problems(current_app)
    for problem in problems:
        click.echo(f"ERREUR : {problem}")
    if problems:
        raise SystemExit(1)
    click.echo("Aucun problème détecté.")


REQUIRED_TABLES = {"centre", "user", "examsession", "checklistitem", "auditevent", "guideversion"}


def _live_database_file():
    path = sqlite_path()
    if path is None:
        raise CommandError("Sauvegarde intégrée pour SQLite seulement : avec PostgreSQL, utilisez pg_dump.")
    return path


SQLITE_SIDE_FILES = ("-journal", "-wal", "-shm")


def _copy_database(source, destination, *, standalone=False):
    """A consistent copy through SQLite's online backup API, while the app goes on writing.

    A `standalone` copy (a backup file) is switched out of WAL, so that it is one file that opening
    it never adds -wal and -shm files to; a new destination file is made private (mode 600) first,
    so that SQLite's side files, which take its mode, are private too."""
    if not Path(destination).exists():
        os.close(os.open(destination, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    with contextlib.closing(sqlite3.connect(source, timeout=30)) as src, \
            contextlib.closing(sqlite3.connect(destination, timeout=30)) as dst:
        src.backup(dst)
        if standalone:
            dst.execute("PRAGMA journal_mode=DELETE")


def _remove_with_side_files(path):
    for name in (path.name, *(path.name + suffix for suffix in SQLITE_SIDE_FILES)):
        path.with_name(name).unlink(missing_ok=True)


def check_backup_file(path):
    """A French message saying why this file cannot be restored, or None."""
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            result = conn.execute("PRAGMA integrity_check").fetchone()[0]
            tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as exc:
        return f"{path} n'est pas une base SQLite lisible ({exc})."
    if result != "ok":
        return f"{path} est endommagée : {result}"
    if not REQUIRED_TABLES <= tables:
        return f"{path} n'est pas une sauvegarde de Jalon (tables manquantes : {', '.join(sorted(REQUIRED_TABLES - tables))})."
    return None


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(path):
    """Copy the database to PATH while the app runs (SQLite's online backup, not a file copy)."""
    source = _live_database_file()
    temporary = path.with_name(path.name + ".partiel")
    try:
        _remove_with_side_files(temporary)  # what an interrupted backup may have left
        _copy_database(source, temporary, standalone=True)
        if problem := check_backup_file(temporary):
            raise CommandError(problem)
        os.replace(temporary, path)
    except (OSError, sqlite3.Error) as exc:
        raise CommandError(f"Sauvegarde impossible vers {path} : {exc}") from exc
    finally:
        _remove_with_side_files(temporary)
    click.echo(f"Sauvegarde écrite : {path}")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Ne pas demander de confirmation.")
@with_appcontext
def restore_command(path, yes):
    """Put a backup back in place of the database, after checking it (stop the app first)."""
    live = _live_database_file()
    if problem := check_backup_file(path):
        raise CommandError(problem)
    if not yes:
        click.confirm(f"Remplacer {live} par {path} ?", abort=True)
    safety = live.with_name(f"{live.name}.avant-restauration-{dt.datetime.now():%Y%m%d-%H%M%S}")
    try:
        if live.exists():
            _copy_database(live, safety, standalone=True)
        _copy_database(path, live)
        with contextlib.closing(sqlite3.connect(live)) as conn:
            conn.execute("PRAGMA journal_mode=wal")
    except (OSError, sqlite3.Error) as exc:
        raise CommandError(f"Restauration impossible : {exc}") from exc
    click.echo(f"Base restaurée depuis {path}. L'ancienne base est gardée dans {safety}.")
