"""The sync client's own state in kiosk.db (table sync_state): epoch, acked_seq, clock offset,
the last successes and the last error.  Written with the outbox changes it belongs to."""

from kiosk.store.db import db

_GET = "SELECT value FROM sync_state WHERE key = ?"
_PUT = "INSERT INTO sync_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value"


def get(key: str, default: str = "") -> str:
    row = db.execute_sql(_GET, (key,)).fetchone()
    return row[0] if row else default


def get_int(key: str, default: int = 0) -> int:
    return int(get(key, str(default)))


def put(**values) -> None:
    """Set each key to str(value); call inside db.write() when it goes with other changes."""
    for key, value in values.items():
        db.execute_sql(_PUT, (key, str(value)))
