"""报名 → the application slip's last byte at the printer (docs/printer.md).

A demo kiosk store in a temporary folder with the demo season published (kiosk/enrolment/demo.py);
the real driver and the printer's thread print to the simulated printer on a pty, which takes bytes
no faster than a 115200-baud cable carries them (10 bits a byte).  Each of 20 seniors taps 报名 on
a course: timed from the application (kiosk.enrolment.applications.apply, its fact written) through
the slip built from the store and handed to the printer, until the simulator has its last byte.
Every fourth senior's name has a character beyond GB18030's two-byte set (王𠮷祥), drawn as an
image.  The figure is p50/p95.  Target: ≤ 2 s.
"""

import tempfile
import time
from datetime import datetime
from pathlib import Path

from bench import Figure, percentile
from devices.printer import Printer
from devices.sim.printer import PrinterSim
from kiosk import config, demo
from kiosk.enrolment import applications, slip
from kiosk.enrolment import demo as enrol_demo
from kiosk.enrolment.eligibility import Applicant
from kiosk.fonts import FontChain
from kiosk.printing.worker import Printing
from kiosk.store.db import db, open_db, write
from kiosk.store.models import Member

BAUD = 115200
SLIPS = 20
TARGET_S = 2.0
RARE_NAME = "王𠮷祥"
COURSE = "e1"  # the demo season's 书法（一）班: no age bound, so an applicant without an ID card may apply


def run() -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="yinling-bench-printer-") as tmp:
        settings = config.load(None, Path(tmp) / "data")
        settings.printer.enabled = True
        now = datetime.now()
        open_db(settings.kiosk.data_dir)
        try:
            demo.load_if_empty(settings, now)
            enrol_demo.publish(settings, now)
            seniors = [m.member_no for m in Member.select().order_by(Member.member_no).limit(SLIPS)]
            with write():
                for no in seniors[::4]:
                    Member.update(name=RARE_NAME).where(Member.member_no == no).execute()
            return _print(settings, seniors)
        finally:
            db.close()


def _print(settings, seniors: list[str]) -> list[Figure]:
    fonts = FontChain(settings.display.font, settings.display.fallback_fonts)
    sim = PrinterSim(str(Path(settings.kiosk.data_dir) / "printer"), pace_baud=BAUD)
    printer = Printer("printer", sim.path, BAUD, fonts, settings.display.font_bold)
    running = Printing(printer, settings.printer.width_mm).start()
    origin = applications.Origin(settings.kiosk.id, settings.site.code)
    try:
        times, sizes = [], []
        for i, member_no in enumerate(seniors):
            had = len(sim.received)
            started = time.monotonic()
            at = datetime.now()
            done = applications.apply(Applicant(member_no), "demo", COURSE, at, origin)
            made = slip.application_slip(member_no, "demo", settings, at)
            if done.kind != "applied" or made is None or not running.submit(made):
                return [Figure("printer slip", f"报名 of {member_no}: {done.kind}, no slip printed", "", False)]
            if not sim.wait_for_slips(i + 1, 10):
                return [Figure("printer slip", "a slip never came out", f"≤ {TARGET_S:g} s", False)]
            times.append(sim.last_byte_at - started)
            sizes.append(len(sim.received) - had)
    finally:
        running.stop()
        sim.close()
    p50, p95 = percentile(times, 50), percentile(times, 95)
    print(f"{SLIPS} slips at {BAUD} baud from 报名: p50 {p50:.3f} s, p95 {p95:.3f} s; {min(sizes)}–{max(sizes)} bytes")
    return [
        Figure(
            "printer slip (报名 → last byte at 115200 baud)",
            f"p50 {p50:.2f} s, p95 {p95:.2f} s; {min(sizes)}–{max(sizes)} bytes a slip",
            f"≤ {TARGET_S:g} s",
            p95 <= TARGET_S,
        )
    ]
