"""Push: a kiosk's outbox facts into the bureau's store (sync-protocol §7.3).

One transaction per batch.  The batch as a whole is refused (nothing written) when it is
malformed, of another epoch, leaves a gap after acked_seq, or re-sends a seq the bureau holds
under another event_id (the kiosk's database was restored from an old copy: epoch_conflict).
Otherwise each fact is judged on its own: a bad one is dead-lettered in EventReject and still
acknowledged, so it never blocks the facts behind it; the good ones are inserted once by their
event_id; and acked_seq moves to last_seq.
"""
import json
import logging
import re
from dataclasses import dataclass
from datetime import datetime

from peewee import chunked

from bureau.auth import as_utc
from bureau.errors import Refusal, malformed
from bureau.models import Event, EventReject, Kiosk, Site
from bureau.store import insert_new, locked, write

log = logging.getLogger("bureau.ingest")

MAX_EVENTS = 500
SCHEMA_V = 1
# The facts a kiosk writes (kiosk/facts.py record(kind, …) across kiosk/).
KINDS = frozenset({"signin", "points", "registration", "enrollment", "member", "member_prefs", "card",
                   "course", "lesson", "term", "staff", "audit", "device"})
SKEW_FLAG_MS = 5 * 60 * 1000           # a fact whose kiosk clock was off by more is flagged
CHUNK = 500                            # rows per INSERT (12 columns: far below SQLite's 32,766 variables)
UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
MAX_ID = 64                            # longest event_id or client_version stored
BIG = 2 ** 62                          # seq and wall_ms fit a BIGINT with room to spare
EVENT_FIELDS = {"event_id": str, "seq": int, "kind": str, "schema_v": object, "wall_ms": int,
                "payload": object}


@dataclass
class Batch:
    kiosk_id: str
    epoch: int
    first_seq: int
    last_seq: int
    client_version: str
    events: list[dict]
    head_seq: int          # the newest seq in the kiosk's outbox as it sent this (its backlog)


def parse_batch(data: bytes, kiosk_id: str) -> Batch:
    """The push body `data` (decompressed) checked for shape, or Refusal 400 / 413."""
    try:
        body = json.loads(data)
    except (ValueError, UnicodeDecodeError) as e:
        raise malformed(f"not JSON: {e}") from None
    if not isinstance(body, dict):
        raise malformed("the body is not a JSON object")
    if body.get("kiosk_id") != kiosk_id:
        raise malformed(f"kiosk_id {body.get('kiosk_id')!r} is not the X-Kiosk {kiosk_id!r}")
    events = body.get("events")
    if not isinstance(events, list) or not events:
        raise malformed("events: a non-empty list is needed")
    if len(events) > MAX_EVENTS:
        raise Refusal(413, "too_many_events", detail=f"{len(events)} events; at most {MAX_EVENTS} a push")
    batch = Batch(kiosk_id, _int(body, "epoch", 1, 2 ** 31 - 1), _int(body, "first_seq", 1, BIG),
                  _int(body, "last_seq", 1, BIG), _str(body, "client_version"), events, 0)
    batch.head_seq = _int(body, "head_seq", batch.last_seq, BIG) if "head_seq" in body else batch.last_seq
    for i, event in enumerate(events):
        _check_event(i, event)
    if [e["seq"] for e in events] != list(range(batch.first_seq, batch.last_seq + 1)):
        raise malformed(f"the events' seqs are not exactly {batch.first_seq}..{batch.last_seq} in order")
    return batch


def _int(body: dict, name: str, low: int, high: int) -> int:
    value = body.get(name)
    if type(value) is not int or not low <= value <= high:      # type(): True is not a seq
        raise malformed(f"{name}: an integer from {low} to {high} is needed, not {value!r}")
    return value


def _str(body: dict, name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or len(value) > MAX_ID:
        raise malformed(f"{name}: a string of at most {MAX_ID} characters is needed")
    return value


def _check_event(i: int, event) -> None:
    if not isinstance(event, dict):
        raise malformed(f"events[{i}] is not an object")
    for name, kind in EVENT_FIELDS.items():
        if name not in event:
            raise malformed(f"events[{i}].{name} is missing")
        if kind is not object and type(event[name]) is not kind:
            raise malformed(f"events[{i}].{name}: {kind.__name__} needed, not {event[name]!r}")
    if not 0 < len(event["event_id"]) <= MAX_ID:
        raise malformed(f"events[{i}].event_id: 1 to {MAX_ID} characters")
    if not -BIG <= event["wall_ms"] <= BIG:
        raise malformed(f"events[{i}].wall_ms is out of range")


def canonical_id(event_id: str) -> str:
    """An event_id as the bureau compares it: a UUID in lower case, anything else as sent."""
    return event_id.lower() if UUID.fullmatch(event_id) else event_id


def push(kiosk_pk: int, batch: Batch, now: float) -> dict:
    """Store `batch` from the kiosk with primary key `kiosk_pk`: the reply's fields, or Refusal 409."""
    at = as_utc(now)
    with write():
        kiosk = locked(Kiosk.select(Kiosk, Site).join(Site).where(Kiosk.id == kiosk_pk)).get()
        acked = kiosk.acked_seq
        if batch.epoch != kiosk.epoch:
            raise Refusal(409, "epoch", expected_epoch=kiosk.epoch, acked_seq=acked)
        if batch.first_seq > acked + 1:
            raise Refusal(409, "gap", acked_seq=acked)
        # The seqs are contiguous from first_seq, so the ones the bureau already holds lead.
        held = batch.events[:max(0, acked - batch.first_seq + 1)]
        fresh = batch.events[len(held):]
        if held and not _same_as_held(kiosk, held):
            raise Refusal(409, "epoch_conflict", acked_seq=acked)
        rows, rejects, duplicates = _judge(kiosk, fresh, now_ms=int(now * 1000), at=at)
        inserted = sum(insert_new(Event, chunk, ("event_id",)) for chunk in chunked(rows, CHUNK))
        for chunk in chunked(rejects, CHUNK):
            insert_new(EventReject, chunk, ("event_id",))
        acked = max(acked, batch.last_seq)
        (Kiosk.update(acked_seq=acked, head_seq=max(acked, batch.head_seq), client_version=batch.client_version,
                      last_seen=at)
         .where(Kiosk.id == kiosk.id).execute())
    # A row the insert skipped was stored meanwhile by another request: a duplicate too.
    duplicates += len(held) + len(rows) - inserted
    skewed = sum(row["skewed"] for row in rows)
    log.info("push %s epoch %d seq %d-%d: inserted %d, duplicates %d, rejected %d%s",
             kiosk.kiosk_id, batch.epoch, batch.first_seq, batch.last_seq, inserted, duplicates,
             len(rejects), f", {skewed} with the kiosk clock off by over 5 min" if skewed else "")
    return {"acked_seq": acked, "inserted": inserted, "duplicates": duplicates,
            "rejected": [{k: r[k] for k in ("event_id", "seq", "code", "reason")} for r in rejects]}


def _same_as_held(kiosk: Kiosk, held: list[dict]) -> bool:
    """Whether each re-sent event is the one the bureau holds at its seq (this kiosk and epoch)."""
    low, high = held[0]["seq"], held[-1]["seq"]
    at_seq = {seq: str(event_id) for seq, event_id in
              Event.select(Event.seq, Event.event_id)
              .where((Event.kiosk == kiosk) & (Event.epoch == kiosk.epoch) & Event.seq.between(low, high))
              .tuples()}
    at_seq.update(EventReject.select(EventReject.seq, EventReject.event_id)
                  .where((EventReject.kiosk == kiosk) & (EventReject.epoch == kiosk.epoch)
                         & EventReject.seq.between(low, high)).tuples())
    unplaced = []
    for event in held:
        event_id = canonical_id(event["event_id"])
        if event["seq"] in at_seq:
            if at_seq[event["seq"]] != event_id:
                return False
        else:
            # A seq with no row of its own: the fact arrived there as a duplicate of one stored
            # under an earlier epoch.  It must at least be a fact this kiosk sent before.
            unplaced.append(event_id)
    if not unplaced:
        return True
    known = {str(i) for (i,) in Event.select(Event.event_id).where(
        (Event.kiosk == kiosk) & Event.event_id.in_([i for i in unplaced if UUID.fullmatch(i)])).tuples()}
    known.update(i for (i,) in EventReject.select(EventReject.event_id).where(
        (EventReject.kiosk == kiosk) & EventReject.event_id.in_(unplaced)).tuples())
    return all(i in known for i in unplaced)


def _judge(kiosk: Kiosk, events: list[dict], now_ms: int, at: datetime) -> tuple[list[dict], list[dict], int]:
    """The Event rows to insert, the EventReject rows, and how many facts are already stored."""
    hexes = [e["event_id"].lower().replace("-", "") for e in events if UUID.fullmatch(e["event_id"])]
    stored = {str(event_id): owner for event_id, owner in Event.select(Event.event_id, Event.kiosk)
              .where(Event.event_id.in_(hexes)).tuples()} if hexes else {}
    rows, rejects, duplicates, seen = [], [], 0, set()
    site = kiosk.site
    for event in events:
        event_id = canonical_id(event["event_id"])
        problem = _problem(event, event_id, site.code, seen, stored.get(event_id), kiosk.id)
        seen.add(event_id)
        if problem == "duplicate":
            duplicates += 1
        elif problem:
            code, reason = problem
            rejects.append({"event_id": event_id, "kiosk": kiosk.id, "epoch": kiosk.epoch,
                            "seq": event["seq"], "code": code, "reason": reason,
                            "payload": json.dumps(event, ensure_ascii=False), "received_at": at})
        else:
            skew = event["wall_ms"] - now_ms
            rows.append({"event_id": event_id.replace("-", ""), "kiosk": kiosk.id, "epoch": kiosk.epoch,
                         "seq": event["seq"], "site": site.id, "kind": event["kind"],
                         "schema_v": SCHEMA_V, "wall_ms": event["wall_ms"], "received_at": at,
                         "skew_ms": skew, "skewed": abs(skew) > SKEW_FLAG_MS,
                         "payload": json.dumps(event["payload"], ensure_ascii=False, separators=(",", ":"))})
    return rows, rejects, duplicates


def _problem(event: dict, event_id: str, site_code: str, seen: set, owner: int | None,
             kiosk_pk: int) -> tuple[str, str] | str | None:
    """What is wrong with one fact: (code, reason), "duplicate", or None for a good one."""
    if not UUID.fullmatch(event_id):
        return "invalid", "event_id is not a UUID"
    if event_id in seen:
        return "invalid", "event_id is repeated in this batch"
    if owner is not None:
        return "duplicate" if owner == kiosk_pk else ("invalid", "event_id is stored from another kiosk")
    if event["kind"] not in KINDS:
        return "invalid", f"unknown kind {event['kind'][:40]!r}"
    if event["schema_v"] != SCHEMA_V or type(event["schema_v"]) is not int:
        return "invalid", f"schema_v {event['schema_v']!r} is not {SCHEMA_V}"
    payload = event["payload"]
    if not isinstance(payload, dict):
        return "invalid", "payload is not a JSON object"
    if "site" in payload and payload["site"] != site_code:
        return "wrong_site", f"payload site {str(payload['site'])[:40]!r} is not this kiosk's site {site_code}"
    return None


def new_epoch(kiosk_pk: int) -> dict:
    """Start the kiosk's next epoch (its database was restored or reinstalled): its seqs count
    again from 1, and acked_seq is 0.  Facts already stored keep their old epoch and seq."""
    with write():
        kiosk = locked(Kiosk.select().where(Kiosk.id == kiosk_pk)).get()
        epoch = kiosk.epoch + 1
        Kiosk.update(epoch=epoch, acked_seq=0).where(Kiosk.id == kiosk.id).execute()
    log.warning("kiosk %s: epoch %d (was %d, acked_seq %d): it will resend its outbox",
                kiosk.kiosk_id, epoch, kiosk.epoch, kiosk.acked_seq)
    return {"epoch": epoch, "acked_seq": 0}


def parse_epoch_request(data: bytes, kiosk_id: str) -> None:
    """Check the body of POST /v1/epoch: {"kiosk_id": X-Kiosk}."""
    try:
        body = json.loads(data)
    except (ValueError, UnicodeDecodeError) as e:
        raise malformed(f"not JSON: {e}") from None
    if not isinstance(body, dict) or body.get("kiosk_id") != kiosk_id:
        raise malformed(f"the body must be {{\"kiosk_id\": {json.dumps(kiosk_id)}}}")
