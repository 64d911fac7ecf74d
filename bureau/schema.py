"""The bureau's schema: brought to the newest version (bureau.migrations) when the store is opened."""

from pathlib import Path

from peewee import Database, SqliteDatabase

from bureau.migrations import migrate
from bureau.store import db, make_database
from bureau.streams import ensure_streams


def open_store(url: str) -> Database:
    """Bind the models to the store `url` names and migrate it to the newest version.  Any number
    of processes may open one store at once: the first migrates, the others wait for it."""
    database = make_database(url)
    db.initialize(database)
    with database.connection_context():
        migrate(database)
        ensure_streams()
    if isinstance(database, SqliteDatabase):
        private(Path(database.database))
    return database


def private(path: Path) -> None:
    """A SQLite store holds every kiosk's key and the staff's password hashes: the file and its
    -wal and -shm for the owner only (one made before they were, too)."""
    for part in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if part.exists():
            part.chmod(0o600)
