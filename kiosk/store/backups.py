"""Backups of kiosk.db (docs/design.md §5.1): an online copy through SQLite's backup API, checked
with integrity_check before it counts, into backup.folder and, when set, backup.second_folder (a
USB stick); kept backup.keep_daily days and backup.keep_weekly weeks.  A restore puts a checked
copy in place of kiosk.db and keeps what was there aside."""

import fcntl
import logging
import os
import re
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

from kiosk import causes
from kiosk.i18n import t
from kiosk.store import integrity

log = logging.getLogger(__name__)

DB_NAME = "kiosk.db"
LOCK_NAME = "kiosk.lock"  # held (shared) by each running kiosk, taken alone by a restore
_claimed: list[int] = []  # this running kiosk's hold on it, kept open until the process ends
_NAME = re.compile(r"kiosk-(\d{8}-\d{6})\.db")
_STAMP = "%Y%m%d-%H%M%S"


class BackupError(Exception):
    """A backup or restore that did not happen; str() says why, for the operator."""


@dataclass(frozen=True)
class Backup:
    path: Path
    taken: datetime  # when the copy was made, from its name


def database_path(settings: SimpleNamespace) -> Path:
    return Path(settings.kiosk.data_dir) / DB_NAME


def folders(settings: SimpleNamespace) -> list[Path]:
    """Where backups go: backup.folder, then backup.second_folder when one is set."""
    b = settings.backup
    return [Path(b.folder)] + ([Path(b.second_folder)] if b.second_folder else [])


def listed(folder: Path) -> list[Backup]:
    """The backups in `folder`, newest first (none when it is not there, a stick not plugged in)."""
    found = []
    try:
        names = [p for p in folder.iterdir() if _NAME.fullmatch(p.name)]
    except OSError:
        return []
    for path in names:
        match = _NAME.fullmatch(path.name)
        assert match is not None
        found.append(Backup(path, datetime.strptime(match.group(1), _STAMP)))
    return sorted(found, key=lambda b: b.taken, reverse=True)


def newest_good(settings: SimpleNamespace) -> Backup | None:
    """The newest backup in any folder that passes quick_check."""
    every = sorted((b for f in folders(settings) for b in listed(f)), key=lambda b: b.taken, reverse=True)
    return next((b for b in every if not integrity.problem(b.path)), None)


def make(settings: SimpleNamespace, now: datetime) -> list[Path]:
    """Copy kiosk.db into each backup folder and rotate each: the copies made.  Raises BackupError
    when the first folder's copy failed; a second folder that is missing (no stick) or full only
    costs its copy, logged."""
    b = settings.backup
    first = Path(b.folder)
    try:
        first.mkdir(mode=0o700, parents=True, exist_ok=True)
        made = [_copy_online(database_path(settings), first / f"kiosk-{now:{_STAMP}}.db")]
        rotate(first, b.keep_daily, b.keep_weekly)
    except OSError as e:  # the folder cannot be made or written: full, read-only, a file there
        raise BackupError(f"{first}: {_reason(e)}") from e
    if b.second_folder:
        second = Path(b.second_folder)
        try:
            if not second.is_dir():  # never make the folder: under /media that would be the kiosk's own disk
                raise BackupError(t("backup.no_second_folder", folder=second))
            made.append(_copy_checked(made[0], second / made[0].name))
            rotate(second, b.keep_daily, b.keep_weekly)
        except (OSError, BackupError) as e:
            log.warning("the second backup folder got no copy: %s", e)
    log.info("backup made: %s", ", ".join(map(str, made)))
    return made


def kept(backups: list[Backup], daily: int, weekly: int) -> set[Path]:
    """The newest backup of each of the `daily` newest days that have one, and of each of the
    `weekly` newest ISO weeks that have one (as restic's --keep-daily / --keep-weekly)."""
    keep: set[Path] = set()
    for key, count in ((lambda d: d, daily), (lambda d: d.isocalendar()[:2], weekly)):
        seen: set = set()
        for backup in backups:  # newest first
            period = key(backup.taken.date())
            if period not in seen and len(seen) < count:
                seen.add(period)
                keep.add(backup.path)
    return keep


def rotate(folder: Path, daily: int, weekly: int) -> list[Path]:
    """Delete the backups in `folder` that kept() does not keep: those deleted."""
    backups = listed(folder)
    keep = kept(backups, daily, weekly)
    gone = [b.path for b in backups if b.path not in keep]
    for path in gone:
        path.unlink()
    if gone:
        log.info("old backups removed: %s", ", ".join(p.name for p in gone))
    return gone


def restore(settings: SimpleNamespace, source: Path, now: datetime) -> Path | None:
    """Put the backup `source` in place of kiosk.db (the kiosk must not be running): it is checked
    first; the kiosk.db there before, with its -wal and -shm, moves to a folder beside it, whose
    path is returned (None when there was none)."""
    if not source.is_file():
        raise BackupError(t("backup.no_file", file=source))
    problem = integrity.problem(source, "integrity_check") or _not_a_kiosk_db(source)
    if problem:
        raise BackupError(f"{source}: {problem}")
    target = database_path(settings)
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    lock = os.open(target.with_name(LOCK_NAME), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BackupError(t("backup.kiosk_running")) from None
        return _replace(target, source, now)
    finally:
        os.close(lock)


def claim(settings: SimpleNamespace) -> None:
    """Mark this process as a running kiosk for as long as it runs: a restore refuses meanwhile (it
    would pull kiosk.db from under the kiosk, whose writes would then go nowhere)."""
    lock = os.open(database_path(settings).with_name(LOCK_NAME), os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(lock, fcntl.LOCK_SH)  # waits while a restore runs
    _claimed.append(lock)


def kiosk_running(settings: SimpleNamespace) -> bool:
    """Whether a kiosk runs on this data dir (it holds its claim): asked without making a file."""
    try:
        lock = os.open(database_path(settings).with_name(LOCK_NAME), os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(lock)  # closing lets go of a lock taken here
    return False


def _replace(target: Path, source: Path, now: datetime) -> Path | None:
    incoming = _copy_checked(source, target.with_name(f"{DB_NAME}.restoring"))
    aside = None
    parts = [p for p in (target, *integrity.sidecars(target)) if p.exists()]
    if parts:
        aside = target.parent / f"before-restore-{now:{_STAMP}}"
        aside.mkdir(mode=0o700)
        for part in parts:  # the old -wal must never be read into the restored database
            part.rename(aside / part.name)
    incoming.rename(target)
    _sync_folder(target.parent)
    log.warning("kiosk.db restored from %s%s", source, f"; the one before is in {aside}" if aside else "")
    return aside


def _not_a_kiosk_db(path: Path) -> str:
    connection = integrity.read_only(path)
    try:
        found = connection.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'outbox'").fetchone()
    finally:
        connection.close()
    return "" if found else t("backup.not_kiosk_db")


def _copy_online(database: Path, target: Path) -> Path:
    """A consistent copy of the live database (writers go on meanwhile), checked before it counts."""
    part = target.with_name(target.name + ".part")
    source = sqlite3.connect(database)
    try:
        copy = sqlite3.connect(_new_private(part))
        try:
            source.backup(copy)
            copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, no -wal beside it
        finally:
            copy.close()
    except sqlite3.Error as e:
        part.unlink(missing_ok=True)
        raise BackupError(f"{target}: {_reason(e)}") from e
    finally:
        source.close()
    return _finish(part, target)


def _copy_checked(source: Path, target: Path) -> Path:
    """A byte copy of a backup file, checked where it landed (a USB stick may write badly)."""
    part = target.with_name(target.name + ".part")
    try:
        with source.open("rb") as src, open(_new_private(part), "wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
    except OSError as e:
        part.unlink(missing_ok=True)
        raise BackupError(f"{target}: {_reason(e)}") from e
    return _finish(part, target)


def _finish(part: Path, target: Path) -> Path:
    problem = integrity.problem(part, "integrity_check")
    if problem:
        part.unlink(missing_ok=True)
        raise BackupError(f"{target}: {problem}")
    with part.open("rb+") as f:
        os.fsync(f.fileno())
    part.rename(target)
    _sync_folder(target.parent)
    return target


def _new_private(path: Path) -> Path:
    """`path` made empty and readable by the owner only, before anything is written to it."""
    path.unlink(missing_ok=True)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    return path


def _sync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _reason(error: BaseException) -> str:
    return t(causes.FULL) if causes.is_full(error) else str(error)
