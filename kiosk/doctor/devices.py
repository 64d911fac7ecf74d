"""The reader's and the scanner's lines, from their health (kiosk/health.py) as whoever runs the
doctor found it: the running kiosk's device manager, or devices/probe.py on the command line."""

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
    readers = [h for h in found if h.kind == "idcard"]
    out = [device_line("idcard", h, cfg.idcard.port) for h in readers] or [
        line("idcard", WARN, t("doctor.device.idcard_none"), t("doctor.device.idcard_none_fix"))
    ]
    scanners = [device_line("qr", h, _configured_port(settings, h)) for h in found if h.kind == "qr"]
    if cfg.keyboard_wedge.enabled:
        scanners.append(line("qr", OK, t("doctor.device.wedge")))
    return out + (scanners or [line("qr", FAIL, t("doctor.device.qr_none"), t("doctor.device.qr_none_fix"))])


def _configured_port(settings: SimpleNamespace, health: Health) -> str:
    return settings.devices.qr_serial.port if health.name == "qr" else health.port


def device_line(check: str, health: Health, configured: str) -> Line:
    port = health.port
    if configured == SIMULATOR:
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
    error = health.last_error or "-"
    return line(check, FAIL, t("doctor.device.absent", port=port, error=error), t("doctor.device.absent_fix"))
