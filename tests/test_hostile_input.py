"""Hostile input, generated: every form and POST endpoint gets random and malicious values.

Whatever is sent: never a 5xx, a French message for a refusal, and a refused request changes
nothing in the database.
"""
import datetime as dt
import hashlib
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import models
from helpers import HEADER, HTMX, PASSWORD, create_session, make_app

FRENCH_MARKERS = ("row-error", "field-error", "form-error", "flash--error", "Requête invalide", "Page introuvable",
                  "Accès refusé", "Action impossible", "Envoi trop volumineux", "Adresse e-mail ou mot de passe")
ENGLISH = ("Traceback", "Bad Request", "Not Found", "Method Not Allowed", "Internal Server Error")
TABLES = ("centre", "site", "user", "guideversion", "examsession", "checklistitem", "auditevent", "adminevent",
          "jure", "habilitation", "candidat", "epreuve", "membrejury", "lienjury", "intervenant", "emargement",
          "journalhead", "sealedguide", "piece")

NASTY = st.sampled_from([
    "", " ", "\x00", "a\x00b", "\x1b[31m", "\u202e", "<script>alert(1)</script>", "' OR 1=1 --", "${7*7}",
    "{{ 7*7 }}", "../../etc/passwd", "\ufffd", "é" * 5001, "x" * 20000, "0000-00-00", "2027-13-01",
    "2027-02-30", "2027-02-28", "01/02/2027", "-1", "99999999999999999999999", "1e9", "NaN", "TITRE", "CCP",
])
TEXT = st.one_of(NASTY, st.text(max_size=300), st.text(alphabet=st.characters(max_codepoint=0x1F), max_size=20))
DATES = st.one_of(st.sampled_from(["2027-02-30", "0000-00-00", "2027-13-01", "31/02/2027", "2027-1-1", "9999-12-31",
                                   "1999-12-31", "2027-03-15", "2026-11-01", "15/03/2027", ""]), TEXT)
COUNTS = st.one_of(st.integers(min_value=-10**20, max_value=10**20).map(str), TEXT)
ID = st.one_of(st.integers(min_value=-3, max_value=10**12), st.sampled_from(["own", "other"]))

SETTINGS = settings(max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture],
                    derandomize=True)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile")
    app = make_app(tmp)
    with app.app_context(), models.db.connection_context():
        own, other = create_session(), create_session("Centre B", sigle="CDA")
        ids = {"session": {"own": own.id, "other": other.id},
               "item": {"own": own.ordered_items()[0].id, "other": other.ordered_items()[0].id},
               "user": {"own": models.User.get(models.User.email == "lecteur@a.fr").id, "other": 999},
               "centre": {"own": own.centre.id, "other": other.centre.id},
               "site": {"own": own.site.id, "other": other.site.id},
               "jure": {"own": models.Jure.create(centre=own.centre, nom="Durand", prenom="Paul", email="p@a.fr").id,
                        "other": models.Jure.create(centre=other.centre, nom="Martin", prenom="Anne", email="a@b.fr").id},
               "candidat": {name: models.Candidat.create(session=s, nom="Petit", prenom="Jean", parcours="vae",
                                                         date_naissance=dt.date(2000, 1, 2)).id
                            for name, s in (("own", own), ("other", other))},
               "epreuve": {name: models.Epreuve.create(session=s, libelle="Mise en situation", date=dt.date(2027, 3, 15),
                                                       heure_debut="08:30", heure_fin="12:00", lieu="Atelier").id
                           for name, s in (("own", own), ("other", other))}}
    clients = {}
    for email in ("resp@a.fr", "admin@test.fr"):
        client = app.test_client()
        assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
        clients[email] = client
    return app, None, ids, clients


def fingerprint():
    """A digest of every row of every table: equal digests, nothing changed."""
    digest = hashlib.sha256()
    with models.db.connection_context():
        for table in TABLES:
            for row in models.db.execute_sql(f'SELECT * FROM "{table}" ORDER BY 1'):
                digest.update(repr(row).encode())
    return digest.hexdigest()


def resolve(ids, kind, value):
    return ids[kind][value] if isinstance(value, str) else value


def check(world, email, url, data=None, method="POST", htmx=False, raw=None):
    _, _, _, clients = world
    before = fingerprint()
    kwargs = {"data": raw, "content_type": "application/x-www-form-urlencoded"} if raw is not None else {"data": data}
    response = clients[email].open(url, method=method, headers=HTMX if htmx else {}, **kwargs)
    body = response.get_data(as_text=True)
    assert response.status_code < 500, (url, data, body[:500])
    assert not any(word in body for word in ENGLISH), body[:500]
    if response.status_code >= 400 and response.status_code != 401:
        assert fingerprint() == before, (url, data, response.status_code)
        assert any(marker in body for marker in FRENCH_MARKERS), body[:500]
    return response


SESSION_FIELDS = ("site", "titre", "sigle", "millesime", "nature", "libelle_ccp", "code_ccp", "date_debut",
                  "date_fin", "nb_formation", "nb_vae", "responsable", "suppleant", "centre")


def maybe(valid, strategy):
    """The valid value or a hostile one; absent sometimes."""
    return st.one_of(st.just(valid), strategy)


SESSION_FORM = st.fixed_dictionaries({}, optional={
    **{name: maybe(value, TEXT) for name, value in HEADER.items()},
    "date_debut": maybe(HEADER["date_debut"], DATES), "date_fin": maybe(HEADER["date_fin"], DATES),
    "nb_formation": maybe("10", COUNTS), "nb_vae": maybe("2", COUNTS), "centre": maybe("Centre A", TEXT),
})


@settings(SETTINGS, max_examples=120)
@given(fields=SESSION_FORM, target=st.one_of(st.none(), ID), email=st.sampled_from(["resp@a.fr", "admin@test.fr"]))
def test_session_forms(world, fields, target, email):
    url = "/sessions" if target is None else f"/sessions/{resolve(world[2], 'session', target)}"
    check(world, email, url, fields)


ITEM_FIELDS = {
    "done": st.fixed_dictionaries({}, optional={"done_on": DATES}),
    "todo": st.fixed_dictionaries({}, optional={"x": TEXT}),
    "na": st.fixed_dictionaries({}, optional={"reason": TEXT}),
    "observation": st.fixed_dictionaries({}, optional={"observation": TEXT, "version": maybe("0", COUNTS)}),
}


@settings(SETTINGS, max_examples=60)
@given(action=st.sampled_from(list(ITEM_FIELDS)), item=ID, htmx=st.booleans(), data=st.data())
def test_item_actions(world, action, item, htmx, data):
    fields = data.draw(ITEM_FIELDS[action])
    check(world, "resp@a.fr", f"/items/{resolve(world[2], 'item', item)}/{action}", fields, htmx=htmx)


@settings(SETTINGS, max_examples=60)
@given(fields=ITEM_FIELDS["done"], htmx=st.booleans())
def test_done_dates(world, fields, htmx):
    check(world, "resp@a.fr", f"/items/{world[2]['item']['own']}/done", fields, htmx=htmx)


@SETTINGS
@given(body=st.binary(max_size=200), action=st.sampled_from(["observation", "na", "done"]))
def test_raw_bodies_with_invalid_utf8(world, body, action):
    raw = b"observation=" + body + b"&reason=%ff%fe" + body + b"&version=0&done_on=%c3%28"
    check(world, "resp@a.fr", f"/items/{world[2]['item']['own']}/{action}", raw=raw)


@SETTINGS
@given(url=st.sampled_from(["/", "/sessions/new", "/sessions/{s}", "/sessions/{s}/edit", "/items/{i}/done",
                            "/sessions/{s}/archive", "/admin/users", "/account/password", "/logout"]),
       method=st.sampled_from(["GET", "PUT", "DELETE", "PATCH"]))
def test_wrong_methods(world, url, method):
    ids = world[2]
    url = url.format(s=ids["session"]["own"], i=ids["item"]["own"])
    response = check(world, "admin@test.fr", url, {}, method=method)
    assert response.status_code in (200, 302, 405)


@SETTINGS
@given(endpoint=st.sampled_from(["users", "user", "centres", "centre", "sites", "site", "password"]),
       target=ID, fields=st.dictionaries(st.sampled_from(["email", "display_name", "role", "centre", "name"]), TEXT))
def test_admin_forms(world, endpoint, target, fields):
    ids = world[2]
    url = {
        "users": "/admin/users", "centres": "/admin/centres",
        "user": f"/admin/users/{resolve(ids, 'user', target)}",
        "password": f"/admin/users/{resolve(ids, 'user', target)}/password",
        "centre": f"/admin/centres/{resolve(ids, 'centre', target)}",
        "sites": f"/admin/centres/{resolve(ids, 'centre', target)}/sites",
        "site": f"/admin/sites/{resolve(ids, 'site', target)}",
    }[endpoint]
    check(world, "admin@test.fr", url, fields)


JUROR_FORM = st.fixed_dictionaries({}, optional={
    "nom": maybe("Durand", TEXT), "prenom": maybe("Paul", TEXT), "email": maybe("paul@jury.fr", TEXT),
    "telephone": maybe("06 12 34 56 78", TEXT), "professionnalise_le": maybe("2025-06-12", DATES),
    "sigle": maybe("DWWM", TEXT), "valide_jusqu_au": maybe("2029-12-31", DATES), "ccp": maybe("CP-01", TEXT),
    "centre": maybe("Centre A", TEXT),
})


@SETTINGS
@given(endpoint=st.sampled_from(["jures", "jure", "habilitations", "deactivate"]), target=ID, fields=JUROR_FORM,
       email=st.sampled_from(["resp@a.fr", "admin@test.fr"]))
def test_juror_forms(world, endpoint, target, fields, email):
    jure = resolve(world[2], "jure", target)
    url = {"jures": "/jures", "jure": f"/jures/{jure}", "habilitations": f"/jures/{jure}/habilitations",
           "deactivate": f"/jures/{jure}/deactivate"}[endpoint]
    check(world, email, url, fields)


CANDIDATE_FORM = st.fixed_dictionaries({}, optional={
    "nom": maybe("Martin", TEXT), "prenom": maybe("Léa", TEXT), "date_naissance": maybe("1998-04-02", DATES),
    "email": maybe("lea@mail.fr", TEXT), "adresse": maybe("1 rue\n69007 Lyon", TEXT),
    "parcours": maybe("vae", TEXT), "recevabilite_valide_jusqu_au": maybe("2027-09-30", DATES),
    "envoyee_le": maybe("2027-02-01", DATES), "mode": maybe("lrar", TEXT), "reference": maybe("1A 23", TEXT),
    "libelle": maybe("Entretien final", TEXT), "date": maybe("2027-03-16", DATES),
    "heure_debut": maybe("09:00", TEXT), "heure_fin": maybe("09:45", TEXT), "lieu": maybe("Salle 12", TEXT),
    "categorie": maybe("deliberation", TEXT), "tenue_professionnelle": maybe("Blouse de travail", TEXT),
    "version": maybe("aucune", TEXT),
})


@SETTINGS
@given(endpoint=st.sampled_from(["candidats", "candidat", "convocation", "epreuves", "tenue"]), target=ID,
       fields=CANDIDATE_FORM, email=st.sampled_from(["resp@a.fr", "admin@test.fr"]))
def test_register_forms(world, endpoint, target, fields, email):
    ids = world[2]
    url = {"candidats": f"/sessions/{resolve(ids, 'session', target)}/candidats",
           "candidat": f"/candidats/{resolve(ids, 'candidat', target)}",
           "convocation": f"/candidats/{resolve(ids, 'candidat', target)}/convocation",
           "epreuves": f"/sessions/{resolve(ids, 'session', target)}/epreuves",
           "tenue": f"/sessions/{resolve(ids, 'session', target)}/tenue"}[endpoint]
    check(world, email, url, fields)


JURY_FORM = st.fixed_dictionaries({}, optional={
    "jure_id": st.one_of(ID.map(str), TEXT), "declaration_le": maybe("2027-03-15", DATES),
    "liens": st.lists(st.one_of(ID.map(str), TEXT), max_size=3), "role": maybe("surveillant", TEXT),
    "nom": maybe("Marc Veille", TEXT), "email": maybe("marc@a.fr", TEXT), "version": maybe("aucun", TEXT),
})


@SETTINGS
@given(endpoint=st.sampled_from(["jury", "declaration", "intervenants"]), target=ID, jure=ID, fields=JURY_FORM,
       email=st.sampled_from(["resp@a.fr", "admin@test.fr"]))
def test_jury_forms(world, endpoint, target, jure, fields, email):
    ids = world[2]
    session = resolve(ids, "session", target)
    url = {"jury": f"/sessions/{session}/jury",
           "declaration": f"/sessions/{session}/jury/{resolve(ids, 'jure', jure)}/declaration",
           "intervenants": f"/sessions/{session}/intervenants"}[endpoint]
    check(world, email, url, fields)


SIGN_IN_FORM = st.fixed_dictionaries({}, optional={
    "epreuve_id": st.one_of(ID.map(str), TEXT), "candidat_id": st.one_of(ID.map(str), TEXT),
    "jure_id": st.one_of(ID.map(str), TEXT), "surveillant": maybe("1", TEXT), "statut": maybe("present", TEXT),
    "signature": st.one_of(st.just("M1 1 L20 30 L40 10"), TEXT, st.just("M1 1 " + "L2 2 " * 20000)),
    "signe_a": st.one_of(st.just(dt.datetime.now().isoformat()), DATES, TEXT),
    "soumission_id": st.one_of(st.uuids().map(lambda u: u.hex), TEXT), "correction": maybe("1", TEXT),
})


@SETTINGS
@given(target=ID, epreuve=ID, candidat=ID, fields=SIGN_IN_FORM, htmx=st.booleans())
def test_sign_in_form(world, target, epreuve, candidat, fields, htmx):
    ids = world[2]
    data = {"epreuve_id": str(resolve(ids, "epreuve", epreuve)), "candidat_id": str(resolve(ids, "candidat", candidat)),
            **fields}
    check(world, "resp@a.fr", f"/sessions/{resolve(ids, 'session', target)}/emargement", data, htmx=htmx)


FILES = st.one_of(st.binary(max_size=3000), st.sampled_from([b"%PDF-", b"%PDF-1.7\n%%EOF", b"\xff\xd8\xff\xe0JFIF",
                                                            b"\x89PNG\r\n\x1a\n", b"\x00\x00\x00\x18ftypheic",
                                                            b"<svg onload=alert(1)>", b"PK\x03\x04"]).flatmap(
    lambda head: st.binary(max_size=500).map(lambda tail: head + tail)))


@SETTINGS
@given(target=ID, content=FILES, name=st.text(max_size=60), htmx=st.booleans())
def test_attachments(world, target, content, name, htmx):
    ids = world[2]
    check(world, "resp@a.fr", f"/items/{resolve(ids, 'item', target)}/pieces",
          {"fichier": (io.BytesIO(content), name or "fichier")}, htmx=htmx)


@SETTINGS
@given(fields=st.dictionaries(st.sampled_from(["current", "new", "confirmation"]), TEXT))
def test_password_form(world, fields):
    check(world, "resp@a.fr", "/account/password", fields)


@SETTINGS
@given(fields=st.dictionaries(st.sampled_from(["email", "password", "next"]), TEXT))
def test_login_form(world, fields):
    app = world[0]
    response = app.test_client().post("/login", data=fields)
    assert response.status_code in (302, 400, 401, 429)
    if response.status_code == 302:
        assert response.headers["Location"].startswith("/")


@SETTINGS
@given(query=st.dictionaries(st.sampled_from(["annee", "nature", "etat", "page", "avenir", "next"]), TEXT))
def test_query_strings(world, query):
    _, _, _, clients = world
    for url in ("/", "/admin/journal", "/login"):
        response = clients["admin@test.fr"].get(url, query_string=query)
        assert response.status_code in (200, 302, 400)


# --- Numbers read from the request: one parser, never a 500 ------------------------------------

HOSTILE_IDS = ["99999999999999999999999", "9" * 5000, "\u0661", "\u00b2", "\u2460", "-1", "1e3", "0x1", " 1"]


@pytest.mark.parametrize("hostile", HOSTILE_IDS)
def test_every_route_with_an_id_answers_404_to_a_number_it_cannot_hold(client, auth, session, hostile):
    auth.login("admin@test.fr")
    rules = [r for r in client.application.url_map.iter_rules() if "<int:" in r.rule]
    assert len(rules) > 20
    for rule in rules:
        url = rule.rule.replace("<token>", "jeton")
        for name in rule.arguments:
            url = url.replace(f"<int:{name}>", hostile)
        method = "POST" if "POST" in rule.methods else "GET"
        response = client.open(url, method=method)
        assert response.status_code == 404, (rule.rule, hostile, response.status_code)
    # « ١ » (Arabic-Indic one) is not session 1.
    assert client.get("/sessions/\u0661").status_code == 404


@pytest.mark.parametrize("query", ["page=%C2%B2", "avenir=%C2%B2", "annee=%C2%B2", "page=99999999999999999999999",
                                   "annee=" + "9" * 5000, "page=-1"])
def test_numbers_in_query_strings_are_ignored_when_they_make_no_sense(client, auth, db, query):
    auth.login("admin@test.fr")
    assert client.get(f"/?{query}").status_code == 200
    assert client.get(f"/admin/journal?{query}").status_code == 200


def test_a_huge_count_of_candidates_is_refused_in_french(client, auth, db):
    auth.login()
    for value in ("9" * 5000, "99999999999999999999999", "\u00b2"):
        response = client.post("/sessions", data={**HEADER, "nb_formation": value})
        assert response.status_code == 422
        assert "Nombre de candidats en formation" in response.get_data(as_text=True)
    assert models.ExamSession.select().count() == 0


def test_an_observation_version_that_is_no_number_is_refused_and_the_text_kept(client, auth, session):
    auth.login()
    item = session.ordered_items()[0]
    for version in ("\u00b2", "9" * 5000, "-1"):
        response = client.post(f"/items/{item.id}/observation", data={"observation": "Mon texte", "version": version},
                               headers=HTMX)
        assert response.status_code == 400
        assert "Mon texte" in response.get_data(as_text=True)
    assert models.ChecklistItem.get_by_id(item.id).observation == ""


def test_a_login_cookie_with_a_strange_user_id_is_no_login(client, db):
    with client.session_transaction() as cookie:
        cookie["_user_id"] = "\u00b2:abc"
    assert client.get("/").status_code == 302
