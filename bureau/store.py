"""The bureau's store: a SQLite file (one command to start) or PostgreSQL (production).

    open_store("bureau.db")                                  a SQLite file
    open_store("sqlite:///var/lib/bureau/bureau.db")         the same, as a URL
    open_store("postgresql://bureau@db.example:5432/bureau") a pool of PostgreSQL connections

Every time the bureau stores is UTC without a zone (utcnow()), so the two stores agree.
"""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import lru_cache
from itertools import chain
from urllib.parse import urlparse

from peewee import Database, DatabaseProxy, Field, Model, PostgresqlDatabase, SqliteDatabase
from playhouse import db_url
from playhouse.pool import PooledDatabase, PooledPostgresqlDatabase, PooledSqliteDatabase

from contract.fairlock import FairLock

db = DatabaseProxy()

# synchronous=FULL: a push the bureau acknowledged survives a power cut (the kiosk then forgets
# nothing it would have to resend, but the bureau must not lose what it acknowledged).
SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "synchronous": "full",
    "foreign_keys": 1,
    "busy_timeout": 5000,
}

# Starlette runs blocking work on 40 threads; a request beyond the 20 connections waits up to
# POOL_WAIT_S for one instead of failing at once.  SQLite connections are pooled too: opening
# one sets its pragmas, and closing the last one checkpoints the WAL, ~3 ms a request.
POOL_MAX = 20
POOL_STALE_S = 300
POOL_WAIT_S = 30


class StoreError(Exception):
    """A store URL the bureau cannot use."""


def utcnow() -> datetime:
    """Now, in UTC without a zone: how every time is stored."""
    return datetime.now(UTC).replace(tzinfo=None)


def make_database(url: str) -> Database:
    """The peewee database a store URL names (not yet connected)."""
    scheme = urlparse(url).scheme if "://" in url else ""
    if scheme == "":
        return _sqlite(url)
    if scheme == "sqlite":
        path = url[len("sqlite:///") :] if url.startswith("sqlite:///") else ""
        if not path:
            raise StoreError(f"{url}: a SQLite URL is sqlite:///relative/path or sqlite:////absolute/path")
        return _sqlite(path)
    if scheme in ("postgresql", "postgres"):
        params = db_url.parse(url, unquote_password=True, unquote_user=True)
        if not params.get("database"):
            raise StoreError(f"{url}: no database name (postgresql://user@host:port/dbname)")
        name = params.pop("database")
        return PooledPostgresqlDatabase(
            name, max_connections=POOL_MAX, stale_timeout=POOL_STALE_S, timeout=POOL_WAIT_S, **params
        )
    raise StoreError(f"{url}: unknown kind of store {scheme!r} (a path, sqlite:/// or postgresql://)")


def _sqlite(path: str) -> SqliteDatabase:
    # A pooled connection serves one thread at a time, but not always the thread that opened it.
    return PooledSqliteDatabase(
        path,
        pragmas=SQLITE_PRAGMAS,
        max_connections=POOL_MAX,
        stale_timeout=POOL_STALE_S,
        timeout=POOL_WAIT_S,
        check_same_thread=False,
    )


def close_store() -> None:
    """Close every connection of the store (the whole pool for PostgreSQL)."""
    database = db.obj
    if isinstance(database, PooledDatabase):
        database.close_all()
    elif database is not None and not database.is_closed():
        database.close()


def is_sqlite() -> bool:
    return isinstance(db.obj, SqliteDatabase)


def connection_lost() -> bool:
    """Whether PostgreSQL closed this thread's connection under it (terminated, restarted, failed
    over).  The pool does not take such a connection back: the next one checked out is another."""
    database = db.obj
    return (
        isinstance(database, PostgresqlDatabase) and not database.is_closed() and bool(database.connection().closed)
    )  # psycopg2 sets it once the server has gone


def write():
    """A write transaction.  On SQLite it takes the write lock at BEGIN, so two writers never
    both read and then deadlock upgrading; PostgreSQL locks rows instead (locked())."""
    return _sqlite_write() if is_sqlite() else db.atomic()


# SQLite's own wait for its write lock polls with sleeps of up to 100 ms, first come not first
# served: with 16 kiosks pushing at once a push waited over 5 s and failed with "database is
# locked".  This process's writers take turns on a lock of their own first.
_sqlite_writer = FairLock()


@contextmanager
def _sqlite_write():
    with _sqlite_writer, db.atomic("IMMEDIATE"):
        yield


@contextmanager
def write_turn_if_free() -> Iterator[bool]:
    """On SQLite, this process's write turn (see write()) if it is free, held in the block: True.
    False, holding nothing, on PostgreSQL or while another writer of this process holds or
    awaits it."""
    taken = is_sqlite() and _sqlite_writer.try_enter()
    try:
        yield taken
    finally:
        if taken:
            _sqlite_writer.__exit__()


def locked(query):
    """`query` with FOR UPDATE on PostgreSQL, so two requests of one kiosk take turns; SQLite has
    no row locks and needs none, its write transaction already holds the whole database."""
    return query if is_sqlite() else query.for_update()


# Bulk inserts with the SQL text made by peewee once per shape: building a 500-row INSERT costs
# ~90 ms of a push's ~120 ms (peewee renders each of the 6,000 values), which would halve the
# bureau's ingest rate.  Values still go through each field's db_value, as peewee would do.

_COLUMNS = re.compile(r'^INSERT INTO "\w+" \(([^)]*)\)')


@lru_cache(maxsize=32)
def _insert_plan(
    model: type[Model], names: tuple[str, ...], conflict: tuple[str, ...], rows: int, database_class: type
) -> tuple[str, tuple[Field, ...]]:
    fields = model._meta.fields
    query = (
        model.insert_many([{fields[n]: None for n in names}] * rows)
        .on_conflict(action="NOTHING", conflict_target=[fields[c] for c in conflict])
        .returning()
    )  # no RETURNING id on PostgreSQL: the row count is enough
    sql, _ = query.sql()
    by_column = {f.column_name: f for f in model._meta.sorted_fields}
    order = [c.strip().strip('"') for c in _COLUMNS.match(sql).group(1).split(",")]
    return sql, tuple(by_column[c] for c in order)


def insert_new(model: type[Model], rows: list[dict], conflict: tuple[str, ...]) -> int:
    """INSERT `rows` (dicts with the same keys) ON CONFLICT (`conflict`) DO NOTHING, as
    model.insert_many(rows).on_conflict(…).as_rowcount().execute() would: how many were new."""
    if not rows:
        return 0
    sql, fields = _insert_plan(model, tuple(rows[0]), conflict, len(rows), type(db.obj))
    missing = [f for f in fields if f.name not in rows[0]]  # peewee adds columns with a default
    for row in rows:
        row.update((f.name, f.default() if callable(f.default) else f.default) for f in missing)
    params = [f.db_value(row[f.name]) for row in rows for f in fields]
    return db.execute_sql(sql, params).rowcount


# The push's own insert, for rows whose values are already as the driver takes them (the caller
# applied db_value): passing 500 rows × 12 values through db_value took more CPU than the insert.
@lru_cache(maxsize=32)
def _values_sql(model: type[Model], names: tuple[str, ...], conflict: tuple[str, ...], rows: int, param: str) -> str:
    fields = model._meta.fields
    columns = ", ".join(f'"{fields[n].column_name}"' for n in names)
    one = f"({', '.join([param] * len(names))})"
    target = ", ".join(f'"{fields[n].column_name}"' for n in conflict)
    return (
        f'INSERT INTO "{model._meta.table_name}" ({columns}) VALUES {", ".join([one] * rows)}'
        f" ON CONFLICT ({target}) DO NOTHING"
    )


def insert_values(model: type[Model], names: tuple[str, ...], rows: list[tuple], conflict: tuple[str, ...]) -> int:
    """INSERT `rows` (tuples of store values in the order of the fields `names`) ON CONFLICT
    (`conflict`) DO NOTHING: how many were new."""
    if not rows:
        return 0
    sql = _values_sql(model, names, conflict, len(rows), db.obj.param)
    return db.execute_sql(sql, list(chain.from_iterable(rows))).rowcount
