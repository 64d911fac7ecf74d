"""The kiosk's sync client against a real bureau on loopback, on both stores: a backlog drained
in one sync with nothing lost or doubled, a poison fact dead-lettered, a kiosk.db restored from
an old copy, a revoked kiosk and an unreachable bureau."""

import json

import pytest

from bureau import admin
from bureau.models import Event, EventReject
from contract.facts import KINDS
from kiosk.store import facts
from kiosk.store.db import write
from kiosk.store.models import Outbox
from kiosk.sync import state
from kiosk.sync.client import Bureau, Unreachable
from kiosk.sync.push import Denied, backlog, push_all

from .conftest import free_port, record_newer_kind
from .faults import back_up, restore


def write_facts(n: int, kind: str = "signin", start: int = 0) -> list[str]:
    ids = []
    with write():
        for i in range(start, start + n):
            ids.append(facts.new_event_id())
            record = facts.record if kind in KINDS else record_newer_kind
            record(kind, ids[-1], signin(f"DM{i:04d}"), _now())
    return ids


def signin(member_no: str) -> dict:
    """A sign-in's payload as the check-in writes it."""
    at = _now().isoformat()
    return {"member_no": member_no, "kind": "lesson", "title": "太极拳", "start": at, "at": at, "site": "DEMO-001"}


def _now():
    from datetime import datetime

    return datetime(2026, 11, 21, 9, 0)


def sync(settings) -> list:
    bureau = Bureau(settings)
    try:
        return push_all(bureau, settings.sync.batch)
    finally:
        bureau.close()


def at_bureau() -> set[str]:
    return {str(e.event_id) for e in Event.select(Event.event_id)}


def test_a_backlog_goes_up_in_one_sync_once_only(settings):
    ids = write_facts(1234)
    pushed = sync(settings)
    assert [p.sent for p in pushed] == [500, 500, 234] and sum(p.inserted for p in pushed) == 1234
    assert at_bureau() == set(ids) and Event.select().count() == 1234
    assert backlog() == 0 and state.get_int("acked_seq") == 1234
    assert {o.state for o in Outbox.select()} == {"acked"}
    assert sync(settings) == []  # nothing left to send
    state.put(acked_seq=0)  # as if every reply had been lost
    again = sync(settings)
    # The bureau holds 1234, but the kiosk takes an acknowledgement only as far as it sent: only
    # sending shows that its seqs are the facts the bureau holds (§5.6).  All duplicates.
    assert [(p.sent, p.inserted, p.duplicates, p.acked_seq) for p in again] == [
        (500, 0, 500, 500),
        (500, 0, 500, 1000),
        (234, 0, 234, 1234),
    ]
    assert Event.select().count() == 1234 and backlog() == 0


def test_a_poison_fact_is_dead_lettered_and_never_blocks_the_rest(settings):
    good = write_facts(3)
    (poison,) = write_facts(1, kind="no_such_kind")
    later = write_facts(2, start=3)
    (pushed,) = sync(settings)
    assert (pushed.inserted, pushed.rejected, pushed.acked_seq) == (5, 1, 6)
    assert at_bureau() == set(good + later)
    assert str(EventReject.get().event_id) == poison
    row = Outbox.get(Outbox.event_id == poison)
    assert (row.state, row.reject_code) == ("rejected", "invalid") and row.reject_reason


def test_a_kiosk_db_restored_from_an_old_copy_loses_nothing_and_doubles_nothing(settings, tmp_path):
    first = write_facts(100)
    sync(settings)
    data = tmp_path / "kiosk-data"
    back_up(data, tmp_path / "old.db")  # a backup, taken now
    second = write_facts(50, start=100)
    sync(settings)
    restore(data, tmp_path / "old.db")  # … after the disk died
    third = write_facts(30, start=150)  # the same seqs 101-130, new facts
    sync(settings)
    assert at_bureau() == set(first + second + third) and Event.select().count() == 180
    assert state.get_int("epoch", 1) == 2 and backlog() == 0
    epochs = {(e.epoch, e.seq) for e in Event.select(Event.epoch, Event.seq).where(Event.event_id.in_(third))}
    assert epochs == {(2, seq) for seq in range(101, 131)}


def test_a_revoked_kiosk_is_told_and_keeps_its_facts(settings, kiosk):
    write_facts(5)
    admin.revoke(kiosk.kiosk_id)
    with pytest.raises(Denied) as e:
        sync(settings)
    assert e.value.code == "revoked"
    assert backlog() == 5 and Event.select().count() == 0


def test_an_unreachable_bureau_changes_nothing(settings):
    write_facts(5)
    settings.sync.url = f"http://127.0.0.1:{free_port()}"  # nobody listens there
    with pytest.raises(Unreachable):
        sync(settings)
    assert backlog() == 5 and state.get_int("acked_seq") == 0
    assert json.loads(Outbox.get().payload)["member_no"] == "DM0000"
