"""Pull streams: what the bureau publishes for kiosks to copy (docs/sync-protocol.md §6).

Each stream keeps the current value of each entity (StreamRow) at the rev that last changed it.
Revs come from the stream's StreamMeta row, taken FOR UPDATE on PostgreSQL (the whole database
is locked on SQLite), so writers of one stream take turns and revs become visible in commit
order: a kiosk's cursor can never step over a rev that commits late (docs/sync-protocol.md §6.2, F17).

    publish("rules", "lesson", {...})                    every kiosk
    publish("items", "activity:…", {...}, "site:DEMO-001")   one site's kiosks
    publish("settings", "KIOSK-1", {...}, "kiosk:KIOSK-1")   one kiosk
    publish("members", "DM0001", {...}, "site:DEMO-001")   one site's kiosks: its members in full
    publish("cards", "DM0001", {...})                    every kiosk: what a card read needs
    publish("members", "DM0001", None)                   delete (a tombstone)

A kiosk copies a stream with pull() (the rows it may see, by rev) and checks its copy with
checksum(); trim() forgets old tombstones and reset() makes every kiosk fetch a stream again.
"""

import json
import uuid
import zlib
from datetime import timedelta

from peewee import fn

from bureau.errors import Refusal, malformed
from bureau.models import StreamMeta, StreamRow
from bureau.store import db, is_sqlite, locked, utcnow, write

STREAMS = ("sites", "members", "cards", "items", "rules", "settings", "balances")
PAGE = 1000  # rows in a pull page unless the kiosk asks for another number
MAX_PAGE = 5000
RETENTION = timedelta(days=180)  # a kiosk may be offline 90 days and still pull without a reset


# What a kiosk of another site gets of a member (the "cards" stream): what a card read needs, nothing
# that narrows a search for the ID number behind the id_hash (docs/sync-protocol.md §6.1).
CARD_FIELDS = ("member_no", "id_hash", "site", "active", "merged_into", "card_issue")


class UnknownStream(ValueError):
    """A stream name that is not one of STREAMS."""


def check(stream: str) -> str:
    if stream not in STREAMS:
        raise UnknownStream(f"unknown stream {stream!r} (one of {', '.join(STREAMS)})")
    return stream


def canonical(data: dict) -> str:
    """The one JSON text of `data` both sides hash: sorted keys, no spaces, UTF-8 as is."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def crc(entity_id: str, text: str) -> int:
    """An entity's part of its stream's checksum (the checksum is their sum mod 2**32)."""
    return zlib.crc32(f"{entity_id}\n{text}".encode())


def member_scope(member: dict) -> str:
    """Where a member's "members" row goes: its own site's kiosks."""
    return f"site:{member['site']}"


def card_of(member: dict) -> dict:
    """A member's "cards" row, from its "members" row."""
    return {k: member.get(k) for k in CARD_FIELDS}


def ensure_streams() -> None:
    """A StreamMeta row for every stream (made once, so publish only ever locks it)."""
    StreamMeta.insert_many([{"stream": s, "handle": uuid.uuid4().hex} for s in STREAMS]).on_conflict_ignore().execute()


def publish(stream: str, entity_id: str, data: dict | None, scope: str = "") -> int:
    """Set an entity's value in `stream` (None deletes it); returns its new rev.  Call inside
    store.write(), in the transaction that changed what it publishes."""
    rev = lock(stream).head_rev + 1
    StreamMeta.update(head_rev=rev).where(StreamMeta.stream == stream).execute()
    text = canonical(data) if data is not None else "null"
    row = {
        "stream": stream,
        "entity_id": entity_id,
        "rev": rev,
        "scope": scope,
        "deleted": data is None,
        "data": text,
        "crc": crc(entity_id, text),
        "changed_at": utcnow(),
    }
    (
        StreamRow.insert(row)
        .on_conflict(
            conflict_target=[StreamRow.stream, StreamRow.entity_id],
            update={getattr(StreamRow, k): v for k, v in row.items() if k not in ("stream", "entity_id")},
        )
        .execute()
    )
    return rev


def lock(stream: str) -> StreamMeta:
    """The stream's StreamMeta, locked until the transaction ends: its writers take turns, so a
    writer that reads an entity's current value before changing it sees the latest one."""
    return locked(StreamMeta.select().where(StreamMeta.stream == check(stream))).get()


def current(stream: str, entity_id: str) -> StreamRow | None:
    """The entity's row (a tombstone too), or None if the stream never had it."""
    return StreamRow.get_or_none((StreamRow.stream == stream) & (StreamRow.entity_id == entity_id))


def data(row: StreamRow) -> dict | None:
    """The row's value as published (None for a tombstone)."""
    return json.loads(row.data)


def rows(stream: str) -> list[StreamRow]:
    """The entities of `stream` that exist (no tombstones), in rev order: for the operator."""
    return list(
        StreamRow.select().where((StreamRow.stream == check(stream)) & ~StreamRow.deleted).order_by(StreamRow.rev)
    )


def scopes(site_code: str, kiosk_id: str) -> tuple[str, str, str]:
    """The scopes a kiosk sees: every kiosk's, its site's and its own."""
    return "", f"site:{site_code}", f"kiosk:{kiosk_id}"


def snapshot():
    """A read transaction whose statements all see one moment: SQLite's WAL gives it from the
    first read on; PostgreSQL needs REPEATABLE READ (READ COMMITTED gives each statement its own)."""
    return db.atomic() if is_sqlite() else db.atomic(isolation_level="REPEATABLE READ")


def pull(stream: str, after: int, handle: str | None, limit: int, site_code: str, kiosk_id: str) -> dict:
    """The kiosk's next page of `stream`: the rows it may see with rev > `after`, in rev order.
    Raises Refusal 410 must_refetch when its copy belongs to another handle, is older than what
    the stream still remembers (min_retained_rev) or newer than its head; 400 for an unknown
    stream or bad numbers."""
    if stream not in STREAMS:
        raise Refusal(400, "unknown_stream", stream=stream)
    if after < 0 or not 1 <= limit <= MAX_PAGE:
        raise malformed(f"after must be >= 0 and limit 1-{MAX_PAGE}")
    with snapshot():
        meta = StreamMeta.get(StreamMeta.stream == stream)
        # after == 0 is a whole copy, never stale: the kiosk starts that stream afresh.  A cursor
        # past the head means this store was restored from an older copy: the revs it hands out
        # next are ones the kiosk would step over, believing it has them.
        stale = 0 < after < meta.min_retained_rev or after > meta.head_rev
        if (handle is not None and handle != meta.handle) or stale:
            raise Refusal(410, "must_refetch", stream=stream, handle=meta.handle)
        found = (
            StreamRow.select(StreamRow.rev, StreamRow.entity_id, StreamRow.deleted, StreamRow.data, StreamRow.crc)
            .where(
                (StreamRow.stream == stream)
                & (StreamRow.rev > after)
                & StreamRow.scope.in_(scopes(site_code, kiosk_id))
            )
            .order_by(StreamRow.rev)
            .limit(limit + 1)
        )
        # The cursor as is: peewee's per-value conversions would cost half of a 5,000-row page.
        page = db.execute_sql(*found.sql()).fetchall()
    more = len(page) > limit
    items = [
        {
            "rev": rev,
            "id": entity_id,
            "op": "delete" if deleted else "put",
            "data": None if deleted else json.loads(text),
            "crc": crc,
        }
        for rev, entity_id, deleted, text, crc in page[:limit]
    ]
    # Nothing left to read: the cursor moves past the rows this kiosk may not see, too.
    return {
        "stream": stream,
        "handle": meta.handle,
        "items": items,
        "next_after": items[-1]["rev"] if more else meta.head_rev,
        "head_rev": meta.head_rev,
        "more": more,
    }


def heads() -> dict:
    """Every stream's handle and head_rev, the same for every kiosk (revs only, no rows): a kiosk
    pulls only the streams whose handle or head differs from its copy's (docs/sync-protocol.md §6.3)."""
    found = StreamMeta.select(StreamMeta.stream, StreamMeta.handle, StreamMeta.head_rev).tuples()
    return {"streams": {stream: {"handle": handle, "head_rev": head_rev} for stream, handle, head_rev in found}}


def checksum(stream: str, site_code: str, kiosk_id: str) -> dict:
    """What a kiosk whose copy of `stream` is complete can compare with its own: how many
    entities it may see, and the sum of their crcs mod 2**32 (tombstones not counted)."""
    if stream not in STREAMS:
        raise Refusal(400, "unknown_stream", stream=stream)
    with snapshot():
        meta = StreamMeta.get(StreamMeta.stream == stream)
        count, total = (
            StreamRow.select(fn.COUNT(StreamRow.rev), fn.COALESCE(fn.SUM(StreamRow.crc), 0))
            .where((StreamRow.stream == stream) & ~StreamRow.deleted & StreamRow.scope.in_(scopes(site_code, kiosk_id)))
            .tuples()
            .get()
        )
    return {
        "stream": stream,
        "handle": meta.handle,
        "head_rev": meta.head_rev,
        "count": count,
        "checksum": int(total) % 2**32,
    }


def trim(older_than: timedelta = RETENTION) -> dict:
    """Forget the tombstones changed before `older_than` ago, in every stream.  A kiosk whose
    cursor is below the newest one forgotten may have missed a delete: min_retained_rev rises
    to it, and such a kiosk must fetch the stream again.  Returns {stream: (removed, min_retained_rev)}."""
    cutoff = utcnow() - older_than
    done = {}
    for stream in STREAMS:
        with write():
            meta = lock(stream)
            old = (StreamRow.stream == stream) & StreamRow.deleted
            top = StreamRow.select(fn.MAX(StreamRow.rev)).where(old & (StreamRow.changed_at < cutoff)).scalar()
            removed = StreamRow.delete().where(old & (StreamRow.rev <= top)).execute() if top else 0
            if top and top > meta.min_retained_rev:
                StreamMeta.update(min_retained_rev=top).where(StreamMeta.stream == stream).execute()
            done[stream] = (removed, max(top or 0, meta.min_retained_rev))
    return done


def reset(stream: str) -> str:
    """Give `stream` a new handle: every kiosk's next pull of it is refused (410) and it fetches
    the whole stream again, replacing its copy.  Returns the new handle."""
    handle = uuid.uuid4().hex
    with write():
        lock(stream)
        StreamMeta.update(handle=handle).where(StreamMeta.stream == stream).execute()
    return handle


def metas() -> list[tuple[StreamMeta, int]]:
    """Every stream's StreamMeta and how many rows (tombstones too) it holds."""
    counts = dict(StreamRow.select(StreamRow.stream, fn.COUNT(StreamRow.rev)).group_by(StreamRow.stream).tuples())
    return [(m, counts.get(m.stream, 0)) for m in StreamMeta.select().order_by(StreamMeta.stream)]
