"""The rules' SQL: plain text with "?" marks (made "%s" for PostgreSQL), and multi-row writes.  A
round runs a few dozen statements, and building each with peewee's expressions would cost more than
running it."""

from collections.abc import Callable

from bureau import streams
from bureau.models import StreamRow
from bureau.store import db, is_sqlite, utcnow

LOCK_KEY = 0x72756C6573  # pg_advisory_xact_lock key of the rules ("rules")
STREAM_COLUMNS = ("stream", "entity_id", "rev", "scope", "deleted", "data", "crc", "changed_at")


def dialect(text: str) -> str:
    return text if is_sqlite() else text.replace("?", "%s")


def lock_rules() -> None:
    """Wait for the rules' turn, held to the end of the transaction: rounds are serialised as a
    whole (on SQLite the write transaction already holds the whole database)."""
    if not is_sqlite():
        db.execute_sql("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))


def query(text: str, params=()) -> list[tuple]:
    return db.execute_sql(dialect(text), params).fetchall()


def execute(text: str, params=()) -> int:
    return db.execute_sql(dialect(text), params).rowcount


def marks(n: int) -> str:
    return ", ".join("?" * n)


def chunks(rows: list, size: int):
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


def insert(
    model, columns: tuple[str, ...], rows: list[tuple], ignore: tuple[str, ...] = (), returning: tuple[str, ...] = ()
) -> list[tuple]:
    """Insert `rows`, those whose `ignore` key is taken left out; the `returning` columns of the
    rows inserted (SQLite 3.35 and PostgreSQL both return only those)."""
    conflict = f" ON CONFLICT ({', '.join(ignore)}) DO NOTHING" if ignore else ""
    if returning:
        conflict += f" RETURNING {', '.join(f'{chr(34)}{c}{chr(34)}' for c in returning)}"
    return write_rows(model, columns, rows, conflict, bool(returning))


def upsert(
    model,
    columns: tuple[str, ...],
    rows: list[tuple],
    key: tuple[str, ...],
    update: tuple[str, ...],
    newer: str | None = None,
) -> None:
    table = model._meta.table_name
    sets = ", ".join(f'"{c}" = excluded."{c}"' for c in update)
    where = f' WHERE excluded."{newer}" > "{table}"."{newer}"' if newer else ""
    write_rows(model, columns, rows, f" ON CONFLICT ({', '.join(key)}) DO UPDATE SET {sets}{where}")


def write_rows(model, columns: tuple[str, ...], rows: list[tuple], tail: str, returns: bool = False) -> list[tuple]:
    head = f'INSERT INTO "{model._meta.table_name}" ({", ".join(f"{chr(34)}{c}{chr(34)}" for c in columns)}) VALUES '
    one = f"({marks(len(columns))})"
    returned: list[tuple] = []
    for chunk in chunks(rows, 500):
        text, params = head + ", ".join([one] * len(chunk)) + tail, [v for row in chunk for v in row]
        if returns:
            returned += query(text, params)
        else:
            execute(text, params)
    return returned


def publish(stream: str, items: list[tuple[str, dict]], scope: Callable[[dict], str] = lambda data: "") -> None:
    """streams.publish for many entities at once: the stream locked once, one rev each in order
    (an entity published twice keeps its last value, at the later rev); `scope` gives each
    value's scope (streams.scopes), every kiosk's unless told."""
    if not items:
        return
    latest = dict(items)
    order = list(dict.fromkeys(entity for entity, _ in reversed(items)))[::-1]
    head = streams.lock(stream).head_rev
    now, rows = utcnow(), []
    for rev, entity in enumerate(order, head + 1):
        text = streams.canonical(latest[entity])
        rows.append((stream, entity, rev, scope(latest[entity]), False, text, streams.crc(entity, text), now))
    execute("UPDATE stream_meta SET head_rev = ? WHERE stream = ?", (head + len(rows), stream))
    upsert(StreamRow, STREAM_COLUMNS, rows, ("stream", "entity_id"), STREAM_COLUMNS[2:])
