"""Deadlines as an iCalendar feed: one event per session, day and deadline."""
import datetime as dt
import hashlib

from icalendar import Calendar, Event

from domain.deadlines import group_tasks, status
from formats import fr_date
from domain.vocabulary import STATUS_LABELS
from models import now


def calendar(name, items, today, link):
    """The feed's bytes; link(group) gives the address of a group's first task."""
    cal = Calendar()
    cal.add("prodid", "-//Jalon//Guide de préparation de la session//FR")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    stamp = now().replace(tzinfo=dt.timezone.utc)
    for group in group_tasks(items):
        session = group.session
        done = all(item.state == "done" for item in group.items)
        event = Event()
        key = f"{session.id}-{group.due_on.isoformat()}-{group.label}".encode()
        event.add("uid", f"{hashlib.sha1(key).hexdigest()}@jalon")
        event.add("dtstamp", stamp)
        event.add("dtstart", group.due_on)
        event.add("dtend", group.due_on + dt.timedelta(days=1))
        event.add("summary", f"{'✓ ' if done else ''}{session.sigle} : {group.summary}")
        lines = [f"Session {session.sigle} du {fr_date(session.date_debut)} au {fr_date(session.date_fin)}", ""]
        lines += [f"- {item.text} ({STATUS_LABELS[status(item.state, item.done_on, item.due_on, today)]})"
                  for item in group.items]
        lines += ["", link(group)]
        event.add("description", "\n".join(lines))
        event.add("url", link(group))
        cal.add_component(event)
    return cal.to_ical()
