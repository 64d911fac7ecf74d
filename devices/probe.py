"""The devices as the doctor's command line finds them (kiosk/doctor/devices.py): each configured
reader and scanner opened once with its real driver, asked once, and closed.

A port the running kiosk holds is never taken from it: the serial drivers open their ports with an
exclusive lock (devices/serialdev.py) and the evdev scanner grabs its device, so a second opener
is refused, and that refusal is reported as the port being in use."""

import errno
from datetime import datetime
from types import SimpleNamespace

import serial

from devices import configured
from kiosk.config import SIMULATOR
from kiosk.health import Health
from kiosk.printing import states

POLLS = 3  # asked this often: a reader's first answer after opening may be lost in its start-up


def look(settings: SimpleNamespace) -> list[Health]:
    """The health of each device the settings name (a simulated one, the demo's, is not opened)."""
    found = configured.from_settings(settings, simulate=False)
    printer = [_look_printer(found.printer)] if found.printer is not None else []
    return [_look(device) for device in found.devices] + printer


def _look_printer(printer) -> Health:
    """The receipt printer asked its status once (DLE EOT), as its thread does between slips."""
    if printer.port == SIMULATOR:
        return Health(printer.name, printer.kind, printer.port, connected=True)
    try:
        state = printer.look()
    except (OSError, serial.SerialException) as e:
        if _held(e):
            return Health(printer.name, printer.kind, printer.port, in_use=True)
        return Health(printer.name, printer.kind, printer.port, since=datetime.now(), last_error=str(e))
    trouble = state if state in states.TROUBLES else ""
    answering = state != states.SILENT
    return Health(
        printer.name,
        printer.kind,
        printer.port,
        connected=True,
        answering=answering,
        trouble=trouble,
        since=datetime.now(),
    )


def _look(device) -> Health:
    if device.port == SIMULATOR:
        return Health(device.name, device.kind, device.port, connected=True)
    faults: list[str] = []
    device.on_fault = faults.append
    try:
        device.open()
    except (OSError, serial.SerialException) as e:
        device.close()
        if _held(e):
            return Health(device.name, device.kind, device.port, in_use=True)
        return Health(device.name, device.kind, device.port, since=datetime.now(), last_error=str(e))
    try:
        for _ in range(POLLS):
            device.poll()
            if device.answering:
                break
        answering = device.answering
    except (OSError, serial.SerialException) as e:
        return Health(device.name, device.kind, device.port, since=datetime.now(), last_error=str(e))
    finally:
        device.close()
    return Health(
        device.name,
        device.kind,
        device.port,
        connected=True,
        answering=answering,
        since=datetime.now(),
        faults=len(faults),
        last_error=faults[-1] if faults else "",
    )


def _held(error: Exception) -> bool:
    """Whether opening failed because another process holds the port (flock, or an evdev grab)."""
    if isinstance(error, OSError) and error.errno in (errno.EAGAIN, errno.EBUSY, errno.EWOULDBLOCK):
        return True
    return "Could not exclusively lock port" in str(error)
