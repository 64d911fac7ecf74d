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
import uuid
from dataclasses import dataclass
from datetime import datetime

from peewee import chunked

from bureau.auth import as_utc
from bureau.errors import Refusal, malformed
from bureau.models import Event, EventReject, Kiosk, Site
from bureau.store import db, insert_new, insert_values, is_sqlite, locked, write

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
    sent_ms: int | None    # the kiosk's clock as it sent this: sent_ms - now is its clock's error


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
                  _int(body, "last_seq", 1, BIG), _str(body, "client_version"), events, 0, None)
    batch.head_seq = _int(body, "head_seq", batch.last_seq, BIG) if "head_seq" in body else batch.last_seq
    batch.sent_ms = _int(body, "sent_ms", -BIG, BIG) if "sent_ms" in body else None
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
        kiosk = _locked_kiosk(kiosk_pk)
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
        good, rows, rejects = _judge(kiosk, fresh, int(now * 1000), batch.sent_ms, at)
        inserted = sum(insert_values(Event, EVENT_COLUMNS, chunk, ("event_id",)) for chunk in chunked(rows, CHUNK))
        duplicates = len(held)
        if inserted < len(rows):
            # Facts stored before: a duplicate when this kiosk sent it, refused when another did.
            for event, owner in _stored_before(kiosk, good, rows):
                if owner == kiosk.id:
                    duplicates += 1
                else:
                    rejects.append(_reject(kiosk, event, canonical_id(event["event_id"]), "invalid",
                                           "event_id is stored from another kiosk", at))
            rejects.sort(key=lambda r: r["seq"])
        for chunk in chunked(rejects, CHUNK):
            insert_new(EventReject, chunk, ("event_id",))
        acked = max(acked, batch.last_seq)
        db.execute_sql(_ACKED.format(p=db.param),
                       (acked, max(acked, batch.head_seq), batch.client_version, at, kiosk.id))
    skewed = sum(row[SKEWED] for row in rows)
    log.info("push %s epoch %d seq %d-%d: inserted %d, duplicates %d, rejected %d%s",
             kiosk.kiosk_id, batch.epoch, batch.first_seq, batch.last_seq, inserted, duplicates,
             len(rejects), f", {skewed} with the kiosk clock off by over 5 min" if skewed else "")
    return {"acked_seq": acked, "inserted": inserted, "duplicates": duplicates,
            "rejected": [{k: r[k] for k in ("event_id", "seq", "code", "reason")} for r in rejects]}


# The push's own reads and writes of its kiosk as SQL text: building them with peewee cost ~2 ms
# of CPU a push.  The kiosk row alone is locked: two pushes of one kiosk take turns, but the
# kiosks of a site do not wait for each other (a plain FOR UPDATE would lock the site row too).
# NO KEY UPDATE, as an UPDATE of the row takes: the nonce the push inserted in its transaction
# holds a KEY SHARE lock on the row (its foreign key), which FOR UPDATE would deadlock with.
_KIOSK = ('SELECT k.kiosk_id, k.epoch, k.acked_seq, s.id, s.code FROM "kiosk" AS k'
          ' JOIN "site" AS s ON s.id = k.site_id WHERE k.id = {p}')
_ACKED = 'UPDATE "kiosk" SET acked_seq = {p}, head_seq = {p}, client_version = {p}, last_seen = {p} WHERE id = {p}'


def _locked_kiosk(kiosk_pk: int) -> Kiosk:
    """The kiosk with its site, locked for this transaction (see locked())."""
    sql = _KIOSK.format(p=db.param) + ("" if is_sqlite() else " FOR NO KEY UPDATE OF k")
    kiosk_id, epoch, acked, site_pk, site_code = db.execute_sql(sql, (kiosk_pk,)).fetchone()
    return Kiosk(id=kiosk_pk, kiosk_id=kiosk_id, epoch=epoch, acked_seq=acked, site=Site(id=site_pk, code=site_code))


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


# An Event row as _judge makes it: the store's values in this order, ready for insert_values.
EVENT_COLUMNS = ("event_id", "kiosk", "epoch", "seq", "site", "kind", "schema_v", "wall_ms", "received_at",
                 "skew_ms", "skewed", "payload")
SKEWED = EVENT_COLUMNS.index("skewed")
_payload_text = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _judge(kiosk: Kiosk, events: list[dict], now_ms: int, sent_ms: int | None,
           at: datetime) -> tuple[list[dict], list[tuple], list[dict]]:
    """The facts that look good and their Event rows (one for one), and the EventReject rows.
    Whether a good one is stored already shows when it is inserted (see _stored_before).
    skew_ms is the kiosk clock's error, from the clock it sent the batch with; a client that
    does not send it gets each fact's age instead, which also counts its time in the outbox."""
    good, rows, rejects, seen = [], [], [], set()
    kiosk_pk, epoch, site_pk, site_code = kiosk.id, kiosk.epoch, kiosk.site.id, kiosk.site.code
    received = Event.received_at.db_value(at)
    for event in events:
        is_uuid = UUID.fullmatch(event["event_id"]) is not None
        event_id = event["event_id"].lower() if is_uuid else event["event_id"]      # canonical_id()
        problem = _problem(event, event_id, is_uuid, site_code, seen)
        seen.add(event_id)
        if problem:
            rejects.append(_reject(kiosk, event, event_id, *problem, at))
            continue
        skew = sent_ms - now_ms if sent_ms is not None else event["wall_ms"] - now_ms
        good.append(event)
        rows.append((event_id.replace("-", ""), kiosk_pk, epoch, event["seq"], site_pk, event["kind"], SCHEMA_V,
                     event["wall_ms"], received, skew, abs(skew) > SKEW_FLAG_MS, _payload_text(event["payload"])))
    return good, rows, rejects


def _stored_before(kiosk: Kiosk, good: list[dict], rows: list[tuple]) -> list[tuple[dict, int]]:
    """The good facts the insert skipped, with the kiosk that had stored them (a row of this
    push has this kiosk, epoch and seq: any other row with the event_id was there before)."""
    held = {hex_id: (owner, epoch, seq) for hex_id, owner, epoch, seq in
            Event.select(Event.event_id, Event.kiosk, Event.epoch, Event.seq)
            .where(Event.event_id.in_([row[0] for row in rows])).tuples()}
    before = []
    for event, row in zip(good, rows):
        owner, epoch, seq = held[uuid.UUID(row[0])]
        if (owner, epoch, seq) != (kiosk.id, kiosk.epoch, event["seq"]):
            before.append((event, owner))
    return before


def _reject(kiosk: Kiosk, event: dict, event_id: str, code: str, reason: str, at: datetime) -> dict:
    return {"event_id": event_id, "kiosk": kiosk.id, "epoch": kiosk.epoch, "seq": event["seq"], "code": code,
            "reason": reason, "payload": json.dumps(event, ensure_ascii=False), "received_at": at}


def _problem(event: dict, event_id: str, is_uuid: bool, site_code: str, seen: set) -> tuple[str, str] | None:
    """What is wrong with one fact, as (code, reason); None for a good one."""
    if not is_uuid:
        return "invalid", "event_id is not a UUID"
    if event_id in seen:
        return "invalid", "event_id is repeated in this batch"
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
