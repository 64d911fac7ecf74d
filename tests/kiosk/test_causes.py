"""What an exception means: real errors from SQLite and the OS, not hand-made ones."""

import sqlite3
from contextlib import closing

import pytest

from kiosk import causes


def sqlite_full(tmp_path) -> BaseException:
    """SQLite's own "database or disk is full" inside a transaction, then the rollback's error."""
    with closing(sqlite3.connect(tmp_path / "small.db", isolation_level=None)) as conn:
        conn.execute("CREATE TABLE t (x)")
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages + 1}")
        try:
            try:
                conn.execute("BEGIN")
                while True:
                    conn.execute("INSERT INTO t VALUES (randomblob(2000))")
            except sqlite3.Error:
                conn.execute("ROLLBACK")  # SQLite may have rolled back already
                raise
        except sqlite3.Error as e:
            return e
    raise AssertionError("never full")


def test_a_full_database_is_found_under_the_rollbacks_error(tmp_path):
    error = sqlite_full(tmp_path)
    assert causes.is_full(error)
    assert "full" in str(causes.chain(error)[-1])
    assert not causes.is_damage(error)


def test_a_full_disk_is_enospc_from_the_os():
    with pytest.raises(OSError) as e, open("/dev/full", "w") as f:
        f.write("x")
        f.flush()
    assert causes.is_full(e.value)


def test_a_file_that_is_no_database_is_damage_not_a_full_disk(tmp_path):
    path = tmp_path / "junk.db"
    path.write_bytes(b"not a database at all" * 100)
    with pytest.raises(sqlite3.DatabaseError) as e, closing(sqlite3.connect(path)) as conn:
        conn.execute("SELECT * FROM sqlite_master")
    assert causes.is_damage(e.value) and not causes.is_full(e.value)


def test_the_chain_follows_cause_and_context_without_looping():
    try:
        try:
            raise KeyError("inner")
        except KeyError as inner:
            raise ValueError("outer") from inner
    except ValueError as outer:
        found = causes.chain(outer)
    assert [type(e) for e in found] == [ValueError, KeyError]
