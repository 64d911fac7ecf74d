"""Push: a kiosk's outbox facts into the bureau's store (docs/sync-protocol.md §5).

One transaction per batch.  The batch as a whole is refused (nothing written) when it is
malformed, of another epoch, leaves a gap after acked_seq, or re-sends a seq the bureau holds
under another event_id (the kiosk's database was restored from an old copy: epoch_conflict).
Otherwise each fact is judged on its own: a bad one (its payload too: contract/payloads.py, the
parser the rules read it with) is dead-lettered in EventReject and still acknowledged, so it never
blocks the facts behind it; the good ones are inserted once by their event_id; and acked_seq moves
to last_seq.
"""

import logging
import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from itertools import repeat
from operator import attrgetter

import msgspec
from msgspec import Struct
from peewee import chunked

from bureau.auth import as_utc
from bureau.errors import Refusal, malformed
from bureau.models import Event, EventReject, Kiosk, Site
from bureau.store import db, insert_new, insert_values, is_sqlite, locked, write
from contract import payloads
from contract.facts import KINDS, MAX_EVENTS, SCHEMA_V, Fact, KnownFact, KnownPush, Push

log = logging.getLogger("bureau.ingest")

SKEW_FLAG_MS = 5 * 60 * 1000  # a fact whose kiosk clock was off by more is flagged
# A clock further off is no error a correction can put right (a battery gone flat): its times are
# moved by at most this much, and a time moved by the skew stays a time a datetime can hold.
SKEW_MAX_MS = 10 * 366 * 86_400_000
CHUNK = 500  # rows per INSERT (12 columns: far below SQLite's 32,766 variables)
UUID_TEXT = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
UUID = re.compile(UUID_TEXT)
UUID_LINES = re.compile(f"(?:{UUID_TEXT}\n)*{UUID_TEXT}")  # a batch's event_ids checked in one call

# The push body is parsed and checked in C (contract.facts, contract.payloads), each payload kept
# as the JSON text the kiosk sent (it is stored as that text): json.loads, per-fact checks in
# Python and dumping each payload again cost 4/5 of a push's CPU.

_body = msgspec.json.Decoder(Push)
_good_body = msgspec.json.Decoder(KnownPush)


@dataclass
class Batch:
    kiosk_id: str
    epoch: int
    first_seq: int
    last_seq: int
    client_version: str
    events: list[Fact]
    head_seq: int  # the newest seq in the kiosk's outbox as it sent this (its backlog)
    sent_ms: int | None  # the kiosk's clock as it sent this: sent_ms - now is its clock's error


def parse_batch(data: bytes, kiosk_id: str) -> Batch:
    """The push body `data` (decompressed) checked for shape, or Refusal 400 / 413."""
    try:
        body = _good_body.decode(data)
    except RecursionError:
        raise malformed("nested too deeply") from None
    except (msgspec.DecodeError, UnicodeDecodeError):
        # A fact whose kind or schema_v is not as a kiosk writes them is refused on its own:
        # parsed again without those checks, and judged fact by fact.
        body = _parsed(data)
    if body.kiosk_id != kiosk_id:
        raise malformed(f"kiosk_id {body.kiosk_id!r} is not the X-Kiosk {kiosk_id!r}")
    events = body.events
    if len(events) > MAX_EVENTS:
        raise Refusal(413, "too_many_events", detail=f"{len(events)} events; at most {MAX_EVENTS} a push")
    head_seq = body.last_seq if body.head_seq is None else body.head_seq
    if head_seq < body.last_seq:
        raise malformed(f"head_seq {head_seq} is before last_seq {body.last_seq}")
    if [e.seq for e in events] != list(range(body.first_seq, body.last_seq + 1)):
        raise malformed(f"the events' seqs are not exactly {body.first_seq}..{body.last_seq} in order")
    return Batch(
        kiosk_id, body.epoch, body.first_seq, body.last_seq, body.client_version, events, head_seq, body.sent_ms
    )


def _parsed(data: bytes) -> Push:
    try:
        return _body.decode(data)
    except msgspec.ValidationError as e:
        raise malformed(str(e)) from None
    except (msgspec.DecodeError, UnicodeDecodeError) as e:
        raise malformed(f"not JSON: {e}") from None
    except RecursionError:
        raise malformed("nested too deeply") from None


def canonical_id(event_id: str) -> str:
    """An event_id as the bureau compares it: a UUID in lower case, anything else as sent."""
    return event_id.lower() if UUID.fullmatch(event_id) else event_id


@dataclass
class Judged:
    """A batch with each of its facts judged: the rows store() writes."""

    batch: Batch
    kiosk: Kiosk  # as authenticated: its id and site
    now: float
    good: list[Fact]  # the facts that look good, one for one with rows
    rows: list[tuple]  # their Event rows
    rejects: list[dict]  # EventReject rows for the others


def push(kiosk_pk: int, batch: Batch, now: float) -> dict:
    """Store `batch` from the kiosk with primary key `kiosk_pk`: the reply's fields, or Refusal 409."""
    kiosk = Kiosk.select(Kiosk, Site).join(Site).where(Kiosk.id == kiosk_pk).get()
    with write():
        return store(judge(kiosk, batch, now))


def judge(kiosk: Kiosk, batch: Batch, now: float) -> Judged:
    """Check each fact of `batch` and make its row: work that needs no lock, done before the
    write transaction so other pushes meanwhile take theirs.  The rows carry the batch's epoch,
    which store() checks is the kiosk's."""
    return Judged(batch, kiosk, now, *_judge(kiosk.id, kiosk.site, batch.epoch, batch.events, now, batch.sent_ms))


def store(judged: Judged) -> dict:
    """Write a judged batch in the caller's write transaction (write()): the reply's fields, or
    Refusal 409.  A refusal comes before anything is written, so the caller may still commit
    what else it wrote (bureau.app records the request's nonce in the same transaction)."""
    kiosk, held, (good, rows, rejects) = _checked(judged)
    batch, at = judged.batch, as_utc(judged.now)
    inserted = sum(insert_values(Event, EVENT_COLUMNS, chunk, ("event_id",)) for chunk in chunked(rows, CHUNK))
    duplicates = len(held)
    if inserted < len(rows):
        # Facts stored before: a duplicate when this kiosk sent it, refused when another did.
        for event, owner in _stored_before(kiosk, good, rows):
            if owner == kiosk.id:
                duplicates += 1
            else:
                rejects.append(
                    _reject(
                        kiosk.id,
                        kiosk.epoch,
                        event,
                        canonical_id(event.event_id),
                        "invalid",
                        "event_id is stored from another kiosk",
                        at,
                    )
                )
        rejects.sort(key=lambda r: r["seq"])
    for chunk in chunked(rejects, CHUNK):
        insert_new(EventReject, chunk, ("event_id",))
    acked = max(kiosk.acked_seq, batch.last_seq)
    db.execute_sql(_ACKED.format(p=db.param), (acked, max(acked, batch.head_seq), batch.client_version, at, kiosk.id))
    skewed = sum(row[SKEWED] for row in rows)
    log.info(
        "push %s epoch %d seq %d-%d: inserted %d, duplicates %d, rejected %d%s",
        kiosk.kiosk_id,
        batch.epoch,
        batch.first_seq,
        batch.last_seq,
        inserted,
        duplicates,
        len(rejects),
        f", {skewed} with the kiosk clock off by over 5 min" if skewed else "",
    )
    return {
        "acked_seq": acked,
        "inserted": inserted,
        "duplicates": duplicates,
        "rejected": [{k: r[k] for k in ("event_id", "seq", "code", "reason")} for r in rejects],
    }


def _checked(judged: Judged) -> tuple[Kiosk, list[Fact], tuple[list[Fact], list[tuple], list[dict]]]:
    """Every check of store() that can refuse the batch, writing nothing: the kiosk locked, the
    facts the bureau already holds, and the judged facts to write (good, rows, rejects)."""
    batch = judged.batch
    kiosk = _locked_kiosk(judged.kiosk.id)
    acked = kiosk.acked_seq
    if batch.epoch != kiosk.epoch:
        raise Refusal(409, "epoch", expected_epoch=kiosk.epoch, acked_seq=acked)
    if batch.first_seq > acked + 1:
        raise Refusal(409, "gap", acked_seq=acked)
    # The seqs are contiguous from first_seq, so the ones the bureau already holds lead.
    held = batch.events[: max(0, acked - batch.first_seq + 1)]
    if not held:
        return kiosk, held, (judged.good, judged.rows, judged.rejects)
    if not _same_as_held(kiosk, held):
        raise Refusal(409, "epoch_conflict", acked_seq=acked)
    # Judged again without them: a fact repeats another of the batch among the new ones only.
    return kiosk, held, _judge(kiosk.id, kiosk.site, batch.epoch, batch.events[len(held) :], judged.now, batch.sent_ms)


# The push's own reads and writes of its kiosk as SQL text: building them with peewee cost ~2 ms
# of CPU a push.  The kiosk row alone is locked: two pushes of one kiosk take turns, but the
# kiosks of a site do not wait for each other (a plain FOR UPDATE would lock the site row too).
# NO KEY UPDATE, as an UPDATE of the row takes: the nonce the push inserted in its transaction
# holds a KEY SHARE lock on the row (its foreign key), which FOR UPDATE would deadlock with.
_KIOSK = (
    'SELECT k.kiosk_id, k.epoch, k.acked_seq, s.id, s.code FROM "kiosk" AS k'
    ' JOIN "site" AS s ON s.id = k.site_id WHERE k.id = {p}'
)
_ACKED = 'UPDATE "kiosk" SET acked_seq = {p}, head_seq = {p}, client_version = {p}, last_seen = {p} WHERE id = {p}'


def _locked_kiosk(kiosk_pk: int) -> Kiosk:
    """The kiosk with its site, locked for this transaction (see locked())."""
    sql = _KIOSK.format(p=db.param) + ("" if is_sqlite() else " FOR NO KEY UPDATE OF k")
    kiosk_id, epoch, acked, site_pk, site_code = db.execute_sql(sql, (kiosk_pk,)).fetchone()
    return Kiosk(id=kiosk_pk, kiosk_id=kiosk_id, epoch=epoch, acked_seq=acked, site=Site(id=site_pk, code=site_code))


def _same_as_held(kiosk: Kiosk, held: list[Fact]) -> bool:
    """Whether each re-sent event is the one the bureau holds at its seq (this kiosk and epoch)."""
    low, high = held[0].seq, held[-1].seq
    at_seq = {
        seq: str(event_id)
        for seq, event_id in Event.select(Event.seq, Event.event_id)
        .where((Event.kiosk == kiosk) & (Event.epoch == kiosk.epoch) & Event.seq.between(low, high))
        .tuples()
    }
    at_seq.update(
        EventReject.select(EventReject.seq, EventReject.event_id)
        .where((EventReject.kiosk == kiosk) & (EventReject.epoch == kiosk.epoch) & EventReject.seq.between(low, high))
        .tuples()
    )
    unplaced = []
    for event in held:
        event_id = canonical_id(event.event_id)
        if event.seq in at_seq:
            if at_seq[event.seq] != event_id:
                return False
        else:
            # A seq with no row of its own: the fact arrived there as a duplicate of one stored
            # under an earlier epoch.  It must at least be a fact this kiosk sent before.
            unplaced.append(event_id)
    if not unplaced:
        return True
    known = {
        str(i)
        for (i,) in Event.select(Event.event_id)
        .where((Event.kiosk == kiosk) & Event.event_id.in_([i for i in unplaced if UUID.fullmatch(i)]))
        .tuples()
    }
    known.update(
        i
        for (i,) in EventReject.select(EventReject.event_id)
        .where((EventReject.kiosk == kiosk) & EventReject.event_id.in_(unplaced))
        .tuples()
    )
    return all(i in known for i in unplaced)


# An Event row as _judge makes it: the store's values in this order, ready for insert_values.
EVENT_COLUMNS = (
    "event_id",
    "kiosk",
    "epoch",
    "seq",
    "site",
    "kind",
    "schema_v",
    "wall_ms",
    "received_at",
    "skew_ms",
    "skewed",
    "payload",
)
SKEWED = EVENT_COLUMNS.index("skewed")


def _judge(
    kiosk_pk: int, site: Site, epoch: int, events: list[Fact], now: float, sent_ms: int | None
) -> tuple[list[Fact], list[tuple], list[dict]]:
    """The facts that look good and their Event rows (one for one), and the EventReject rows.
    Whether a good one is stored already shows when it is inserted (see _stored_before)."""
    at = as_utc(now)
    # sqlite3 would turn the datetime into this same text for each row.
    made = _Rows(kiosk_pk, epoch, site.id, str(at) if is_sqlite() else at, int(now * 1000), sent_ms)
    if events and type(events[0]) is KnownFact:  # a batch's facts are all of one type
        rows = _judged_at_once(made, site.code, events)
        if rows is not None:
            return list(events), rows, []
    good, ids, texts, rejects, seen = [], [], [], [], set()
    for event in events:
        event_id = event.event_id
        is_uuid = UUID.fullmatch(event_id) is not None
        if is_uuid:
            event_id = event_id.lower()  # canonical_id()
        problem = _problem(event, event_id, is_uuid, site.code, seen)
        seen.add(event_id)
        if problem is None:
            try:
                text = str(event.payload, "utf-8")  # msgspec leaves a Raw unchecked
            except UnicodeDecodeError:
                problem = "invalid", "payload is not UTF-8 text"
        if problem:
            rejects.append(_reject(kiosk_pk, epoch, event, event_id, *problem, at))
            continue
        good.append(event)
        ids.append(event_id)
        texts.append(text)
    return good, made.rows(good, ids, texts), rejects


def _judged_at_once(made: "_Rows", site_code: str, events: list[Fact]) -> list[tuple] | None:
    """The Event rows of facts whose kind and schema_v msgspec checked as it parsed them
    (KnownFact), the rest checked for all of them at once, with no Python code run per fact;
    None when one of them needs judging on its own.  Nearly every push is judged here."""
    lines = "\n".join(map(EVENT_ID, events)).lower()
    # With the length, each line is one whole event_id: none can hide a newline.
    if len(lines) != 37 * len(events) - 1 or not UUID_LINES.fullmatch(lines):
        return None
    ids = lines.split("\n")
    raw = list(map(PAYLOAD, events))
    try:
        sites = {p.site for p in map(payloads.parse, map(KIND, events), raw)}
        texts = list(map(str, raw, repeat("utf-8")))
    except (payloads.PayloadError, UnicodeDecodeError):
        return None
    if len(set(ids)) < len(ids) or not sites <= {None, site_code}:
        return None
    return made.rows(events, ids, texts)


EVENT_ID, PAYLOAD, KIND, SEQ, WALL_MS = map(attrgetter, ("event_id", "payload", "kind", "seq", "wall_ms"))


@dataclass
class _Rows:
    """The Event rows of a batch's good facts: what is the same for all of them, and rows()."""

    kiosk_pk: int
    epoch: int
    site_pk: int
    received: str | datetime  # as the driver takes it (see _judge)
    now_ms: int
    sent_ms: int | None

    def rows(self, events: list[Fact], ids: list[str], texts: list[str]) -> list[tuple]:
        """One row (EVENT_COLUMNS) for each fact, its canonical event_id and its payload's text,
        built a column at a time.  skew_ms is the kiosk clock's error, from the clock it sent the
        batch with; a client that does not send it gets each fact's age instead, which also
        counts its time in the outbox."""
        hex_ids = "\n".join(ids).replace("-", "").split("\n") if ids else []
        walls = list(map(WALL_MS, events))
        if self.sent_ms is None:
            skews = [_bounded(wall - self.now_ms) for wall in walls]
            skewed = [abs(skew) > SKEW_FLAG_MS for skew in skews]
        else:
            skew = _bounded(self.sent_ms - self.now_ms)
            skews, skewed = repeat(skew), repeat(abs(skew) > SKEW_FLAG_MS)
        return list(
            zip(
                hex_ids,
                repeat(self.kiosk_pk),
                repeat(self.epoch),
                map(SEQ, events),
                repeat(self.site_pk),
                map(KIND, events),
                repeat(SCHEMA_V),
                walls,
                repeat(self.received),
                skews,
                skewed,
                texts,
            )
        )


def _bounded(skew_ms: int) -> int:
    return max(-SKEW_MAX_MS, min(SKEW_MAX_MS, skew_ms))


def _stored_before(kiosk: Kiosk, good: list[Fact], rows: list[tuple]) -> list[tuple[Fact, int]]:
    """The good facts the insert skipped, with the kiosk that had stored them (a row of this
    push has this kiosk, epoch and seq: any other row with the event_id was there before)."""
    held = {
        hex_id: (owner, epoch, seq)
        for hex_id, owner, epoch, seq in Event.select(Event.event_id, Event.kiosk, Event.epoch, Event.seq)
        .where(Event.event_id.in_([row[0] for row in rows]))
        .tuples()
    }
    before = []
    for event, row in zip(good, rows):
        owner, epoch, seq = held[uuid.UUID(row[0])]
        if (owner, epoch, seq) != (kiosk.id, kiosk.epoch, event.seq):
            before.append((event, owner))
    return before


def _reject(kiosk_pk: int, epoch: int, event: Fact, event_id: str, code: str, reason: str, at: datetime) -> dict:
    return {
        "event_id": event_id,
        "kiosk": kiosk_pk,
        "epoch": epoch,
        "seq": event.seq,
        "code": code,
        "reason": reason,
        "payload": msgspec.json.encode(event).decode(errors="replace"),
        "received_at": at,
    }


def _problem(event: Fact, event_id: str, is_uuid: bool, site_code: str, seen: set) -> tuple[str, str] | None:
    """What is wrong with one fact, as (code, reason); None for a good one."""
    if not is_uuid:
        return "invalid", "event_id is not a UUID"
    if event_id in seen:
        return "invalid", "event_id is repeated in this batch"
    if event.kind not in KINDS:
        return "invalid", f"unknown kind {event.kind[:40]!r}"
    if event.schema_v != SCHEMA_V or type(event.schema_v) is not int:
        return "invalid", f"schema_v {event.schema_v!r} is not {SCHEMA_V}"
    try:
        site = payloads.parse(event.kind, event.payload).site
    except payloads.PayloadError as e:
        return "invalid", f"payload: {e}"
    if site is not None and site != site_code:
        return "wrong_site", f"payload site {site!r} is not this kiosk's site {site_code}"
    return None


def new_epoch(kiosk_pk: int) -> dict:
    """Start the kiosk's next epoch (its database was restored or reinstalled): its seqs count
    again from 1, and acked_seq is 0.  Facts already stored keep their old epoch and seq."""
    with write():
        kiosk = locked(Kiosk.select().where(Kiosk.id == kiosk_pk)).get()
        epoch = kiosk.epoch + 1
        Kiosk.update(epoch=epoch, acked_seq=0).where(Kiosk.id == kiosk.id).execute()
    log.warning(
        "kiosk %s: epoch %d (was %d, acked_seq %d): it will resend its outbox",
        kiosk.kiosk_id,
        epoch,
        kiosk.epoch,
        kiosk.acked_seq,
    )
    return {"epoch": epoch, "acked_seq": 0}


class _EpochRequest(Struct):
    kiosk_id: str


def parse_epoch_request(data: bytes, kiosk_id: str) -> None:
    """Check the body of POST /v1/epoch: {"kiosk_id": X-Kiosk}."""
    wanted = f'the body must be {{"kiosk_id": {msgspec.json.encode(kiosk_id).decode()}}}'
    try:
        body = msgspec.json.decode(data, type=_EpochRequest)
    except (msgspec.DecodeError, UnicodeDecodeError) as e:  # msgspec's ValidationError is a DecodeError
        raise malformed(f"{wanted}: {e}") from None
    except RecursionError:
        raise malformed(f"{wanted}: nested too deeply") from None
    if body.kiosk_id != kiosk_id:
        raise malformed(wanted)
