"""kiosk/doctor/clock.py: the flag file (clock.synced_flag) and the bureau's clock as the sync
stored it in kiosk.db."""

import time

from kiosk.doctor import clock
from kiosk.i18n import t
from kiosk.store.db import write
from kiosk.sync import state


def test_no_sync_file_and_no_bureau_is_a_warning(settings, tmp_path):
    settings.clock.synced_flag = str(tmp_path / "synchronized")
    found = clock.clock(settings)
    assert found.state == "warn" and found.detail == t("doctor.clock.unknown")
    assert found.fix == t("doctor.clock.unsynced_fix")


def test_synchronised(settings, tmp_path):
    (tmp_path / "synchronized").touch()
    settings.clock.synced_flag = str(tmp_path / "synchronized")
    assert clock.clock(settings).state == "ok"


def test_the_bureau_finds_the_clock_five_days_fast(settings, database, tmp_path):
    (tmp_path / "synchronized").touch()  # synchronised to a wrong server: the bureau still tells
    settings.clock.synced_flag = str(tmp_path / "synchronized")
    settings.sync.url = "https://bureau.example.gov.cn"
    with write():
        state.put(clock_offset_ms=-5 * 86_400_000, last_push_ok=time.time())
    found = clock.clock(settings)
    assert found.state == "fail" and found.detail == t("doctor.clock.off_fast", amount=t("device.days", n=5))


def test_not_synchronised_but_the_bureau_agreed(settings, database, tmp_path):
    settings.clock.synced_flag = str(tmp_path / "synchronized")
    settings.sync.url = "https://bureau.example.gov.cn"
    with write():
        state.put(clock_offset_ms=1_200, last_pull_ok=time.time())
    found = clock.clock(settings)
    assert found.state == "warn" and found.detail.startswith("时钟没有联网校准；")
