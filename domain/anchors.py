"""The journals' anchors: the heads of the sessions' journals, anchored outside the rows they describe.

A journal's chain shows an edited or deleted event, but not a tail cut with its head rewritten to
match, nor a session wiped with its head: whoever can write the database can rewrite those too. An
anchor folds the heads that changed since the previous anchor into one hash chained to the previous
anchor's, kept in the database (Ancre, AncreTete) and appended, one line each, to a file outside it
(ANCHOR_FILE, append-only) and printed on every sealed guide. `verify` then holds the rows to what
the anchors saw: every anchored head must still be in its session's chain at its position, and each
anchor must be the one the file (and the paper) holds. Anchors are made daily (`flask anchor-journal`
from cron), at every closing and at every purge.
"""
import hashlib
import json
import os
from dataclasses import dataclass, field

from peewee import fn

from models import Ancre, AncreTete, JournalHead, db, now


PURGE_MOTIF = "purge de la session "


def _content(anchor_id, at, motif, heads):
    """What an anchor's hash covers besides the previous anchor's: its number, time, reason and heads
    (session, head hash, number of events), sorted."""
    return json.dumps([anchor_id, at.isoformat(sep=" "), motif, sorted(heads)], ensure_ascii=False,
                      separators=(",", ":"))


def anchor_hash(previous, anchor_id, at, motif, heads):
    return hashlib.sha256((previous + _content(anchor_id, at, motif, heads)).encode("utf-8")).hexdigest()


def _lock():
    """Anchors are made one at a time (SQLite's write transactions already are)."""
    if db.obj.for_update:
        db.execute_sql("SELECT pg_advisory_xact_lock(7420252)")


def latest_heads():
    """{session id: (hash, events)} as the latest anchors saw them."""
    last = AncreTete.select(fn.MAX(AncreTete.id)).group_by(AncreTete.session)
    rows = AncreTete.select(AncreTete.session, AncreTete.hash, AncreTete.events).where(AncreTete.id.in_(last)).tuples()
    return {session_id: (head, events) for session_id, head, events in rows}


def make(motif):
    """Anchor the heads that changed since the previous anchor (all of them the first time), in the
    caller's transaction; returns the Ancre. Call `publish` with it once the transaction is committed."""
    with db.atomic():
        _lock()
        previous = Ancre.select().order_by(Ancre.id.desc()).first()
        seen = latest_heads()
        heads = [(h.session_id, h.hash, h.events) for h in JournalHead.select()
                 if seen.get(h.session_id) != (h.hash, h.events)]
        at = now()
        anchor = Ancre.create(at=at, motif=motif, previous=previous.hash if previous else "", hash="pending")
        anchor.hash = anchor_hash(anchor.previous, anchor.id, at, motif, heads)
        Ancre.update(hash=anchor.hash).where(Ancre.id == anchor.id).execute()
        for session_id, head, events in heads:
            AncreTete.create(ancre=anchor, session=session_id, hash=head, events=events)
        anchor.sessions = len(heads)
    return anchor


def line(anchor):
    return f"{anchor.id} {anchor.at.isoformat(sep='T')}Z {anchor.hash}\n"


def publish(anchor, path):
    """Append the committed anchor to the file outside the database (made when missing), synced."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(descriptor, line(anchor).encode("ascii"))
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def anchor_now(motif, path):
    """Make an anchor in its own transaction and append it to the file."""
    anchor = make(motif)
    publish(anchor, path)
    return anchor


@dataclass
class AnchorReport:
    """What `verify` found: the anchors checked, and the problems (empty when all hold)."""

    anchors: int = 0
    problems: list = field(default_factory=list)
    # {session id: [(events, hash, anchor id)]}: where each session's chain must pass.
    positions: dict = field(default_factory=dict)
    purges: dict = field(default_factory=dict)  # {session id: the anchor its purge made}


def _file_lines(path):
    """{anchor id: (the line's time, hash)} of the anchors' file; None when it does not exist."""
    if not os.path.exists(path):
        return None
    lines = {}
    with open(path, encoding="ascii", errors="replace") as handle:
        for number, text in enumerate(handle, start=1):
            parts = text.split()
            if len(parts) == 3 and parts[0].isdigit():
                lines[int(parts[0])] = (parts[1], parts[2])
    return lines


def verify(path):
    """Recompute the anchors' chain and hold it to the file's lines; returns an AnchorReport whose
    `positions` journal.verify holds each session's chain to."""
    report = AnchorReport()
    heads = {}
    for row in AncreTete.select().order_by(AncreTete.id).iterator():
        heads.setdefault(row.ancre_id, []).append((row.session_id, row.hash, row.events))
        report.positions.setdefault(row.session_id, []).append((row.events, row.hash, row.ancre_id))
    previous = ""
    for anchor in Ancre.select().order_by(Ancre.id).iterator():
        report.anchors += 1
        if anchor.motif.startswith(PURGE_MOTIF):
            report.purges[int(anchor.motif[len(PURGE_MOTIF):])] = anchor.id
        expected = anchor_hash(previous, anchor.id, anchor.at, anchor.motif, heads.get(anchor.id, []))
        if anchor.previous != previous or anchor.hash != expected:
            report.problems.append(f"ancre {anchor.id} du {anchor.at:%d/%m/%Y} modifiée, ou une ancre précédente "
                                   "supprimée : la chaîne des ancres ne correspond plus")
        previous = anchor.hash
    lines = _file_lines(path)
    stored = {a.id: a.hash for a in Ancre.select(Ancre.id, Ancre.hash)}
    if lines is None:
        if stored:
            report.problems.append(f"fichier des ancres absent ({path}) : les ancres de la base ne peuvent pas être "
                                   "confrontées")
        return report
    for anchor_id, anchored in sorted(stored.items()):
        if anchor_id not in lines:
            report.problems.append(f"ancre {anchor_id} absente du fichier des ancres")
        elif lines[anchor_id][1] != anchored:
            report.problems.append(f"ancre {anchor_id} : son empreinte n'est plus celle du fichier des ancres "
                                   "(réécrite dans la base)")
    for anchor_id in sorted(set(lines) - set(stored)):
        report.problems.append(f"ancre {anchor_id} du fichier absente de la base : supprimée")
    return report
