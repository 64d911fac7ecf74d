"""Batches duplicated, overlapping, replayed and out of order (docs/sync-protocol.md §12: F3), on both stores:
straight into the store through bureau.ingest.push (many cases, fast), a few over HTTP, and two
kiosk sync threads on one kiosk.db by mistake.  The bureau's acked_seq never moves back, a gap
is refused with 409 and where to resume, a held seq re-sent with another event_id is a 409
epoch_conflict, and in the end every fact is there once."""

import json
import threading
import time
from datetime import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bureau import admin, ingest
from bureau.errors import Refusal
from bureau.models import Event, Kiosk
from kiosk.store.db import db as kiosk_db
from kiosk.sync.client import Bureau
from kiosk.sync.push import backlog, push_all

from .conftest import SITE, batch, fact
from .faults import check_i1, check_i2, open_kiosk, write_facts

FACTS = 24
# A batch: its first seq, its length (the kiosk sends facts first..first+length-1 of its outbox),
# and whether its first fact is forged: another event_id at that seq, as from a restored kiosk.db.
batches = st.lists(st.tuples(st.integers(1, FACTS), st.integers(1, 6), st.booleans()), min_size=1, max_size=20)


def send(kiosk: Kiosk, facts: list[dict], first: int, length: int, forged: bool = False) -> tuple[int, dict]:
    """One batch through the bureau's ingest as the endpoint runs it: (status, reply)."""
    events = facts[first - 1 : min(FACTS, first + length - 1)]
    if forged:
        events = [fact(first), *events[1:]]
    body = json.dumps(batch(kiosk.kiosk_id, events)).encode()
    try:
        return 200, ingest.push(kiosk.id, ingest.parse_batch(body, kiosk.kiosk_id), time.time())
    except Refusal as r:
        return r.status, r.reply


def held(kiosk: Kiosk) -> list[tuple[int, str]]:
    return [
        (seq, str(e).replace("-", ""))
        for seq, e in Event.select(Event.seq, Event.event_id)
        .where(Event.kiosk == kiosk.id)
        .order_by(Event.seq)
        .tuples()
    ]


def expected(facts: list[dict], upto: int) -> list[tuple[int, str]]:
    return [(f["seq"], f["event_id"].replace("-", "")) for f in facts[:upto]]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plan=batches)
def test_batches_in_any_order_store_each_fact_once_and_acked_seq_never_moves_back(store, kiosk, plan):
    this = admin.add_kiosk(SITE, "F3")  # a kiosk of its own for each example
    facts = [fact(seq) for seq in range(1, FACTS + 1)]
    acked = 0
    for first, length, forged in plan + [(1, FACTS, False)]:  # … and finally the whole outbox, in order
        last = min(FACTS, first + length - 1)
        forged = forged and first <= acked  # only a seq the bureau holds can be forged
        status, reply = send(this, facts, first, length, forged)
        if first > acked + 1:
            assert (status, reply) == (409, {"error": "gap", "acked_seq": acked})
        elif forged:
            assert (status, reply) == (409, {"error": "epoch_conflict", "acked_seq": acked})
        else:
            assert status == 200, reply
            assert reply["inserted"] == max(0, last - acked) and reply["acked_seq"] == max(acked, last)
            assert reply["inserted"] + reply["duplicates"] == last - first + 1
            acked = reply["acked_seq"]
        assert Kiosk.get_by_id(this.id).acked_seq == acked
        assert held(this) == expected(facts, acked)
    assert acked == FACTS


def test_batches_over_http_replayed_and_out_of_order(client, kiosk):
    """The same over HTTP: a later batch first is a 409 gap; a replay of a batch is all duplicates."""
    facts = [fact(seq) for seq in range(1, 16)]
    parts = [facts[0:5], facts[5:10], facts[10:15]]
    replies = [client.push(batch(kiosk.kiosk_id, parts[i])) for i in (1, 0, 0, 2, 1, 2, 1)]
    assert [(r.status_code, r.json().get("acked_seq")) for r in replies] == [
        (409, 0),
        (200, 5),
        (200, 5),
        (409, 5),
        (200, 10),
        (200, 15),
        (200, 15),
    ]
    assert [r.json().get("inserted") for r in replies] == [None, 5, 0, None, 5, 5, 0]
    assert held(kiosk) == expected(facts, 15)
    overlap = client.push(batch(kiosk.kiosk_id, facts[3:12]))
    assert overlap.status_code == 200 and overlap.json()["duplicates"] == 9


@pytest.fixture
def kiosk_here(tmp_path, server, kiosk):
    """This process as the kiosk, pushing straight to the bureau in batches of 5."""
    settings = open_kiosk(tmp_path, kiosk, server.url, batch=5)
    yield settings
    kiosk_db.close()


def test_two_sync_threads_on_one_kiosk_db_lose_and_double_nothing(kiosk_here, kiosk):
    """Two sync threads by mistake, and the check-in writing meanwhile: every fact once."""
    now = datetime(2026, 11, 21, 11, 0)
    written = write_facts(150, now)
    errors, done = [], threading.Event()

    def sync() -> None:
        bureau = Bureau(kiosk_here)
        try:
            while not done.is_set() or backlog():
                push_all(bureau, 5)
        except Exception as e:  # reported below: an exception in a thread would be lost
            errors.append(e)
        finally:
            bureau.close()
            kiosk_db.close()

    threads = [threading.Thread(target=sync) for _ in range(2)]
    for t in threads:
        t.start()
    for _ in range(30):
        written += write_facts(5, now)
    done.set()
    for t in threads:
        t.join(timeout=60)
    assert not errors and not any(t.is_alive() for t in threads)
    bureau = Bureau(kiosk_here)
    try:
        push_all(bureau, 5)  # a clean sync: whatever a thread left behind
    finally:
        bureau.close()
    assert backlog() == 0
    check_i1(written, kiosk.kiosk_id)
    check_i2(kiosk.kiosk_id, kiosk_here.kiosk.data_dir)
