"""kiosk/store/integrity.py's read-only look at a database leaves no file behind: run as root (the
doctor, `check`), a -wal or -shm it made would be root's, and the kiosk's user could not open
kiosk.db any more."""

import sqlite3

from kiosk.store import integrity


def wal_database(path) -> None:
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("CREATE TABLE t (x)")
        db.execute("INSERT INTO t VALUES (1)")
    db.close()  # a clean close removes the -wal and -shm


def test_a_check_of_a_closed_wal_database_leaves_no_sidecar(tmp_path):
    path = tmp_path / "kiosk.db"
    wal_database(path)
    assert [p.name for p in tmp_path.iterdir()] == ["kiosk.db"]
    assert integrity.problem(path, "quick_check") == ""
    assert [p.name for p in tmp_path.iterdir()] == ["kiosk.db"]


def test_a_database_in_use_is_read_through_its_wal(tmp_path):
    path = tmp_path / "kiosk.db"
    wal_database(path)
    writer = sqlite3.connect(path)  # the running kiosk: its newest rows are in the -wal
    writer.execute("INSERT INTO t VALUES (2)")
    writer.commit()
    try:
        with integrity.read_only(path) as reader:
            assert reader.execute("SELECT count(*) FROM t").fetchone() == (2,)
        assert integrity.problem(path, "integrity_check") == ""
    finally:
        writer.close()
