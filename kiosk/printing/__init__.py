"""Printed slips (回执): what the kiosk prints on an ESC/POS receipt printer when a senior applies for
or is enrolled in courses (docs/printer.md).

slips.py says what a slip holds, as plain data the screens' flows fill in; the driver in
devices/printer.py turns it into ESC/POS bytes (GB18030 text, a QR code) on a serial or USB
printer.  Printing is optional (`[printer]` in the settings) and never blocks a senior: a flow hands
a slip to `submit` and goes on; a missing printer or one out of paper is said on the screen, in the
staff's device corner and by the doctor.
"""

import logging
from collections.abc import Callable

from kiosk.health import Health
from kiosk.i18n import t
from kiosk.printing import states
from kiosk.printing.slips import Slip
from kiosk.printing.worker import Driver, Printing

log = logging.getLogger(__name__)
_running: Printing | None = None


def start(driver: Driver, width_mm: int, on_health: Callable[[Health], None] = lambda h: None) -> Printing:
    """The printer's thread for this kiosk (the composition root, screens/app.py, hands the driver)."""
    global _running
    stop()
    _running = Printing(driver, width_mm, on_health).start()
    return _running


def stop() -> None:
    global _running
    if _running is not None:
        _running.stop()
        _running = None


def submit(slip: Slip) -> bool:
    """Print `slip` soon, on the printer's thread; returns at once and never raises.  False when
    it will not print: printing is off, or slips are piling up (the printer is stuck)."""
    try:
        if _running is None:
            log.info("printing is off: the slip for %s is not printed", slip.member_no)
            return False
        return _running.submit(slip)
    except Exception:
        log.exception("printer: submit failed")
        return False


def state() -> str:
    """The printer as last found: states.OFF, OK, PAPER_LOW, PAPER_OUT, COVER_OPEN, OFFLINE,
    SILENT or ABSENT."""
    return _running.state() if _running is not None else states.OFF


def health() -> Health | None:
    """The printer's health for the device corner and the doctor; None when printing is off."""
    return _running.health if _running is not None else None


def trouble() -> str:
    """What a flow's screen says after `submit` when the slip will not come out (「回执打印机缺纸，
    请找工作人员」), "" when it will (or printing is off: nothing was promised)."""
    now = state()
    if now in (states.OK, states.OFF, states.PAPER_LOW):
        return ""
    if now in (states.ABSENT, states.SILENT):
        return t("printing.absent")
    return t("printing.trouble", state=t(f"device.{now}"))
