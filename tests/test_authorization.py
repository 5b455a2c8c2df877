"""Who may do what: every route of the app, for each kind of visitor, with its expected answer.

The table is checked against app.url_map: a new route without an entry here makes the test fail,
so nobody adds a page without deciding who may open it.
"""
import datetime as dt

import pytest

import models
from domain import administration
from helpers import CANDIDATE, EXAM_DAY, HEADER, PASSWORD, create_session, item_at, make_app

# A network's coordinator reads every centre as a lecteur reads theirs, and changes nothing of theirs.
VISITORS = ("anonyme", "lecteur", "responsable", "autre_centre", "admin", "coordinateur")
LOGINS = {"lecteur": "lecteur@a.fr", "responsable": "resp@a.fr", "autre_centre": "resp@b.fr", "admin": "admin@test.fr",
          "coordinateur": "coord@test.fr"}
ANON = 302  # sent to the login page

EPREUVE = {"libelle": "Entretien final", "date": "2027-03-16", "heure_debut": "09:00", "heure_fin": "09:45",
           "lieu": "Salle 12"}

# The responsable and the admin send the same submission: recorded once, answered alike.
SIGN_IN = {"epreuve_id": "{e}", "candidat_id": "{k}", "statut": "absent", "soumission_id": "matrice-0001",
           "signe_a": EXAM_DAY.isoformat(timespec="seconds")}

# endpoint: (method, url, form data, expected status for anonyme, lecteur, responsable, autre_centre, admin,
# coordinateur)
# {s} is a session of centre A, {i} one of its items, {u} a user, {c} centre A, {site} a site, {g} the guide,
# {t} the visitor's own calendar token, {j} a juror of centre A, {k} a candidate and {e} an épreuve of {s}
# (the removals come after every other use of them in the table).
MATRIX = {
    "auth.login": ("GET", "/login", None, (200, 302, 302, 302, 302, 302)),
    "auth.login_post": ("POST", "/login", {"email": "x@a.fr", "password": "faux"}, (401, 401, 401, 401, 401, 401)),
    "auth.logout": ("POST", "/logout", {}, (ANON, 302, 302, 302, 302, 302)),
    "sessions.index": ("GET", "/", None, (ANON, 200, 200, 200, 200, 200)),
    "sessions.new": ("GET", "/sessions/new", None, (ANON, 403, 200, 200, 200, 403)),
    "sessions.create": ("POST", "/sessions", {**HEADER, "centre": "Centre A"}, (ANON, 403, 302, 302, 302, 403)),
    "sessions.show": ("GET", "/sessions/{s}", None, (ANON, 200, 200, 404, 200, 200)),
    "sessions.edit": ("GET", "/sessions/{s}/edit", None, (ANON, 403, 200, 404, 200, 403)),
    "sessions.update": ("POST", "/sessions/{s}", HEADER, (ANON, 403, 302, 404, 302, 403)),
    "sessions.exam_day": ("GET", "/sessions/{s}/jour-j", None, (ANON, 200, 200, 404, 200, 200)),
    "sessions.history": ("GET", "/sessions/{s}/history", None, (ANON, 200, 200, 404, 200, 200)),
    "sessions.export_json": ("GET", "/sessions/{s}.json", None, (ANON, 200, 200, 404, 200, 200)),
    "sessions.archive": ("POST", "/sessions/{s}/archive", {}, (ANON, 403, 302, 404, 302, 403)),
    "sessions.unarchive": ("POST", "/sessions/{s}/unarchive", {}, (ANON, 403, 302, 404, 302, 403)),
    "items.done": ("POST", "/items/{i}/done", {}, (ANON, 403, 302, 404, 302, 403)),
    "items.todo": ("POST", "/items/{i}/todo", {}, (ANON, 403, 302, 404, 302, 403)),
    "items.na": ("POST", "/items/{i}/na", {"reason": "Sans candidat"}, (ANON, 403, 302, 404, 302, 403)),
    "items.observation": ("POST", "/items/{i}/observation", {"observation": "Vu", "version": "0"},
                          (ANON, 403, 302, 404, 302, 403)),
    "exports.session_guide": ("GET", "/sessions/{s}/guide.pdf", None, (ANON, 200, 200, 404, 200, 200)),
    "exports.session_blank_guide": ("GET", "/sessions/{s}/guide-vierge.pdf", None, (ANON, 200, 200, 404, 200, 200)),
    "exports.blank_guide": ("GET", "/guide-vierge.pdf", None, (ANON, 200, 200, 200, 200, 200)),
    "calendar.session_feed": ("GET", "/calendar/{t}/sessions/{s}.ics", None, (404, 200, 200, 404, 200, 200)),
    "calendar.centre_feed": ("GET", "/calendar/{t}/centre.ics", None, (404, 200, 200, 200, 200, 200)),
    "account.show": ("GET", "/account", None, (ANON, 200, 200, 200, 200, 200)),
    "account.change_password": ("POST", "/account/password", {"current": "faux", "new": "x", "confirmation": "x"},
                                (ANON, 422, 422, 422, 422, 422)),
    "account.regenerate_feed_token": ("POST", "/account/calendar-token", {}, (ANON, 302, 302, 302, 302, 302)),
    # {x} is an open login of another user: nobody closes it but its user.
    "account.close_login": ("POST", "/account/connexions/{x}/close", {}, (ANON, 404, 404, 404, 404, 404)),
    "account.close_other_logins": ("POST", "/account/connexions/close-others", {}, (ANON, 302, 302, 302, 302, 302)),
    "admin.index": ("GET", "/admin", None, (ANON, 403, 403, 403, 200, 403)),
    "admin.users": ("GET", "/admin/users", None, (ANON, 403, 403, 403, 200, 403)),
    "admin.create_user": ("POST", "/admin/users", {"email": "n@a.fr", "display_name": "Nouveau", "role": "lecteur",
                                                   "centre": "Centre A"}, (ANON, 403, 403, 403, 200, 403)),
    "admin.user": ("GET", "/admin/users/{u}", None, (ANON, 403, 403, 403, 200, 403)),
    "admin.update_user": ("POST", "/admin/users/{u}", {"display_name": "Cible", "role": "lecteur", "centre": "Centre A"},
                          (ANON, 403, 403, 403, 302, 403)),
    "admin.deactivate_user": ("POST", "/admin/users/{u}/deactivate", {}, (ANON, 403, 403, 403, 302, 403)),
    "admin.activate_user": ("POST", "/admin/users/{u}/activate", {}, (ANON, 403, 403, 403, 302, 403)),
    "admin.reset_password": ("POST", "/admin/users/{u}/password", {}, (ANON, 403, 403, 403, 200, 403)),
    "admin.centres": ("GET", "/admin/centres", None, (ANON, 403, 403, 403, 200, 403)),
    "admin.create_centre": ("POST", "/admin/centres", {"name": "Centre N"}, (ANON, 403, 403, 403, 302, 403)),
    "admin.rename_centre": ("POST", "/admin/centres/{c}", {"name": "Centre A"}, (ANON, 403, 403, 403, 302, 403)),
    "admin.add_site": ("POST", "/admin/centres/{c}/sites", {"name": "Site N"}, (ANON, 403, 403, 403, 302, 403)),
    "admin.rename_site": ("POST", "/admin/sites/{site}", {"name": "Lyon Gerland"}, (ANON, 403, 403, 403, 302, 403)),
    "admin.add_agrement": ("POST", "/admin/sites/{site}/agrements",
                           {"sigle": "DWWM", "valide_du": "2025-01-01", "valide_au": "2028-12-31"},
                           (ANON, 403, 403, 403, 302, 403)),
    "emissions.index": ("GET", "/sessions/{s}/emissions", None, (ANON, 200, 200, 404, 200, 200)),
    "emissions.issue": ("POST", "/sessions/{s}/emissions", {"document": "affichage"}, (ANON, 403, 302, 404, 302, 403)),
    "emissions.pdf": ("GET", "/emissions/{m}.pdf", None, (ANON, 200, 200, 404, 200, 200)),
    "admin.titres_page": ("GET", "/admin/titres", None, (ANON, 403, 403, 403, 200, 403)),
    "admin.create_titre": ("POST", "/admin/titres", {"sigle": "CDA", "millesime": "2024", "libelle": "Concepteur",
                                                     "ccps": "CP-1;Concevoir"}, (ANON, 403, 403, 403, 302, 403)),
    "admin.update_titre": ("POST", "/admin/titres/{ti}", {"sigle": "RPCT", "millesime": "2022", "libelle": "Réparateur",
                                                          "ccps": ""}, (ANON, 403, 403, 403, 302, 403)),
    "admin.titres_csv": ("GET", "/admin/titres.csv", None, (ANON, 403, 403, 403, 200, 403)),
    "admin.import_titres": ("POST", "/admin/titres/import", {}, (ANON, 403, 403, 403, 422, 403)),
    "centres.titres_json": ("GET", "/titres.json", None, (ANON, 200, 200, 200, 200, 200)),
    "centres.show": ("GET", "/centres/{c}", None, (ANON, 200, 200, 404, 200, 200)),
    "centres.show_json": ("GET", "/centres/{c}.json", None, (ANON, 200, 200, 404, 200, 200)),
    "register.agrement": ("GET", "/sessions/{s}/agrement", None, (ANON, 200, 200, 404, 200, 200)),
    "admin.guides": ("GET", "/admin/guides", None, (ANON, 403, 403, 403, 200, 403)),
    "admin.import_guide": ("POST", "/admin/guides", {}, (ANON, 403, 403, 403, 422, 403)),
    "admin.guide": ("GET", "/admin/guides/{g}", None, (ANON, 403, 403, 403, 200, 403)),
    "admin.journal": ("GET", "/admin/journal", None, (ANON, 403, 403, 403, 200, 403)),
    "register.jurors": ("GET", "/jures", None, (ANON, 200, 200, 200, 200, 200)),
    "register.jurors_json": ("GET", "/jures.json", None, (ANON, 200, 200, 200, 200, 200)),
    "register.create_juror": ("POST", "/jures", {"nom": "Neuf", "prenom": "Juré", "email": "neuf@jury.fr",
                                                 "centre": "Centre A"}, (ANON, 403, 302, 302, 302, 403)),
    "register.juror": ("GET", "/jures/{j}", None, (ANON, 200, 200, 404, 200, 200)),
    "register.update_juror": ("POST", "/jures/{j}", {"nom": "Durand", "prenom": "Paul", "email": "paul.durand@jury.fr",
                                                     "version": "0"},
                              (ANON, 403, 302, 404, 302, 403)),
    "register.deactivate_juror": ("POST", "/jures/{j}/deactivate", {}, (ANON, 403, 302, 404, 302, 403)),
    "register.activate_juror": ("POST", "/jures/{j}/activate", {}, (ANON, 403, 302, 404, 302, 403)),
    "register.add_habilitation": ("POST", "/jures/{j}/habilitations", {"sigle": "DWWM", "valide_jusqu_au": "2029-12-31"},
                                  (ANON, 403, 302, 404, 302, 403)),
    # The documents, while {s} has its épreuve and candidate but no jury yet (422: what to fill in first);
    # each visitor sees the programme of their own centre (centre B: the session its responsable created above).
    "documents.convocations": ("GET", "/sessions/{s}/convocations.pdf", None, (ANON, 200, 200, 404, 200, 200)),
    "documents.candidate_convocation": ("GET", "/candidats/{k}/convocation.pdf", None, (ANON, 200, 200, 404, 200, 200)),
    "documents.jury_convocations": ("GET", "/sessions/{s}/convocations-jury.pdf", None, (ANON, 422, 422, 404, 422, 422)),
    "documents.jury_attestations": ("GET", "/sessions/{s}/attestations-jury.pdf", None, (ANON, 422, 422, 404, 422, 422)),
    "documents.planning": ("GET", "/sessions/{s}/planning.pdf", None, (ANON, 200, 200, 404, 200, 200)),
    "documents.affichage": ("GET", "/sessions/{s}/affichage.pdf", None, (ANON, 200, 200, 404, 200, 200)),
    "documents.emargement_pdf": ("GET", "/sessions/{s}/emargement.pdf", None, (ANON, 200, 200, 404, 200, 200)),
    "documents.inspection_file": ("GET", "/sessions/{s}/dossier.zip", None, (ANON, 200, 200, 404, 200, 200)),
    "documents.programme_pdf": ("GET", "/programme/2027.pdf", None, (ANON, 200, 200, 200, 200, 200)),
    "documents.programme_csv": ("GET", "/programme/2027.csv", None, (ANON, 200, 200, 200, 200, 200)),
    # Closing: refused while regulatory tasks are to do (422); reopening is for admins (422: not closed).
    "sessions.close": ("POST", "/sessions/{s}/cloture", {}, (ANON, 403, 422, 404, 422, 403)),
    "sessions.reopen": ("POST", "/sessions/{s}/reouverture", {"motif": "Erreur"}, (ANON, 403, 403, 404, 422, 403)),
    "sessions.hold": ("POST", "/sessions/{s}/conservation", {"motif": "Contrôle de la DREETS en cours"},
                      (ANON, 403, 403, 404, 302, 403)),
    "sessions.sealed_pdf": ("GET", "/sessions/{s}/guide-cloture.pdf", None, (ANON, 404, 404, 404, 404, 404)),
    "pieces.attach": ("POST", "/items/{i}/pieces", {}, (ANON, 403, 422, 404, 422, 403)),
    "pieces.download": ("GET", "/pieces/{p}", None, (ANON, 200, 200, 404, 200, 200)),
    "pieces.preview": ("GET", "/pieces/{p}/apercu", None, (ANON, 200, 200, 404, 200, 200)),
    "pieces.remove": ("POST", "/pieces/{p}/remove", {}, (ANON, 403, 302, 404, 302, 403)),
    "emargement.page": ("GET", "/sessions/{s}/emargement", None, (ANON, 200, 200, 404, 200, 200)),
    "emargement.record": ("POST", "/sessions/{s}/emargement", SIGN_IN, (ANON, 403, 302, 404, 302, 403)),
    "register.set_tenue": ("POST", "/sessions/{s}/tenue", {"tenue_professionnelle": "Blouse de travail"},
                           (ANON, 403, 302, 404, 302, 403)),
    "register.candidates": ("GET", "/sessions/{s}/candidats", None, (ANON, 200, 200, 404, 200, 200)),
    "register.add_candidate": ("POST", "/sessions/{s}/candidats", CANDIDATE, (ANON, 403, 302, 404, 302, 403)),
    "register.import_candidates": ("POST", "/sessions/{s}/candidats/import", {}, (ANON, 403, 422, 404, 422, 403)),
    "register.candidate": ("GET", "/candidats/{k}", None, (ANON, 200, 200, 404, 200, 200)),
    "register.update_candidate": ("POST", "/candidats/{k}", {**CANDIDATE, "version": "0"}, (ANON, 403, 302, 404, 302, 403)),
    "register.record_convocation": ("POST", "/candidats/{k}/convocation",
                                    {"envoyee_le": "2027-02-01", "mode": "lrar", "reference": "1A 234", "version": "aucune"},
                                    (ANON, 403, 302, 404, 302, 403)),
    # After the exam: before the deliberation (today is 01/02/2027), results and PV steps are refused (422);
    # {j} is not on the jury yet: it cannot evaluate {k} (422).
    "after.show_pv": ("GET", "/sessions/{s}/pv", None, (ANON, 200, 200, 404, 200, 200)),
    "after.record_pv": ("POST", "/sessions/{s}/pv", {"etape": "signe_jury", "date": "2027-01-31"},
                        (ANON, 403, 422, 404, 422, 403)),
    "after.results_page": ("GET", "/sessions/{s}/resultats", None, (ANON, 200, 200, 404, 200, 200)),
    "after.record_result": ("POST", "/candidats/{k}/resultat", {"decision": "obtenu"}, (ANON, 403, 422, 404, 422, 403)),
    "after.set_evaluators": ("POST", "/candidats/{k}/evaluateurs", {"jure_id": "{j}"}, (ANON, 403, 422, 404, 422, 403)),
    "documents.resultats": ("GET", "/sessions/{s}/resultats.pdf", None, (ANON, 422, 422, 404, 422, 422)),
    # {k} signed in absent (emargement.record): not a candidate whose insertion is followed (422).
    "after.record_insertion": ("POST", "/candidats/{k}/insertion", {"situation": "emploi_metier", "canal": "telephone",
                                                                     "date_contact": "2027-01-31"},
                               (ANON, 403, 422, 404, 422, 403)),
    "after.insertion_due": ("GET", "/suivi-insertion", None, (ANON, 200, 200, 200, 200, 200)),
    "after.partials": ("GET", "/candidats/partiels", None, (ANON, 200, 200, 200, 200, 200)),
    # {k} has no partial result (422); the target session is another centre's for autre_centre (404).
    "after.register_again": ("POST", "/candidats/{k}/inscrire", {"session_id": "{s}"}, (ANON, 403, 422, 404, 422, 403)),
    "after.indicators": ("GET", "/indicateurs", None, (ANON, 200, 200, 200, 200, 200)),
    "after.indicators_csv": ("GET", "/indicateurs.csv", None, (ANON, 200, 200, 200, 200, 200)),
    # Published by nobody yet: 404 for everyone, logged in or not.
    "public.indicators_page": ("GET", "/public/{c}/indicateurs", None, (404, 404, 404, 404, 404, 404)),
    "admin.publish_indicators": ("POST", "/admin/centres/{c}/indicateurs", {"publier": "0"}, (ANON, 403, 403, 403, 302, 403)),
    "documents.resultats_affichage": ("GET", "/sessions/{s}/resultats-affichage.pdf", None, (ANON, 422, 422, 404, 422, 422)),
    # {k} and {e} hold the sign-in recorded above (emargement.record): they are withdrawn, not deleted.
    "register.remove_candidate": ("POST", "/candidats/{k}/remove", {}, (ANON, 403, 409, 404, 409, 403)),
    "register.withdraw_candidate": ("POST", "/candidats/{k}/withdraw", {}, (ANON, 403, 302, 404, 302, 403)),
    "register.epreuves": ("GET", "/sessions/{s}/epreuves", None, (ANON, 200, 200, 404, 200, 200)),
    "register.add_epreuve": ("POST", "/sessions/{s}/epreuves", EPREUVE, (ANON, 403, 302, 404, 302, 403)),
    "register.remove_epreuve": ("POST", "/epreuves/{e}/remove", {}, (ANON, 403, 409, 404, 409, 403)),
    "register.withdraw_epreuve": ("POST", "/epreuves/{e}/withdraw", {}, (ANON, 403, 302, 404, 302, 403)),
    "register.jury": ("GET", "/sessions/{s}/jury", None, (ANON, 200, 200, 404, 200, 200)),
    "register.add_to_jury": ("POST", "/sessions/{s}/jury", {"jure_id": "{j}"}, (ANON, 403, 302, 404, 302, 403)),
    "register.record_declaration": ("POST", "/sessions/{s}/jury/{j}/declaration", {"declaration_le": "2027-01-20"},
                                    (ANON, 403, 302, 404, 302, 403)),
    "register.remove_from_jury": ("POST", "/sessions/{s}/jury/{j}/remove", {}, (ANON, 403, 302, 404, 302, 403)),
    # {j} has no sign-in: removed just before (remove < withdraw), no longer on the jury.
    "register.withdraw_from_jury": ("POST", "/sessions/{s}/jury/{j}/withdraw", {}, (ANON, 403, 404, 404, 404, 403)),
    "register.set_intervenant": ("POST", "/sessions/{s}/intervenants", {"role": "surveillant", "nom": "Marc Veille",
                                                                        "version": "aucun"},
                                 (ANON, 403, 302, 404, 302, 403)),
    "static": ("GET", "/static/css/jalon.css", None, (200, 200, 200, 200, 200, 200)),
    # The network's view: its coordinators and the administrators only.
    "network.index": ("GET", "/reseau", None, (ANON, 403, 403, 403, 200, 200)),
    "network.index_csv": ("GET", "/reseau.csv", None, (ANON, 403, 403, 403, 200, 200)),
    "network.index_json": ("GET", "/reseau.json", None, (ANON, 403, 403, 403, 200, 200)),
    "network.rows": ("GET", "/reseau/liste?site={site}&quoi=preparation", None, (ANON, 403, 403, 403, 200, 200)),
    "network.rates": ("GET", "/reseau/indicateurs", None, (ANON, 403, 403, 403, 200, 200)),
}


def test_every_route_has_an_entry(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints == set(MATRIX), {"sans entrée": endpoints - set(MATRIX), "inconnues": set(MATRIX) - endpoints}
    for rule in app.url_map.iter_rules():
        assert MATRIX[rule.endpoint][0] in rule.methods, rule.endpoint


@pytest.mark.parametrize("visitor", VISITORS)
def test_each_visitor_gets_the_expected_answer(tmp_path, visitor, exam_day):
    app = make_app(tmp_path)
    client = app.test_client()
    with app.app_context(), models.db.connection_context():
        session = create_session()
        target = models.User.create(email="cible@a.fr", display_name="Cible", role="lecteur",
                                    centre=session.centre, password_hash="x")
        jure = models.Jure.create(centre=session.centre, nom="Durand", prenom="Paul", email="paul.durand@jury.fr")
        candidat = models.Candidat.create(session=session, nom="Petit", prenom="Jean",
                                          date_naissance=dt.date(2000, 1, 2), parcours="vae")
        epreuve = models.Epreuve.create(session=session, libelle="Mise en situation", date=dt.date(2027, 3, 15),
                                        heure_debut="08:30", heure_fin="12:00", lieu="Atelier")
        png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde" \
              b"\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe\x92\xef\x00\x00\x00\x00IEND\xaeB`\x82"
        piece = models.Piece.create(item=item_at(session, 2), session=session, nom="photo.png", type="image/png",
                                    taille=len(png), sha256="0" * 64, contenu=png)
        ids = {"s": session.id, "i": item_at(session, 1).id, "p": piece.id, "u": target.id, "c": session.centre.id,
               "site": session.site.id, "g": models.GuideVersion.current().id, "t": "aucun-jeton", "j": jure.id,
               "k": candidat.id, "e": epreuve.id,
               "ti": models.Titre.create(sigle="RPCT", millesime="2022", libelle="Réparateur").id,
               "m": models.Emission.create(session=session, numero=99, document="planning", emis_le=dt.datetime(2027, 1, 30),
                                           pdf=b"%PDF-1.4", sha256="0" * 64, taille=8).id,
               "x": models.Connexion.create(user=target, token_hash="f" * 64, ouverte_le=dt.datetime(2027, 1, 30),
                                            vue_le=dt.datetime(2027, 1, 30)).id}
        if visitor != "anonyme":
            user = models.User.get(models.User.email == LOGINS[visitor])
            ids["t"] = administration.new_feed_token(user)
    if visitor != "anonyme":
        assert client.post("/login", data={"email": LOGINS[visitor], "password": PASSWORD}).status_code == 302
    column = VISITORS.index(visitor)
    wrong = []
    # Logging out last, so that every other route is tried while logged in.
    for endpoint, (method, url, data, expected) in sorted(MATRIX.items(), key=lambda e: e[0] == "auth.logout"):
        data = {k: v.format(**ids) if isinstance(v, str) else v for k, v in data.items()} if data else data
        response = client.open(url.format(**ids), method=method, data=data)
        response.close()
        if response.status_code != expected[column]:
            wrong.append((endpoint, response.status_code, expected[column]))
    assert wrong == []
    if visitor in ("anonyme", "lecteur", "autre_centre", "coordinateur"):
        # Every refused change changed nothing: the session's journal holds its creation only.
        with app.app_context(), models.db.connection_context():
            assert [e.field for e in models.AuditEvent.select().where(models.AuditEvent.session == ids["s"])] == ["created"]
            session = models.ExamSession.get_by_id(ids["s"])
            assert (session.titre, session.archived) == (HEADER["titre"], False)
            jure = models.Jure.get_by_id(ids["j"])
            assert (jure.active, jure.habilitations.count()) == (True, 0)
            assert models.AdminEvent.select().where(models.AdminEvent.centre == session.centre).count() == 0
            assert (models.Candidat.select().count(), models.Epreuve.select().count()) == (1, 1)
            assert (models.MembreJury.select().count(), models.Intervenant.select().count()) == (0, 0)
            assert models.Emargement.select().count() == 0
