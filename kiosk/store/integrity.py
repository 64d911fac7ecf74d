"""Whether a SQLite file is a sound database: kiosk.db before the kiosk starts on it, a backup before
it is kept or restored."""

import sqlite3
from pathlib import Path

from kiosk.i18n import t

HEADER = b"SQLite format 3\x00"  # the first 16 bytes of every SQLite database file


class Damaged(Exception):
    """`path` is not a sound database; `reason` says why (for staff and the log)."""

    def __init__(self, path: Path, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path, self.reason = path, reason


def problem(path: Path, check: str | None = "quick_check") -> str:
    """What is wrong with the database file at `path` ("" when nothing is).  Without `check`, only
    what costs nothing: the file is there, not empty, starts as SQLite and is as long as its
    header says (a truncated copy is not) — at every start, as quick_check reads every page (1.7 s
    for 300 MB).  "quick_check" also reads every page; "integrity_check" checks every index too."""
    try:
        size = path.stat().st_size
        with path.open("rb") as f:
            header = f.read(100)
    except OSError as e:
        return e.strerror or str(e)
    if size == 0:
        return t("store.empty_file")
    if not header.startswith(HEADER) or len(header) < 100:
        return t("store.not_sqlite")
    expected = _pages(header)
    if size < expected and not _wal_holds_pages(path):
        return t("store.truncated", size=size, expected=expected)
    return _pragma(path, check) if check else ""


def _pages(header: bytes) -> int:
    """The bytes the header says the file holds (0 when the header's count is not current)."""
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    changed, pages, valid_for = (int.from_bytes(header[i : i + 4], "big") for i in (24, 28, 92))
    return pages * page_size if changed == valid_for else 0


def sidecars(path: Path) -> list[Path]:
    """The -wal and -shm files SQLite keeps beside the database at `path`."""
    return [path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]


def _wal_holds_pages(path: Path) -> bool:
    # A crash half-way through a checkpoint may leave the file shorter than its new header says;
    # the -wal still holds those pages and SQLite finishes the checkpoint when it opens the file.
    wal = sidecars(path)[0]
    return wal.exists() and wal.stat().st_size > 0


def read_only(path: Path) -> sqlite3.Connection:
    """A connection that only reads the database at `path` and leaves nothing behind.  SQLite's
    read-only mode makes a WAL database's -wal and -shm when they are not there, as whoever runs
    it: root's `doctor` or `check` would leave files the kiosk's own user cannot open.  With none
    there no connection writes the file, and it is opened immutable instead."""
    busy = any(side.exists() for side in sidecars(path))
    return sqlite3.connect(f"file:{path}?{'mode=ro' if busy else 'immutable=1'}", uri=True)


def _pragma(path: Path, check: str) -> str:
    try:
        connection = read_only(path)
        try:
            rows = connection.execute(f"PRAGMA {check}").fetchall()
        finally:
            connection.close()
    except sqlite3.DatabaseError as e:
        return str(e)
    found = [str(r[0]) for r in rows]
    return "" if found == ["ok"] else "; ".join(found[:3])
