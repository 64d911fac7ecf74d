"""bureau.ingest's judging: facts judged all at once (the fast path every honest push takes) get
exactly the rows and rejects that judging them one by one gives."""

import json
import time
import uuid

from hypothesis import given, settings
from hypothesis import strategies as st

from bureau import ingest
from bureau.models import Site
from contract.facts import KnownFact

from .conftest import SITE, batch, fact, signin

# What may be wrong with a fact, as a kiosk's bug or an attacker would send it.
FAULTS = {
    "good": {},
    "upper-case id": {"event_id": str(uuid.uuid4()).upper()},
    "id without dashes": {"event_id": uuid.uuid4().hex},
    "not a uuid": {"event_id": "not-a-uuid"},
    "id with a newline": {"event_id": f"{uuid.uuid4()}\n"},
    "unknown kind": {"kind": "bogus"},
    "schema_v 2": {"schema_v": 2},
    "schema_v true": {"schema_v": True},
    "schema_v text": {"schema_v": "1"},
    "payload a list": {"payload": [1, 2]},
    "payload of another site": {"payload": {**signin(1), "site": "OTHER-002"}},
    "payload of this site": {"payload": {**signin(1), "site": SITE}},
    "payload site not text": {"payload": {**signin(1), "site": 7}},
    "payload site a list": {"payload": {**signin(1), "site": [SITE]}},
    "payload missing a field": {"payload": {**signin(1), "title": None}},
    "payload with a huge number": {"payload": {**signin(1), "item_id": 2**70}},
    "payload with an escape": {"payload": {**signin(1), "title": "\x1b[2J"}},
    "payload nested deeply": {
        "payload": {**signin(1), "detail": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}
    },
    "kiosk clock a day behind": {"wall_ms": int(time.time() * 1000) - 86_400_000},  # stored, flagged
}
SITE_ROW = Site(id=1, code=SITE)
ROWS = ingest._Rows(kiosk_pk=1, epoch=1, site_pk=1, received="now", now_ms=0, sent_ms=None)


def body(faults: list[str], repeats: list[int]) -> bytes:
    events = [fact(seq, **FAULTS[fault]) for seq, fault in enumerate(faults, 1)]
    for at in repeats:  # the event_id of an earlier fact again
        if at < len(events) - 1:
            events[-1]["event_id"] = events[at]["event_id"]
    return json.dumps(batch("K", events)).encode()


def judged_one_by_one(data: bytes, now: float, sent_ms: int | None) -> tuple:
    parsed = ingest._parsed(data)  # every fact a plain Fact: the fast path cannot apply
    return ingest._judge(1, SITE_ROW, 1, parsed.events, now, sent_ms)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(sorted(FAULTS)), min_size=1, max_size=12),
    st.lists(st.integers(0, 11), max_size=2),
    st.one_of(st.none(), st.integers(-(10**13), 10**13)),
)
def test_judging_at_once_and_one_by_one_agree(faults, repeats, sent_ms):
    data, now = body(faults, repeats), time.time()
    batch_ = ingest.parse_batch(data, "K")
    fast = ingest._judge(1, SITE_ROW, 1, batch_.events, now, sent_ms)
    slow = judged_one_by_one(data, now, sent_ms)
    assert fast[1:] == slow[1:]
    assert [e.seq for e in fast[0]] == [e.seq for e in slow[0]]


def test_an_honest_batch_is_judged_at_once():
    data = body(["good", "payload of this site", "upper-case id"], [])
    batch_ = ingest.parse_batch(data, "K")
    assert all(type(e) is KnownFact for e in batch_.events)
    assert ingest._judged_at_once(ROWS, SITE, batch_.events) is not None


def test_a_bad_fact_sends_its_batch_to_be_judged_one_by_one():
    data = body(["good", "not a uuid"], [])
    batch_ = ingest.parse_batch(data, "K")
    assert ingest._judged_at_once(ROWS, SITE, batch_.events) is None
    good, rows, rejects = ingest._judge(1, SITE_ROW, 1, batch_.events, time.time(), None)
    assert [e.seq for e in good] == [1] and [r["seq"] for r in rejects] == [2]
