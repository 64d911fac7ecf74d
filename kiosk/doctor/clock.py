"""The clock's line: synchronised over the network (kiosk/timesync.py), and how far from the
bureau's clock it was when the bureau last answered (the sync keeps that offset in kiosk.db;
read here with a connection that only reads and leaves no file behind)."""

import sqlite3
from datetime import datetime
from types import SimpleNamespace

from kiosk import timesync
from kiosk.doctor import FAIL, OK, WARN, Line, line
from kiosk.i18n import t
from kiosk.store import backups, integrity


def check(settings: SimpleNamespace) -> timesync.ClockCheck:
    offset, seen = _bureau_offset(settings) if settings.sync.url else (None, None)
    return timesync.ClockCheck(timesync.synchronised(settings.clock.synced_flag), offset, seen)


def clock(settings: SimpleNamespace) -> Line:
    found = check(settings)
    state, offset = found.state, found.offset_ms
    if state == "ok":
        if offset is None:
            return line("clock", OK, t("doctor.clock.ok"))
        return line("clock", OK, t("doctor.clock.ok_bureau", seconds=round(abs(offset) / 1000)))
    if state == "off":
        assert offset is not None
        amount = timesync.amount(abs(offset))
        said = t("doctor.clock.off_slow" if offset > 0 else "doctor.clock.off_fast", amount=amount)
        return line("clock", FAIL, said, t("doctor.clock.off_fix"))
    if state == "unchecked":
        seen = f"{found.seen:%Y-%m-%d %H:%M}" if found.seen else ""
        return line("clock", WARN, t("doctor.clock.unchecked", seen=seen), t("doctor.clock.unsynced_fix"))
    return line("clock", WARN, t("doctor.clock.unknown"), t("doctor.clock.unsynced_fix"))


def _bureau_offset(settings: SimpleNamespace) -> tuple[int | None, datetime | None]:
    """(the bureau's clock minus ours, when it last answered), or (None, None) if it never has."""
    path = backups.database_path(settings)
    if not path.exists():
        return None, None
    try:
        connection = integrity.read_only(path)
        try:
            rows = dict(
                connection.execute(
                    "SELECT key, value FROM sync_state WHERE key IN ('clock_offset_ms', 'last_push_ok', 'last_pull_ok')"
                ).fetchall()
            )
        finally:
            connection.close()
        answered = [float(rows[k]) for k in ("last_push_ok", "last_pull_ok") if rows.get(k)]
        if not answered:
            return None, None
        return int(float(rows.get("clock_offset_ms", "0"))), datetime.fromtimestamp(max(answered))
    except (sqlite3.Error, ValueError, OverflowError, OSError):  # a damaged kiosk.db has its own line
        return None, None
