"""The bureau's schema: brought to the newest version (bureau.migrations) when the store is opened."""

import logging
from pathlib import Path

from peewee import Database, SqliteDatabase

from bureau.migrations import dialect, migrate
from bureau.sealing import seal_store
from bureau.store import db, make_database
from bureau.streams import ensure_streams

log = logging.getLogger(__name__)


def open_store(url: str) -> Database:
    """Bind the models to the store `url` names and migrate it to the newest version.  Any number
    of processes may open one store at once: the first migrates, the others wait for it.  Its
    kiosk keys are sealed with the server's secret (bureau.sealing); PostgreSQL, the production
    store, is refused without one."""
    database = make_database(url)
    db.initialize(database)
    with database.connection_context():
        migrate(database)
        ensure_streams()
        sealed = seal_store(production=dialect(database) == "postgresql")
    if sealed:
        log.info("sealed the keys of %d kiosks with the server secret", sealed)
    if isinstance(database, SqliteDatabase):
        private(Path(database.database))
    return database


def private(path: Path) -> None:
    """A SQLite store holds every kiosk's key and the staff's password hashes: the file and its
    -wal and -shm for the owner only (one made before they were, too)."""
    for part in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if part.exists():
            part.chmod(0o600)
