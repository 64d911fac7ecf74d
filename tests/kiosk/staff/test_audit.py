"""The audit trail: one row and one outbox fact per change, read back newest first."""

import json
from datetime import datetime, timedelta

from kiosk.staff import audit
from kiosk.staff.audit import Actor
from kiosk.store.db import write
from kiosk.store.models import Audit, Outbox, Staff

NOW = datetime(2025, 3, 18, 9, 30)


def test_an_entry_is_a_row_and_a_fact_naming_the_staff_member(world, settings):
    staff = Staff.create(name="张老师", role="admin", pin_hash="x", site=world.site)
    with write():
        event_id = audit.record(Actor.of(staff, settings), "card.reissue", "member DM0001", NOW, "遗失", issue=2)
    entry = Audit.get()
    assert (entry.event_id, entry.staff_id, entry.staff_name, entry.action, entry.target, entry.reason) == (
        event_id,
        staff.id,
        "张老师",
        "card.reissue",
        "member DM0001",
        "遗失",
    )
    assert json.loads(entry.detail) == {"issue": 2}
    fact = Outbox.get(Outbox.kind == "audit")
    assert fact.event_id == event_id
    assert json.loads(fact.payload) == {
        "action": "card.reissue",
        "target": "member DM0001",
        "reason": "遗失",
        "detail": {"issue": 2},
        "at": NOW.isoformat(),
        "kiosk_id": settings.kiosk.id,
        "site": settings.site.code,
        "staff": "张老师",
        "staff_id": staff.id,
    }


def test_recent_pages_newest_first_and_count(database, settings):
    cli = Actor.of(None, settings)
    with write():
        for n in range(5):
            audit.record(cli, "export", f"report {n}", NOW + timedelta(minutes=n % 3))
    assert audit.count() == 5
    assert [e.target for e in audit.recent(3)] == ["report 2", "report 4", "report 1"]
    assert [e.target for e in audit.recent(3, 3)] == ["report 3", "report 0"]
    assert {e.staff_name for e in audit.recent()} == {"命令行"}
