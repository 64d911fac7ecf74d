"""The outbox: gap-free sequence numbers and unique, time-ordered UUIDv7 event ids."""

import json
import time
import uuid
from datetime import datetime, timedelta

import pytest

from contract.facts import SCHEMA_V
from kiosk.checkin.signin import CheckIn
from kiosk.store import facts
from kiosk.store.db import write
from kiosk.store.models import Outbox, SignIn
from tests.kiosk.builders import LESSON_START


def test_new_event_ids_are_uuid7_unique_and_time_ordered():
    before_ms = time.time_ns() // 1_000_000
    # uuid6 keeps ids monotonic by running up to 1 ms ahead per id made within one millisecond,
    # so ids made just before (other tests) may have left its clock a little ahead of ours.
    lead_ms = max(0, (uuid.UUID(facts.new_event_id()).int >> 80) - before_ms)
    made = [facts.new_event_id() for _ in range(2000)]
    after_ms = time.time_ns() // 1_000_000
    parsed = [uuid.UUID(x) for x in made]
    assert all(u.version == 7 for u in parsed)
    assert len(set(made)) == len(made)
    assert made == sorted(made)  # string order is time order
    stamps = [u.int >> 80 for u in parsed]
    assert stamps == sorted(stamps)
    assert before_ms <= stamps[0] and stamps[-1] <= after_ms + len(made) + lead_ms + 1


def test_record_appends_with_seq_1_to_n(database):
    now = datetime(2025, 3, 10, 9, 0)
    with write():
        seqs = [facts.record("signin", facts.new_event_id(), {"n": n, "title": "太极拳"}, now) for n in range(5)]
    assert seqs == [1, 2, 3, 4, 5]
    rows = list(Outbox.select().order_by(Outbox.seq))
    assert [r.seq for r in rows] == seqs
    assert all(r.state == "pending" and r.schema_v == SCHEMA_V for r in rows)
    assert rows[0].wall_ms == int(now.timestamp() * 1000)
    assert json.loads(rows[2].payload) == {"n": 2, "title": "太极拳"}
    assert "太极拳" in rows[2].payload  # stored readable, not \\u-escaped


def test_a_rolled_back_fact_leaves_no_gap(database):
    now = datetime(2025, 3, 10, 9, 0)
    with write():
        facts.record("signin", facts.new_event_id(), {}, now)
    with pytest.raises(RuntimeError):
        with write():
            assert facts.record("signin", facts.new_event_id(), {}, now) == 2
            raise RuntimeError("power cut")
    with write():
        assert facts.record("signin", facts.new_event_id(), {}, now) == 2
    assert [r.seq for r in Outbox.select().order_by(Outbox.seq)] == [1, 2]


def test_many_check_ins_give_gap_free_seq_and_time_ordered_ids(world, settings):
    course = world.course("八段锦班")
    members = [world.member(f"DM{n:04d}", "张建国") for n in range(1, 31)]
    for m in members:
        world.enroll(m, course)
    world.lesson(course, LESSON_START)
    checkin = CheckIn(settings)
    for n, m in enumerate(members):
        assert checkin.handle(world.qr(m), LESSON_START + timedelta(seconds=n)).kind == "ok"
    rows = list(Outbox.select().order_by(Outbox.seq))
    assert [r.seq for r in rows] == list(range(1, len(rows) + 1))
    assert len(rows) == 60
    ids = [r.event_id for r in rows]
    assert len(set(ids)) == len(ids) and ids == sorted(ids)
    assert {r.event_id for r in rows if r.kind == "signin"} == {s.event_id for s in SignIn.select()}


def test_a_kind_the_bureau_does_not_take_is_refused_and_writes_nothing(database):
    with pytest.raises(ValueError, match="not a kind of fact"), write():
        facts.record("no_such_kind", facts.new_event_id(), {}, datetime(2026, 11, 21, 9, 0))
    assert Outbox.select().count() == 0
