"""What staff and the operator see of sync: backlog, last successes, the last error, the facts the
bureau refused, and one word for the whole (headline)."""

import json
import re
import time
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from kiosk.store.db import db, write
from kiosk.sync import state

REJECTED_SHOWN = 20  # the newest refused facts staff see; the rest stay in the outbox
CLOCK_OFF_MS = 60_000  # a clock offset worth telling staff about
# Why the bureau refused the kiosk itself (bureau/auth.py), by what a person has to do about it.
DENIED = {
    "revoked": "revoked",
    "unknown_kiosk": "revoked",
    "bad_signature": "key",
    "stale_timestamp": "clock",
    "replayed": "clock",
}
PULL_FAILED = "pull failed"  # kiosk.sync.worker: the push went through, some streams did not
# kiosk.sync.client.Unreachable's text: an httpx error's class name, or a 5xx / 429 reply.
_UNREACHABLE = re.compile(r"^(\w+(Error|Timeout)\b|HTTP (5\d\d|429)$)")


@dataclass(frozen=True)
class Rejected:
    """A fact the bureau refused, with its reason."""

    seq: int
    kind: str
    code: str
    reason: str
    written: datetime


@dataclass(frozen=True)
class Status:
    configured: bool  # a bureau is set (sync.url)
    backlog: int  # facts not yet acknowledged
    oldest_pending: datetime | None  # when the oldest of them was written
    rejected: int  # facts the bureau refused (dead-lettered there)
    acked_seq: int
    epoch: int
    last_push_ok: datetime | None
    last_error: str
    last_error_at: datetime | None
    last_pull_ok: datetime | None = None
    last_nightly_ok: datetime | None = None
    last_nightly_result: dict[str, str] = field(default_factory=dict)  # stream → ok, refetched, unchecked …
    clock_offset_ms: int = 0  # the bureau's clock minus ours
    bureau: str = ""  # the bureau's host (and port), never the rest of the url
    rejected_facts: tuple[Rejected, ...] = ()  # the newest REJECTED_SHOWN, newest first

    @property
    def clock_off(self) -> bool:
        """Our clock is far enough from the bureau's for staff to see it (signing uses the offset)."""
        return abs(self.clock_offset_ms) > CLOCK_OFF_MS


def status(configured: bool, url: str = "") -> Status:
    """The sync state as kiosk.db holds it: a few indexed reads, cheap enough for every sync cycle."""
    acked = state.get_int("acked_seq")
    backlog, oldest = db.execute_sql("SELECT count(*), min(wall_ms) FROM outbox WHERE seq > ?", (acked,)).fetchone()
    rejected = db.execute_sql("SELECT count(*) FROM outbox WHERE state = 'rejected'").fetchone()[0]
    return Status(
        configured,
        backlog,
        _from_ms(oldest),
        rejected,
        acked,
        state.get_int("epoch", 1),
        _at("last_push_ok"),
        state.get("last_error"),
        _at("last_error_at"),
        last_pull_ok=_at("last_pull_ok"),
        last_nightly_ok=_at("last_nightly_ok"),
        last_nightly_result=_nightly_result(),
        clock_offset_ms=_int("clock_offset_ms"),
        bureau=host(url),
        rejected_facts=_rejected(),
    )


def headline(s: Status) -> str:
    """One word for the whole: off (no bureau set), offline, denied (the bureau refused this
    kiosk), failed (something else went wrong), pending (facts wait to go up) or synced."""
    if not s.configured:
        return "off"
    if s.last_error:
        kind = error_kind(s.last_error)
        return kind if kind == "offline" else "failed" if kind in ("pull", "other") else "denied"
    return "pending" if s.backlog else "synced"


def error_kind(error: str) -> str:
    """What the last error means for staff: offline, revoked (or unknown to the bureau), key (bad
    signature), clock, refused (another 4xx), pull (pushed, but some streams failed) or other.
    The worker keeps the error as text."""
    if error in DENIED:
        return DENIED[error]
    if _UNREACHABLE.match(error):
        return "offline"
    if error.startswith(PULL_FAILED):
        return "pull"
    return "refused" if error.startswith("HTTP 4") else "other"


def host(url: str) -> str:
    """The bureau's host and port: what a technician needs, without a path or credentials."""
    parts = urlsplit(url)
    if not parts.hostname:
        return ""
    return f"{parts.hostname}:{parts.port}" if parts.port else parts.hostname


def failed(error: str) -> None:
    with write():
        state.put(last_error=error, last_error_at=time.time())


def succeeded() -> None:
    with write():
        state.put(last_error="")


def _rejected() -> tuple[Rejected, ...]:
    rows = db.execute_sql(
        "SELECT seq, kind, reject_code, reject_reason, wall_ms FROM outbox "
        "WHERE state = 'rejected' ORDER BY seq DESC LIMIT ?",
        (REJECTED_SHOWN,),
    )
    return tuple(
        Rejected(seq, kind, code, reason, datetime.fromtimestamp(ms / 1000)) for seq, kind, code, reason, ms in rows
    )


def _nightly_result() -> dict[str, str]:
    # Written by the nightly sync (kiosk.sync.nightly); anything unreadable counts as no result.
    try:
        result = json.loads(state.get("last_nightly_result") or "{}")
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in result.items()} if isinstance(result, dict) else {}


def _int(key: str) -> int:
    try:
        return int(float(state.get(key, "0")))
    except ValueError:
        return 0


def _at(key: str) -> datetime | None:
    try:
        return datetime.fromtimestamp(float(state.get(key)))
    except (ValueError, OverflowError, OSError):
        return None


def _from_ms(ms: int | None) -> datetime | None:
    return datetime.fromtimestamp(ms / 1000) if ms is not None else None
