"""The reader's, the scanners' and the receipt printer's lines, from their health (kiosk/health.py)
as whoever runs the doctor found it: the running kiosk's device manager, or devices/probe.py on the command line."""

import re
from collections.abc import Iterable
from types import SimpleNamespace

from kiosk.config import SIMULATOR
from kiosk.doctor import FAIL, OK, WARN, Line, line, not_checked
from kiosk.health import Health
from kiosk.i18n import t


def lines(settings: SimpleNamespace, healths: Iterable[Health]) -> list[Line]:
    """One line for the ID-card reader, one for each QR scanner (serial, evdev, keyboard mode)."""
    found = list(healths)
    cfg = settings.devices
    out = [device_line("idcard", h) for h in found if h.kind == "idcard"] or [
        line("idcard", WARN, t("doctor.device.idcard_none"), t("doctor.device.idcard_none_fix"))
    ]
    scanners = [device_line("qr", h) for h in found if h.kind == "qr"]
    if cfg.keyboard_wedge.enabled:
        scanners.append(line("qr", OK, t("doctor.device.wedge")))
    return out + (scanners or [line("qr", FAIL, t("doctor.device.qr_none"), t("doctor.device.qr_none_fix"))])


# A printer's state -> the doctor's verdict on it; its words are doctor.printer.<state> and <state>_fix.
_PRINTER = {
    "paper_low": WARN,
    "paper_out": FAIL,
    "cover_open": FAIL,
    "offline": FAIL,
    "silent": FAIL,
}


def printer(settings: SimpleNamespace, healths: Iterable[Health]) -> Line:
    """The receipt printer: off, its state as its thread (or devices/probe.py) last found it, and
    what to do about paper, the cover or the cable in words staff can follow."""
    cfg = settings.printer
    health = next((h for h in healths if h.kind == "printer"), None)
    if not cfg.enabled:
        return line("printer", OK, t("doctor.printer.off"))
    if health is None:
        return not_checked("printer")
    port, state = health.port, health.state()
    if port == SIMULATOR:
        return line("printer", OK, t("doctor.device.simulated"))
    if health.in_use:
        return line("printer", OK, t("doctor.device.in_use", port=port))
    if state == "ok":
        return line("printer", OK, t("doctor.printer.ok", port=port, count=health.reads))
    if state in _PRINTER:
        fix = t(f"doctor.printer.{state}_fix", width=cfg.width_mm)
        return line("printer", _PRINTER[state], t(f"doctor.printer.{state}", port=port), fix)
    if health.usable():
        return line("printer", WARN, t("doctor.printer.starting", port=port))
    error = _reason(health.last_error)
    return line("printer", FAIL, t("doctor.printer.absent", port=port, error=error), t("doctor.printer.absent_fix"))


def device_line(check: str, health: Health) -> Line:
    port = health.port
    if port == SIMULATOR:  # the demo's, not opened by the command line (the kiosk's runs on a pty)
        return line(check, OK, t("doctor.device.simulated"))
    if health.in_use:
        return line(check, OK, t("doctor.device.in_use", port=port))
    state = health.state()
    faults = t("doctor.device.faults", count=health.faults) if health.faults else ""
    if state == "ok":
        said = (
            t("doctor.device.ok_read", port=port, time=f"{health.last_read:%m-%d %H:%M}")
            if health.last_read
            else t("doctor.device.ok", port=port)
        )
        return line(check, OK, said + faults)
    if state == "silent":
        return line(check, FAIL, t("doctor.device.silent", port=port) + faults, t("doctor.device.silent_fix"))
    if health.usable():  # not tried yet: the kiosk has just started
        return line(check, WARN, t("doctor.device.starting", port=port))
    return line(
        check,
        FAIL,
        t("doctor.device.absent", port=port, error=_reason(health.last_error)),
        t("doctor.device.absent_fix"),
    )


def _reason(error: str) -> str:
    """An OS error's own words without the paths around them: "[Errno 2] could not open port
    /dev/x: [Errno 2] No such file or directory: '/dev/x'" says "No such file or directory"."""
    said = re.findall(r"\[Errno \d+\] ([^:]+)", error)
    return said[-1].strip() if said else (error or "-")
