"""Addresses given outside the app (calendars, e-mails): full URLs."""
from flask import url_for


def group_link(group):
    """The full address of a group of tasks (domain.deadlines.TaskGroup): its first task's row."""
    return url_for("sessions.show", session_id=group.session.id, _anchor=f"item-{group.items[0].id}", _external=True)
