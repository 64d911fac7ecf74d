"""Dead letters of the rules: facts they cannot use, kept in EventReject with a code and a reason
beside the facts ingest refused (docs/sync-protocol.md §9.8).  A dead-lettered fact stays in
Event; the rules pass over it, and the kiosk behind it goes on."""

import uuid
from dataclasses import dataclass
from datetime import datetime

import msgspec

from bureau.models import Event, EventReject, Kiosk
from bureau.rules import sql
from bureau.rules.cursors import Fact, uuid_text
from bureau.store import insert_new, utcnow, write

UNUSABLE = "unusable"  # the rules could not use it: its payload, its amount, an error applying it
SKIPPED = "skipped"  # an operator's `rules skip`
SKIPPED_REASON = "skipped by operator"


class SkipError(Exception):
    """The fact cannot be skipped: the message says why."""


def among(facts: list[Fact]) -> set[str]:
    """The event ids of `facts` dead-lettered already."""
    ids = [f.event_id for f in facts]
    found: set[str] = set()
    for chunk in sql.chunks(ids, 500):
        found.update(i for (i,) in sql.query(_DEAD.format(sql.marks(len(chunk))), chunk))
    return found


def letter(fact: Fact, code: str, reason: str) -> None:
    """Dead-letter `fact` in the caller's transaction (a second time changes nothing).  The
    caller logs it: a round once for all it dead-letters (a backlog must not flood the log)."""
    event = {
        "event_id": fact.event_id,
        "seq": fact.seq,
        "kind": fact.kind,
        "schema_v": fact.schema_v,
        "wall_ms": fact.wall_ms,
        "payload": msgspec.Raw(fact.text.encode()),
    }
    row = {
        "event_id": fact.event_id,
        "kiosk": fact.kiosk,
        "epoch": fact.epoch,
        "seq": fact.seq,
        "code": code,
        "reason": reason,
        "payload": msgspec.json.encode(event).decode(),
        "received_at": utcnow(),
    }
    insert_new(EventReject, [row], ("event_id",))


def skip(event_id: str) -> Fact:
    """Dead-letter the fact `event_id` before the rules apply it (`rules skip`), or SkipError."""
    with write():
        sql.lock_rules()  # a round under way finishes first, and the next one sees the skip
        rows = sql.query(_FACT, (_stored_id(event_id),))
        if not rows:
            raise SkipError(f"no fact {event_id} is stored")
        fact = Fact(*rows[0])
        fact.event_id = uuid_text(str(fact.event_id))
        if among([fact]):
            raise SkipError(f"fact {fact.event_id} is dead-lettered already")
        cursor = sql.query(_CURSOR, (fact.kiosk, fact.epoch))
        if cursor and cursor[0][0] >= fact.seq:
            raise SkipError(f"fact {fact.event_id} is applied already: skipping it would undo nothing")
        letter(fact, SKIPPED, SKIPPED_REASON)
    return fact


@dataclass(frozen=True)
class Dead:
    """One dead letter as operators list it."""

    event_id: str
    kiosk: str
    kind: str
    code: str
    reason: str
    at: datetime  # when it was refused or dead-lettered


class _Kind(msgspec.Struct):
    kind: object = ""


def listing() -> list[Dead]:
    """Every dead letter, the oldest first."""
    rows = (
        EventReject.select(EventReject, Kiosk.kiosk_id)
        .join(Kiosk, on=EventReject.kiosk == Kiosk.id)
        .order_by(EventReject.received_at, EventReject.id)
    )
    return [Dead(r.event_id, r.kiosk.kiosk_id, _kind(r.payload), r.code, r.reason, r.received_at) for r in rows]


def _kind(event: str) -> str:
    try:
        kind = msgspec.json.decode(event, type=_Kind).kind
    except (msgspec.DecodeError, RecursionError):
        return ""
    return kind if isinstance(kind, str) else ""


def _stored_id(event_id: str) -> str:
    """An event id as the store compares it (a UUID column: 32 hex digits on SQLite)."""
    try:
        return Event.event_id.db_value(uuid.UUID(event_id))
    except ValueError:
        raise SkipError(f"{event_id!r} is not an event id (a UUID)") from None


_DEAD = "SELECT event_id FROM event_reject WHERE event_id IN ({})"
_FACT = """
    SELECT id, event_id, kiosk_id, epoch, seq, site_id, kind, schema_v, wall_ms, skew_ms, skewed, payload FROM event
    WHERE event_id = ?"""
_CURSOR = "SELECT seq FROM rule_cursor WHERE kiosk_id = ? AND epoch = ?"
