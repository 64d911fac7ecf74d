"""When the nightly full sync runs, and the checksum this kiosk computes of what it pulled."""

from datetime import datetime, timedelta

from kiosk.store.db import write
from kiosk.sync import nightly, state
from kiosk.sync.apply import Here
from kiosk.sync.pull import apply_page
from kiosk.sync.worker import SyncWorker

from .test_apply import delete, member_data, put


def test_the_next_run_is_today_if_its_time_is_still_to_come_else_tomorrow():
    assert nightly.next_at(datetime(2026, 11, 21, 1, 0), "02:30") == datetime(2026, 11, 21, 2, 30)
    assert nightly.next_at(datetime(2026, 11, 21, 2, 30), "02:30") == datetime(2026, 11, 22, 2, 30)
    assert nightly.next_at(datetime(2026, 12, 31, 23, 0), "02:30") == datetime(2027, 1, 1, 2, 30)


def test_a_kiosk_that_was_off_at_the_time_runs_it_at_start_up_once_a_day_has_passed(settings, database):
    now = datetime(2026, 11, 21, 9, 0)
    worker = SyncWorker(settings)
    assert nightly.overdue(now.timestamp()) and worker._nightly_due(now)  # never ran
    with write():
        state.put(last_nightly_ok=(now - timedelta(hours=23)).timestamp())
    fresh = SyncWorker(settings)
    assert not fresh._nightly_due(now)  # ran last night
    assert fresh.next_nightly == datetime(2026, 11, 22, 2, 30)
    assert fresh._nightly_due(datetime(2026, 11, 22, 2, 30))
    with write():
        state.put(last_nightly_ok=(now - timedelta(hours=25)).timestamp())
    assert SyncWorker(settings)._nightly_due(now)


def test_the_local_checksum_sums_the_crcs_of_what_is_not_deleted_mod_2_to_the_32(settings, database):
    here = Here(settings.site.code, settings.kiosk.id, datetime(2026, 11, 21))
    items = [put(1, "A1", member_data("A1")), put(2, "A2", member_data("A2")), put(3, "A3", member_data("A3"))]
    apply_page(
        "members",
        {"stream": "members", "handle": "h", "items": items + [delete(4, "A2")], "next_after": 4, "more": False},
        here,
    )
    assert nightly.local("members") == (2, (items[0]["crc"] + items[2]["crc"]) % 2**32)
    assert nightly.local("rules") == (0, 0)
