"""What every serial device driver shares: the port, opened exclusively, and its faults.

A driver subclasses SerialDevice and implements poll().  The device manager opens it, calls
poll() in the device's own thread, and on any OSError or serial.SerialException (the device was
unplugged) closes it and opens it again later (docs/idcard-reader.md §3, §4.3).
"""

import logging
import termios
import threading
from collections.abc import Callable

import serial

from kiosk.identity.credentials import Credential

log = logging.getLogger(__name__)


class SerialDevice:
    kind = "serial"  # "idcard" or "qr": what the health corner calls it

    def __init__(self, name: str, port: str, baud: int):
        self.name = name
        self.port = port  # a /dev/serial/by-id/… path survives re-plugging
        self.baud = baud
        self.serial: serial.Serial | None = None
        self.answering = True  # False while a port is open but the device says nothing
        self.stopping = threading.Event()
        # Called with a short reason for faults that do not lose the port (a bad frame, a SAM
        # fault); the manager counts them.  Log-only until a manager takes the device.
        self.on_fault: Callable[[str], None] = lambda reason: log.warning("%s: %s", self.name, reason)

    def open(self) -> None:
        """Open the port, exclusively: two kiosk processes must not share a reader."""
        self.serial = serial.Serial(self.port, self.baud, timeout=0.05, exclusive=True)
        self.discard_input()
        self.opened()

    def opened(self) -> None:
        """Called after open(): a driver resets its state for a fresh connection."""

    def close(self) -> None:
        if self.serial is not None:
            try:
                self.serial.close()
            except (OSError, serial.SerialException):
                pass  # an unplugged port may fail to close; it is gone anyway
            self.serial = None

    def poll(self) -> list[Credential]:
        """One step of work (at most one card read or a short wait); the credentials read."""
        raise NotImplementedError

    def open_port(self) -> serial.Serial:
        """The open port; a SerialException when it is not open (closed after a fault)."""
        if self.serial is None:
            raise serial.SerialException(f"{self.port} is not open")
        return self.serial

    def discard_input(self) -> None:
        """Drop unread bytes; an unplugged port fails here with termios.error, made a SerialException."""
        try:
            self.open_port().reset_input_buffer()
        except termios.error as e:
            raise serial.SerialException(f"port gone: {e}") from e

    def wait(self, seconds: float) -> None:
        """Pause between polls, cut short when the kiosk stops."""
        self.stopping.wait(seconds)
