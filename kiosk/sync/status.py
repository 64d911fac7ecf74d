"""What staff and the operator see of sync: backlog, last successes, the last error."""
import time
from dataclasses import dataclass
from datetime import datetime

from kiosk.db import db, write
from kiosk.sync import state


@dataclass(frozen=True)
class Status:
    configured: bool                 # a bureau is set (sync.url)
    backlog: int                     # facts not yet acknowledged
    oldest_pending: datetime | None  # when the oldest of them was written
    rejected: int                    # facts the bureau refused (dead-lettered there)
    acked_seq: int
    epoch: int
    last_push_ok: datetime | None
    last_error: str
    last_error_at: datetime | None


def status(configured: bool) -> Status:
    acked = state.get_int("acked_seq")
    backlog, oldest = db.execute_sql("SELECT count(*), min(wall_ms) FROM outbox WHERE seq > ?", (acked,)).fetchone()
    rejected = db.execute_sql("SELECT count(*) FROM outbox WHERE state = 'rejected'").fetchone()[0]
    return Status(configured, backlog, _from_ms(oldest), rejected, acked, state.get_int("epoch", 1),
                  _at("last_push_ok"), state.get("last_error"), _at("last_error_at"))


def failed(error: str) -> None:
    with write():
        state.put(last_error=error, last_error_at=time.time())


def succeeded() -> None:
    with write():
        state.put(last_error="")


def _at(key: str) -> datetime | None:
    value = state.get(key)
    return datetime.fromtimestamp(float(value)) if value else None


def _from_ms(ms: int | None) -> datetime | None:
    return datetime.fromtimestamp(ms / 1000) if ms is not None else None
