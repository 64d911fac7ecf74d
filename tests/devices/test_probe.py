"""devices/probe.py: the doctor's look at each configured device, with the real drivers on real
ptys (the simulators), and a port the running kiosk holds left to it."""

from types import SimpleNamespace

import pytest

from devices.idcard import IdCardReader
from devices.probe import look
from devices.sim.pty import VirtualPort
from devices.sim.qr import QrSim


def devices(idcard: str = "", qr: str = "", evdev: str = "", printer: str = "") -> SimpleNamespace:
    return SimpleNamespace(
        devices=SimpleNamespace(
            idcard=SimpleNamespace(port=idcard, baud=115200, poll_interval_ms=200, fingerprint=False),
            qr_serial=SimpleNamespace(port=qr, baud=9600, idle_gap_ms=100),
            evdev=SimpleNamespace(device_name=evdev),
        ),
        printer=SimpleNamespace(enabled=bool(printer), device=printer, baud=115200, width_mm=58),
        display=SimpleNamespace(font="assets/fonts/NotoSansCJKsc-Regular.otf", font_bold="", fallback_fonts=[]),
    )


@pytest.fixture
def qr_sim(tmp_path):
    s = QrSim(str(tmp_path / "usb-Scanner-if00"))
    yield s
    s.close()


def test_a_reader_and_a_scanner_that_answer(sim, qr_sim):
    reader, scanner = look(devices(sim.path, qr_sim.path))
    assert (reader.kind, reader.port, reader.state(), reader.in_use) == ("idcard", sim.path, "ok", False)
    assert (scanner.kind, scanner.port, scanner.state()) == ("qr", qr_sim.path, "ok")
    assert sim.counts.get("find", 0) >= 1  # the reader was asked, not only opened


def test_a_port_the_running_kiosk_holds_is_in_use_and_left_alone(sim):
    kiosk = IdCardReader("idcard", sim.path)
    kiosk.open()  # exclusively, as the kiosk's device thread holds it
    try:
        finds = sim.counts.get("find", 0)
        (reader,) = look(devices(sim.path))
        assert reader.in_use and not reader.connected
        assert sim.counts.get("find", 0) == finds  # nothing was sent to the kiosk's reader
        kiosk.ask((0x20, 0x01), 1.0)  # and the kiosk still has it
    finally:
        kiosk.close()


def test_no_device_on_the_port(tmp_path):
    (reader,) = look(devices(str(tmp_path / "usb-Reader-gone")))
    assert reader.state() == "absent" and not reader.in_use and "No such file" in reader.last_error


def test_a_port_where_nothing_answers_is_silent(tmp_path):
    port = VirtualPort(str(tmp_path / "usb-Reader-mute"))  # a cable with no reader behind it
    try:
        (reader,) = look(devices(port.path))
    finally:
        port.close()
    assert reader.state() == "silent"


def test_the_demo_simulator_is_not_opened():
    (reader, scanner) = look(devices("simulator", "simulator"))
    assert reader.state() == scanner.state() == "ok" and reader.port == "simulator"


def test_the_receipt_printer_is_asked_its_status(tmp_path):
    from devices.sim.printer import PrinterSim

    printer = PrinterSim(str(tmp_path / "usb-Printer-if00"))
    try:
        printer.paper = "out"
        (found,) = look(devices(printer=printer.path))
        assert (found.kind, found.port, found.state()) == ("printer", printer.path, "paper_out")
        assert not printer.slips  # asked, nothing printed
    finally:
        printer.close()
    (gone,) = look(devices(printer=str(tmp_path / "no-printer")))
    assert gone.state() == "absent" and "No such file" in gone.last_error
    (demo,) = look(devices(printer="simulator"))
    assert demo.state() == "ok" and not (tmp_path / "dev").exists()
