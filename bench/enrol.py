"""Card bytes in → the enrolment season's course cards drawn, under Xvfb (issue 23: p95 ≤ 100 ms
beyond the wire time).

Runs the real kiosk app in a child process on a fresh demo data dir with the demo season published
(kiosk/enrolment/demo.py), the ID-card simulator sending at 115200 baud.  For each read: 报名选课
is opened waiting for a card, a demo member's ID card is laid, and the time is taken from the last
byte of the read reply leaving the simulator to the first frame flipped with that senior's course
cards on screen (the driver, the hand-over to the UI thread, 「正在识别…」, identifying, the
season's cards with their eligibility from the card's birth date, drawing).

    python -m bench enrol            (parent: prints the figure)
    python -m bench.enrol DIR OUT    (child: runs the app and writes the samples to OUT)
"""

import argparse
import sys
import threading
import time
from datetime import datetime
from pathlib import Path

from bench import Figure
from bench.screen import OVERLAY, lay, measure

READS = 40
CARDS = ("resident", "longterm")  # two demo members in turn: each read names a new senior


def run() -> list[Figure]:
    return measure("ID card bytes in → course cards drawn", "bench.enrol", "yinling-bench-enrol-")


def child(data_dir: str, out: str) -> int:
    from kiosk import boot
    from kiosk.enrolment import demo as enrol_demo

    site = Path(data_dir) / "bench.toml"
    site.write_text(OVERLAY, encoding="utf-8")
    settings = boot.start(argparse.Namespace(config=str(site), data_dir=str(Path(data_dir) / "data")))
    enrol_demo.publish(settings, datetime.now())
    from kivy.clock import Clock
    from kivy.core.window import Window

    from screens.app import KioskApp, configure

    configure(settings)
    app = KioskApp(settings)
    samples: list[float] = []
    drawn, opened, armed = threading.Event(), threading.Event(), threading.Event()
    failure = []

    def identified(senior, news=""):
        real(senior, news)
        if armed.is_set() and screen.rows[0].ids.title.text:
            armed.clear()
            Window.bind(on_flip=flipped)

    def flipped(window):
        window.unbind(on_flip=flipped)
        samples.append(time.monotonic() - app.devices.idcard_sim.read_sent[1])
        drawn.set()

    def open_enrol(_dt):
        app.go_home()
        app.open_service("enrol")
        opened.set()

    def enrol_open():
        opened.clear()
        Clock.schedule_once(open_enrol)
        if not opened.wait(10):
            raise RuntimeError("报名选课 did not open")

    def lay_cards():
        failure.extend(lay(app, CARDS, READS, armed, drawn, samples, out, before=enrol_open))

    def started(_app) -> None:
        Clock.schedule_once(lambda dt: threading.Thread(target=lay_cards, daemon=True).start())

    app.bind(on_start=started)
    real = None
    screen = None

    def built(*_args):
        nonlocal real, screen
        screen = app.services["enrol"]
        real = screen.identified
        screen.identified = identified

    app.bind(on_start=lambda _app: built())
    app.run()
    if failure:
        print(f"bench.enrol: {failure[0]}", file=sys.stderr)
    return 0 if len(samples) == READS else 1


if __name__ == "__main__":
    sys.exit(child(*sys.argv[1:3]))
