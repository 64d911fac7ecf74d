"""Pull streams: what the bureau publishes for kiosks to copy (sync-protocol §7.4).

Each stream keeps the current value of each entity (StreamRow) at the rev that last changed it.
Revs come from the stream's StreamMeta row, taken FOR UPDATE on PostgreSQL (the whole database
is locked on SQLite), so writers of one stream take turns and revs become visible in commit
order: a kiosk's cursor can never step over a rev that commits late (reference F17).

    publish("rules", "lesson", {...})                    every kiosk
    publish("items", "activity:…", {...}, "site:DEMO-001")   one site's kiosks
    publish("settings", "KIOSK-1", {...}, "kiosk:KIOSK-1")   one kiosk
    publish("members", "DM0001", None)                   delete (a tombstone)
"""
import json
import uuid
import zlib

from bureau.models import StreamMeta, StreamRow
from bureau.store import locked, utcnow

STREAMS = ("sites", "members", "items", "rules", "settings", "balances")


def canonical(data: dict) -> str:
    """The one JSON text of `data` both sides hash: sorted keys, no spaces, UTF-8 as is."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def crc(entity_id: str, text: str) -> int:
    """An entity's part of its stream's checksum (the checksum is their sum mod 2**32)."""
    return zlib.crc32(f"{entity_id}\n{text}".encode())


def ensure_streams() -> None:
    """A StreamMeta row for every stream (made once, so publish only ever locks it)."""
    StreamMeta.insert_many([{"stream": s, "handle": uuid.uuid4().hex} for s in STREAMS]).on_conflict_ignore().execute()


def publish(stream: str, entity_id: str, data: dict | None, scope: str = "") -> int:
    """Set an entity's value in `stream` (None deletes it); returns its new rev.  Call inside
    store.write(), in the transaction that changed what it publishes."""
    if stream not in STREAMS:
        raise ValueError(f"unknown stream {stream!r}")
    meta = locked(StreamMeta.select().where(StreamMeta.stream == stream)).get()
    rev = meta.head_rev + 1
    StreamMeta.update(head_rev=rev).where(StreamMeta.stream == stream).execute()
    text = canonical(data) if data is not None else "null"
    row = {"stream": stream, "entity_id": entity_id, "rev": rev, "scope": scope, "deleted": data is None,
           "data": text, "crc": crc(entity_id, text), "changed_at": utcnow()}
    (StreamRow.insert(row)
     .on_conflict(conflict_target=[StreamRow.stream, StreamRow.entity_id],
                  update={getattr(StreamRow, k): v for k, v in row.items() if k not in ("stream", "entity_id")})
     .execute())
    return rev
