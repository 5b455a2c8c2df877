"""The official guide as data: one TOML file per guide version, read and checked here."""
import tomllib
from pathlib import Path

from domain.deadlines import check_rule

GUIDE_DIR = Path(__file__).parent
CURRENT_GUIDE = GUIDE_DIR / "v1.toml"


class GuideFileError(ValueError):
    """A guide file that cannot be used, with a French message saying where."""


def read_guide(path=CURRENT_GUIDE):
    """The guide file's content, checked: a version, tableaux with titles, tasks with text and flags."""
    try:
        content = Path(path).read_bytes()
    except OSError as exc:
        raise GuideFileError(f"Fichier de guide illisible ({path}) : {exc}") from exc
    return read_guide_text(content)


def read_guide_text(content):
    """A guide file's content (bytes), checked as read_guide() does."""
    try:
        data = tomllib.loads(content.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise GuideFileError(f"Fichier de guide illisible : {exc}") from exc
    for key, max_length in (("version", 50), ("label", 300), ("title", 300)):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise GuideFileError(f"Le fichier de guide doit indiquer « {key} ».")
        if len(data[key]) > max_length:
            raise GuideFileError(f"« {key} » : {max_length} caractères au plus.")
    # The file calls the guide's tables "phases" (its published format); the code calls them tableaux.
    tableaux = data.get("phases")
    if not isinstance(tableaux, list) or not tableaux:
        raise GuideFileError("Le fichier de guide ne contient aucun tableau de tâches.")
    for number, tableau in enumerate(tableaux, start=1):
        if not isinstance(tableau, dict) or not isinstance(tableau.get("title"), str) or not tableau["title"].strip():
            raise GuideFileError(f"Le tableau {number} n'a pas de titre.")
        if len(tableau["title"]) > 300:
            raise GuideFileError(f"Le titre du tableau {number} dépasse 300 caractères.")
        if "due" in tableau and (problem := check_rule(tableau["due"])):
            raise GuideFileError(f"Tableau {number}, échéance : {problem}.")
        tasks = tableau.get("tasks")
        if not isinstance(tasks, list) or not tasks:
            raise GuideFileError(f"Le tableau {number} ne contient aucune tâche.")
        for index, task in enumerate(tasks, start=1):
            where = f"tableau {number}, tâche {index}"
            if not isinstance(task, dict) or not isinstance(task.get("text"), str) or not task["text"].strip():
                raise GuideFileError(f"{where} : texte manquant.")
            for flag in ("reglementaire", "conseil"):
                if not isinstance(task.get(flag), bool):
                    raise GuideFileError(f"{where} : « {flag} » doit valoir true ou false.")
            underline = task.get("underline")
            if underline is not None and underline not in task["text"]:
                raise GuideFileError(f"{where} : le passage souligné ne figure pas dans le texte.")
            if not _is_detail_list(task.get("details", [])):
                raise GuideFileError(f"{where} : « details » doit être une liste de textes.")
            for key in ("due", "retention"):
                if key in task and (problem := check_rule(task[key], retention=key == "retention")):
                    raise GuideFileError(f"{where}, {key} : {problem}.")
    return data


def _is_detail_list(details):
    """Sub-points: strings, where a nested list is the sub-list of the string before it."""
    return isinstance(details, list) and all(
        isinstance(d, str) or (isinstance(d, list) and d and _is_detail_list(d)) for d in details
    )
