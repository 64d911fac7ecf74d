"""Device health for the bureau: a "device" fact whenever a device's state changes, and the data
disk's free space as one more device (kiosk/upkeep.py).

The bureau's kiosk-health report (sync issue) shows each reader and scanner as connected, silent
or absent, with fault counts.  Only changes are recorded, so a flapping cable cannot flood the
outbox faster than the device manager's reconnect pause allows.
"""

from datetime import datetime
from types import SimpleNamespace

from kiosk.health import Health
from kiosk.store import facts
from kiosk.store.db import write
from kiosk.store.space import Space

STORAGE = "storage"  # the device name and kind of the data disk's free space


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
    _record(payload, now)


def record_storage(settings: SimpleNamespace, space: Space, now: datetime) -> None:
    """The data disk as a device for the bureau's kiosk-health page: state ok, low or full, and
    the free space in words where a reader's last error goes."""
    payload = {
        "device": STORAGE,
        "kind": STORAGE,
        "port": "",
        "state": space.state,
        "reads": 0,
        "faults": 0,
        "disconnects": 0,
        "last_error": space.describe(),
        "at": now.isoformat(),
        "kiosk_id": settings.kiosk.id,
        "site": settings.site.code,
    }
    _record(payload, now)


def _record(payload: dict, now: datetime) -> None:
    with write():
        facts.record("device", facts.new_event_id(), payload, now)
