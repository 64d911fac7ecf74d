"""devices/printer.py: a slip's bytes through a real pty at 115200 baud to the simulated printer,
read back with the tests' own ESC/POS reader (tests/devices/escpos.py), and the printer's status."""

import os
import time

import pytest

from devices.printer import Printer
from devices.sim.printer import PrinterSim
from devices.sim.pty import VirtualPort
from kiosk import config
from kiosk.fonts import FontChain
from kiosk.printing import states
from kiosk.printing.layout import lay_out
from tests.devices import escpos
from tests.kiosk.printing.samples import CARD, slip


@pytest.fixture
def fonts():
    settings = config.load()
    return FontChain(settings.display.font, settings.display.fallback_fonts), settings.display.font_bold


@pytest.fixture
def printer_sim(tmp_path):
    sim = PrinterSim(str(tmp_path / "usb-Printer-if00"), pace_baud=115200, slips_dir=str(tmp_path / "slips"))
    yield sim
    sim.close()


def received(sim: PrinterSim) -> escpos.Stream:
    assert sim.wait_for_slips(1)
    return escpos.parse(bytes(sim.received))


def test_a_slip_through_the_pty_reads_back_as_its_text(printer_sim, fonts):
    chain, bold = fonts
    printer = Printer("printer", printer_sim.path, 115200, chain, bold)
    assert printer.print_page(lay_out(slip(), 58)) == states.OK
    stream = received(printer_sim)
    (receipt,) = stream.receipts
    assert stream.initialised == 1 and stream.kanji_mode
    assert stream.status_asked == [1, 2, 4, 1, 2, 4]  # before the slip and after it
    text = receipt.lines()
    assert text[:2] == ["2027 春季报名回执", "示范区老干部活动中心"]
    assert "姓名：王建华" in text and "会员号：DM0002" in text
    for expected in ("书法（一）班", "时间：每周二 09:00–11:00", "地点：三楼书画室", "状态：已报名（待摇号）"):
        assert expected in text
    assert "太极拳初级班" in text and "状态：候补第 3 位" in text
    assert "打印时间：2027-03-01 09:30" in text
    assert all(len(line.encode("gb18030")) <= 32 for line in text)  # a 58 mm line: 32 columns
    name = next(x for x in receipt.items if isinstance(x, escpos.Line) and x.text == "姓名：王建华")
    title = receipt.items[0]
    assert (name.bold, name.width, name.height) == (True, 2, 2)
    assert (title.align, title.bold, title.height) == ("center", True, 2)
    (qr,) = [x for x in receipt.items if isinstance(x, escpos.QrCode)]
    assert (qr.data, qr.model, qr.level) == (CARD.encode(), 2, "M")
    assert receipt.cut == "partial" and receipt.feed_lines >= 3
    assert printer_sim.slips[0].splitlines()[4] == "会员号：DM0002"  # the simulator's own text of it


def test_a_rare_character_name_prints_as_an_image_of_the_name(printer_sim, fonts):
    chain, bold = fonts
    printer = Printer("printer", printer_sim.path, 115200, chain, bold)
    printer.print_page(lay_out(slip("王𠮷祥", lines=1), 58))
    (receipt,) = received(printer_sim).receipts
    assert not any("王" in line or "祥" in line for line in receipt.lines())
    member_at = receipt.items.index(next(x for x in receipt.items if getattr(x, "text", "") == "会员号：DM0002"))
    image = receipt.items[member_at - 1]  # where the name's line would be
    assert isinstance(image, escpos.Image)
    assert (image.width, image.height) == (384, 48)
    inked = image.inked_columns()
    # 姓名：王𠮷祥 at 46 dots a character: six characters' ink from the left edge, none beyond
    assert inked[0] < 10 and 5 * 46 < inked[-1] < 6 * 46 + 10
    rare = range(4 * 46 + 4, 5 * 46 - 4)  # the fifth character's cell: 𠮷 is drawn, not left blank
    assert sum(1 for x in inked if x in rare) > 20


def test_without_the_kiosk_fonts_a_rare_character_prints_as_a_box(printer_sim):
    Printer("printer", printer_sim.path, 115200, fonts=None).print_page(lay_out(slip("王𠮷祥", lines=1), 58))
    (receipt,) = received(printer_sim).receipts
    assert "姓名：王□祥" in receipt.lines()


def test_an_80_mm_printer_gets_48_columns(printer_sim, fonts):
    chain, bold = fonts
    Printer("printer", printer_sim.path, 115200, chain, bold).print_page(lay_out(slip(), 80))
    (receipt,) = received(printer_sim).receipts
    assert "-" * 48 in receipt.lines()


@pytest.mark.parametrize(
    "setting, state",
    [
        ({"paper": "out"}, states.PAPER_OUT),
        ({"cover_open": True}, states.COVER_OPEN),
        ({"offline": True}, states.OFFLINE),
    ],
)
def test_a_printer_that_cannot_print_is_not_sent_the_slip(printer_sim, setting, state):
    for key, value in setting.items():
        setattr(printer_sim, key, value)
    printer = Printer("printer", printer_sim.path, 115200)
    assert printer.look() == state
    with pytest.raises(states.Refused) as refused:
        printer.print_page(lay_out(slip(), 58))
    assert refused.value.state == state
    stream = escpos.parse(bytes(printer_sim.received))
    assert stream.receipts == [] and stream.status_asked == [1, 2, 4, 1, 2, 4]


def test_paper_near_its_end_still_prints_and_says_so(printer_sim):
    printer_sim.paper = "low"
    assert Printer("printer", printer_sim.path, 115200).print_page(lay_out(slip(), 58)) == states.PAPER_LOW
    assert printer_sim.wait_for_slips(1)


def test_an_absent_printer_and_a_silent_one(tmp_path):
    with pytest.raises(OSError):
        Printer("printer", str(tmp_path / "no-printer"), 115200).look()
    port = VirtualPort()  # a cable with nothing answering behind it
    try:
        started = time.monotonic()
        assert Printer("printer", port.path, 115200).look() == states.SILENT
        assert time.monotonic() - started < 2
    finally:
        port.close()


def test_a_usb_printer_class_device_is_written_as_a_file(tmp_path):
    lp = tmp_path / "lp0"
    lp.write_bytes(b"")
    printer = Printer("printer", str(lp), 115200)
    assert printer.print_page(lay_out(slip(), 58)) == states.OK  # a plain file has no status: taken as ok
    stream = escpos.parse(lp.read_bytes())
    assert stream.status_asked == []  # a USB printer is asked by ioctl, not DLE EOT
    assert "姓名：王建华" in stream.receipts[0].lines()
    assert stream.receipts[0].qr_payloads() == [CARD.encode()]
    os.unlink(lp)


def test_the_demo_prints_to_its_simulator_and_keeps_each_slip_as_text(tmp_path):
    from devices import configured
    from kiosk import printing

    settings = config.load(None, tmp_path / "data")
    assert settings.printer.enabled is False  # off unless a site turns it on
    settings.printer.enabled = True
    found = configured.from_settings(settings)
    try:
        assert found.printer_sim is not None and found.printer.port == found.printer_sim.path
        printing.start(found.printer, settings.printer.width_mm)
        assert printing.submit(slip()) is True
        assert found.printer_sim.wait_for_slips(1)
        text = (tmp_path / "data" / "dev" / "slips" / "slip-0001.txt").read_text(encoding="utf-8")
        assert "姓名：王建华" in text and f"[二维码 {CARD}]" in text
    finally:
        printing.stop()
        found.close_simulators()
