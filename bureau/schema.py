"""The bureau's schema: its tables made or brought up to date when the store is opened."""
from peewee import Database

from bureau.models import MODELS
from bureau.store import db, make_database
from bureau.streams import ensure_streams


def open_store(url: str) -> Database:
    """Bind the models to the store `url` names and create its tables if they are missing."""
    database = make_database(url)
    db.initialize(database)
    with database.connection_context():
        database.create_tables(MODELS, safe=True)
        ensure_streams()
    return database
