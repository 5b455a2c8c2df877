"""Guide versions in the database: a guide file (guide/) stored as a version with its tableaux."""
from peewee import IntegrityError

from domain.progress import group_tableaux
from models import GuideTableau, GuideTask, GuideVersion, db


def import_guide(data):
    """Store a guide read by guide.read_guide() as a new version; an existing version is kept as is."""
    try:
        with db.atomic():
            # Checked inside the transaction: several app processes starting at once import it once
            # (on PostgreSQL the unique version catches the one that loses the race).
            existing = GuideVersion.get_or_none(GuideVersion.version == data["version"])
            if existing:
                return existing
            return _insert_guide(data)
    except IntegrityError:
        return GuideVersion.get(GuideVersion.version == data["version"])


def _insert_guide(data):
    guide = GuideVersion.create(version=data["version"], label=data["label"], title=data["title"],
                                 checks=data.get("checks") or None)
    position = 0
    rows = []
    # The guide file calls its tables "phases" (a published file format, kept as is).
    for number, phase in enumerate(data["phases"], start=1):
        tableau = GuideTableau.create(guide=guide, number=number, title=phase["title"])
        for task in phase["tasks"]:
            position += 1
            rows.append({
                "tableau": tableau, "position": position, "text": task["text"],
                "underline": task.get("underline"), "details": task.get("details"),
                "reglementaire": task["reglementaire"], "conseil": task["conseil"],
                "sub": task.get("sub", False), "heading": task.get("heading", False),
                # A heading groups the tasks under it: it has no deadline of its own.
                "due_rule": None if task.get("heading") else task.get("due", phase.get("due")),
                "retention_rule": task.get("retention"), "key": task.get("key"),
                "conditional": task.get("conditional", False), "long_running": task.get("long_running", False),
            })
    GuideTask.insert_many(rows).execute()
    return guide


def guide_tableaux(guide):
    """A guide version's tasks grouped as its tableaux."""
    return group_tableaux(guide.tasks(), lambda task: (task.tableau.number, task.tableau.title))
