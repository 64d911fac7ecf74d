"""The bureau's settings for a kiosk: the "settings" stream as pulled into kiosk.db (table
bureau_setting), merged "*" < its site < the kiosk itself, for the few keys the bureau may set.
kiosk.config lays them over the site file at start-up; the sync worker reads its timers from them
after every pull.  Read with sqlite3, not the models: settings are loaded before the database is
opened (and migrated)."""

import json
import logging
import sqlite3
from pathlib import Path

from kiosk.store import integrity

log = logging.getLogger(__name__)

KEYS = frozenset(
    {
        "display.mask_names",
        "display.open_from",
        "display.open_until",
        "sync.pull_every_s",
        "sync.nightly_at",
        "checkin.window_before_min",
        "checkin.window_after_min",
    }
)


def stored(data_dir: str | Path) -> dict[str, dict]:
    """The settings rows of <data_dir>/kiosk.db by entity ("*", "site:CODE", a kiosk id); {} when
    there is no database yet, or no table (before migration 0006)."""
    path = Path(data_dir) / "kiosk.db"
    if not path.is_file():
        return {}
    try:
        connection = integrity.read_only(path)  # leaves no -wal or -shm behind (any user runs a command)
        try:
            rows = connection.execute("SELECT key, value FROM bureau_setting").fetchall()
        finally:
            connection.close()
    except sqlite3.Error:
        return {}
    found = {}
    for key, value in rows:
        try:
            found[key] = json.loads(value)
        except ValueError:
            log.warning("the bureau's settings for %s are not JSON: ignored", key)
    return found


def merged(rows: dict[str, dict], site: str, kiosk_id: str) -> dict:
    """The bureau's values for this kiosk, most specific winning, limited to KEYS."""
    out = {}
    for entity in ("*", f"site:{site}", kiosk_id):
        values = rows.get(entity)
        if isinstance(values, dict):
            out.update(values)
    for key in sorted(set(out) - KEYS):
        log.warning("the bureau set %s, which it may not: ignored", key)
        del out[key]
    return out
