"""A device's health as the kiosk knows it: whether the ID-card reader or a scanner is there and
answering, and how its reads went.  The device manager (devices/manager.py) keeps it, the status
corner shows it and the bureau receives each change (kiosk/sync/device_facts.py)."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Health:
    name: str
    kind: str  # "idcard", "qr" or "printer"
    port: str
    connected: bool = False
    answering: bool = True  # connected and the device replies
    since: datetime | None = None  # when `connected` last changed
    last_read: datetime | None = None
    reads: int = 0
    faults: int = 0  # bad frames, failed reads, SAM faults: the port stayed open
    disconnects: int = 0
    last_error: str = ""
    in_use: bool = False  # the doctor found the port held by another process (the running kiosk)
    trouble: str = ""  # what a connected printer said of itself: paper_out, paper_low, cover_open, offline

    def state(self) -> str:
        """ "ok", "silent" (open but not answering) or "absent"; a printer's trouble when it has one."""
        if not self.connected:
            return "absent"
        if self.trouble:
            return self.trouble
        return "ok" if self.answering else "silent"

    def usable(self) -> bool:
        """Reads cards now, or has not been tried yet: at start-up every device is "absent" until
        its thread opens it, and the home screen should not send seniors away for that moment."""
        if self.state() == "ok":
            return True
        return not self.connected and self.since is None and not self.last_error


def ways_in(healths: Iterable[Health]) -> frozenset[str]:
    """The kinds of card ("idcard", "qr") the kiosk can read now: what the home screen may ask
    seniors for.  One working device of a kind is enough."""
    return frozenset(h.kind for h in healths if h.usable())
