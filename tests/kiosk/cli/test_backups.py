"""python main.py backup | restore FILE | check, and a start on a damaged kiosk.db, run as an
operator runs them: a separate process, exit code, stdout and stderr."""

import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from contextlib import closing
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from kiosk.i18n import t
from tools.checkout import ROOT, run_kiosk

from ..conftest import write_site_file

PIN = "73915482"


@pytest.fixture
def site(tmp_path) -> tuple[Path, Path]:
    """A site file without demo data, a data folder with one admin in it."""
    config, data = write_site_file(tmp_path), tmp_path / "data"
    added = run_kiosk("--config", config, "--data-dir", data, "staff", "add", "--name", "李主任", "--role", "admin",
                      "--pin-stdin", stdin=PIN + "\n")  # fmt: skip
    assert added.returncode == 0, added.stderr
    return config, data


def kiosk(site, *args, stdin: str | None = None) -> subprocess.CompletedProcess:
    config, data = site
    return run_kiosk("--config", config, "--data-dir", data, *args, stdin=stdin)


def ok(result) -> list[str]:
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    return result.stdout.splitlines()


def staff_names(site) -> list[str]:
    return ok(kiosk(site, "staff", "list"))


def backup(site) -> Path:
    lines = ok(kiosk(site, "backup"))
    assert len(lines) == 1
    path = Path(lines[0].split("：", 1)[1])
    assert lines == [t("backup.made", path=path)] and path.parent == site[1] / "backups"
    return path


def yesterday(copy: Path) -> Path:
    """The backup `copy` as if taken a day earlier (a day keeps only its newest backup)."""
    taken = datetime.strptime(copy.name, "kiosk-%Y%m%d-%H%M%S.db") - timedelta(days=1)
    return copy.rename(copy.with_name(f"kiosk-{taken:%Y%m%d-%H%M%S}.db"))


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_backup_check_and_restore(site):
    copy = backup(site)
    assert ok(kiosk(site, "staff", "add", "--name", "王干事", "--pin-stdin", stdin=PIN + "\n"))
    assert len(staff_names(site)) == 2
    lines = ok(kiosk(site, "check"))
    assert lines[0] == t("backup.db_ok", file=site[1] / "kiosk.db")
    assert lines[1] == t("backup.folder", folder=site[1] / "backups", count=1)
    assert copy.name in lines[2] and lines[2].endswith("ok")

    lines = ok(kiosk(site, "restore", copy))
    assert lines[0] == t("backup.restored", file=copy, db=site[1] / "kiosk.db")
    aside = next(site[1].glob("before-restore-*"))
    assert lines[1] == t("backup.aside", folder=aside)
    assert len(staff_names(site)) == 1  # as it was when the copy was taken
    with closing(sqlite3.connect(aside / "kiosk.db")) as conn:  # the replaced one is kept whole
        assert conn.execute("SELECT count(*) FROM staff").fetchone() == (2,)


def test_restore_of_a_missing_file_changes_nothing(site, tmp_path):
    before = (site[1] / "kiosk.db").read_bytes()
    result = kiosk(site, "restore", tmp_path / "nothing.db")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        t("backup.restore_failed", error=t("backup.no_file", file=tmp_path / "nothing.db"))
    ]
    assert (site[1] / "kiosk.db").read_bytes() == before


def test_backup_to_a_second_folder(tmp_path):
    stick = tmp_path / "usb"
    stick.mkdir()
    config = write_site_file(tmp_path, f'[backup]\nsecond_folder = "{stick}"\n')
    data = tmp_path / "data"
    lines = ok(run_kiosk("--config", config, "--data-dir", data, "backup"))
    copies = [Path(line.split("：", 1)[1]) for line in lines]
    assert [c.parent for c in copies] == [data / "backups", stick]
    assert copies[0].read_bytes() == copies[1].read_bytes()

    shutil.rmtree(stick)  # the stick is pulled out: the first copy is still made, the operator is told
    result = run_kiosk("--config", config, "--data-dir", data, "backup")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert len(result.stdout.splitlines()) == 1
    assert result.stderr.splitlines() == [t("backup.second_missed", folder=stick)]
    assert not stick.exists()


def damage(path: Path, how: str) -> None:
    if how == "truncated":
        with path.open("r+b") as f:
            f.truncate(path.stat().st_size // 2)
    elif how == "header":
        with path.open("r+b") as f:
            f.write(os.urandom(100))
    else:
        path.write_bytes(b"")


REASONS = {"truncated": "store.truncated", "header": "store.not_sqlite", "empty": "store.empty_file"}


@pytest.mark.parametrize(
    "how, command",
    [(how, ("staff", "list")) for how in REASONS] + [("empty", ("run",)), ("header", ())],
    ids=[*REASONS, "empty-run", "header-no command"],
)
def test_a_damaged_database_stops_with_one_message_naming_the_newest_good_backup(site, how, command):
    config, data = site
    older = yesterday(backup(site))
    newest = backup(site)
    damage(newest, "truncated")  # the newest backup went bad too: the one before is named
    db = data / "kiosk.db"
    damage(db, how)
    left = db.read_bytes()
    result = kiosk(site, *command)
    assert result.returncode == 3
    assert "Traceback" not in result.stderr + result.stdout and result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith(t("store.damaged", file=db, reason="X", then="").split("X")[0])
    assert t(REASONS[how]).split("{")[0][:6] in line
    restore = f"yinling-kiosk --config {config} --data-dir {data} restore {older}"
    taken = f"{datetime.strptime(older.name, 'kiosk-%Y%m%d-%H%M%S.db'):%Y-%m-%d %H:%M}"
    assert line.endswith(t("store.restore_hint", backup=older, taken=taken, command=restore))
    assert db.read_bytes() == left  # never taken for a fresh database
    assert line in (data / "logs" / "kiosk.log").read_text(encoding="utf-8")


def test_a_zero_length_database_without_backups_says_there_is_none(site):
    config, data = site
    db = data / "kiosk.db"
    db.write_bytes(b"")
    result = kiosk(site, "staff", "list")
    assert result.returncode == 3 and result.stdout == ""
    assert result.stderr.splitlines() == [
        t("store.damaged", file=db, reason=t("store.empty_file"), then=t("store.no_backup", folders=data / "backups"))
    ]
    assert db.stat().st_size == 0


def test_check_finds_the_damage_and_restore_mends_it(site):
    copy = backup(site)
    damage(site[1] / "kiosk.db", "header")
    result = kiosk(site, "check")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stdout.splitlines()[0] == t(
        "backup.db_damaged", file=site[1] / "kiosk.db", reason=t("store.not_sqlite")
    )
    ok(kiosk(site, "restore", copy))
    assert ok(kiosk(site, "check"))[0] == t("backup.db_ok", file=site[1] / "kiosk.db")
    assert len(staff_names(site)) == 1


def test_databases_backups_logs_and_exports_are_private(tmp_path):
    old = os.umask(0o022)  # the kiosk sets its own, whatever it inherits
    try:
        data = tmp_path / "data"
        config = write_site_file(tmp_path)
        ok(run_kiosk("--config", config, "--data-dir", data, "staff", "list"))
        copy = Path(ok(run_kiosk("--config", config, "--data-dir", data, "backup"))[0].split("：", 1)[1])
        usb = tmp_path / "usb"
        usb.mkdir()
        export = ok(
            run_kiosk("--config", config, "--data-dir", data, "export", "points", "--format", "csv", "--out", usb)
        )
    finally:
        os.umask(old)
    for path in (data / "kiosk.db", copy, data / "logs" / "kiosk.log", Path(export[1])):
        assert mode(path) == 0o600, path
    for folder in (data, data / "backups", data / "logs"):
        assert mode(folder) == 0o700, folder


def test_a_database_made_before_files_were_private_becomes_private(site):
    db = site[1] / "kiosk.db"
    db.chmod(0o644)
    staff_names(site)
    assert mode(db) == 0o600


def test_a_backup_folder_that_cannot_be_made_is_one_message(tmp_path):
    (tmp_path / "taken").write_text("a file where the folder should be")
    config = write_site_file(tmp_path, f'[backup]\nfolder = "{tmp_path / "taken"}"\n')
    result = run_kiosk("--config", config, "--data-dir", tmp_path / "data", "backup")
    assert result.returncode == 1 and result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith(t("backup.failed", error=tmp_path / "taken"))


def test_a_site_file_others_can_read_is_warned_of_in_the_log(tmp_path):
    config, data = write_site_file(tmp_path), tmp_path / "data"
    config.chmod(0o644)
    ok(run_kiosk("--config", config, "--data-dir", data, "staff", "list"))
    warning = f"{config} can be read by other users"
    assert warning in (data / "logs" / "kiosk.log").read_text(encoding="utf-8")
    for private in (0o600, 0o640):  # 0640: root:yinling on a kiosk box, the kiosk's group reads it
        config.chmod(private)
        (data / "logs" / "kiosk.log").unlink()
        ok(run_kiosk("--config", config, "--data-dir", data, "staff", "list"))
        assert warning not in (data / "logs" / "kiosk.log").read_text(encoding="utf-8")


HOLD = """
import argparse, sys
from kiosk import boot
boot.start(argparse.Namespace(config=sys.argv[1], data_dir=sys.argv[2], command=None))
print("running", flush=True)
sys.stdin.read()
"""


def test_restore_refuses_while_the_kiosk_runs(site):
    copy = backup(site)
    config, data = site
    # The kiosk's start-up (kiosk.boot) without its screens, in a process that lives until its stdin closes.
    kiosk_app = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(config), str(data)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert kiosk_app.stdout.readline() == "running\n"
        before = (data / "kiosk.db").read_bytes()
        refused = kiosk(site, "restore", copy)
        assert refused.returncode == 1
        assert refused.stderr.splitlines() == [t("backup.restore_failed", error=t("backup.kiosk_running"))]
        assert (data / "kiosk.db").read_bytes() == before
    finally:
        kiosk_app.stdin.close()
        kiosk_app.wait(30)
    ok(kiosk(site, "restore", copy))  # stopped: now it may
