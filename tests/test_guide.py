"""The official guide as data: every row of the paper form, with its flags, in order."""
import pytest

import models
from cli.database import init_db
from domain import guides
from helpers import create_session
from guide import CURRENT_GUIDE, GuideFileError, read_guide


@pytest.fixture(scope="module")
def guide():
    return read_guide()


def all_tasks(guide):
    return [task for phase in guide["phases"] for task in phase["tasks"]]


def test_the_guide_has_99_tasks_in_7_tables(guide):
    assert len(guide["phases"]) == 7
    assert [len(p["tasks"]) for p in guide["phases"]] == [14, 15, 11, 15, 19, 16, 9]
    assert len(all_tasks(guide)) == 99


def test_flags_are_as_ticked_on_the_form(guide):
    tasks = all_tasks(guide)
    reglementaire = [t for t in tasks if t["reglementaire"]]
    conseil = [t for t in tasks if t["conseil"]]
    both = [t for t in tasks if t["reglementaire"] and t["conseil"]]
    neither = [t for t in tasks if not t["reglementaire"] and not t["conseil"]]
    assert (len(reglementaire), len(conseil), len(both), len(neither)) == (75, 14, 1, 11)
    assert both[0]["text"].startswith("Informer l'UD de la proposition d'aménagement des épreuves")


def test_shifted_columns_of_tables_2_and_6_are_read_from_their_headers(guide):
    table2, table6 = guide["phases"][1]["tasks"], guide["phases"][5]["tasks"]
    assert table2[0]["text"].startswith("Transmettre à l'UD de la DIRECCTE le planning")
    assert (table2[0]["reglementaire"], table2[0]["conseil"]) == (False, True)
    demande = [t for t in table2 if t["text"].startswith(("Enregistrer la demande", "Envoyer la demande"))]
    assert [(t["reglementaire"], t["conseil"]) for t in demande] == [(False, False), (False, False)]
    fiche = next(t for t in table6 if t["text"].startswith("Editer la fiche du titre"))
    assert (fiche["reglementaire"], fiche["conseil"]) == (False, True)


def test_order_and_wording_follow_the_document(guide):
    tasks = all_tasks(guide)
    assert tasks[0]["text"] == (
        "Programmer et communiquer les sessions d'examen de l'année N avant le 31 janvier (prévisionnel)"
    )
    assert tasks[-1]["text"] == (
        "Assurer un suivi de l'insertion professionnelle des candidats ayant été présentés au titre professionnel"
    )
    texts = " ".join(t["text"] for t in tasks)
    assert "Informers" not in texts and "Contacteur" not in texts
    assert "Informer les candidats sur le dispositif de certification du titre professionnel" in texts
    assert "Commander la matière d'œuvre" in texts


def test_each_table_has_a_french_phase_title(guide):
    titles = [p["title"] for p in guide["phases"]]
    assert len(set(titles)) == 7
    assert titles[4] == "Ouverture de la session"
    assert titles[5] == "Déroulement des épreuves"


def test_jury_welcome_has_its_own_row_and_seven_sub_points(guide):
    table5 = guide["phases"][4]["tasks"]
    index = next(i for i, t in enumerate(table5) if t["text"] == "Accueillir les membres de jury :")
    assert not table5[index].get("sub")
    subs = table5[index + 1:index + 8]
    assert all(t.get("sub") for t in subs)
    assert not table5[index + 8].get("sub")
    assert [t["reglementaire"] for t in subs] == [False, True, False, True, True, False, False]


def test_html_fragments_become_structure(guide):
    tasks = all_tasks(guide)
    assert not any("<" in t["text"] or "▶" in t["text"] for t in tasks)
    convoquer = next(t for t in tasks if t["text"].startswith("Convoquer les candidats"))
    assert convoquer["underline"] == "au moins 1 mois avant le début de la session"
    assert convoquer["details"] == [
        "le lieu, la date et l'heure de l'examen ;", "la nature des épreuves ;", "la tenue professionnelle",
    ]
    pli = next(t for t in tasks if t["text"].startswith("Réceptionner le pli d'examen"))
    assert pli["details"] == [
        "le dossier technique d'évaluation « organisateur » et sous pli cacheté :",
        ["le dossier technique d'évaluation « candidat »", "le dossier technique d'évaluation « jury »"],
    ]
    assert sum(1 for t in tasks if t.get("underline")) == 5


GUIDE_HEAD = "[[phases]]\ntitle = \"P\"\n"
TASK = "[[phases.tasks]]\nkey = \"{key}\"\ntext = \"T\"\nreglementaire = true\nconseil = false\n"


@pytest.mark.parametrize("content, message", [
    ("version = \"2\"\n", "label"),
    ("version = \"2\"\nlabel = \"x\"\ntitle = \"x\"\n", "aucun tableau"),
    ("version = \"2\"\nlabel = \"x\"\ntitle = \"x\"\n[[phases]]\ntitle = \"P\"\n[[phases.tasks]]\ntext = \"T\"\n"
     "reglementaire = \"oui\"\nconseil = false\n", "reglementaire"),
    ("version = [", "illisible"),
    (GUIDE_HEAD + TASK.format(key="Clé") , "« key » doit être un nom en minuscules"),
    (GUIDE_HEAD + TASK.format(key="jury") + TASK.format(key="jury"), "la clé « jury » est déjà donnée"),
    ("[checks]\nconvocation_limit_by_nature = { BTS = { from = \"debut\", days = -15 } }\n" + GUIDE_HEAD
     + TASK.format(key="a"), "une règle par nature"),
    ("[checks]\nconvocation_limit = { from = \"annee\", month = 1, day = 2 }\n" + GUIDE_HEAD + TASK.format(key="a"),
     "depuis le début"),
])
def test_a_broken_guide_file_is_refused_with_a_message(tmp_path, content, message):
    path = tmp_path / "guide.toml"
    if content.startswith(("[checks]", "[[phases]]")):
        content = "version = \"2\"\nlabel = \"x\"\ntitle = \"x\"\n" + content
    path.write_text(content, encoding="utf-8")
    with pytest.raises(GuideFileError, match=message):
        read_guide(path)


def test_the_database_holds_the_guide_once(db):
    init_db()
    assert models.GuideVersion.select().count() == 1
    assert models.GuideTask.select().count() == 99


def test_a_session_is_a_frozen_run_of_its_guide_version(db, tmp_path):
    old_session = create_session()
    text = CURRENT_GUIDE.read_text(encoding="utf-8").replace('version = "1"', 'version = "2"', 1)
    text = text.replace("Programmer et communiquer", "Programmer, valider et communiquer", 1)
    path = tmp_path / "v2.toml"
    path.write_text(text, encoding="utf-8")
    guides.import_guide(read_guide(path))

    new_session = create_session()
    assert new_session.guide.version == "2"
    assert new_session.ordered_items()[0].text.startswith("Programmer, valider et communiquer")
    assert old_session.guide.version == "1"
    assert old_session.ordered_items()[0].text.startswith("Programmer et communiquer")
