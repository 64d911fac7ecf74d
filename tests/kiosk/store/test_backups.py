"""Backups of kiosk.db: an online copy checked before it counts, kept 7 daily and 4 weekly (by the
copies' own times: an injected clock names them), a second folder, and a restore that keeps what
it replaces."""

import sqlite3
import stat
import threading
from contextlib import closing
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

from kiosk.store import backups, integrity
from kiosk.store.db import write
from kiosk.store.models import Member
from tests.kiosk.builders import ID_WANG

MONDAY = datetime(2027, 3, 1, 3, 30)  # 2027-03-01 is a Monday


def with_backup(settings, **values) -> SimpleNamespace:
    """`settings` with some backup.* values changed."""
    return SimpleNamespace(**{**vars(settings), "backup": SimpleNamespace(**{**vars(settings.backup), **values})})


def members(path: Path) -> list[str]:
    with closing(sqlite3.connect(path)) as conn:
        return [r[0] for r in conn.execute("SELECT member_no FROM member ORDER BY member_no")]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_backup_is_a_checked_private_copy_of_the_live_database(settings, world):
    world.member("DM9001", "王建华", ID_WANG)
    made = backups.make(settings, MONDAY)
    assert made == [Path(settings.backup.folder) / "kiosk-20270301-033000.db"]
    copy = made[0]
    assert members(copy) == ["DM9001"]
    assert integrity.problem(copy, "integrity_check") == ""
    assert mode(copy) == 0o600 and mode(copy.parent) == 0o700
    assert not Path(f"{copy}-wal").exists()  # one self-contained file
    assert [p.name for p in copy.parent.iterdir()] == [copy.name]  # no .part left behind


def test_a_backup_taken_while_another_thread_writes_holds_whole_transactions(settings, world):
    stop, started = threading.Event(), threading.Event()

    def writer():
        n = 0
        while not stop.is_set():
            n += 1
            with write():  # two rows a transaction: a copy holds both or neither
                world.member(f"A{n:05d}")
                world.member(f"B{n:05d}")
            started.set()

    thread = threading.Thread(target=writer)
    thread.start()
    started.wait()
    try:
        copies = [backups.make(settings, MONDAY + timedelta(days=i))[0] for i in range(5)]  # 5 days: all kept
    finally:
        stop.set()
        thread.join()
    for copy in copies:
        found = members(copy)
        assert found
        assert {no[1:] for no in found if no[0] == "A"} == {no[1:] for no in found if no[0] == "B"}


def test_rotation_keeps_the_newest_of_7_days_and_of_4_weeks(settings, database):
    start = MONDAY - timedelta(days=59)
    for day in range(60):  # two backups a day for 60 days, the clock moved by hand
        for hour in (3, 15):
            backups.make(settings, start + timedelta(days=day, hours=hour - 3))
    kept = [b.taken for b in backups.listed(Path(settings.backup.folder))]
    last = MONDAY + timedelta(hours=12)  # 2027-03-01 15:30, the newest
    days = [last - timedelta(days=d) for d in range(7)]  # Mar 1 back to Feb 23, each day's newest
    # Weeks' newest: this week's is Mar 1 (already a day); the Sundays before end the others.
    sundays = [datetime(2027, 2, 28, 15, 30), datetime(2027, 2, 21, 15, 30), datetime(2027, 2, 14, 15, 30)]
    assert kept == sorted(set(days + sundays), reverse=True)


def test_kept_by_the_rule_alone():
    def b(text):
        return backups.Backup(Path(text), datetime.fromisoformat(text))

    # Only three days have backups, two of them in one week: each day's newest, each week's newest.
    found = [b("2027-03-03T10:00"), b("2027-03-03T03:00"), b("2027-03-02T03:00"), b("2027-02-20T03:00")]
    assert backups.kept(found, daily=7, weekly=4) == {
        Path("2027-03-03T10:00"),
        Path("2027-03-02T03:00"),
        Path("2027-02-20T03:00"),
    }
    assert backups.kept(found, daily=1, weekly=0) == {Path("2027-03-03T10:00")}
    assert backups.kept(found, daily=1, weekly=2) == {Path("2027-03-03T10:00"), Path("2027-02-20T03:00")}


def test_a_second_folder_gets_a_checked_copy_and_its_own_rotation(settings, world, tmp_path):
    stick = tmp_path / "usb" / "yinling"
    stick.mkdir(parents=True)
    both = with_backup(settings, second_folder=str(stick), keep_daily=2, keep_weekly=0)
    world.member("DM9001")
    for day in range(4):
        made = backups.make(both, MONDAY + timedelta(days=day))
        assert [p.parent for p in made] == [Path(settings.backup.folder), stick]
    for folder in (Path(settings.backup.folder), stick):
        assert [b.taken.day for b in backups.listed(folder)] == [4, 3]
    copy = stick / "kiosk-20270304-033000.db"
    assert members(copy) == ["DM9001"] and mode(copy) == 0o600


def test_a_missing_second_folder_costs_only_its_copy_and_is_never_made(settings, database, tmp_path):
    stick = tmp_path / "media" / "usb"  # not plugged in: nothing mounted there
    made = backups.make(with_backup(settings, second_folder=str(stick)), MONDAY)
    assert [p.parent for p in made] == [Path(settings.backup.folder)]
    assert not stick.exists()


def test_newest_good_skips_a_damaged_backup(settings, database):
    older, newer = (backups.make(settings, MONDAY + timedelta(days=d))[0] for d in range(2))
    assert backups.newest_good(settings).path == newer
    with newer.open("r+b") as f:
        f.truncate(newer.stat().st_size // 2)
    assert backups.newest_good(settings).path == older


def test_restore_puts_the_backup_in_place_and_keeps_the_old_database_aside(settings, world):
    world.member("DM9001")
    copy = backups.make(settings, MONDAY)[0]
    world.member("DM9002")  # written after the backup: in the database set aside, with its -wal
    database = backups.database_path(settings)
    before = members(database)
    Member._meta.database.close()
    aside = backups.restore(settings, copy, MONDAY + timedelta(hours=1))
    assert members(database) == ["DM9001"]
    assert aside == database.parent / "before-restore-20270301-043000"
    assert members(aside / "kiosk.db") == before == ["DM9001", "DM9002"]
    assert not Path(f"{database}-wal").exists()  # the old -wal is never read into the restored copy
    assert mode(database) == 0o600 and mode(aside) == 0o700


@pytest.mark.parametrize("damage", ["truncate", "header", "empty", "not_kiosk"])
def test_restore_refuses_a_bad_backup_and_changes_nothing(settings, world, tmp_path, damage):
    world.member("DM9001")
    copy = backups.make(settings, MONDAY)[0]
    if damage == "truncate":
        with copy.open("r+b") as f:
            f.truncate(copy.stat().st_size // 2)
    elif damage == "header":
        with copy.open("r+b") as f:
            f.write(b"\0" * 100)
    elif damage == "empty":
        copy.write_bytes(b"")
    else:
        copy = tmp_path / "other.db"
        with closing(sqlite3.connect(copy)) as conn:
            conn.execute("CREATE TABLE t (x)")
    database = backups.database_path(settings)
    content = database.read_bytes()
    with pytest.raises(backups.BackupError, match=str(copy)):
        backups.restore(settings, copy, MONDAY)
    assert database.read_bytes() == content
    assert not list(database.parent.glob("before-restore-*"))
