"""The sync outbox: every fact the bureau must receive, written in the domain row's transaction."""
import json
from datetime import datetime

from peewee import fn
from uuid6 import uuid7

from kiosk.models import Outbox

SCHEMA_V = 1


def new_event_id() -> str:
    """A time-ordered UUIDv7, the fact's idempotency key at the bureau."""
    return str(uuid7())


def record(kind: str, event_id: str, payload: dict, now: datetime) -> int:
    """Append a fact; call inside db.write() so it commits with its domain row.  Returns its seq."""
    seq = (Outbox.select(fn.MAX(Outbox.seq)).scalar() or 0) + 1   # gap-free under the write lock
    Outbox.insert(seq=seq, event_id=event_id, kind=kind, schema_v=SCHEMA_V,
                  wall_ms=int(now.timestamp() * 1000),
                  payload=json.dumps(payload, ensure_ascii=False, sort_keys=True)).execute()
    return seq
