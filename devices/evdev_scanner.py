"""A USB QR scanner in keyboard mode, read from its own /dev/input/event* node (Linux only).

With an exclusive grab (EVIOCGRAB) its keystrokes never reach the window, whatever has focus
(docs/idcard-reader.md §2.2).  python-evdev is optional: without it open() fails like an
unplugged device, so the manager reports it and retries, and the kiosk runs on the other devices.
Keyboard mode suits ASCII/URL codes only (US layout); Chinese needs the scanner's serial mode.
"""

import logging
import select
import threading
from collections.abc import Callable

from kiosk.identity.credentials import Credential

log = logging.getLogger(__name__)

EV_KEY = 1
KEY_LEFTSHIFT, KEY_RIGHTSHIFT = 42, 54
KEY_ENTER, KEY_KPENTER = 28, 96
DOWN, UP = 1, 0  # value 2 is autorepeat: a scanner never holds a key

# Key codes from linux/input-event-codes.h, a stable kernel ABI, mapped for a US layout:
# code -> (character, character with Shift).
_ROWS = {
    2: "1!2@3#4$5%6^7&8*9(0)-_=+",
    16: "qQwWeErRtTyYuUiIoOpP[{]}",
    30: "aAsSdDfFgGhHjJkKlL;:'\"`~",
    43: "\\|zZxXcCvVbBnNmM,<.>/?",
}
KEYS: dict[int, tuple[str, str]] = {
    first + i: (row[2 * i], row[2 * i + 1]) for first, row in _ROWS.items() for i in range(len(row) // 2)
}
KEYS[57] = (" ", " ")  # KEY_SPACE
# The keypad, as sent by scanners set to "emulate keypad" (NumLock on).
_KEYPAD = {
    55: "*",
    71: "7",
    72: "8",
    73: "9",
    74: "-",
    75: "4",
    76: "5",
    77: "6",
    78: "+",
    79: "1",
    80: "2",
    81: "3",
    82: "0",
    83: ".",
    98: "/",
}
KEYS.update({code: (ch, ch) for code, ch in _KEYPAD.items()})


class KeyAssembler:
    """Key events (code, value) in, one text per scan out when Enter is pressed."""

    def __init__(self, max_length: int = 4096):
        self.max_length = max_length
        self.oversized = 0
        self.reset()

    def reset(self) -> None:
        self._chars: list[str] = []
        self._shift: set[int] = set()
        self._overflow = False

    def key(self, code: int, value: int) -> str | None:
        """One key event; the scanned text when this was Enter going down, else None."""
        if code in (KEY_LEFTSHIFT, KEY_RIGHTSHIFT):
            if value == DOWN:
                self._shift.add(code)
            elif value == UP:
                self._shift.discard(code)
            return None
        if value != DOWN:
            return None
        if code in (KEY_ENTER, KEY_KPENTER):
            return self._enter()
        chars = KEYS.get(code)
        if chars is None:
            return None  # keys a QR payload does not use
        if len(self._chars) >= self.max_length:
            self._overflow = True  # a stuck stream must not grow memory
            return None
        self._chars.append(chars[1] if self._shift else chars[0])
        return None

    def _enter(self) -> str | None:
        text, overflow = "".join(self._chars).strip(), self._overflow
        self._chars.clear()
        self._overflow = False
        if overflow:
            self.oversized += 1
            return None
        return text or None


def _find(evdev, pattern: str):
    """The first readable input device whose name contains `pattern` and that types Enter
    (some scanners expose two nodes; only one gives keystrokes)."""
    wanted = pattern.casefold()
    for path in evdev.list_devices():
        try:
            device = evdev.InputDevice(path)
        except OSError:
            continue  # not ours to read (no access): skip it
        if wanted in device.name.casefold() and KEY_ENTER in device.capabilities().get(EV_KEY, []):
            return device
        device.close()
    raise OSError(f"no input device named like {pattern!r}")


class EvdevScanner:
    """What the manager uses of a SerialDevice: name, kind, port, open(), close(), poll(),
    wait(), on_fault, answering and stopping."""

    kind = "qr"

    def __init__(self, name: str, port: str, max_length: int = 4096):
        self.name = name
        self.port = port  # a substring of the device's name, e.g. "Barcode"
        self.device = None
        self.assembler = KeyAssembler(max_length)
        self.answering = True  # what the manager reads of a SerialDevice
        self.stopping = threading.Event()
        self.on_fault: Callable[[str], None] = lambda reason: log.warning("%s: %s", self.name, reason)

    def open(self) -> None:
        try:
            import evdev
        except ImportError:
            raise OSError("python-evdev is not installed") from None
        device = _find(evdev, self.port)
        try:
            device.grab()  # EVIOCGRAB: the window never sees the scanner type
        except OSError:
            device.close()
            raise
        self.device = device
        self.assembler.reset()

    def close(self) -> None:
        if self.device is not None:
            try:
                self.device.close()  # closing also ends the grab
            except OSError:
                pass  # an unplugged device may fail to close; it is gone
            self.device = None

    def wait(self, seconds: float) -> None:
        """Pause between attempts to open, cut short when the kiosk stops."""
        self.stopping.wait(seconds)

    def poll(self) -> list[Credential]:
        """Scans completed within about 0.05 s.  Unplugging raises OSError (ENODEV)."""
        if self.device is None:
            raise OSError(f"{self.name} is not open")
        ready, _, _ = select.select([self.device.fd], [], [], 0.05)
        if not ready:
            return []
        before = self.assembler.oversized
        try:
            events = list(self.device.read())
        except BlockingIOError:
            return []  # a spurious wake-up, not an unplug
        texts = [self.assembler.key(e.code, e.value) for e in events if e.type == EV_KEY]
        if self.assembler.oversized > before:
            self.on_fault(f"scan longer than {self.assembler.max_length} characters dropped")
        return [Credential.qr(text) for text in texts if text]
