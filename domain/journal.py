"""The session's journal: every change to a session, its items or its register, written in the
change's transaction, as a chain that shows tampering.

Each event carries hash = SHA-256(previous event's hash + the event's canonical content); a session's
first event starts from the session's id. The head of the chain (last hash, number of events) is
kept in JournalHead, so that `verify` finds an edited row (its hash), a deleted or inserted one (the
next row's hash, or the head). Events are only ever inserted. Writers of one session's journal take
turns on its head row (SELECT ... FOR UPDATE on PostgreSQL; SQLite writes one at a time), after the
session's and items' locks: the order of locks stays session, items, journal.
"""
import hashlib
import json
from dataclasses import dataclass

from database import locked
from domain import access
from models import AuditEvent, ExamSession, JournalHead, db, now
from statements import Statement, param

# The session journal's head, locked until the transaction ends.
JOURNAL_HEAD_LOCKED = Statement("journal_head_locked", lambda: locked(
    JournalHead.select().where(JournalHead.session == param("session", JournalHead.session)).limit(1)))
# A session's closing, read once its journal's head is locked (a change is refused once it is closed).
SESSION_CLOSED_AT = Statement("session_closed_at", lambda: ExamSession.select(ExamSession.closed_at)
                              .where(ExamSession.id == param("id", ExamSession.id)).tuples())
# The head's start (a session's first event) and advance, and the event itself.
JOURNAL_HEAD_START = Statement("journal_head_start", lambda: JournalHead.insert(
    session=param("session", JournalHead.session), hash=param("hash"), events=1))
JOURNAL_HEAD_ADVANCE = Statement("journal_head_advance", lambda: JournalHead.update(
    hash=param("hash"), events=JournalHead.events + 1).where(JournalHead.session == param("session", JournalHead.session)))
EVENT_FIELDS = ("user", "session", "item", "item_version", "field", "old_value", "new_value", "at", "hash")
EVENT_INSERT = Statement("event_insert", lambda: AuditEvent.insert(**{
    name: param(name, AuditEvent._meta.fields[name]) for name in EVENT_FIELDS}))


def canonical(event):
    """The event's content as hashed: its session, item, item version, time, author, field, values.

    The time's text is versioned per event: an event written before migration 20 keeps the text its
    hash covered (the server's local time, `at_canonique`); later ones hash their UTC time, marked
    « Z »."""
    return json.dumps([event.session_id, event.item_id, event.item_version, hashed_time(event),
                       event.user_id, event.field, event.old_value, event.new_value],
                      ensure_ascii=False, separators=(",", ":"))


def hashed_time(event):
    """The event's time as its hash covers it (versioned per event: see canonical)."""
    return event.at_canonique if event.at_canonique is not None else event.at.isoformat(sep=" ") + "Z"


def chain(previous, event):
    return hashlib.sha256((previous + canonical(event)).encode("utf-8")).hexdigest()


def genesis(session_id):
    """Where a session's chain starts: its id."""
    return str(session_id)


# The events written on a closed session: its closing itself, reopening, its archiving, the retention's
# purge and hold.
WHILE_CLOSED = {"cloture", "reouverture", "archived", "purge", "conservation"}


class SessionClosed(access.Closed):
    """A change reached the journal of a session closed after the change's rights were checked (a
    closing committed in between): the change's transaction is rolled back (409)."""


# `record`'s head when the caller did not read it.
UNREAD = object()


def record(user, session, field, old, new, item=None, along=(), checked=False, head=UNREAD):
    """An AuditEvent; `field` is a code of vocabulary.AUDIT_FIELD_LABELS or a header field's name.

    Written in the caller's transaction (every change is one), or in its own when there is none.
    Once the head is locked the session must still be open (SessionClosed otherwise), unless the
    caller `checked` it under its own lock in this transaction (a tick) or the event is one of
    WHILE_CLOSED. A closing locks the head first: a change is either before it or refused.
    `head`: the head's hash (None before the first event) when the caller read it after locking the
    head in this transaction (a change to a task), not read again then.
    `along`: the change's own writes, compiled statements (statement, values) sent with the head's
    read, or with the event when the caller gave the head (one round trip on PostgreSQL); the head's
    advance goes with the event's insert."""
    if not db.in_transaction():
        with db.atomic():
            return record(user, session, field, old, new, item, along, checked, head)
    session_id = session if isinstance(session, int) else session.id
    if head is UNREAD:
        row = JOURNAL_HEAD_LOCKED.first(before=along, session=session_id)
        head, along = (row.hash if row else None), ()
    if not checked and field not in WHILE_CLOSED:
        closing = SESSION_CLOSED_AT.first(id=session_id)
        if closing is not None and closing[0] is not None:
            raise SessionClosed(session_id)
    event = AuditEvent(user=user, session=session_id, item=item, item_version=item.version if item else None,
                       field=field, old_value="" if old is None else str(old),
                       new_value="" if new is None else str(new), at=now())
    event.hash = chain(genesis(session_id) if head is None else head, event)
    advance = (JOURNAL_HEAD_START if head is None else JOURNAL_HEAD_ADVANCE, {"session": session_id, "hash": event.hash})
    event.id = EVENT_INSERT.run(before=[*along, advance], **{name: event.__data__.get(name) for name in EVENT_FIELDS})
    event._dirty.clear()
    return event


def lock_head(session_id):
    """The journal's head hash, locked until the transaction ends: no event can be added meanwhile."""
    head = JOURNAL_HEAD_LOCKED.first(session=session_id)
    return head.hash if head else None


def head_hash(session):
    head = JournalHead.get_or_none(JournalHead.session == session)
    return head.hash if head else None


@dataclass
class Verdict:
    session_id: int
    events: int
    broken_at: int | None = None  # the id of the first event that no longer matches
    reason: str = ""
    purged_at: object = None  # a purged session: its events removed, its head kept (and anchored)
    head: str = ""

    @property
    def intact(self):
        return self.broken_at is None and not self.reason


# A session's journal starts with its creation: a chain that starts otherwise lost its first events.
FIRST_FIELD = "created"


def verify(session_ids=None, anchored=None, purges=None):
    """Recompute the chains (of every session, or of `session_ids`); one Verdict per session. Every
    session has its chain, from its creation event to its head: a session without events or without
    a head was wiped (« journal intact : 0 événement » passed before). `anchored`: {session id:
    [(number of events, head hash, anchor id)]} the anchors saw (anchors.verify): each chain must
    still pass there, so a tail cut with its head rewritten to match is found; a purged session's
    head must be the one its purge anchored (`purges`: {session id: the anchor its purge made})."""
    heads = {h.session_id: h for h in JournalHead.select()}
    sessions = ExamSession.select(ExamSession.id, ExamSession.purged_at)
    if session_ids is not None:
        sessions = sessions.where(ExamSession.id.in_(list(session_ids)))
    purged = {s.id: s.purged_at for s in sessions if s.purged_at is not None}
    existing = {s.id for s in sessions}
    anchored = anchored or {}
    passes = {session_id: {events: (head, anchor_id) for events, head, anchor_id in positions}
              for session_id, positions in anchored.items()}
    query = AuditEvent.select().order_by(AuditEvent.session, AuditEvent.id)
    if session_ids is not None:
        query = query.where(AuditEvent.session.in_(list(session_ids)))
    verdicts, last, previous = {}, {}, None
    for event in query.iterator():
        verdict = verdicts.get(event.session_id)
        if verdict is None:
            verdict = verdicts[event.session_id] = Verdict(event.session_id, 0)
            previous = genesis(event.session_id)
            if event.field != FIRST_FIELD:
                verdict.broken_at = event.id
                verdict.reason = "le journal ne commence pas par la création de la session : ses premiers événements ont été supprimés"
        verdict.events += 1
        if verdict.broken_at is None:
            expected = chain(previous, event)
            if event.hash != expected:
                verdict.broken_at = event.id
                verdict.reason = ("ligne modifiée, ou ligne supprimée ou insérée juste avant"
                                  if event.hash else "ligne sans empreinte, insérée hors de Jalon")
            seen = passes.get(event.session_id, {}).get(verdict.events)
            if verdict.broken_at is None and seen and seen[0] != event.hash:
                verdict.broken_at = event.id
                verdict.reason = (f"l'événement n° {verdict.events} n'est plus celui que l'ancre {seen[1]} a vu : "
                                  "journal réécrit")
            previous = event.hash
        last[event.session_id] = event.hash
    found = set(heads) | set(verdicts)
    wanted = found | existing if session_ids is None else set(session_ids) & (found | existing)
    for session_id in wanted:
        verdict = verdicts.setdefault(session_id, Verdict(session_id, 0))
        head = heads.get(session_id)
        if verdict.broken_at is not None:
            continue
        beyond = [(events, anchor_id) for events, (_, anchor_id) in passes.get(session_id, {}).items()
                  if events > verdict.events]
        if session_id in purged and verdict.events == 0 and head is not None:
            latest = max(anchored.get(session_id, []), key=lambda position: position[2], default=None)
            verdict.purged_at, verdict.head, verdict.events = purged[session_id], head.hash, head.events
            if latest is None or (latest[0], latest[1]) != (head.events, head.hash) \
                    or (purges or {}).get(session_id) != latest[2]:
                verdict.reason = "session purgée dont la tête ne correspond pas à celle que sa purge a ancrée"
        elif beyond:
            events, anchor_id = max(beyond)
            verdict.reason = (f"événements ancrés supprimés : l'ancre {anchor_id} en a vu {events}, "
                              f"le journal en a {verdict.events}")
        elif verdict.events == 0:
            verdict.reason = ("aucun événement ni tête : le journal de la session a été effacé" if head is None else
                              "aucun événement : le journal de la session a été effacé, sa tête reste")
        elif head is None:
            verdict.reason = "tête du journal absente : supprimée hors de Jalon"
        elif head.hash != last.get(session_id) or head.events != verdict.events:
            verdict.reason = "dernier événement supprimé ou ajouté hors de Jalon : la tête du journal ne correspond plus"
    return sorted(verdicts.values(), key=lambda v: v.session_id)
