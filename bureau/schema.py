"""The bureau's schema: brought to the newest version (bureau.migrations) when the store is opened."""

import logging

from peewee import Database

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
    return database
