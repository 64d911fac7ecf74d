"""Versioned, additive schema migrations: kiosk/store/migrations/NNNN_name.sql, applied in order.

Each file runs in one IMMEDIATE transaction together with the row that records it, so a
migration interrupted by a crash or power cut leaves the schema as it was and runs again at
the next start.  (SQLite DDL is transactional.)  A script may call upgraded_id_hash(value), the
id_hash of the current form (contract.idhash.upgraded), which needs Python.
"""

import logging
import re
from importlib.resources import files
from importlib.resources.abc import Traversable

from peewee import SqliteDatabase

from contract import idhash

log = logging.getLogger(__name__)
_DIR = files(__name__)


def scripts() -> list[tuple[int, Traversable]]:
    found = []
    for path in sorted(_DIR.iterdir(), key=lambda p: p.name):
        m = re.fullmatch(r"(\d{4})_\w+\.sql", path.name)
        if m:
            found.append((int(m.group(1)), path))
    return found


def current_version(database: SqliteDatabase) -> int:
    database.execute_sql(
        "CREATE TABLE IF NOT EXISTS schema_version "
        "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )
    row = database.execute_sql("SELECT max(version) FROM schema_version").fetchone()
    return row[0] or 0


def migrate(database: SqliteDatabase) -> int:
    """Apply every script newer than the database; returns the resulting version."""
    version = current_version(database)
    database.connection().create_function("upgraded_id_hash", 1, _upgraded_id_hash, deterministic=True)
    for number, path in scripts():
        if number <= version:
            continue
        with database.atomic("IMMEDIATE"):
            for statement in _statements(path.read_text(encoding="utf-8")):
                database.execute_sql(statement)
            database.execute_sql("INSERT INTO schema_version VALUES (?, ?, datetime('now'))", (number, path.name))
        log.info("schema migrated to %s", path.name)
        version = number
    return version


def _upgraded_id_hash(value: str | None) -> str | None:
    return None if value is None else idhash.upgraded(value)


def _statements(sql: str) -> list[str]:
    # Our scripts hold no ';' inside literals, so splitting on it is exact.
    body = "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--"))
    return [s.strip() for s in body.split(";") if s.strip()]
