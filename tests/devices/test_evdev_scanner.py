"""Keyboard-mode scanners read through evdev: the key assembler, and the thin device part against
a stand-in evdev module (this machine has no /dev/input and no python-evdev)."""

import importlib.util
import os
import queue
import sys
import types
from collections import namedtuple

import pytest

from devices import evdev_scanner
from devices.evdev_scanner import EV_KEY, EvdevScanner, KeyAssembler
from devices.manager import DeviceManager
from kiosk.identity.credentials import Credential

SHIFT, RSHIFT, ENTER, KPENTER = 42, 54, 28, 96
CODES = {ch: code for code, (ch, _) in evdev_scanner.KEYS.items() if code not in range(55, 99)}
SHIFTED = {sh: code for code, (ch, sh) in evdev_scanner.KEYS.items() if ch != sh}


def events(text: str, enter: int = ENTER) -> list[tuple[int, int]]:
    """What a scanner sends for `text`: Shift around shifted characters, then Enter."""
    out = []
    for ch in text:
        if ch in SHIFTED:
            out += [(SHIFT, 1), (SHIFTED[ch], 1), (SHIFTED[ch], 0), (SHIFT, 0)]
        else:
            out += [(CODES[ch], 1), (CODES[ch], 0)]
    return out + [(enter, 1), (enter, 0)]


def type_all(assembler: KeyAssembler, keys: list[tuple[int, int]]) -> list[str]:
    return [text for code, value in keys if (text := assembler.key(code, value)) is not None]


def test_a_token_with_shifted_letters_digits_and_dashes():
    assert type_all(KeyAssembler(), events("YL1-DM0001-1-K3j5")) == ["YL1-DM0001-1-K3j5"]


def test_url_punctuation_on_a_us_layout():
    url = "https://x.cn/a_b?c=1&d=%7E#top;'[]{}|\\\"<>,~`!@$^*()+"
    assert type_all(KeyAssembler(), events(url)) == [url]


def test_right_shift_and_keypad_enter():
    keys = [(RSHIFT, 1), (30, 1), (30, 0), (RSHIFT, 0), (30, 1), (30, 0), (KPENTER, 1)]
    assert type_all(KeyAssembler(), keys) == ["Aa"]


def test_both_shifts_held_then_one_released_still_shifts():
    keys = [(SHIFT, 1), (RSHIFT, 1), (SHIFT, 0), (30, 1), (RSHIFT, 0), (30, 1), (ENTER, 1)]
    assert type_all(KeyAssembler(), keys) == ["Aa"]


def test_keypad_digits():
    keys = [(79, 1), (82, 1), (83, 1), (74, 1), (ENTER, 1)]  # KP1 KP0 KPDOT KPMINUS
    assert type_all(KeyAssembler(), keys) == ["10.-"]


def test_autorepeat_and_key_up_type_nothing():
    keys = [(2, 1), (2, 2), (2, 2), (2, 0), (3, 2), (ENTER, 2), (ENTER, 0), (ENTER, 1)]
    assert type_all(KeyAssembler(), keys) == ["1"]


def test_unknown_keys_are_ignored():
    keys = [(29, 1), (2, 1), (1, 1), (58, 1), (3, 1), (125, 1), (ENTER, 1)]  # Ctrl Esc Caps Meta
    assert type_all(KeyAssembler(), keys) == ["12"]


def test_consecutive_scans_and_empty_enters():
    keys = [(ENTER, 1)] + events("AB") + [(57, 1), (ENTER, 1)] + events("CD")  # a lone space: none
    assert type_all(KeyAssembler(), keys) == ["AB", "CD"]


def test_oversized_scan_is_dropped_and_counted():
    a = KeyAssembler(max_length=4)
    assert type_all(a, events("ABCDE") + events("OK")) == ["OK"]
    assert a.oversized == 1
    assert len(a._chars) == 0


# --- the device, against a stand-in evdev module ------------------------------------------

Event = namedtuple("Event", "type code value")


class FakeDevice:
    def __init__(self, path: str, name: str, keys: list[int], batches: list):
        self.path, self.name, self._keys, self.batches = path, name, keys, batches
        self.grabbed = self.closed = False
        self.fd, self._w = os.pipe()

    def capabilities(self):
        return {EV_KEY: self._keys}

    def grab(self):
        self.grabbed = True

    def close(self):
        self.closed = True

    def push(self, batch):
        self.batches.append(batch)
        os.write(self._w, b"x")  # makes fd readable, as the kernel would

    def read(self):
        os.read(self.fd, 1)
        batch = self.batches.pop(0)
        if isinstance(batch, Exception):
            raise batch
        yield from batch


@pytest.fixture
def fake_evdev(monkeypatch):
    nodes = [  # a scanner's second node types no Enter (media keys only)
        ("/dev/input/event3", "Newtologic Barcode Scanner Consumer", [115]),
        ("/dev/input/event4", "Newtologic Barcode Scanner", [2, 28]),
        ("/dev/input/event5", "AT keyboard", [2, 28]),
    ]
    devices = {path: FakeDevice(path, name, keys, []) for path, name, keys in nodes}

    def input_device(path):
        if path == "/dev/input/event0":
            raise PermissionError(13, "Permission denied")
        return devices[path]

    module = types.ModuleType("evdev")
    module.list_devices = lambda: ["/dev/input/event0", *devices]
    module.InputDevice = input_device
    monkeypatch.setitem(sys.modules, "evdev", module)
    yield devices
    for d in devices.values():
        os.close(d.fd)
        os.close(d._w)


def key_events(text: str) -> list[Event]:
    return [Event(EV_KEY, code, value) for code, value in events(text)]


def test_open_grabs_the_node_that_types_and_poll_reads_scans(fake_evdev):
    scanner = EvdevScanner("hid-qr", "barcode scanner")
    scanner.open()
    chosen = fake_evdev["/dev/input/event4"]
    assert scanner.device is chosen and chosen.grabbed
    assert fake_evdev["/dev/input/event3"].closed and not fake_evdev["/dev/input/event3"].grabbed
    assert not fake_evdev["/dev/input/event5"].grabbed

    assert scanner.poll() == []  # nothing waiting: ~0.05 s, no scan
    chosen.push([Event(4, 4, 458792)] + key_events("YL1-DM")[:-2])  # EV_MSC, then no Enter yet
    assert scanner.poll() == []
    chosen.push([Event(EV_KEY, ENTER, 1), Event(EV_KEY, ENTER, 0)] + key_events("B-2"))
    assert scanner.poll() == [Credential.qr("YL1-DM"), Credential.qr("B-2")]

    chosen.push(OSError(19, "No such device"))
    with pytest.raises(OSError):
        scanner.poll()
    scanner.close()
    assert chosen.closed and scanner.device is None


def test_open_resets_a_partial_scan(fake_evdev):
    scanner = EvdevScanner("hid-qr", "Barcode Scanner")
    scanner.open()
    device = fake_evdev["/dev/input/event4"]
    device.push(key_events("HALF")[:-2])
    assert scanner.poll() == []
    scanner.close()
    scanner.open()
    device.push(key_events("WHOLE"))
    assert scanner.poll() == [Credential.qr("WHOLE")]


def test_oversized_scan_is_a_fault(fake_evdev):
    scanner = EvdevScanner("hid-qr", "Barcode Scanner", max_length=3)
    faults = []
    scanner.on_fault = faults.append
    scanner.open()
    fake_evdev["/dev/input/event4"].push(key_events("TOOLONG") + key_events("OK"))
    assert scanner.poll() == [Credential.qr("OK")]
    assert faults == ["scan longer than 3 characters dropped"]


def test_open_fails_when_no_device_matches(fake_evdev):
    with pytest.raises(OSError, match="no input device named like 'Honeywell'"):
        EvdevScanner("hid-qr", "Honeywell").open()


def test_poll_before_open_raises():
    with pytest.raises(OSError):
        EvdevScanner("hid-qr", "Barcode").poll()


def test_open_without_python_evdev(monkeypatch):
    if importlib.util.find_spec("evdev") is None:
        with pytest.raises(OSError, match="^python-evdev is not installed$"):
            EvdevScanner("hid-qr", "Barcode").open()
    # Installed or not, a missing module is reported the same way.
    monkeypatch.setitem(sys.modules, "evdev", None)  # makes `import evdev` fail
    with pytest.raises(OSError, match="^python-evdev is not installed$"):
        EvdevScanner("hid-qr", "Barcode").open()


def test_the_device_manager_runs_it(fake_evdev):
    scanner = EvdevScanner("hid-qr", "Barcode Scanner")
    read, health = queue.Queue(), queue.Queue()
    manager = DeviceManager([scanner], read.put, health.put)
    manager.start()
    try:
        assert health.get(timeout=3).connected
        fake_evdev["/dev/input/event4"].push(key_events("YL1-DM0001"))
        assert read.get(timeout=3) == Credential.qr("YL1-DM0001")
    finally:
        manager.stop()
    assert not manager.threads[0].thread.is_alive()
    assert scanner.device is None


def test_the_device_manager_reports_evdev_missing(monkeypatch):
    monkeypatch.setitem(sys.modules, "evdev", None)
    health = queue.Queue()
    manager = DeviceManager([EvdevScanner("hid-qr", "Barcode")], lambda cred: None, health.put)
    manager.start()
    try:
        first = health.get(timeout=3)
        assert (first.connected, first.last_error) == (False, "python-evdev is not installed")
    finally:
        manager.stop()
    assert not manager.threads[0].thread.is_alive()
