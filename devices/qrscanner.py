"""QR scanners on a serial port (USB-COM or RS-232): bytes in, one text per scan out.

A scanner in serial mode sends `[data][terminator]`, CR by default, or LF, CR LF or nothing
(docs/idcard-reader.md §2.1).  Any CR or LF ends a scan; empty scans are dropped, which also
makes CR LF (even split across reads) and a payload that starts with CR/LF come out right.  A
scanner set to send no terminator is split on an idle gap instead.  Serial mode gives raw bytes,
so Chinese arrives intact: UTF-8 first, GBK as the fallback some scanners are set to.
"""

import re
import time
from collections.abc import Callable

import serial

from kiosk.identity.credentials import Credential

from .serialdev import SerialDevice

_TERMINATOR = re.compile(rb"[\r\n]")
_EDGES = re.compile(r"^[\s\x00]+|[\s\x00]+$")


class Splitter:
    """FairLock a byte stream into scanned texts.  Pure: the caller gives the time of every call.

    `undecodable` and `oversized` count faults; `on_fault`, if given, hears each with a reason.
    An `idle_gap_s` of 0 turns the idle-gap split off.
    """

    def __init__(self, idle_gap_s: float, max_length: int = 4096, on_fault: Callable[[str], None] | None = None):
        self.idle_gap_s = idle_gap_s
        self.max_length = max_length
        self.on_fault = on_fault or (lambda reason: None)
        self.undecodable = 0
        self.oversized = 0
        self.reset()

    def reset(self) -> None:
        """Forget a partial scan (a fresh connection)."""
        self._buf = bytearray()
        self._discarding = False  # inside an oversized payload: drop up to its end
        self._last: float | None = None

    def feed(self, data: bytes, now: float) -> list[str]:
        """Bytes that arrived at `now`; the scans they complete."""
        out = self.flush(now)  # a pause before these bytes ended the previous scan
        if not data:
            return out
        self._last = now
        *ended, rest = _TERMINATOR.split(data)
        for part in ended:
            self._append(part)
            out.extend(self._finish())
        self._append(rest)
        return out

    def flush(self, now: float) -> list[str]:
        """Nothing arrived: a pending scan without terminator ends once the idle gap has passed."""
        if self.idle_gap_s <= 0 or self._last is None or now - self._last < self.idle_gap_s:
            return []
        self._last = None
        return self._finish()

    def _append(self, part: bytes) -> None:
        if self._discarding or not part:
            return
        if len(self._buf) + len(part) > self.max_length:
            # A scanner streaming garbage must not grow memory: drop the payload, up to its end.
            self._buf.clear()
            self._discarding = True
            self.oversized += 1
            self.on_fault(f"scan longer than {self.max_length} bytes dropped")
            return
        self._buf += part

    def _finish(self) -> list[str]:
        raw, discarded = bytes(self._buf), self._discarding
        self._buf.clear()
        self._discarding = False
        if discarded or not raw:
            return []
        text = _EDGES.sub("", self._decode(raw))
        return [text] if text else []

    def _decode(self, raw: bytes) -> str:
        for encoding in ("utf-8", "gbk"):
            try:
                return raw.decode(encoding)
            except UnicodeDecodeError:
                pass
        # Still passed on: "unknown card" on screen beats silence for the senior at the scanner.
        self.undecodable += 1
        self.on_fault(f"scan of {len(raw)} bytes is neither UTF-8 nor GBK")
        return raw.decode("utf-8", errors="replace")


class QrScanner(SerialDevice):
    kind = "qr"

    def __init__(self, name: str, port: str, baud: int, idle_gap_ms: int):
        super().__init__(name, port, baud)
        # Through a lambda: the manager replaces self.on_fault after construction.
        self.splitter = Splitter(idle_gap_ms / 1000, on_fault=lambda reason: self.on_fault(reason))

    def opened(self) -> None:
        self.splitter.reset()

    def poll(self) -> list[Credential]:
        """Scans completed by what arrived within about 0.05 s.  Unplugging raises
        serial.SerialException or OSError, for the manager to reconnect."""
        if self.serial is None:
            raise serial.SerialException(f"{self.name} is not open")
        data = self.serial.read(1)  # blocks up to the port's 0.05 s timeout
        if data:
            data += self.serial.read(self.serial.in_waiting)
        now = time.monotonic()
        texts = self.splitter.feed(data, now) if data else self.splitter.flush(now)
        return [Credential.qr(text) for text in texts]
