"""The demo data (seed-demo): a centre with one user per role and three sessions at different stages,
their registers, a day of sign-ins and a closed session's file."""
import datetime as dt
import io
import math

import click
from flask import current_app
from flask.cli import with_appcontext
from pypdf import PdfWriter

from cli.users import upsert_user
from documents import issuing, signing
from documents.pdf import PdfMaker
from documents.guide_pdf import sealed_guide
from domain import candidates, closing, emargement, intervenants, jurors, jury, pieces, pv, results, schedule
from domain.titres import ccps_of, titre_of
from domain.checklist import mark_done, mark_na, save_observation
from domain.sessions import create_session
from domain.vocabulary import NOT_OCCURRED, ROLE_LABELS
from formats import local_today, to_utc, utc_now
from models import (Agrement, Candidat, ChecklistItem, Centre, Epreuve, ExamSession, Jure, MembreJury, Site, Titre, TitreCcp,
                    User, db)

DEMO_CENTRE = "Centre de formation Horizon"
DEMO_SITE = "Lyon Gerland"
DEMO_PASSWORD = "jalon-demo-2027"
DEMO_USERS = (
    ("admin@horizon.demo", "Claire Admin", "admin"),
    ("responsable@horizon.demo", "Karim Benali", "responsable"),
    ("lecteur@horizon.demo", "Sophie Lecteur", "lecteur"),
    ("coordination@horizon.demo", "Marc Réseau", "coordinateur"),
)
# The network's second centre, sharing the jurors' directory (JURES_PARTAGES) with the first.
DEMO_SECOND_CENTRE = "Centre de formation Horizon Alpes"
DEMO_SECOND_SITE = "Grenoble Europole"
DEMO_SECOND_USER = ("responsable@alpes.horizon.demo", "Julie Martel", "responsable")


@click.command("seed-demo")
@with_appcontext
def seed_demo_command():
    """A demo centre with one user per role and three sessions at different stages."""
    with db.connection_context():
        created = seed_demo(current_app.config["TODAY"] or local_today())
    click.echo("Données de démonstration " + ("créées." if created else "déjà présentes."))
    click.echo(f"Connexions de démonstration (mot de passe : {DEMO_PASSWORD}) :")
    for email, _, role in DEMO_USERS:
        click.echo(f"  {email:<32} {ROLE_LABELS[role]}")
    email, _, role = DEMO_SECOND_USER
    click.echo(f"  {email:<32} {ROLE_LABELS[role]} ({DEMO_SECOND_CENTRE})")


def seed_demo(today):
    """Seed the demo once; returns False when the demo centre already has sessions."""
    centre = Centre.get_or_none(Centre.name == DEMO_CENTRE)
    if centre and ExamSession.select().where(ExamSession.centre == centre).exists():
        return False
    users = {role: upsert_user(email, DEMO_PASSWORD, role, DEMO_CENTRE if User.role_needs_centre(role) else None, name)
             for email, name, role in DEMO_USERS}
    centre = users["responsable"].centre
    responsable = users["responsable"]
    seed_identity(centre, today)

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
            elif item.conditional:  # « en cas de… »: it did not happen
                mark_na(item.id, responsable, NOT_OCCURRED)
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
    seed_titres((finished, upcoming))
    seed_demo_register(responsable, finished, upcoming, ccp, today)
    seed_demo_evidence(responsable, finished, today)
    seed_second_centre(ccp, today)
    return True


def seed_second_centre(ccp, today):
    """The network's second centre: a session of its own whose days meet the CCP session's, with the
    first centre's juror Antoine Roux on its jury (a shared directory): the check `jury_disponibilite`
    fails on both sessions."""
    email, name, role = DEMO_SECOND_USER
    user = upsert_user(email, DEMO_PASSWORD, role, DEMO_SECOND_CENTRE, name)
    start = ccp.date_fin  # the CCP session's last day
    session = create_session(user.centre, DEMO_SECOND_SITE, dict(
        titre="Concepteur développeur d'applications", sigle="CCP 1 CDA", millesime=ccp.millesime, nature="CCP",
        libelle_ccp=ccp.libelle_ccp, code_ccp=ccp.code_ccp, date_debut=start, date_fin=start + dt.timedelta(days=1),
        nb_formation=6, nb_vae=0, responsable=name, suppleant=""), user)
    roux = Jure.get(Jure.nom == "Roux")
    membre = jury.add_to_jury(user, session, roux.id, shared=True)
    jury.record_declaration(user, membre, min(today, session.date_debut).isoformat(), [], today)


def _demo_pdf(title):
    """A one-page PDF standing for a signed paper (the demo's PV, the UD's copy)."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": title})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def seed_demo_evidence(user, finished, today):
    """The finished session's file: who evaluated whom, the results, the PV's chain with its proofs, the
    posted results; then the session closed and its guide sealed, as a centre would leave it."""
    limits = pieces.Limits.of(current_app.config)
    membres = [m.jure_id for m in MembreJury.select().where(MembreJury.session == finished)]
    end = finished.date_fin
    iso = dt.date.isoformat
    # Léa Martin and the others present passed; Hugo Robert validated one CCP; Jean-Marc Lefèvre did not;
    # Richard Camille was absent (her sign-in says so).
    ccps = [c.code for c in ccps_of(titre_of(finished.sigle, finished.millesime))]
    decisions = {"Robert": ("partiel", {ccps[0]: "acquis", ccps[1]: "non_acquis"}),
                 "Lefèvre": ("non_obtenu", dict.fromkeys(ccps, "non_acquis")), "Richard": ("absent", {})}
    for candidat in Candidat.of_session(finished):
        decision, acquired = decisions.get(candidat.nom, ("titre", dict.fromkeys(ccps, "acquis")))
        if decision != "absent":
            results.set_evaluators(user, candidat, [str(j) for j in membres])
        results.save_result(user, candidat, {"decision": decision, **{f"ccp_{c}": v for c, v in acquired.items()}}, today)
    for etape, days, extra, paper in (
            ("signe_jury", 0, {}, None), ("pv_individuels", 0, {}, None), ("contresigne", 1, {}, None),
            ("ceres_saisi", 1, {}, None),
            ("envoye_ud", 3, {"mode": "lrar", "reference": "1A 987 654 3210 5"}, "PV de session signé.pdf"),
            ("copie_ud_recue", 12, {}, "Copie du PV retournée par l'UD.pdf")):
        upload = pv.Upload(_demo_pdf(paper), paper, limits) if paper else None
        pv.record_step(user, finished.id, {"etape": etape, "date": iso(min(today, end + dt.timedelta(days=days))), **extra},
                       upload, today)
    posted_at = to_utc(dt.datetime.combine(end + dt.timedelta(days=13), dt.time(9, 30)))
    issuing.issue(user, finished, "resultats-affichage", "", PdfMaker(current_app.instance_path, user.id), today,
                  at=min(posted_at, utc_now()))
    closed_at = dt.datetime.combine(end + dt.timedelta(days=14), dt.time(17, 5))
    key = signing.current(current_app.instance_path, current_app.config["SIGNING_KEY"])
    closing.close(user, finished, sealed_guide(finished, key.empreinte), min(to_utc(closed_at), utc_now()), today,
                  current_app.config["ANCHOR_FILE"])


# The demo's titres, with their CCPs (as Administration → Titres records them).
DEMO_CCPS = {
    "DWWM": ("Développeur web et web mobile", "5", "RNCP37674", (
        ("CP-01234", "Développer la partie front-end d'une application web ou web mobile sécurisée"),
        ("CP-01235", "Développer la partie back-end d'une application web ou web mobile sécurisée"))),
    "TP SEC": ("Secrétaire comptable", "4", "RNCP35627", (
        ("CP-00451", "Assurer les travaux courants de secrétariat et assister une équipe"),
        ("CP-00452", "Traiter les opérations administratives liées à la gestion commerciale et aux ressources humaines"),
        ("CP-00453", "Assurer les travaux courants de comptabilité"))),
}


def seed_titres(sessions):
    """The titres of the demo's sessions, in their millésimes, with their CCPs."""
    for session in sessions:
        libelle, niveau, rncp, ccps = DEMO_CCPS[session.sigle]
        titre, _ = Titre.get_or_create(sigle=session.sigle, millesime=session.millesime,
                                       defaults={"libelle": libelle, "niveau": niveau, "code_rncp": rncp})
        for position, (code, text) in enumerate(ccps, start=1):
            TitreCcp.get_or_create(titre=titre, code=code, defaults={"position": position, "libelle": text})


def seed_identity(centre, today):
    """The demo centre's letterhead, its site's signatory and agréments (for the titres of its sessions)."""
    Centre.update(adresse="24 rue de la Villette", code_postal="69003", ville="Lyon", telephone="04 78 00 12 34",
                  email="examens@horizon.demo", siret="73282932000074", nda="84691234569").where(
        Centre.id == centre.id).execute()
    site, _ = Site.get_or_create(centre=centre, name=DEMO_SITE)
    Site.update(adresse="3 avenue Tony Garnier", code_postal="69007", ville="Lyon", signataire_nom="Karim Benali",
                signataire_qualite="Directeur du centre").where(Site.id == site.id).execute()
    # None for the CCP session's titre: the demo shows the check `agrement` failing there.
    for sigle, reference in (("DWWM", "AGR-69-2024-031"), ("TP SEC", "AGR-69-2024-032")):
        Agrement.create(site=site, sigle=sigle, reference=reference, valide_du=dt.date(today.year - 2, 1, 1),
                        valide_au=dt.date(today.year + 3, 12, 31), plateau_technique="Salle informatique de 14 postes",
                        nombre_candidats=14)


def seed_demo_register(user, finished, upcoming, ccp, today):
    """The registers of the demo: the finished session's holds every check; the upcoming one is
    full but fails six checks, one of each kind, and the CCP session has a jury of one (the
    seventh) and no agrément recorded for its titre (the eighth), so that each check can be seen failing."""
    iso = dt.date.isoformat
    centre = finished.centre
    seated = {}
    for nom, prenom, sigles in (
        ("Durand", "Paul", {"DWWM": 5, "TP SEC": 3}), ("Petit", "Hélène", {"DWWM": 4, "TP SEC": 0}),
        ("Nguyen", "Thi Mai", {"TP SEC": 4}), ("Roux", "Antoine", {"CCP 1 CDA": 3}),
    ):
        jure = jurors.create_juror(user, centre, {
            "nom": nom, "prenom": prenom, "email": f"{prenom.split()[0].lower()}.{nom.lower()}@jury.demo".replace("é", "e"),
            "professionnalise_le": "2024-06-12"})
        for sigle, years in sigles.items():
            # Hélène Petit's TP SEC habilitation ends on the session's first day: it fails the check.
            until = upcoming.date_debut if years == 0 else upcoming.date_debut.replace(year=upcoming.date_debut.year + years)
            jurors.add_habilitation(user, jure, {"sigle": sigle, "valide_jusqu_au": iso(until),
                                                   "ccp": "CP-01234" if sigle == "CCP 1 CDA" else ""})
        seated[nom] = jure
    people = [("Martin", "Léa", "formation"), ("Bernard", "Luc", "formation"), ("Thomas", "Inès", "formation"),
              ("Robert", "Hugo", "formation"), ("Richard", "Camille", "formation"), ("Moreau", "Sarah", "vae"),
              ("Lefèvre", "Jean-Marc", "vae")]

    def add_candidates(session, rows, convoked_days_before, recevabilite_days_after):
        added = []
        for index, (nom, prenom, parcours) in enumerate(rows):
            until = session.date_debut + dt.timedelta(days=recevabilite_days_after(index))
            candidat = candidates.add_candidate(user, session, {
                "nom": nom, "prenom": prenom, "date_naissance": f"{1985 + index}-0{index % 9 + 1}-12",
                "email": f"{prenom.lower()}.{nom.lower()}@mail.demo".replace("é", "e").replace("è", "e"),
                "adresse": f"{index + 3} rue de la République\n69002 Lyon", "parcours": parcours,
                "recevabilite_valide_jusqu_au": iso(until) if parcours == "vae" else ""}, today)
            sent = session.date_debut - dt.timedelta(days=convoked_days_before(index))
            candidates.record_convocation(user, candidat, {"envoyee_le": iso(sent), "mode": "lrar" if index % 2 else "main_propre",
                                                         "reference": f"1A 000 {index:03d}" if index % 2 else f"D-{index + 1}",
                                                         "version": candidates.convocation_version(candidat)},
                                           today)
            added.append(candidat)
        return added

    def seat_jury(session, members, knows=None):
        for nom in members:
            membre = jury.add_to_jury(user, session, seated[nom].id)
            liens = [str(knows[nom].id)] if knows and nom in knows else []
            signed = min(today, session.date_debut - dt.timedelta(days=20))  # a declaration is dated when signed
            jury.record_declaration(user, membre, iso(signed), liens, today)
        intervenants.set_intervenant(user, session, {"role": "surveillant", "nom": "Marc Veille", "email": "marc.veille@horizon.demo",
                                                      "version": intervenants.version_of(None)})

    def epreuves(session, shift=0):
        day = session.date_debut
        for libelle, offset, start, end in (("Mise en situation professionnelle", 0, "08:30", "12:30"),
                                            ("Entretien technique", 1, "09:00", "11:00"),
                                            ("Entretien final", 1 + shift, "14:00", "17:00")):
            schedule.add_epreuve(user, session, {"libelle": libelle, "date": iso(day + dt.timedelta(days=offset)),
                                                 "heure_debut": start, "heure_fin": end, "lieu": "Salle Lumière, bâtiment B"})

    # The finished session: everything in order.
    add_candidates(finished, people, lambda i: 35, lambda i: 200)
    seat_jury(finished, ("Durand", "Petit"))
    epreuves(finished)
    # Its jury's letters were issued six weeks ahead (« Émettre », kept as sent).
    issued_at = to_utc(dt.datetime.combine(finished.date_debut - dt.timedelta(days=45), dt.time(10, 0)))
    issuing.issue(user, finished, "convocations-jury", "", PdfMaker(current_app.instance_path, user.id), today,
                  at=issued_at)
    # The upcoming session: the header still says 10 + 2 (candidats_nombre); Sarah Moreau's
    # recevabilité ends the day before (vae_recevabilite); Hugo Robert was convoked 20 days before
    # (convocations_delai); Paul Durand knows Léa Martin in a jury of two (jury_liens); Hélène Petit's
    # habilitation ends too soon (jury_habilitations); the final interview is set after the last day
    # (epreuves_dates).
    added = add_candidates(upcoming, people, lambda i: 20 if i == 3 else 33, lambda i: -1 if i == 5 else 300)
    seat_jury(upcoming, ("Durand", "Petit"), knows={"Durand": added[0]})
    epreuves(upcoming, shift=(upcoming.date_fin - upcoming.date_debut).days)
    # The CCP session, three months ahead: one juror so far (jury_effectif).
    seat_jury(ccp, ("Roux",))
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
            "soumission_id": f"demo-{finished.id}-{index:04d}"}, "démonstration",
            to_utc(signed + dt.timedelta(minutes=index)))


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


COMMANDS = (seed_demo_command,)
