"""A device's health as the kiosk knows it: whether the ID-card reader or a scanner is there and
answering, and how its reads went.  The device manager (devices/manager.py) keeps it, the status
corner shows it and the bureau receives each change (kiosk/sync/device_facts.py)."""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Health:
    name: str
    kind: str  # "idcard" or "qr"
    port: str
    connected: bool = False
    answering: bool = True  # connected and the device replies
    since: datetime | None = None  # when `connected` last changed
    last_read: datetime | None = None
    reads: int = 0
    faults: int = 0  # bad frames, failed reads, SAM faults: the port stayed open
    disconnects: int = 0
    last_error: str = ""

    def state(self) -> str:
        """ "ok", "silent" (open but not answering) or "absent"."""
        if not self.connected:
            return "absent"
        return "ok" if self.answering else "silent"
