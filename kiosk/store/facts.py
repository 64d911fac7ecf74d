"""The sync outbox: every fact the bureau must receive, written in the domain row's transaction."""

import json
import threading
from datetime import datetime

from uuid6 import uuid7

from contract.facts import KINDS, SCHEMA_V
from kiosk.store.db import insert
from kiosk.store.models import Outbox

written = threading.Event()  # set by each fact; wakes the sync thread (kiosk.sync.worker)


def new_event_id() -> str:
    """A time-ordered UUIDv7, the fact's idempotency key at the bureau."""
    return str(uuid7())


def record(kind: str, event_id: str, payload: dict, now: datetime) -> int:
    """Append a fact; call inside db.write() so it commits with its domain row.  Returns its seq."""
    if kind not in KINDS:
        raise ValueError(f"{kind!r} is not a kind of fact the bureau takes (contract.facts.KINDS)")
    # seq is an INTEGER PRIMARY KEY: SQLite gives it max + 1, and a rolled-back fact leaves no
    # gap.  Outbox rows are never deleted (acknowledged ones change state), so it is gap-free.
    # Set before the commit: the sync thread waits push_delay_s more before it reads the outbox.
    written.set()
    return insert(
        Outbox,
        event_id=event_id,
        kind=kind,
        schema_v=SCHEMA_V,
        wall_ms=int(now.timestamp() * 1000),
        payload=payload_text(payload),
    )


def payload_text(payload: dict) -> str:
    """A fact's payload as stored and sent: compact JSON, keys sorted, Chinese as it is."""
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
