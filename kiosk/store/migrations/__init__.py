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
    upgraded = _UpgradedIdHash()
    database.connection().create_function("upgraded_id_hash", 1, upgraded, deterministic=True)
    for number, path in scripts():
        if number <= version:
            continue
        text = path.read_text(encoding="utf-8")
        with database.atomic("IMMEDIATE"):
            if "upgraded_id_hash" in text:
                upgraded.derive_held(database)
            for statement in _statements(text):
                database.execute_sql(statement)
            database.execute_sql("INSERT INTO schema_version VALUES (?, ?, datetime('now'))", (number, path.name))
        log.info("schema migrated to %s", path.name)
        version = number
    return version


class _UpgradedIdHash:
    """The SQL function upgraded_id_hash.  SQLite calls it a row at a time, on one core; the older
    hashes the store holds are derived beforehand on all of them (~10 ms of CPU each, and a kiosk
    held the whole bureau's roster before migration 0008)."""

    def __init__(self) -> None:
        self.done: dict[str, str] = {}

    def derive_held(self, database: SqliteDatabase) -> None:
        held = [v for (v,) in database.execute_sql(_HELD).fetchall() if isinstance(v, str) and idhash.is_legacy(v)]
        self.done.update(zip(held, idhash.upgraded_all(held)))

    def __call__(self, value: str | None) -> str | None:
        return None if value is None else self.done.get(value) or idhash.upgraded(value)


# The id_hashes a store of version 7 holds, as migration 0008 upgrades them.
_HELD = """
    SELECT id_hash FROM member UNION SELECT id_hash FROM newcomer_card
    UNION SELECT json_extract(payload, '$.id_hash') FROM outbox WHERE kind = 'member'"""


def _statements(sql: str) -> list[str]:
    # Our scripts hold no ';' inside literals, so splitting on it is exact.
    body = "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--"))
    return [s.strip() for s in body.split(";") if s.strip()]
