"""Which facts a round applies next: each kiosk's facts after its cursor (RuleCursor: the last
seq applied of each epoch), merged in Event.id order (docs/sync-protocol.md §9.4)."""

import heapq
from dataclasses import dataclass

from bureau.rules import sql
from contract import payloads

RULED = frozenset(  # the kinds the rules act on
    {"member", "signin", "points", "device", "card", "enrollment", "registration", "redemption", "application"}
)


@dataclass(slots=True)
class Fact:
    id: int
    event_id: str
    kiosk: int
    epoch: int
    seq: int
    site: int
    kind: str
    schema_v: int
    wall_ms: int
    skew_ms: int
    skewed: bool
    text: str  # the payload as stored
    payload: payloads.Payload | None = None  # parsed, for the kinds the rules act on
    problem: str | None = None  # why it could not be parsed: the rules dead-letter it


def _fact(row: tuple) -> Fact:
    """A fact as the rules read it: its payload parsed by the parser ingest checked it with
    (contract.payloads).  A payload stored before that check may still not fit: a problem."""
    fact = Fact(*row)
    fact.event_id = uuid_text(str(fact.event_id))
    if fact.kind in RULED:
        try:
            fact.payload = payloads.parse(fact.kind, fact.text)
        except payloads.PayloadError as e:
            fact.problem = f"payload: {e}"
    return fact


def uuid_text(value: str) -> str:
    """An event_id as kiosks write it: SQLite holds it as 32 hex digits, PostgreSQL as a uuid."""
    if len(value) == 32:
        return f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}".lower()
    return value.lower()


def behind() -> dict[int, tuple[tuple[int, int], tuple[int, int]]]:
    """Kiosks whose acked (epoch, seq) is past their cursor: {kiosk pk: (cursor, acked)}."""
    cursors: dict[int, tuple[int, int]] = {}
    for kiosk, epoch, seq in sql.query(_CURSORS):
        cursors[kiosk] = max(cursors.get(kiosk, (0, 0)), (epoch, seq))
    return {
        kiosk: (cursors.get(kiosk, (0, 0)), (epoch, acked))
        for kiosk, epoch, acked in sql.query(_KIOSKS)
        if cursors.get(kiosk, (0, 0)) < (epoch, acked)
    }


def next_facts(n: int) -> tuple[list[Fact], dict[tuple[int, int], int]]:
    """The next `n` facts in Event.id order and the cursors ((kiosk, epoch): seq) after them."""
    behind_ = behind()
    # (id, kiosk, epoch, seq) of each kiosk's next facts: the index alone, no payloads yet.
    fetched = {kiosk: _unapplied(kiosk, cursor, n) for kiosk, (cursor, _) in behind_.items()}
    # A kiosk read to the limit may have more: nothing past its last id can be taken yet.
    bound = min((found[-1][0] for found in fetched.values() if len(found) == n), default=None)
    taken = [f for f in heapq.merge(*fetched.values()) if bound is None or f[0] <= bound][:n]
    moved: dict[tuple[int, int], int] = {}
    count = dict.fromkeys(fetched, 0)
    for _, kiosk, epoch, seq in taken:
        moved[kiosk, epoch] = seq
        count[kiosk] += 1
    for kiosk, (cursor, acked) in behind_.items():
        if count[kiosk] == len(fetched[kiosk]) < n:  # read to its end
            last = max([cursor, *((epoch, seq) for (k, epoch), seq in moved.items() if k == kiosk)])
            if acked > last:
                moved[kiosk, acked[0]] = acked[1]
    ids = [f[0] for f in taken]
    facts = [
        _fact(row) for chunk in sql.chunks(ids, 500) for row in sql.query(_FACTS.format(sql.marks(len(chunk))), chunk)
    ]
    return sorted(facts, key=lambda f: f.id), moved


def _unapplied(kiosk: int, cursor: tuple[int, int], n: int) -> list[tuple[int, int, int, int]]:
    """The kiosk's first `n` facts after `cursor`: the rest of its epoch, then its later epochs
    (two index ranges: a row-value comparison would read the index from the kiosk's first fact)."""
    epoch, seq = cursor
    found = sql.query(_EPOCH_REST, (kiosk, epoch, seq, n))
    if len(found) < n:
        found += sql.query(_LATER_EPOCHS, (kiosk, epoch, n - len(found)))
    return found


_CURSORS = "SELECT kiosk_id, epoch, seq FROM rule_cursor"
_KIOSKS = "SELECT id, epoch, acked_seq FROM kiosk"
_EPOCH_REST = """
    SELECT id, kiosk_id, epoch, seq FROM event WHERE kiosk_id = ? AND epoch = ? AND seq > ? ORDER BY seq LIMIT ?"""
_LATER_EPOCHS = """
    SELECT id, kiosk_id, epoch, seq FROM event WHERE kiosk_id = ? AND epoch > ? ORDER BY epoch, seq LIMIT ?"""
_FACTS = """
    SELECT id, event_id, kiosk_id, epoch, seq, site_id, kind, schema_v, wall_ms, skew_ms, skewed, payload FROM event
    WHERE id IN ({})"""
