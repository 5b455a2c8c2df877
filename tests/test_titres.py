"""The titres professionnels and their CCPs, by version: recorded by administrators, read by everyone
(/titres.json), and a CCP session naming one of its titre's CCPs."""
import models
from helpers import HEADER, text_of

DWWM = {"sigle": "dwwm", "millesime": "2023", "libelle": "Développeur web et web mobile", "niveau": "5",
        "code_rncp": "RNCP37674", "fin_validite": "2028-12-31",
        "ccps": "CP-01234;Développer la partie front-end\r\nCP-01235;Développer la partie back-end\n"}


def test_an_administrator_records_a_titre_with_its_ccps_in_order_and_everyone_reads_them(client, auth, db):
    auth.login("admin@test.fr")
    assert client.post("/admin/titres", data=DWWM).status_code == 302
    titre = models.Titre.get()
    assert (titre.sigle, titre.millesime, titre.code_rncp) == ("DWWM", "2023", "RNCP37674")
    twice = client.post("/admin/titres", data=DWWM)
    assert twice.status_code == 422 and "déjà enregistré" in text_of(twice) and models.Titre.select().count() == 1
    # Changed: the CCP list replaced, in the order typed.
    changed = {**DWWM, "ccps": "CP-01235;Développer la partie back-end\nCP-09999;Déployer"}
    assert client.post(f"/admin/titres/{titre.id}", data=changed).status_code == 302
    auth.logout()
    auth.login("lecteur@a.fr")
    assert client.get("/titres.json").get_json() == [{
        "id": titre.id, "sigle": "DWWM", "millesime": "2023", "libelle": "Développeur web et web mobile", "niveau": "5",
        "code_rncp": "RNCP37674", "fin_validite": "2028-12-31",
        "ccps": [{"code": "CP-01235", "libelle": "Développer la partie back-end"},
                 {"code": "CP-09999", "libelle": "Déployer"}]}]
    assert client.get("/admin/titres").status_code == 403


def test_a_wrong_ccp_line_is_refused_naming_it_with_what_was_typed_kept(client, auth, db):
    auth.login("admin@test.fr")
    refused = client.post("/admin/titres", data={**DWWM, "ccps": "CP-01234;Front-end\nsans point-virgule"})
    assert refused.status_code == 422 and "CCP, ligne 2 : écrivez « code;libellé »" in text_of(refused)
    assert "sans point-virgule" in refused.get_data(as_text=True) and models.Titre.select().count() == 0
    twice = client.post("/admin/titres", data={**DWWM, "ccps": "CP-1;A\ncp-1;B"})
    assert twice.status_code == 422 and "le code cp-1 figure deux fois" in text_of(twice)


def test_a_ccp_session_names_one_of_its_titres_ccps(client, auth, db):
    auth.login("admin@test.fr")
    client.post("/admin/titres", data=DWWM)
    header = {**HEADER, "centre": "Centre A", "nature": "CCP", "libelle_ccp": "Back-end", "code_ccp": "CP-07777"}
    refused = client.post("/sessions", data=header)
    assert refused.status_code == 422 and "Code CCP : choisissez un CCP du titre DWWM millésime 2023" in text_of(refused)
    assert client.post("/sessions", data={**header, "code_ccp": "cp-01235"}).status_code == 302
    # A titre not recorded: the session is prepared as before.
    assert client.post("/sessions", data={**header, "millesime": "2019", "code_ccp": "X-1"}).status_code == 302


def test_the_titres_list_exports_and_imports_as_a_french_spreadsheet(client, auth, db):
    import io
    auth.login("admin@test.fr")
    client.post("/admin/titres", data=DWWM)
    exported = client.get("/admin/titres.csv")
    text = exported.data.decode("utf-8-sig")
    assert text.splitlines()[0] == "Sigle;Millésime;Libellé;Niveau;Code RNCP;Fin de validité;Code CCP;Libellé CCP"
    assert "DWWM;2023;Développeur web et web mobile;5;RNCP37674;31/12/2028;CP-01234;Développer la partie front-end" in text
    # Read back, with a new version and a change, in Windows-1252 as Excel saves it.
    body = (text + "SEC;2022;Secrétaire comptable;4;;;CP-1;Assurer le secrétariat\n"
                   "SEC;2022;Secrétaire comptable;4;;;CP-2;Tenir la comptabilité\n").encode("cp1252")
    done = client.post("/admin/titres/import", data={"fichier": (io.BytesIO(body), "titres.csv")},
                       content_type="multipart/form-data")
    assert done.status_code == 302
    data = {t["sigle"]: t for t in client.get("/titres.json").get_json()}
    assert [c["code"] for c in data["SEC"]["ccps"]] == ["CP-1", "CP-2"] and len(data["DWWM"]["ccps"]) == 2
    assert models.Titre.select().count() == 2  # DWWM 2023 replaced, not doubled
    bad = "Sigle;Millésime;Libellé;Code CCP;Libellé CCP\nCDA;2024;;CP-1;Concevoir\nRPCT;;Réparateur;;\n".encode()
    refused = client.post("/admin/titres/import", data={"fichier": (io.BytesIO(bad), "titres.csv")},
                          content_type="multipart/form-data")
    page = text_of(refused)
    assert refused.status_code == 422 and "aucun titre importé" in page
    assert "ligne 2 (CDA 2024) : Libellé : ce champ est obligatoire" in page and "ligne 3 (RPCT ) :" in page
    assert models.Titre.select().count() == 2
