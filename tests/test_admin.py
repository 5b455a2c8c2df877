"""Administration: accounts, centres and sites, guide versions, all in the administration journal."""
import io
import re

import pytest

import models
from helpers import PASSWORD, create_session, text_of
from guide import CURRENT_GUIDE


@pytest.fixture
def admin(client, auth):
    auth.login("admin@test.fr")
    return client


def journal():
    return [(e.action, e.target, e.user.email if e.user else None) for e in models.AdminEvent.select().order_by(models.AdminEvent.id)]


def new_user_password(response):
    return re.search(r'<p class="secret">([^<]+)</p>', response.get_data(as_text=True)).group(1)


def test_an_admin_creates_an_account_with_a_temporary_password(admin, client, auth, db):
    response = admin.post("/admin/users", data={"email": "Marie@A.fr", "display_name": "Marie Curie",
                                                 "role": "responsable", "centre": "Centre A"})
    assert response.status_code == 200
    password = new_user_password(response)
    assert len(password) >= 12
    user = models.User.get(models.User.email == "marie@a.fr")
    assert (user.role, user.centre.name, user.display_name) == ("responsable", "Centre A", "Marie Curie")
    assert journal()[-1] == ("Compte créé", "marie@a.fr", "admin@test.fr")
    auth.logout()
    assert client.post("/login", data={"email": "marie@a.fr", "password": password}).status_code == 302


@pytest.mark.parametrize("data, message", [
    ({"email": "pas-une-adresse", "display_name": "X", "role": "lecteur", "centre": "Centre A"}, "Adresse e-mail invalide"),
    ({"email": "resp@a.fr", "display_name": "X", "role": "lecteur", "centre": "Centre A"}, "existe déjà"),
    ({"email": "n@a.fr", "display_name": "X", "role": "chef", "centre": "Centre A"}, "Rôle inconnu"),
    ({"email": "n@a.fr", "display_name": "X", "role": "lecteur", "centre": ""}, "appartient à un centre"),
    ({"email": "n@a.fr", "display_name": "X", "role": "lecteur", "centre": "Centre Z"}, "Centre inconnu"),
    ({"email": "n@a.fr", "display_name": "", "role": "lecteur", "centre": "Centre A"}, "Indiquez le nom"),
])
def test_a_bad_account_is_refused_and_nothing_is_created(admin, db, data, message):
    before = models.User.select().count()
    response = admin.post("/admin/users", data=data)
    assert response.status_code == 422
    assert message in text_of(response)
    assert models.User.select().count() == before
    assert journal() == []


def test_role_and_centre_can_be_changed(admin, db):
    user = models.User.get(models.User.email == "lecteur@a.fr")
    response = admin.post(f"/admin/users/{user.id}", data={"display_name": "Léa L.", "role": "responsable",
                                                            "centre": "Centre B"})
    assert response.status_code == 302
    user = models.User.get_by_id(user.id)
    assert (user.display_name, user.role, user.centre.name) == ("Léa L.", "responsable", "Centre B")
    assert journal()[-1][0] == "Compte modifié"


def test_the_last_active_admin_cannot_be_removed(admin, db):
    me = models.User.get(models.User.email == "admin@test.fr")
    response = admin.post(f"/admin/users/{me.id}/deactivate")
    assert response.status_code == 422 and "dernier administrateur actif" in text_of(response)
    response = admin.post(f"/admin/users/{me.id}", data={"display_name": "A", "role": "lecteur", "centre": "Centre A"})
    assert response.status_code == 422
    assert models.User.get_by_id(me.id).role == "admin" and models.User.get_by_id(me.id).active
    other = models.User.get(models.User.email == "resp@b.fr")
    admin.post(f"/admin/users/{other.id}", data={"display_name": "B", "role": "admin", "centre": ""})
    assert admin.post(f"/admin/users/{me.id}/deactivate").status_code == 302


def test_a_deactivated_user_is_logged_out_at_the_next_request(app, admin, db):
    other = app.test_client()
    other.post("/login", data={"email": "resp@a.fr", "password": PASSWORD})
    assert other.get("/").status_code == 200
    user = models.User.get(models.User.email == "resp@a.fr")
    admin.post(f"/admin/users/{user.id}/deactivate")
    assert other.get("/").status_code == 302
    assert journal()[-1] == ("Compte désactivé", "resp@a.fr", "admin@test.fr")
    admin.post(f"/admin/users/{user.id}/activate")
    assert models.User.get_by_id(user.id).active


def test_a_password_reset_ends_the_users_logins(app, admin, db):
    other = app.test_client()
    other.post("/login", data={"email": "resp@a.fr", "password": PASSWORD})
    user = models.User.get(models.User.email == "resp@a.fr")
    response = admin.post(f"/admin/users/{user.id}/password")
    password = new_user_password(response)
    assert other.get("/").status_code == 302
    assert other.post("/login", data={"email": "resp@a.fr", "password": PASSWORD}).status_code == 401
    assert other.post("/login", data={"email": "resp@a.fr", "password": password}).status_code == 302


def test_centres_and_sites(admin, db):
    assert admin.post("/admin/centres", data={"name": "Centre C"}).status_code == 302
    centre = models.Centre.get(models.Centre.name == "Centre C")
    assert admin.post(f"/admin/centres/{centre.id}/sites", data={"name": "Rouen"}).status_code == 302
    response = admin.post(f"/admin/centres/{centre.id}/sites", data={"name": "rouen"})
    assert response.status_code == 422 and "déjà un site" in text_of(response)
    site = models.Site.get(models.Site.name == "Rouen")
    admin.post(f"/admin/sites/{site.id}", data={"name": "Rouen Madrillet"})
    admin.post(f"/admin/centres/{centre.id}", data={"name": "Centre C Normandie"})
    assert models.Site.get_by_id(site.id).name == "Rouen Madrillet"
    assert admin.post(f"/admin/centres/{centre.id}", data={"name": "Centre A"}).status_code == 422
    assert [e[0] for e in journal()] == ["Centre créé", "Site ajouté", "Site renommé", "Centre renommé"]
    assert "Rouen Madrillet" in text_of(admin.get("/admin/centres"))


def guide_file(version="2", change=None):
    text = CURRENT_GUIDE.read_text(encoding="utf-8").replace('version = "1"', f'version = "{version}"', 1)
    if change:
        text = text.replace(*change)
    return {"file": (io.BytesIO(text.encode()), "guide.toml")}


def test_importing_a_guide_version_leaves_existing_sessions_alone(admin, db):
    old = create_session()
    response = admin.post("/admin/guides", data=guide_file(change=("Programmer et communiquer", "Programmer, valider et communiquer")),
                          content_type="multipart/form-data")
    assert response.status_code == 302
    assert models.GuideVersion.current().version == "2"
    assert old.ordered_items()[0].text.startswith("Programmer et communiquer")
    new = create_session()
    assert new.ordered_items()[0].text.startswith("Programmer, valider et communiquer")
    listing = text_of(admin.get("/admin/guides"))
    assert "2 (courante)" in listing
    page = text_of(admin.get(f"/admin/guides/{models.GuideVersion.current().id}"))
    assert "Programmer, valider et communiquer" in page and "Convocation des candidats" in page
    assert journal()[-1][:2] == ("Version du guide importée", "2")


@pytest.mark.parametrize("upload, message", [
    (guide_file(version="1"), "déjà importée"),
    ({"file": (io.BytesIO(b"version = ["), "guide.toml")}, "illisible"),
    ({"file": (io.BytesIO("\xff\xfe".encode("latin-1")), "guide.toml")}, "illisible"),
    (guide_file(change=("reglementaire = true", 'reglementaire = "oui"')), "reglementaire"),
    ({}, "Choisissez un fichier"),
    # Accepted once, these broke session creation or the session page for everyone.
    (guide_file(change=("months = -3", "months = 1000000")), "« months » doit être compris entre -60 et 60"),
    (guide_file(change=("years = 5", "years = 9000")), "« years » doit être compris entre -10 et 10"),
    (guide_file(change=("Programmer et communiquer", "Programmer\\u0000 et communiquer")), "caractères de contrôle"),
    (guide_file(change=('details = ["La version du titre visé"', 'details = [[[[["La version du titre visé"]]]]')),
     "sur 3 niveaux au plus"),
    (guide_file(change=('details = ["La version du titre visé"', "details = " + "[" * 5000 + '"x"' + "]" * 5000
                        + ', ["La version du titre visé"')), "illisible"),
])
def test_a_bad_guide_file_is_refused(admin, db, upload, message):
    response = admin.post("/admin/guides", data=upload, content_type="multipart/form-data")
    assert response.status_code == 422
    assert message in text_of(response)
    assert models.GuideVersion.select().count() == 1


def test_every_problem_of_a_guide_file_is_listed(admin, db):
    upload = guide_file(change=("months = -3", "months = 1000000"))
    text = upload["file"][0].getvalue().decode().replace("Programmer et communiquer", "Programmer\\u0007 et communiquer")
    response = admin.post("/admin/guides", data={"file": (io.BytesIO(text.encode()), "guide.toml")},
                          content_type="multipart/form-data")
    page = text_of(response)
    assert response.status_code == 422 and "rien n'a été importé" in page
    assert "« months » doit être compris" in page and "caractères de contrôle" in page
    assert models.GuideVersion.select().count() == 1


def test_the_journal_lists_admin_changes(admin, db):
    admin.post("/admin/centres", data={"name": "Centre C"})
    page = text_of(admin.get("/admin/journal"))
    assert "Centre créé" in page and "admin@test.fr" in page
    assert "Centre créé" in text_of(admin.get("/admin"))
