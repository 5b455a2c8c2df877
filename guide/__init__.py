"""The official guide as data: one TOML file per guide version, read and checked here."""
import re
import tomllib
from pathlib import Path

from domain.deadlines import check_rule
from domain.vocabulary import NATURES

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


# Bounds that make sense for the regulations: a deadline lies within a few years of the session,
# the retention is a few years, sub-points nest at most three deep, a guide has a few hundred tasks.
MAX_OFFSET = {"months": 60, "days": 1_000, "years": 5}
MAX_RETENTION_YEARS = 10
MAX_DEPTH = 3
MAX_TABLEAUX, MAX_TASKS, MAX_DETAILS = 20, 500, 50
MAX_TEXT, MAX_DETAIL, MAX_LABEL = 2_000, 1_000, 300
MAX_PROBLEMS = 20  # listed at most; the rest are counted
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def read_guide_text(content):
    """A guide file's content (bytes), checked as read_guide() does: every problem is listed."""
    try:
        data = tomllib.loads(content.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, RecursionError) as exc:
        raise GuideFileError(f"Fichier de guide illisible : {str(exc)[:200]}") from None
    problems = []
    for key, max_length in (("version", 50), ("label", MAX_LABEL), ("title", MAX_LABEL)):
        if not isinstance(data.get(key), str) or not data[key].strip():
            problems.append(f"le fichier de guide doit indiquer « {key} »")
        else:
            _check_text(problems, f"« {key} »", data[key], max_length)
    # The file calls the guide's tables "phases" (its published format); the code calls them tableaux.
    tableaux = data.get("phases")
    if not isinstance(tableaux, list) or not tableaux:
        problems.append("le fichier de guide ne contient aucun tableau de tâches")
        tableaux = []
    elif len(tableaux) > MAX_TABLEAUX:
        problems.append(f"{len(tableaux)} tableaux pour {MAX_TABLEAUX} au plus")
        tableaux = []
    if sum(len(t.get("tasks") or []) for t in tableaux if isinstance(t, dict) and isinstance(t.get("tasks"), list)) > MAX_TASKS:
        problems.append(f"plus de {MAX_TASKS} tâches")
        tableaux = []
    for number, tableau in enumerate(tableaux, start=1):
        _check_tableau(problems, number, tableau)
    _check_keys(problems, tableaux)
    _check_checks(problems, data.get("checks", {}))
    if problems:
        shown = problems[:MAX_PROBLEMS]
        more = f" (et {len(problems) - MAX_PROBLEMS} autres)" if len(problems) > MAX_PROBLEMS else ""
        raise GuideFileError("Guide refusé, rien n'a été importé : " + " ; ".join(shown) + more + ".")
    return data


def _check_text(problems, where, value, max_length):
    if _CONTROL.search(value):
        problems.append(f"{where} : caractères de contrôle interdits")
    if len(value) > max_length:
        problems.append(f"{where} : {len(value)} caractères pour {max_length} au plus")


def _check_rule(problems, where, rule, retention=False):
    problem = check_rule(rule, retention=retention)
    if problem:
        problems.append(f"{where} : {problem}")
        return
    for key, bound in MAX_OFFSET.items():
        value = rule.get(key, 0)
        bound = MAX_RETENTION_YEARS if retention and key == "years" else bound
        if isinstance(value, bool) or abs(value) > bound:
            problems.append(f"{where} : « {key} » doit être compris entre -{bound} et {bound}")
    if isinstance(rule.get("label"), str):
        _check_text(problems, f"{where}, libellé", rule["label"], MAX_LABEL)


def _check_tableau(problems, number, tableau):
    if not isinstance(tableau, dict) or not isinstance(tableau.get("title"), str) or not tableau["title"].strip():
        problems.append(f"le tableau {number} n'a pas de titre")
        return
    _check_text(problems, f"titre du tableau {number}", tableau["title"], MAX_LABEL)
    if "due" in tableau:
        _check_rule(problems, f"tableau {number}, échéance", tableau["due"])
    tasks = tableau.get("tasks")
    if not isinstance(tasks, list) or not tasks:
        problems.append(f"le tableau {number} ne contient aucune tâche")
        return
    for index, task in enumerate(tasks, start=1):
        where = f"tableau {number}, tâche {index}"
        if not isinstance(task, dict) or not isinstance(task.get("text"), str) or not task["text"].strip():
            problems.append(f"{where} : texte manquant")
            continue
        _check_text(problems, where, task["text"], MAX_TEXT)
        for flag in ("reglementaire", "conseil"):
            if not isinstance(task.get(flag), bool):
                problems.append(f"{where} : « {flag} » doit valoir true ou false")
        underline = task.get("underline")
        if underline is not None and (not isinstance(underline, str) or underline not in task["text"]):
            problems.append(f"{where} : le passage souligné ne figure pas dans le texte")
        details = task.get("details", [])
        if not _is_detail_list(details):
            problems.append(f"{where} : « details » doit être une liste de textes, sur {MAX_DEPTH} niveaux au plus")
        else:
            for text in _detail_texts(details):
                _check_text(problems, f"{where}, détail", text, MAX_DETAIL)
        for flag in ("sub", "heading", "conditional", "long_running"):
            if flag in task and not isinstance(task[flag], bool):
                problems.append(f"{where} : « {flag} » doit valoir true ou false")
        for key in ("due", "retention"):
            if key in task:
                _check_rule(problems, f"{where}, {key}", task[key], retention=key == "retention")


_KEY = re.compile(r"^[a-z][a-z0-9_]{0,49}$")


def _check_keys(problems, tableaux):
    """Task keys (what the register's checks attach to): snake_case names, each used once."""
    seen = set()
    for number, tableau in enumerate(tableaux, start=1):
        tasks = tableau.get("tasks") if isinstance(tableau, dict) else None
        for index, task in enumerate(tasks if isinstance(tasks, list) else [], start=1):
            if not isinstance(task, dict) or "key" not in task:
                continue
            key = task["key"]
            if not isinstance(key, str) or not _KEY.match(key):
                problems.append(f"tableau {number}, tâche {index} : « key » doit être un nom en minuscules "
                                "(lettres, chiffres, _), 50 caractères au plus")
            elif key in seen:
                problems.append(f"tableau {number}, tâche {index} : la clé « {key} » est déjà donnée à une autre tâche")
            seen.add(key)


def _check_checks(problems, checks):
    """The [checks] table: the convocation limit, as a rule, possibly by nature of session."""
    if not isinstance(checks, dict):
        problems.append("« checks » doit être une table")
        return
    if "convocation_limit" in checks:
        _check_rule(problems, "checks, convocation_limit", checks["convocation_limit"], retention=True)
    by_nature = checks.get("convocation_limit_by_nature", {})
    if not isinstance(by_nature, dict) or any(nature not in NATURES for nature in by_nature):
        problems.append("checks, convocation_limit_by_nature : une règle par nature (TITRE, CCP ou CCS)")
        return
    for nature, rule in by_nature.items():
        _check_rule(problems, f"checks, convocation_limit_by_nature, {nature}", rule, retention=True)
    for figure in ("pv_ud_days", "convocation_jury_days"):
        value = checks.get(figure)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 365):
            problems.append(f"checks, {figure} : un nombre de jours entre 1 et 365")
    for rule in (checks.get("convocation_limit"), *by_nature.values()):
        if isinstance(rule, dict) and rule.get("from") == "annee":
            problems.append("checks : la limite de convocation se compte depuis le début (debut) de la session")


def _is_detail_list(details, depth=1):
    """Sub-points: strings, where a nested list is the sub-list of the string before it."""
    return isinstance(details, list) and depth <= MAX_DEPTH and len(details) <= MAX_DETAILS and all(
        isinstance(d, str) or (isinstance(d, list) and d and _is_detail_list(d, depth + 1)) for d in details
    )


def _detail_texts(details):
    for point in details:
        if isinstance(point, str):
            yield point
        else:
            yield from _detail_texts(point)
