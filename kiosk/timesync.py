"""Whether this box's clock can be trusted: synchronised over the network (NTP), and how far it is
from the bureau's, whose time the sync already takes from every reply (kiosk/sync/client.py).

After a power cut a box without a working clock battery starts years off, and until NTP or the
bureau answers nothing says so.  The kernel knows whether an NTP client (systemd-timesyncd,
chrony) has disciplined the clock: adjtimex(2) without changes, read by anyone, is what
`timedatectl` shows as "System clock synchronized".  clock.synced_flag may name a file instead
(systemd-timesyncd writes /run/systemd/timesync/synchronized), which is also how tests say it."""

import ctypes
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from kiosk.i18n import t
from kiosk.sync.status import CLOCK_OFF_MS

STA_UNSYNC = 0x0040  # <sys/timex.h>: the clock is not synchronised
TIME_ERROR = 5  # adjtimex's result when it is not


class _Timex(ctypes.Structure):
    # struct timex of <sys/timex.h> (glibc, 64-bit and 32-bit alike: long fields, then padding).
    _fields_ = [
        ("modes", ctypes.c_uint),
        *((name, ctypes.c_long) for name in ("offset", "freq", "maxerror", "esterror")),
        ("status", ctypes.c_int),
        *((name, ctypes.c_long) for name in ("constant", "precision", "tolerance", "sec", "usec", "tick")),
        *((name, ctypes.c_long) for name in ("ppsfreq", "jitter")),
        ("shift", ctypes.c_int),
        *((name, ctypes.c_long) for name in ("stabil", "jitcnt", "calcnt", "errcnt", "stbcnt")),
        ("tai", ctypes.c_int),
        ("padding", ctypes.c_int * 11),
    ]


def kernel_synchronised() -> bool:
    """The kernel's word (adjtimex with no change asked): False also when it cannot be asked."""
    libc = ctypes.CDLL(None, use_errno=True)  # the C library Python itself runs on
    timex = _Timex()  # modes 0: read only
    result = libc.adjtimex(ctypes.byref(timex))
    return result not in (-1, TIME_ERROR) and not timex.status & STA_UNSYNC


def synchronised(flag: str) -> bool:
    """Whether the clock is synchronised, as clock.synced_flag says to find out."""
    return Path(flag).exists() if flag else kernel_synchronised()


@dataclass(frozen=True)
class ClockCheck:
    """What is known of the clock: synchronised, and the bureau's clock minus ours (None: no
    bureau has answered), as of `seen` (when the bureau last answered)."""

    synchronised: bool
    offset_ms: int | None = None
    seen: datetime | None = None

    @property
    def state(self) -> str:
        """ "ok"; "off" (the bureau finds it off: staff must set it); "unchecked" (not synchronised,
        and the bureau agrees as far as it knows); "unknown" (neither can vouch for it)."""
        if self.offset_ms is not None and abs(self.offset_ms) > CLOCK_OFF_MS:
            return "off"
        if self.synchronised:
            return "ok"
        return "unknown" if self.offset_ms is None else "unchecked"


def amount(ms: int) -> str:
    """How far off, in words: minutes, hours or days."""
    minutes = round(ms / 60_000)
    if minutes < 120:
        return t("device.minutes", n=minutes)
    if minutes < 48 * 60:
        return t("device.hours", n=round(minutes / 60))
    return t("device.days", n=round(minutes / 1440))
