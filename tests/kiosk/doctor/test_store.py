"""kiosk/doctor/store.py on real files: a sound kiosk.db and a corrupt one, backups recent and old,
free space above and below storage.low_free_mb."""

import shutil
from datetime import datetime, timedelta
from pathlib import Path

from kiosk.doctor import store
from kiosk.i18n import t
from kiosk.store import backups
from kiosk.store.db import db


def test_a_sound_database(settings, database):
    found = store.database(settings)
    assert found.state == "ok" and str(backups.database_path(settings)) in found.detail


def test_a_corrupt_database_fails_and_names_the_backup_to_restore(settings, database):
    backup = backups.make(settings, datetime(2026, 12, 1, 3, 30))[0]
    db.close()
    path = backups.database_path(settings)
    with path.open("r+b") as f:  # pages after the header overwritten, as a failing disk leaves them
        f.seek(4096)
        f.write(b"\xff" * 8192)
    found = store.database(settings)
    assert found.state == "fail" and t("doctor.database.damaged", file=path, reason="")[:-1] in found.detail
    assert f"restore {backup}" in found.fix and "2026-12-01 03:30" in found.fix


def test_no_database_yet(settings):
    assert store.database(settings).state == "warn"


def test_backups_recent_old_and_missing(settings, database):
    now = datetime(2026, 12, 6, 10, 0)
    none = store.backup(settings, now)
    assert none.state == "fail" and none.detail == t("doctor.backup.none", folder=settings.backup.folder)
    backups.make(settings, now - timedelta(days=3))
    old = store.backup(settings, now)
    assert old.state == "fail" and "已经 3 天没有备份" in old.detail and "03:30" in old.fix
    backups.make(settings, now - timedelta(hours=6))
    assert store.backup(settings, now).state == "ok"


def test_a_second_folder_without_a_recent_copy_is_a_warning(settings, database, tmp_path):
    now = datetime(2026, 12, 6, 10, 0)
    backups.make(settings, now - timedelta(hours=6))
    settings.backup.second_folder = str(tmp_path / "usb")  # the stick is not plugged in
    found = store.backup(settings, now)
    assert found.state == "warn" and found.fix == t("doctor.backup.second_fix")


def test_free_space_below_the_threshold_fails(settings, database):
    assert store.free_space(settings).state == "ok"
    settings.storage.low_free_mb = shutil.disk_usage(settings.kiosk.data_dir).free // 2**20 + 1
    low = store.free_space(settings)
    assert low.state == "fail" and low.fix == t("doctor.space.fix") and "存储空间不足" in low.detail


def test_a_data_dir_that_is_not_there(settings):
    settings.kiosk.data_dir = str(Path(settings.kiosk.data_dir) / "nowhere")
    assert store.free_space(settings).state == "fail"
