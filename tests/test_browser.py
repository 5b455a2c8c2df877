"""Exam day on a tablet, in a real browser: Playwright driving Debian's Chromium against gunicorn.

One app server and one browser for the whole module; each test opens its own browser context.
Screenshots of the main pages go to test-artifacts/screenshots/ (not committed).
"""
import contextlib
import io
import os
import re
import subprocess
from pathlib import Path

import pytest
from PIL import Image

import models
from playwright import sync_api as playwright_api
from helpers import PASSWORD, create_session, make_app
from liveserver import GatewayProxy, LiveServer



pytestmark = pytest.mark.live

CHROMIUM = "/usr/bin/chromium"
AXE = Path(__file__).parent / "vendor" / "axe-core-4.14.1" / "axe.min.js"
SHOTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"
TODAY = "2027-02-01"
EXAM_MORNING = "2027-02-01T09:00:00+01:00"
DESKTOP = {"width": 1366, "height": 900}
TABLET_PORTRAIT = {"width": 768, "height": 1024}
TABLET_LANDSCAPE = {"width": 1024, "height": 768}
CHROMIUM_ARGS = ["--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", "--lang=fr-FR"]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("browser")
    app = make_app(tmp)
    with app.app_context(), models.db.connection_context():
        for sigle in ("DWWM", "CONF", "OFFL", "KEYB", "JOUR", "GATE", "FILE", "DRAF", "ROLE", "REGI", "PIEC"):
            create_session(sigle=sigle, date_debut="2027-03-15", date_fin="2027-03-18")
        # Exam day today: an épreuve and four candidates to sign in.
        signing = create_session(sigle="SIGN", date_debut=TODAY, date_fin="2027-02-02")
        models.Epreuve.create(session=signing, libelle="Mise en situation professionnelle", date=TODAY,
                              heure_debut="08:30", heure_fin="12:30", lieu="Atelier B")
        for nom, prenom in (("Martin", "Léa"), ("Strauß", "Ñuria"), ("O’Connor", "Maëlle"), ("Petit", "Hugo")):
            models.Candidat.create(session=signing, nom=nom, prenom=prenom, date_naissance="1998-04-02",
                                   parcours="formation")
        # After the exam: a session over, its titre with two CCPs, two candidates to give results to.
        over = create_session(sigle="RESU", date_debut="2027-01-18", date_fin="2027-01-20")
        titre = models.Titre.create(sigle="RESU", millesime="2023", libelle="Titre des résultats")
        for position, code in enumerate(("CP-01", "CP-02"), start=1):
            models.TitreCcp.create(titre=titre, position=position, code=code, libelle=f"Compétence {position}")
        for nom in ("Garnier", "Roussel"):
            models.Candidat.create(session=over, nom=nom, prenom="Ana", date_naissance="1998-04-02",
                                   parcours="formation")
    # The server's clock on exam day's morning too: sign-ins are taken on the épreuve's day only.
    live = LiveServer(app.config["DATABASE_URL"], tmp, workers=2,
                      env={"JALON_TODAY": TODAY, "JALON_NOW": EXAM_MORNING}).start()
    yield live
    live.stop()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium package")
    with playwright_api.sync_playwright() as p:
        # A French environment, so that date fields read dd/mm/yyyy as on the centre's tablets.
        env = {**os.environ, "LANG": "fr_FR.UTF-8", "LANGUAGE": "fr"}
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, env=env)
        yield browser
        browser.close()


@pytest.fixture
def open_page(browser, server):
    contexts = []

    def opener(viewport=DESKTOP, email="resp@a.fr", path="/"):
        context = browser.new_context(viewport=viewport, locale="fr-FR", base_url=server.url)
        contexts.append(context)
        page = context.new_page()
        page.goto("/login")
        if email:
            page.fill("#email", email)
            page.fill("#password", PASSWORD)
            page.click("button:has-text('Se connecter')")
            page.wait_for_url(server.url + "/")
        if path != "/":
            page.goto(path)
        return page

    yield opener
    for context in contexts:
        context.close()


def session_id(server, sigle):
    with models.db.connection_context():
        return models.ExamSession.get(models.ExamSession.sigle == sigle).id


def item_row(server, sigle, position):
    """(id, state, done_on, na_reason, observation, version) of a task, as the database holds it now."""
    I, S = models.ChecklistItem, models.ExamSession  # noqa: E741
    with models.db.connection_context():
        return (I.select(I.id, I.state, I.done_on, I.na_reason, I.observation, I.version).join(S)
                .where((S.sigle == sigle) & (I.position == position)).tuples().get())


def save(page, item, status=200):
    """Tap "Enregistrer" on a row and wait for the server's answer to be swapped in."""
    with page.expect_response(lambda r: r.url.endswith(f"/items/{item}/observation")) as answer:
        page.click(f"#item-{item} button:has-text('Enregistrer')")
    assert answer.value.status == status
    page.wait_for_selector(f"#item-{item}:not(.item--unsaved) textarea" if status == 200 else f"#item-{item} .conflict-text")


def shoot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)


def axe_violations(page):
    page.evaluate(AXE.read_text(encoding="utf-8"))  # evaluated by the DevTools protocol: the page's CSP stays on
    result = page.evaluate(
        "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})")
    return [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]


def test_create_a_session_through_the_form(open_page, server):
    page = open_page()
    page.click("text=Nouvelle session")
    page.fill("#site", "Villeurbanne")
    page.fill("#titre", "Secrétaire assistant")
    page.fill("#sigle", "SA")
    page.fill("#millesime", "2022")
    page.check("input[name=nature][value=TITRE]")
    page.fill("#date_debut", "2027-05-31")
    page.fill("#date_fin", "2027-06-02")
    page.fill("#nb_formation", "11")
    page.fill("#responsable", "Romain Resp")
    page.click("button:has-text('Créer la session')")
    page.wait_for_selector("text=Session SA du 31/05/2027 au 02/06/2027 créée")
    assert page.locator("tr.item").count() == 99
    assert page.locator("text=Échéance : 28/02/2027 (J-92)").count() == 4  # three months before 31 May


def test_mark_done_earlier_date_sans_objet_and_observation_survive_a_reload(open_page, server):
    page = open_page(path=f"/sessions/{session_id(server, 'DWWM')}")
    first, second, third, fourth = (item_row(server, "DWWM", n)[0] for n in (1, 2, 3, 4))
    page.click(f"#item-{first} .action--done button")
    page.wait_for_selector(f"#item-{first}.item--done >> text=Fait le 01/02/2027")
    page.fill(f"#item-{second} input[name=done_on]", "2027-01-15")
    page.click(f"#item-{second} .action--done button")
    page.wait_for_selector(f"#item-{second} >> text=Fait le 15/01/2027")
    page.click(f"#item-{third} summary:has-text('Sans objet')")
    page.fill(f"#reason-{third}", "Aucun candidat en situation de handicap")
    page.click(f"#item-{third} button:has-text('Marquer sans objet')")
    page.wait_for_selector(f"#item-{third} >> text=Sans objet : Aucun candidat en situation de handicap")
    page.fill(f"#observation-{fourth}", "Courrier remis en mains propres\ncontre décharge")
    save(page, fourth)
    page.wait_for_selector("#session-progress >> text=Toutes les tâches : 3/98")

    page.reload()
    assert "Fait le 01/02/2027" in page.inner_text(f"#item-{first}")
    assert "Fait le 15/01/2027" in page.inner_text(f"#item-{second}")
    assert "Aucun candidat en situation de handicap" in page.inner_text(f"#item-{third}")
    assert page.input_value(f"#observation-{fourth}") == "Courrier remis en mains propres\ncontre décharge"
    assert item_row(server, "DWWM", 4)[4] == "Courrier remis en mains propres\ncontre décharge"
    shoot(page, "guide-coche-bureau")


def test_offline_changes_wait_and_are_sent_when_the_network_returns(open_page, server):
    page = open_page(viewport=TABLET_PORTRAIT, path=f"/sessions/{session_id(server, 'OFFL')}")
    first, second = item_row(server, "OFFL", 1)[0], item_row(server, "OFFL", 2)[0]
    page.context.set_offline(True)
    page.click(f"#item-{first} .action--done button")
    page.wait_for_selector(f"#item-{first} .unsaved-note >> text=non enregistré")
    assert page.is_visible("#offline-banner")
    page.fill(f"#observation-{second}", "Saisie hors connexion")
    page.click(f"#item-{second} button:has-text('Enregistrer')")
    page.wait_for_selector(f"#item-{second} .unsaved-note >> text=Observation non enregistrée")
    assert page.input_value(f"#observation-{second}") == "Saisie hors connexion"
    assert item_row(server, "OFFL", 1)[1] == "todo"

    page.context.set_offline(False)
    page.wait_for_selector(f"#item-{first}.item--done")
    page.wait_for_selector("#offline-banner", state="hidden")
    page.wait_for_selector(f"#item-{second}:not(.item--unsaved) textarea")
    assert item_row(server, "OFFL", 1)[1] == "done"
    assert item_row(server, "OFFL", 2)[4] == "Saisie hors connexion"


def test_an_observation_being_typed_survives_a_reload(open_page, server):
    page = open_page(viewport=TABLET_LANDSCAPE, path=f"/sessions/{session_id(server, 'OFFL')}")
    third = item_row(server, "OFFL", 3)[0]
    page.fill(f"#observation-{third}", "Pas encore enregistré")
    page.reload()
    assert page.input_value(f"#observation-{third}") == "Pas encore enregistré"
    assert "Brouillon non enregistré" in page.inner_text(f"#item-{third}")
    save(page, third)
    page.reload()
    assert "Brouillon" not in page.inner_text(f"#item-{third}")
    assert item_row(server, "OFFL", 3)[4] == "Pas encore enregistré"


def test_two_tablets_editing_one_observation_see_the_conflict(open_page, server):
    path = f"/sessions/{session_id(server, 'CONF')}"
    nadia, karim = open_page(viewport=TABLET_PORTRAIT, path=path), open_page(viewport=TABLET_LANDSCAPE, path=path,
                                                                          email="admin@test.fr")
    item = item_row(server, "CONF", 5)[0]
    nadia.fill(f"#observation-{item}", "Jury au complet à 8 h 30")
    karim.fill(f"#observation-{item}", "Un juré en retard")
    save(nadia, item)
    save(karim, item, status=409)
    karim.wait_for_selector(f"#item-{item} .conflict-text >> text=Jury au complet à 8 h 30")
    assert "Un collègue a modifié cette observation" in karim.inner_text(f"#item-{item}")
    assert karim.input_value(f"#observation-{item}") == "Un juré en retard"
    assert item_row(server, "CONF", 5)[4] == "Jury au complet à 8 h 30"
    karim.fill(f"#observation-{item}", "Jury au complet à 8 h 30 ; un juré en retard")
    save(karim, item)
    karim.wait_for_selector(f"#item-{item} .conflict-text", state="detached")
    assert item_row(server, "CONF", 5)[4] == "Jury au complet à 8 h 30 ; un juré en retard"


@pytest.mark.parametrize("viewport, name", [(TABLET_PORTRAIT, "tablette-portrait"),
                                            (TABLET_LANDSCAPE, "tablette-paysage"), (DESKTOP, "bureau")])
def test_layouts_have_no_horizontal_scroll_and_large_touch_targets(open_page, server, viewport, name):
    sid = session_id(server, "JOUR")
    page = open_page(viewport=viewport)
    for path in ("/", f"/sessions/{sid}", f"/sessions/{sid}/jour-j", f"/sessions/{sid}/history", "/sessions/new",
                 f"/sessions/{sid}/emargement"):
        page.goto(path)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (name, path)
        small = page.evaluate("""() => [...document.querySelectorAll(
            'main button, main input:not([type=hidden]):not([type=radio]), main select, main textarea, main summary')]
            .filter(e => e.offsetParent !== null)
            .map(e => [e.outerHTML.slice(0, 80), e.getBoundingClientRect()])
            .filter(([_, r]) => r.height < 44 || r.width < 44)""")
        assert small == [], (name, path, small[:3])
        # A link is tapped too: at least 44 px one way (the breadcrumb's « Jour J » was 40 × 20).
        tiny = page.evaluate("""() => [...document.querySelectorAll('main a')]
            .filter(e => e.offsetParent !== null)
            .map(e => [e.outerHTML.slice(0, 80), e.getBoundingClientRect()])
            .filter(([_, r]) => r.height < 44 && r.width < 44)""")
        assert tiny == [], (name, path, tiny[:3])
    if viewport != DESKTOP:
        page.goto(f"/sessions/{sid}")
        assert page.evaluate("getComputedStyle(document.querySelector('tr.item')).display") == "block"  # cards
    shoot(page, f"session-{name}")
    page.goto(f"/sessions/{sid}/jour-j")
    shoot(page, f"jour-j-{name}")
    page.goto("/")
    shoot(page, f"tableau-de-bord-{name}")


def test_jour_j_shows_the_exam_day_tables_with_large_controls(open_page, server):
    page = open_page(viewport=TABLET_PORTRAIT, path=f"/sessions/{session_id(server, 'JOUR')}/jour-j")
    titles = page.locator("section.tableau h2").all_inner_texts()
    assert titles[-2:] == ["5. Ouverture de la session", "6. Déroulement des épreuves"]
    assert "Encore à faire avant la fin de la session" in titles[0]
    height = page.evaluate("document.querySelector('.action--done button').getBoundingClientRect().height")
    assert height >= 56
    # Ticking a task still due from an earlier tableau updates that tableau's progress line in place.
    page.evaluate("window.oobErrors = []; document.body.addEventListener('htmx:oobErrorNoTarget',"
                  " e => window.oobErrors.push(e.detail.content.id))")
    row = page.locator("section.tableau--late tbody tr").first
    row_id = row.get_attribute("id")
    progress = page.locator("section.tableau--late .tableau-progress").first
    before = progress.inner_text()
    row.locator(".action--done button").click()
    page.wait_for_selector(f"#{row_id}.item--done")
    assert page.evaluate("window.oobErrors") == []
    assert progress.inner_text() != before
    # The tick was kept: the database holds it; read again, Jour J no longer lists it as still to do and
    # the session's page shows it done.
    with models.db.connection_context():
        assert models.ChecklistItem.get_by_id(int(row_id.removeprefix("item-"))).state == "done"
    page.reload()
    assert page.locator(f"section.tableau--late #{row_id}").count() == 0
    page.goto(page.url.removesuffix("/jour-j"))
    page.wait_for_selector(f"#{row_id}.item--done")


def no_horizontal_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def submit(page, button, status=200):
    """Tap a register form's button and wait for the page's content the server sends back."""
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.get_by_role("button", name=button).click()
    assert answer.value.status == status
    page.wait_for_load_state()
    return answer.value


def test_the_register_is_filled_on_a_tablet_and_the_checks_follow(open_page, server):
    sid = session_id(server, "REGI")
    page = open_page(viewport=TABLET_PORTRAIT, path="/jures")
    page.evaluate("window.sameDocument = true")  # gone if a change reloaded the whole page
    for nom, prenom, until in (("Durand", "Paul", "2029-12-31"), ("Petit", "Hélène", "2027-03-17")):
        page.fill("#nom", nom)
        page.fill("#prenom", prenom)
        page.fill("#email", f"{prenom[0].lower()}.{nom.lower()}@regi.fr")
        page.fill("#hab-sigle", "REGI")
        page.fill("#hab-valide_jusqu_au", until)
        submit(page, "Ajouter à l'annuaire")
        page.wait_for_selector(f"#flash .flash--success:has-text('{prenom} {nom} ajouté(e)')")
    assert page.locator("table.directory").inner_text().count("REGI jusqu'au") == 2

    page.goto(f"/sessions/{sid}/candidats")
    page.evaluate("window.sameDocument = true")
    page.fill("#prenom", "Léa")
    page.fill("#date_naissance", "1998-04-02")
    page.fill("#adresse", "12 rue des Lilas\n69007 Lyon")
    page.get_by_role("radio", name="VAE").check()
    page.fill("#recevabilite_valide_jusqu_au", "2027-06-30")
    submit(page, "Ajouter le candidat", status=422)  # the name is missing: refused, what was typed stays
    page.wait_for_selector("#nom-error")
    assert page.input_value("#prenom") == "Léa" and page.input_value("#adresse") == "12 rue des Lilas\n69007 Lyon"
    page.fill("#nom", "Martin")
    submit(page, "Ajouter le candidat")
    page.wait_for_selector("#flash .flash--success:has-text('Martin Léa ajouté(e)')")
    assert "Contrôle non respecté (Nombre de candidats transmis à l'UD)" in page.inner_text("#register-page")
    assert page.evaluate("window.sameDocument") is True

    page.goto(f"/sessions/{sid}/jury")
    page.evaluate("window.sameDocument = true")
    for name in ("Durand", "Petit"):
        page.select_option("#jure_id", label=page.locator("#jure_id option", has_text=name).inner_text())
        submit(page, "Ajouter au jury")
        page.wait_for_selector(f".jury-member h2:has-text('{name}')")
    durand = page.locator(".jury-member", has_text="Paul Durand")
    durand.locator("input[type=date]").fill("2027-01-25")
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        durand.get_by_role("button", name="Enregistrer la déclaration").click()
    assert answer.value.status == 200
    page.wait_for_selector(".jury-member:has-text('signée le 25/01/2027')")
    checks_text = page.inner_text(".checks-summary")
    assert "Contrôle respecté (Jury d'au moins deux membres)" in checks_text
    assert "Hélène Petit : habilitation REGI valable jusqu'au 17/03/2027, la session finit le 18/03/2027." in checks_text
    assert "Hélène Petit : ni déclaration signée, ni candidats connus indiqués." in checks_text
    assert page.evaluate("window.sameDocument") is True and no_horizontal_scroll(page)
    page.evaluate("window.scrollTo(0, 0)")
    shoot(page, "registre-jury-tablette")

    page.goto(f"/sessions/{sid}/epreuves")
    page.fill("#libelle", "Mise en situation professionnelle")
    page.fill("#date", "2027-03-15")
    page.fill("#heure_debut", "08:30")
    page.fill("#heure_fin", "12:30")
    page.fill("#lieu", "Salle Lumière")
    submit(page, "Ajouter au planning")
    page.wait_for_selector("text=Contrôle respecté (Dates et horaires des épreuves)")

    page.goto(f"/sessions/{sid}")
    summary = page.inner_text(".checks-summary")
    assert "Contrôles du registre : 3 non respectés" in summary, summary  # habilitations, liens, nombre
    row = page.locator("tr.item", has_text="Vérifier les habilitations des membres de jury")
    assert "Contrôle non respecté (Habilitations des membres de jury)" in row.inner_text()
    assert no_horizontal_scroll(page)
    page.locator("#checks-title").scroll_into_view_if_needed()
    shoot(page, "registre-controles-tablette")
    problems = {"session": axe_violations(page)}
    page.goto(f"/sessions/{sid}/jury")
    problems["jury"] = axe_violations(page)
    page.goto("/")
    problems["tableau de bord"] = axe_violations(page)
    assert "REGI" in page.inner_text(".board-checks")
    assert {name: found for name, found in problems.items() if found} == {}


def test_a_photo_of_the_sealed_pack_is_attached_on_a_tablet(open_page, server):
    photo = io.BytesIO()
    Image.new("RGB", (320, 240), (120, 90, 40)).save(photo, "JPEG")
    page = open_page(viewport=TABLET_PORTRAIT, path=f"/sessions/{session_id(server, 'PIEC')}")
    item = item_row(server, "PIEC", 44)[0]
    row = page.locator(f"#item-{item}")
    row.locator("summary", has_text="Joindre une pièce").click()
    assert row.locator("input[capture=environment]").get_attribute("accept") == "image/jpeg,image/png"
    assert axe_violations(page) == []
    row.locator("input[capture=environment]").set_input_files(
        files=[{"name": "pli-scelle.jpg", "mimeType": "image/jpeg", "buffer": photo.getvalue()}])
    with page.expect_response(lambda r: r.url.endswith(f"/items/{item}/pieces")) as answer:
        row.get_by_role("button", name="Joindre").click()
    assert answer.value.status == 200
    page.locator(f"#item-{item} .pieces").get_by_role("link", name="pli-scelle.jpg", exact=True).wait_for()
    page.locator(f"#item-{item}").scroll_into_view_if_needed()
    shoot(page, "piece-jointe-tablette")
    with models.db.connection_context():
        piece = models.Piece.get(models.Piece.nom == "pli-scelle.jpg")
        assert (piece.type, piece.taille, piece.item_id) == ("image/jpeg", len(photo.getvalue()), item)
    preview = page.request.get(f"/pieces/{piece.id}/apercu")
    assert preview.status == 200 and preview.headers["content-type"] == "image/jpeg"


def tab_to(page, tag, limit=6):
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.tagName") == tag:
            return
    raise AssertionError(f"Tab never reached a {tag}")


def test_the_checklist_works_with_the_keyboard_alone(open_page, server):
    page = open_page(path=f"/sessions/{session_id(server, 'KEYB')}")
    first, second = item_row(server, "KEYB", 1)[0], item_row(server, "KEYB", 2)[0]
    page.focus(f"#item-{first} input[name=done_on]")
    tab_to(page, "BUTTON")  # through the day, month and year of the date field
    assert page.evaluate("document.activeElement.textContent.trim()") == "Fait"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # focus is visible
    page.keyboard.press("Enter")
    page.wait_for_selector(f"#item-{first}.item--done")
    page.focus(f"#item-{second} input[name=done_on]")
    tab_to(page, "SUMMARY")
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.type("Sans objet pour ce titre")
    page.keyboard.press("Enter")
    page.wait_for_selector(f"#item-{second} >> text=Sans objet : Sans objet pour ce titre")
    assert item_row(server, "KEYB", 2)[1] == "na"


def test_a_logged_out_tablet_goes_to_login_and_comes_back(open_page, server):
    path = f"/sessions/{session_id(server, 'KEYB')}"
    page = open_page(viewport=TABLET_PORTRAIT, path=path)
    page.context.clear_cookies()
    item = item_row(server, "KEYB", 10)[0]
    page.click(f"#item-{item} .action--done button")
    page.wait_for_url(re.compile(r"/login\?next="))
    page.fill("#email", "resp@a.fr")
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Se connecter')")
    page.wait_for_url(server.url + path)


def test_pdf_links_answer_with_a_pdf(open_page, server):
    page = open_page(path=f"/sessions/{session_id(server, 'DWWM')}")
    for link in ("Guide complété (PDF)", "Guide vierge (PDF)"):
        href = page.get_attribute(f"a:has-text('{link}')", "href")
        response = page.request.get(href)
        assert response.status == 200
        assert response.headers["content-type"] == "application/pdf"
        assert response.body()[:5] == b"%PDF-"


def test_no_accessibility_violations_on_any_page(open_page, server):
    sid = session_id(server, "DWWM")
    page = open_page(email=None)
    problems = {"/login": axe_violations(page)}
    page.fill("#email", "resp@a.fr")
    page.fill("#password", "faux mot de passe")
    page.click("button:has-text('Se connecter')")
    problems["/login (erreur)"] = axe_violations(page)
    admin = open_page(email="admin@test.fr")
    for path in ("/", f"/sessions/{sid}", f"/sessions/{sid}/jour-j", f"/sessions/{sid}/history",
                 "/sessions/new", f"/sessions/{sid}/edit", "/account", "/admin", "/admin/users",
                 "/admin/centres", "/admin/guides", "/admin/journal", "/jures", f"/sessions/{sid}/candidats",
                 f"/sessions/{sid}/epreuves", f"/sessions/{sid}/jury", f"/sessions/{session_id(server, 'RESU')}/resultats",
                 f"/sessions/{sid}/pv", "/indicateurs", "/reseau", "/candidats/partiels", "/suivi-insertion"):
        admin.goto(path)
        problems[path] = axe_violations(admin)
    admin.goto("/sessions/new")
    admin.click("button:has-text('Créer la session')")
    admin.wait_for_selector("text=La session n'a pas été enregistrée")
    problems["/sessions/new (erreurs)"] = axe_violations(admin)
    admin.goto("/jures")
    admin.get_by_role("button", name="Ajouter à l'annuaire").click()
    admin.wait_for_selector("text=Rien n'a été enregistré")
    problems["/jures (erreurs)"] = axe_violations(admin)
    admin.goto(f"/sessions/{sid}/candidats")
    admin.get_by_role("button", name="Ajouter le candidat").click()
    admin.wait_for_selector("text=Rien n'a été enregistré")
    problems["/candidats (erreurs)"] = axe_violations(admin)
    shoot(admin, "formulaire-erreurs-bureau")
    assert {path: found for path, found in problems.items() if found} == {}


def test_results_are_entered_line_by_line_on_a_tablet(open_page, server):
    """The results view on a tablet: each line saves itself (htmx), a contradiction is refused on its line
    with what was chosen kept, the others untouched."""
    sid = session_id(server, "RESU")
    page = open_page(viewport=TABLET_LANDSCAPE, path=f"/sessions/{sid}/resultats")
    garnier = page.locator("tr", has_text="Garnier")
    garnier.locator("select[name='ccp_CP-01']").select_option("acquis")
    garnier.locator("select[name='ccp_CP-02']").select_option("non_acquis")
    garnier.locator("select[name='decision']").select_option("titre")
    with page.expect_response(lambda r: r.url.endswith("/resultat")) as answer:
        garnier.get_by_role("button", name="Enregistrer le résultat de Garnier Ana").click()
    assert answer.value.status == 422
    garnier = page.locator("tr", has_text="Garnier")
    playwright_api.expect(garnier).to_contain_text("tous les CCP doivent être acquis")
    playwright_api.expect(garnier.locator("select[name='ccp_CP-02']")).to_have_value("non_acquis")  # the choice kept
    garnier.locator("select[name='decision']").select_option("partiel")
    with page.expect_response(lambda r: r.url.endswith("/resultat")) as answer:
        garnier.get_by_role("button", name="Enregistrer le résultat de Garnier Ana").click()
    assert answer.value.status == 200
    playwright_api.expect(page.locator("#flash", has_text="Résultat de Garnier Ana enregistré")).to_be_visible()
    with models.db.connection_context():
        stored = models.Resultat.select(models.Resultat, models.Candidat).join(
            models.Candidat, on=(models.Resultat.candidat == models.Candidat.id)).get()
        assert (stored.candidat.nom, stored.decision, stored.ccp) == (
            "Garnier", "partiel", {"CP-01": "acquis", "CP-02": "non_acquis"})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    shoot(page, "resultats-tablette")


# --- A tablet's unhappy paths: nothing queued is lost, nobody is locked out ------------------------

def pending_changes(page):
    return page.evaluate("JSON.parse(localStorage.getItem('jalon-pending') || '{}')")


def log_in(page, email):
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Se connecter')")


@contextlib.contextmanager
def behind_a_gateway(browser, server):
    """A tablet logged in through a reverse proxy that can answer 502 (the app restarting)."""
    proxy = GatewayProxy(server.port).start()
    context = browser.new_context(viewport=TABLET_PORTRAIT, locale="fr-FR", base_url=proxy.url)
    try:
        page = context.new_page()
        page.goto("/login")
        log_in(page, "resp@a.fr")
        page.wait_for_url(proxy.url + "/")
        yield page, proxy
    finally:
        context.close()
        proxy.stop()


def test_a_change_meeting_a_server_restart_waits_and_is_sent_when_it_is_back(browser, server):
    with behind_a_gateway(browser, server) as (page, proxy):
        page.goto(f"/sessions/{session_id(server, 'GATE')}")
        item = item_row(server, "GATE", 1)[0]
        proxy.down = True
        with page.expect_response(lambda r: r.url.endswith(f"/items/{item}/done") and r.status == 502):
            page.click(f"#item-{item} .action--done button")
        page.wait_for_selector(f"#item-{item} .unsaved-note >> text=non enregistré")
        # The first automatic try meets the restart too: the change stays.
        with page.expect_response(lambda r: r.url.endswith(f"/items/{item}/done") and r.status == 502, timeout=15000):
            pass
        assert list(pending_changes(page)) == [f"item-{item}|state"]
        assert item_row(server, "GATE", 1)[1] == "todo"
        proxy.down = False
        page.wait_for_selector(f"#item-{item}.item--done", timeout=20000)
        assert pending_changes(page) == {}
        assert item_row(server, "GATE", 1)[1] == "done"


def draw_signature(page):
    """A signature drawn with the pointer in the pad: two strokes."""
    box = page.locator("#signature-dialog canvas").bounding_box()
    for y0, y1 in ((0.3, 0.7), (0.6, 0.2)):
        page.mouse.move(box["x"] + box["width"] * 0.1, box["y"] + box["height"] * y0)
        page.mouse.down()
        for step in range(1, 9):
            page.mouse.move(box["x"] + box["width"] * (0.1 + 0.1 * step),
                            box["y"] + box["height"] * (y0 + (y1 - y0) * step / 8), steps=2)
        page.mouse.up()


def pad_button(page, name):
    page.locator("#signature-dialog").get_by_role("button", name=name).click()


def signins():
    with models.db.connection_context():
        return [(e.candidat.nom, e.statut, bool(e.signature)) for e in
                models.Emargement.select().join(models.Candidat).order_by(models.Emargement.id)]


def test_three_candidates_sign_in_offline_and_through_a_restart_and_are_on_the_sheet(browser, server, tmp_path):
    with behind_a_gateway(browser, server) as (page, proxy):
        context = page.context
        page.clock.set_fixed_time(EXAM_MORNING)  # the tablet's clock: the same morning
        sid = session_id(server, "SIGN")
        page.goto(f"/sessions/{sid}/jour-j")
        page.click("text=Émargement des candidats et du jury")
        page.wait_for_selector("h2:has-text('Mise en situation professionnelle')")
        assert axe_violations(page) == []
        lines = {name: page.locator("li.signin", has_text=name) for name in ("Martin", "Strauß", "O’Connor", "Petit")}

        # A signature can be cleared before it is sent; an empty pad sends nothing.
        lines["Petit"].get_by_role("button", name="Présent").click()
        draw_signature(page)
        pad_button(page, "Effacer")
        pad_button(page, "Valider la signature")
        page.wait_for_selector("#signature-dialog .signature-error:visible")
        assert axe_violations(page) == []
        pad_button(page, "Fermer sans enregistrer")

        # The Wi-Fi drops: two signatures and an absence wait on the tablet.
        context.set_offline(True)
        for name in ("Martin", "Strauß"):
            lines[name].get_by_role("button", name="Présent").click()
            if name == "Martin":  # the pad asks whether the identity document was checked
                page.get_by_label("Pièce d'identité vérifiée").check()
            draw_signature(page)
            pad_button(page, "Valider la signature")
            lines[name].locator(".unsaved-note", has_text="Signature gardée sur la tablette").wait_for()
        lines["O’Connor"].get_by_role("button", name="Absent").click()
        lines["O’Connor"].locator(".unsaved-note", has_text="Absence gardée sur la tablette").wait_for()
        assert len(pending_changes(page)) == 3 and signins() == []
        assert [key.split("|")[0] for key in pending_changes(page)] == [  # in the order they were made
            lines[name].get_attribute("id") for name in ("Martin", "Strauß", "O’Connor")]
        shoot(page, "emargement-hors-connexion-tablette")

        # The network returns while the server restarts (502): they still wait...
        proxy.down = True
        with page.expect_response(lambda r: r.url.endswith(f"/sessions/{sid}/emargement") and r.status == 502,
                                  timeout=15000):
            context.set_offline(False)
        assert len(pending_changes(page)) == 3
        # ... and are sent, in order, once, when it is back.
        proxy.down = False
        lines["O’Connor"].locator(".signin-state", has_text="Absent(e)").wait_for(timeout=20000)
        for name in ("Martin", "Strauß"):
            lines[name].locator(".signin-state", has_text="Présent(e), signé à").wait_for(timeout=20000)
        assert pending_changes(page) == {}
        assert signins() == [("Martin", "present", True), ("Strauß", "present", True), ("O’Connor", "absent", False)]
        with models.db.connection_context():
            checked = {e.candidat.nom: e.identite_verifiee for e in models.Emargement.select().join(models.Candidat)}
        assert checked == {"Martin": True, "Strauß": False, "O’Connor": False}
        page.evaluate("window.scrollTo(0, 0)")
        shoot(page, "emargement-tablette")

        sheet = page.request.get(f"/sessions/{sid}/emargement.pdf")
        assert sheet.status == 200
        path = tmp_path / "emargement.pdf"
        path.write_bytes(sheet.body())
        text = " ".join(subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                                       check=True).stdout.split())
        assert "Martin Léa Formation" in text and "O’Connor Maëlle Formation" in text and "Absent(e)" in text
        images = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True).stdout
        assert sum(1 for line in images.splitlines()[2:] if line.split()[2] == "image") == 2


def test_a_change_waiting_while_the_login_is_lost_is_sent_after_logging_in_again(open_page, server):
    path = f"/sessions/{session_id(server, 'FILE')}"
    page = open_page(viewport=TABLET_PORTRAIT, path=path)
    item = item_row(server, "FILE", 1)[0]
    page.context.set_offline(True)
    page.click(f"#item-{item} .action--done button")
    page.wait_for_selector(f"#item-{item} .unsaved-note >> text=non enregistré")
    page.context.clear_cookies()  # the login is lost (cookies cleared, or the password changed elsewhere)
    page.context.set_offline(False)
    page.wait_for_url(re.compile(r"/login\?next="))
    assert "login" not in page.url.split("next=", 1)[1]  # `next` names the session, never the login page
    assert len(pending_changes(page)) == 1  # the login page keeps it and sends nothing

    # Another user logs in on this tablet: the change is kept for its author, with a choice.
    log_in(page, "resp@b.fr")
    page.wait_for_selector("#others-pending >> text=Modifications de Romain Resp non envoyées (1)")
    assert len(pending_changes(page)) == 1 and item_row(server, "FILE", 1)[1] == "todo"
    page.click("button:has-text('Se déconnecter')")

    # Its author logs in again: it is sent with the new login's CSRF token.
    page.goto("/login?next=" + path)
    log_in(page, "resp@a.fr")
    page.wait_for_url(server.url + path)
    page.wait_for_selector(f"#item-{item}.item--done")
    assert pending_changes(page) == {}
    assert item_row(server, "FILE", 1)[1] == "done"


def test_a_draft_survives_another_row_being_swapped_and_a_reload(open_page, server):
    page = open_page(viewport=TABLET_LANDSCAPE, path=f"/sessions/{session_id(server, 'DRAF')}")
    typed, ticked = item_row(server, "DRAF", 3)[0], item_row(server, "DRAF", 4)[0]
    page.fill(f"#observation-{typed}", "Brouillon en cours de saisie")
    page.click(f"#item-{ticked} .action--done button")
    page.wait_for_selector(f"#item-{ticked}.item--done")
    page.reload()
    assert page.input_value(f"#observation-{typed}") == "Brouillon en cours de saisie"
    assert item_row(server, "DRAF", 3)[4] == ""


def test_a_change_refused_after_a_role_change_is_shown_and_leaves_the_page_whole(open_page, server):
    page = open_page(viewport=TABLET_PORTRAIT, email="admin@test.fr", path=f"/sessions/{session_id(server, 'ROLE')}")
    item = item_row(server, "ROLE", 1)[0]
    page.context.set_offline(True)
    page.click(f"#item-{item} .action--done button")
    page.wait_for_selector(f"#item-{item} .unsaved-note >> text=non enregistré")
    with models.db.connection_context():  # meanwhile this account becomes a lecteur of centre A
        centre = models.Centre.get(models.Centre.name == "Centre A")
        models.User.update(role="lecteur", centre=centre).where(models.User.email == "admin@test.fr").execute()
    try:
        page.context.set_offline(False)
        page.wait_for_selector("#flash >> text=Accès refusé")
        assert pending_changes(page) == {}  # refused for good and said so: not sent again
        assert page.evaluate("[...document.querySelectorAll('tbody > :not(tr)')].length") == 0
        assert item_row(server, "ROLE", 1)[1] == "todo"
    finally:
        with models.db.connection_context():
            models.User.update(role="admin", centre=None).where(models.User.email == "admin@test.fr").execute()
