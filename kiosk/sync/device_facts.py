"""Device health for the bureau: a "device" fact whenever a device's state changes.

The bureau's kiosk-health report (sync issue) shows each reader and scanner as connected, silent
or absent, with fault counts.  Only changes are recorded, so a flapping cable cannot flood the
outbox faster than the device manager's reconnect pause allows.
"""

from datetime import datetime
from types import SimpleNamespace

from kiosk.health import Health
from kiosk.store import facts
from kiosk.store.db import write


def record(settings: SimpleNamespace, health: Health, now: datetime) -> None:
    payload = {
        "device": health.name,
        "kind": health.kind,
        "port": health.port,
        "state": health.state(),
        "reads": health.reads,
        "faults": health.faults,
        "disconnects": health.disconnects,
        "last_error": health.last_error[:200],
        "at": now.isoformat(),
        "kiosk_id": settings.kiosk.id,
        "site": settings.site.code,
    }
    with write():
        facts.record("device", facts.new_event_id(), payload, now)
