"""Versioned schema migrations of the bureau's store: NNNN_name.DIALECT.sql in this package, applied
in order when the store is opened (bureau.schema.open_store); DIALECT is sqlite or postgresql.

Frozen SQL, one file a dialect, rather than Python steps: a version must mean the same schema for
ever.  A step that took its DDL from bureau/models.py (create_tables, or playhouse.migrate given a
model's field) would change meaning whenever the models change, and a store already at that
version would never get the difference; a script's text cannot drift, and it is exactly what
runs.  The two dialects need their own text anyway: their types differ (BIGINT, TIMESTAMP, SERIAL,
UUID), and SQLite changes a column only by rebuilding its table.  tests/bureau/test_migrations.py
checks that every way through the scripts ends at the schema create_tables(MODELS) makes, on both
stores, so a model changed without its scripts fails there; `python -m tools.bureau_ddl DIALECT`
prints the models' DDL to write them from.

Each version runs in one transaction together with its schema_version row (DDL is transactional
in SQLite and in PostgreSQL): a migration interrupted by a crash leaves the schema as it was and
runs again at the next start.  Several processes open the store (uvicorn workers, the rules
process, an operator's commands), so the transaction first takes the store's migration lock and
only then reads the version: a second opener waits, then finds the version recorded.  On
PostgreSQL the lock is an advisory lock held until the transaction ends; on SQLite it is the
write lock BEGIN IMMEDIATE takes.

What SQL cannot do, such as deriving a slow hash of each row's value, is a version's data step
(steps.py): Python that changes rows, never the schema, run in the version's transaction after its
script.

A store made before versions existed (the bureau's tables, no schema_version) is adopted as
version 1, in one such transaction: unversioned.DIALECT.sql gives the kiosk table of the bureau's
first version the columns it lacked, then 0001, whose statements are all IF NOT EXISTS, adds any
table or index the store lacks.  No row is lost.
"""

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.resources import files
from importlib.resources.abc import Traversable

from peewee import Database, IntegrityError, SqliteDatabase

from bureau.migrations import steps
from bureau.store import utcnow

log = logging.getLogger(__name__)
_DIR = files(__name__)

# The key of the migration lock (pg_advisory_xact_lock): any number no other user of the
# bureau's database locks with.
LOCK_KEY = 0x6275726561750001
# How long a second opener of a SQLite store waits for the first one's migration: the store's
# busy_timeout (5 s) suits a request's write, not a table rebuild.
SQLITE_WAIT_S = 600

_VERSION_TABLE = (
    'CREATE TABLE IF NOT EXISTS "schema_version" ("version" INTEGER NOT NULL PRIMARY KEY, '
    '"name" VARCHAR(255) NOT NULL, "applied_at" TIMESTAMP NOT NULL)'
)


def dialect(database: Database) -> str:
    """Which of a version's scripts the store runs: sqlite or postgresql."""
    return "sqlite" if isinstance(database, SqliteDatabase) else "postgresql"


def scripts(dialect: str) -> list[tuple[int, Traversable]]:
    """The dialect's scripts in order, with their versions."""
    found = []
    for path in sorted(_DIR.iterdir(), key=lambda p: p.name):
        m = re.fullmatch(rf"(\d{{4}})_\w+\.{dialect}\.sql", path.name)
        if m:
            found.append((int(m.group(1)), path))
    return found


def script_name(path: Traversable) -> str:
    """A script's name as schema_version records it, the same in both dialects: 0001_initial."""
    return path.name.split(".", 1)[0]


def current_version(database: Database) -> int:
    """The store's recorded version: 0 if none (a new store, or one made before versions existed)."""
    if "schema_version" not in database.get_tables():
        return 0
    return database.execute_sql('SELECT max("version") FROM "schema_version"').fetchone()[0] or 0


def migrate(database: Database) -> int:
    """Bring the store to the newest version, one version a transaction; returns that version.
    Safe while other processes open the same store: they take turns (see the module docstring)."""
    kind = dialect(database)
    version = current_version(database)
    if version >= scripts(kind)[-1][0]:  # the usual case: up to date, no lock taken
        return version
    while True:
        with _migration_lock(database, kind):
            version = current_version(database)  # read under the lock: another may have migrated
            pending = [(n, p) for n, p in scripts(kind) if n > version]
            if not pending:
                return version
            number, path = pending[0]
            _apply(database, kind, number, path)
        log.info("bureau schema migrated to version %d (%s)", number, script_name(path))


@contextmanager
def _migration_lock(database: Database, kind: str) -> Iterator[None]:
    """A transaction that holds the store's migration lock from its start."""
    if kind == "postgresql":
        with database.atomic():
            database.execute_sql("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))
            yield
        return
    # Both pragmas are this connection's own; foreign_keys cannot change inside a transaction.
    # Off, a table can be rebuilt under the rows that refer to it (_apply checks them after).
    saved = {name: database.execute_sql(f"PRAGMA {name}").fetchone()[0] for name in ("foreign_keys", "busy_timeout")}
    database.execute_sql("PRAGMA foreign_keys = 0")
    database.execute_sql(f"PRAGMA busy_timeout = {SQLITE_WAIT_S * 1000}")
    try:
        with database.atomic("IMMEDIATE"):
            yield
    finally:
        for name, value in saved.items():
            database.execute_sql(f"PRAGMA {name} = {int(value)}")


def _apply(database: Database, kind: str, number: int, path: Traversable) -> None:
    """Version `number`'s script and its schema_version row, in the caller's transaction."""
    if number == 1 and "kiosk" in database.get_tables():
        log.info("adopting a bureau store made before schema versions as version 1")
        # head_seq and last_pull came together: the only columns ever added to a table made before.
        if "head_seq" not in {c.name for c in database.get_columns("kiosk")}:
            _run(database, _DIR / f"unversioned.{kind}.sql")
    _run(database, path)
    if number in steps.STEPS:
        steps.STEPS[number](database)
    database.execute_sql(_VERSION_TABLE)
    marks = ", ".join([database.param] * 3)
    database.execute_sql(
        f'INSERT INTO "schema_version" ("version", "name", "applied_at") VALUES ({marks})',
        (number, script_name(path), utcnow().isoformat(" ")),
    )
    if kind == "sqlite":
        # With foreign keys off (_migration_lock), nothing else would notice.  It reads every
        # table, but only when a version is applied.
        dangling = database.execute_sql("PRAGMA foreign_key_check").fetchall()
        if dangling:
            raise IntegrityError(f"{script_name(path)} leaves rows that refer to missing ones: {dangling[:5]}")


def _run(database: Database, path: Traversable) -> None:
    for statement in _statements(path.read_text(encoding="utf-8")):
        database.execute_sql(statement)


def _statements(sql: str) -> list[str]:
    # Our scripts hold no ';' inside literals, so splitting on it is exact.
    body = "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--"))
    return [s.strip() for s in body.split(";") if s.strip()]
