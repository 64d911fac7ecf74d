"""kiosk.db across an update, with sqlite3 alone (no peewee: the updater runs with Debian's python3):
an online copy through SQLite's backup API before the switch, checked with integrity_check, and its
restore when the trial is rolled back — the kiosk stopped, the database it leaves kept aside.

The updater runs as root and the kiosk as yinling: every file it leaves in the data folder gets
kiosk.db's owner, or the kiosk could no longer open its own -wal and -shm."""

import os
import shutil
import sqlite3
from datetime import datetime
from pathlib import Path

from kiosk.release.state import sync_folder

SIDECARS = ("-wal", "-shm")


class DatabaseError(Exception):
    """A backup or restore that did not happen; str() says why."""


def backup(database: Path, target: Path) -> Path:
    """A checked copy of the live `database` at `target` (mode 0600)."""
    owner = database.stat()
    before = {s for s in SIDECARS if Path(f"{database}{s}").exists()}
    part = target.with_name(target.name + ".part")
    part.unlink(missing_ok=True)
    os.close(os.open(part, os.O_WRONLY | os.O_CREAT, 0o600))
    source = sqlite3.connect(database)
    try:
        copy = sqlite3.connect(part)
        try:
            source.backup(copy)
            copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
        finally:
            copy.close()
    except sqlite3.Error as e:
        part.unlink(missing_ok=True)
        raise DatabaseError(f"{database}: no backup ({e})") from e
    finally:
        source.close()
        for suffix in set(SIDECARS) - before:  # made by this connection: the kiosk's, not root's
            _give(Path(f"{database}{suffix}"), owner)
    _check(part)
    os.replace(part, target)
    sync_folder(target.parent)
    return target


def restore(backup_file: Path, database: Path, now: datetime) -> Path:
    """Put `backup_file` in place of `database` (the kiosk not running): the database there before,
    with its -wal and -shm, moves to a folder beside it, whose path is returned."""
    _check(backup_file)
    owner = database.parent.stat()
    incoming = database.with_name(database.name + ".restoring")
    shutil.copyfile(backup_file, incoming)
    with incoming.open("rb+") as f:
        os.fsync(f.fileno())
    _give(incoming, owner)
    aside = database.parent / f"before-rollback-{now:%Y%m%d-%H%M%S}"
    aside.mkdir(mode=0o700, exist_ok=True)
    _give(aside, owner)
    for part in (database, *(Path(f"{database}{s}") for s in SIDECARS)):
        if part.exists():  # the old -wal must never be read into the restored database
            part.rename(aside / part.name)
    os.replace(incoming, database)
    sync_folder(database.parent)
    return aside


def _check(path: Path) -> None:
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            found = connection.execute("PRAGMA integrity_check").fetchone()
        finally:
            connection.close()
    except sqlite3.Error as e:
        raise DatabaseError(f"{path}: {e}") from e
    if found != ("ok",):
        raise DatabaseError(f"{path}: integrity_check says {found}")


def _give(path: Path, owner: os.stat_result) -> None:
    if path.exists():
        os.chown(path, owner.st_uid, owner.st_gid)
        os.chmod(path, 0o700 if path.is_dir() else 0o600)
