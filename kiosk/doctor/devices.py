"""The reader's and the scanner's lines, from their health (kiosk/health.py) as whoever runs the
doctor found it: the running kiosk's device manager, or devices/probe.py on the command line."""

import re
from collections.abc import Iterable
from types import SimpleNamespace

from kiosk.config import SIMULATOR
from kiosk.doctor import FAIL, OK, WARN, Line, line
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
