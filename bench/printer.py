"""A slip from `printing.submit` to its last byte at the printer (docs/printer.md).

The real driver and the printer's thread print to the simulated printer on a pty, which takes
bytes no faster than a 115200-baud cable carries them (10 bits a byte).  Each of 20 slips (a
senior's two courses, a rare-character name every fourth, drawn as an image) is timed from
submit() until the simulator has its last byte; the figure is p50/p95.  Target: ≤ 2 s.
"""

import tempfile
import time
from datetime import datetime
from pathlib import Path

from bench import Figure, percentile
from devices.printer import Printer
from devices.sim.printer import PrinterSim
from kiosk import config
from kiosk.fonts import FontChain
from kiosk.printing.layout import lay_out
from kiosk.printing.slips import Slip, SlipLine
from kiosk.printing.worker import Printing

BAUD = 115200
SLIPS = 20
TARGET_S = 2.0
NAMES = ("王建华", "李秀英", "张桂兰", "王𠮷祥")


def _slip(i: int) -> Slip:
    return Slip(
        title="2027 春季报名回执",
        site="示范区老干部活动中心",
        name=NAMES[i % len(NAMES)],
        member_no=f"DM{i + 1:04d}",
        card=f"YL1.DM{i + 1:04d}.1.5f0c2a9e41b7",
        lines=(
            SlipLine("书法（一）班", "每周二 09:00–11:00", "三楼书画室", "已报名（待摇号）"),
            SlipLine("太极拳初级班", "每周四 08:30–10:00", "一楼大厅", "已报名（待摇号）"),
        ),
        note="摇号时间 3月10日 10:00，结果在签到机上查看。",
        printed_at=datetime.now(),
    )


def run() -> list[Figure]:
    settings = config.load()
    fonts = FontChain(settings.display.font, settings.display.fallback_fonts)
    with tempfile.TemporaryDirectory(prefix="yinling-bench-printer-") as tmp:
        sim = PrinterSim(str(Path(tmp) / "printer"), pace_baud=BAUD)
        printer = Printer("printer", sim.path, BAUD, fonts, settings.display.font_bold)
        running = Printing(printer, 58).start()
        try:
            times = []
            for i in range(SLIPS):
                started = time.monotonic()
                running.submit(_slip(i))
                if not sim.wait_for_slips(i + 1, 10):
                    return [Figure("printer slip", "a slip never came out", f"≤ {TARGET_S:g} s", False)]
                times.append(sim.last_byte_at - started)
            sizes = sorted({len(printer.encode(lay_out(_slip(i), 58))) for i in range(len(NAMES))})
        finally:
            running.stop()
            sim.close()
    p50, p95 = percentile(times, 50), percentile(times, 95)
    print(f"{SLIPS} slips at {BAUD} baud: p50 {p50:.3f} s, p95 {p95:.3f} s; {sizes[0]}–{sizes[-1]} bytes a slip")
    return [
        Figure(
            "printer slip (submit → last byte)",
            f"p50 {p50:.2f} s, p95 {p95:.2f} s; {sizes[0]}–{sizes[-1]} bytes",
            f"≤ {TARGET_S:g} s",
            p95 <= TARGET_S,
        )
    ]
