"""The bureau's schema: brought to the newest version (bureau.migrations) when the store is opened."""

from peewee import Database

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
    return database
