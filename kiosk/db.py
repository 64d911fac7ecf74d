"""The kiosk's SQLite store: pragmas for durability, and the one way to write."""
from pathlib import Path

from peewee import DatabaseProxy, SqliteDatabase

db = DatabaseProxy()

# synchronous=FULL: a committed sign-in survives a power cut (WAL + NORMAL may roll it back).
PRAGMAS = {
    "journal_mode": "wal",
    "synchronous": "full",
    "foreign_keys": 1,
    "busy_timeout": 5000,
    "cache_size": -16000,
    "temp_store": "memory",
}


def open_db(data_dir: str | Path) -> SqliteDatabase:
    """Open (creating if needed) <data_dir>/kiosk.db, bind the models to it and migrate it."""
    from kiosk import migrations
    path = Path(data_dir) / "kiosk.db"
    path.parent.mkdir(parents=True, exist_ok=True)
    database = SqliteDatabase(str(path), pragmas=PRAGMAS)
    db.initialize(database)
    database.connect(reuse_if_open=True)
    migrations.migrate(database)
    return database


def write():
    """A write transaction that takes the write lock at BEGIN, so two writers never deadlock."""
    return db.atomic("IMMEDIATE")
