"""kiosk/printing: submit returns at once whatever the printer does; the state a flow's screen and
the staff see; the doctor's line; the layout of a slip for both paper widths.  The printer is the
real driver on the simulator's pty, or a path with nothing at it."""

import threading
import time

import pytest

from devices.printer import Printer
from devices.sim.printer import PrinterSim
from kiosk import printing
from kiosk.doctor import devices
from kiosk.health import Health
from kiosk.i18n import t
from kiosk.printing import states
from kiosk.printing.layout import PAPER, Qr, columns, lay_out
from kiosk.printing.worker import QUEUE, Printing
from screens import present
from tests.kiosk.printing.samples import CARD, slip
from tests.waiting import wait_until


@pytest.fixture
def sim(tmp_path):
    s = PrinterSim(str(tmp_path / "printer"), pace_baud=115200)
    yield s
    s.close()


@pytest.fixture
def healths():
    return []


@pytest.fixture
def started(healths):
    """printing.start for a driver, stopped after the test."""

    def start(driver) -> Printing:
        return printing.start(driver, 58, healths.append)

    yield start
    printing.stop()


def printed(running: Printing, count: int) -> None:
    with running.printed:
        assert running.printed.wait_for(lambda: running.done >= count, 10)


def enable(settings, device: str) -> None:
    settings.printer.enabled, settings.printer.device = True, device


def test_a_slip_prints_on_its_own_thread(sim, started, healths, settings):
    running = started(Printer("printer", sim.path, 115200))
    before = time.monotonic()
    assert printing.submit(slip()) is True
    assert time.monotonic() - before < 0.05  # the slip's ~0.3 s on the wire is the thread's
    printed(running, 1)
    assert sim.wait_for_slips(1) and "姓名：王建华" in sim.slips[0]
    assert printing.state() == states.OK and printing.trouble() == ""
    health = printing.health()
    assert health is not None and (health.kind, health.reads, health.state()) == ("printer", 1, "ok")
    assert healths[-1] == health  # the corner and the bureau heard of it
    enable(settings, sim.path)
    line = devices.printer(settings, [health])
    assert (line.state, line.detail) == ("ok", t("doctor.printer.ok", port=sim.path, count=1))


def test_out_of_paper_the_senior_is_told_to_find_staff_and_staff_what_to_do(sim, started, settings):
    sim.paper = "out"
    running = started(Printer("printer", sim.path, 115200))
    assert printing.submit(slip()) is True
    printed(running, 1)
    assert sim.slips == []
    assert printing.state() == states.PAPER_OUT
    assert printing.trouble() == "回执打印机缺纸，请找工作人员"
    health = printing.health()
    assert present.device_status(health) == "回执打印机 缺纸 · 1 次故障"
    enable(settings, sim.path)
    line = devices.printer(settings, [health])
    assert line.state == "fail" and "缺纸" in line.detail
    assert line.fix == t("doctor.printer.paper_out_fix", width=58) and "热敏纸" in line.fix
    sim.paper = "ok"  # staff put a roll in: the next slip prints
    printing.submit(slip())
    printed(running, 2)
    assert sim.wait_for_slips(1) and printing.state() == states.OK


def test_an_absent_printer_costs_the_flow_nothing(tmp_path, started, settings):
    port = str(tmp_path / "yinling-printer")
    running = started(Printer("printer", port, 115200))
    before = time.monotonic()
    assert printing.submit(slip()) is True
    assert time.monotonic() - before < 0.05
    printed(running, 1)
    assert printing.state() == states.ABSENT
    assert printing.trouble() == "回执打印机没有连接，请找工作人员"
    enable(settings, port)
    line = devices.printer(settings, [printing.health()])
    assert line.state == "fail" and port in line.detail and "No such file or directory" in line.detail
    assert line.fix == t("doctor.printer.absent_fix")


def test_a_cover_left_open_is_seen_between_slips(sim, started):
    sim.cover_open = True
    running = Printing(Printer("printer", sim.path, 115200), 58, look_every_s=0.05).start()
    try:
        wait_until(lambda: running.state() == states.COVER_OPEN, 5, "the cover seen open")
        sim.cover_open = False
        wait_until(lambda: running.state() == states.OK, 5, "the cover seen shut")
    finally:
        running.stop()


class Stuck:
    """A driver whose printer never finishes a slip (a jammed USB printer's write), until let go."""

    name, port = "printer", "/dev/usb/lp0"

    def __init__(self):
        self.go = threading.Event()

    def look(self) -> str:
        return states.OK

    def print_page(self, page) -> str:
        self.go.wait(10)
        return states.OK


def test_a_stuck_printer_drops_slips_beyond_its_queue_without_waiting():
    stuck = Stuck()
    running = Printing(stuck, 58).start()
    try:
        before = time.monotonic()
        queued = [running.submit(slip()) for _ in range(QUEUE + 3)]
        assert time.monotonic() - before < 0.5
        assert queued.count(False) >= 2 and queued[:QUEUE] == [True] * QUEUE
    finally:
        stuck.go.set()
        running.stop()


def test_printing_off(settings):
    printing.stop()
    assert printing.submit(slip()) is False
    assert (printing.state(), printing.trouble(), printing.health()) == (states.OFF, "", None)
    assert devices.printer(settings, []).detail == t("doctor.printer.off")


def test_a_printer_not_yet_looked_at_warns_as_starting(settings):
    enable(settings, "/dev/yinling-printer")
    line = devices.printer(settings, [Health("printer", "printer", "/dev/yinling-printer")])
    assert line.state == "warn"


@pytest.mark.parametrize("width_mm", sorted(PAPER))
def test_the_layout_fits_the_paper(width_mm):
    long = slip().__class__(**{**slip().__dict__, "note": "请凭本回执到一楼服务台领取教材，" * 4})
    page = lay_out(long, width_mm)
    cols = PAPER[width_mm][0]
    for block in page.blocks:
        if not isinstance(block, Qr):
            assert columns(block.text) * (2 if block.big else 1) <= cols
    assert page.blocks[-2] == Qr(CARD)
    assert "请凭本回执到一楼服务台领取教材，请凭本回执" in page.text().replace("\n", "")
