"""Every check in its order.  The quick ones take no time; the slow ones (quick_check of kiosk.db,
the bureau over the network) are apart, for staff to run on a thread."""

from collections.abc import Iterable
from datetime import datetime
from types import SimpleNamespace

from kiosk.doctor import Line, bureau, clock, devices, not_checked, software, store
from kiosk.health import Health

ORDER = (
    "settings",
    "display",
    "idcard",
    "qr",
    "printer",
    "database",
    "backup",
    "space",
    "clock",
    "bureau",
    "certificate",
    "version",
    "release",
)
SLOW = ("database", "bureau")  # bureau brings its certificate's line


def quick(
    settings_line: Line,
    settings: SimpleNamespace | None,
    display: Line,
    healths: Iterable[Health] | None,
    now: datetime,
) -> list[Line]:
    """The lines that take no time; without settings, the lines that need them say not checked."""
    found = [settings_line, display, software.version(), *software.release()]
    if settings is None:
        return found + [not_checked(check) for check in ("idcard", "qr", "printer", "backup", "space", "clock")]
    if healths is None:
        found += [not_checked("idcard"), not_checked("qr"), not_checked("printer")]
    else:
        healths = list(healths)
        found += [*devices.lines(settings, healths), devices.printer(settings, healths)]
    return found + [store.backup(settings, now), store.free_space(settings), clock.clock(settings)]


def slow(settings: SimpleNamespace | None, now: datetime) -> list[Line]:
    if settings is None:
        return [not_checked(check) for check in SLOW]
    return [store.database(settings), *bureau.lines(settings, now)]


def ordered(found: Iterable[Line]) -> list[Line]:
    return sorted(found, key=lambda line: ORDER.index(line.check))


def everything(
    settings_line: Line,
    settings: SimpleNamespace | None,
    display: Line,
    healths: Iterable[Health] | None,
    now: datetime,
) -> list[Line]:
    return ordered(quick(settings_line, settings, display, healths, now) + slow(settings, now))
