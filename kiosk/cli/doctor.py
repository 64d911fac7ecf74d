"""python main.py doctor [--json]: every check of kiosk/doctor/, a line each, ✓ or ✗ and what to do.

It reads and looks, never changes: the site file is loaded here (a broken one is its first line,
not a reason to stop), kiosk.db is read without being opened for the kiosk, no log is written, and
a serial port the running kiosk holds is reported as in use, never taken from it.  The devices are
looked at by devices/probe.py, which the program hands over (args.look_at_devices): kiosk/ does
not import devices/.
Exit codes: 0 every line is ok, 1 some line warns or fails.
"""

import argparse
import json
import sys
from collections.abc import Callable
from datetime import datetime
from types import SimpleNamespace

from kiosk import i18n
from kiosk.doctor import FAIL, OK, Line, checkup, display
from kiosk.doctor import settings as doctor_settings
from kiosk.health import Health
from kiosk.i18n import t
from kiosk.store import backups

NAMES = ("doctor",)
MARKS = {OK: "✓", "warn": "!", FAIL: "✗"}
COLOURS = {OK: "\033[32m", "warn": "\033[33m", FAIL: "\033[31m"}  # green, yellow, red
RESET = "\033[0m"


def add(sub) -> None:
    p = sub.add_parser("doctor", help="check settings, display, devices, database, backups, clock and bureau")
    p.add_argument("--json", action="store_true", help="the lines as JSON")


def run(args: argparse.Namespace, _settings: SimpleNamespace) -> int:
    settings, first = doctor_settings.load(args.config, args.data_dir)
    if settings is not None:
        i18n.load(settings.kiosk.language)
    look: Callable[[SimpleNamespace], list[Health]] | None = getattr(args, "look_at_devices", None)
    healths = look(settings) if look and settings is not None else None
    running = settings is not None and backups.kiosk_running(settings)
    lines = checkup.everything(first, settings, display.x_server(running), healths, datetime.now())
    if args.json:
        rows = [{"check": x.check, "state": x.state, "title": x.title, "detail": x.detail, "fix": x.fix} for x in lines]
        print(json.dumps(rows, ensure_ascii=False, indent=1))
    else:
        colour = sys.stdout.isatty()
        for found in lines:
            print(describe(found, colour))
    return 0 if all(found.ok for found in lines) else 1


def describe(found: Line, colour: bool = False) -> str:
    """✓ 设置文件　站点 …, and under a line that is not ok, what to do."""
    mark = MARKS[found.state]
    if colour:
        mark = f"{COLOURS[found.state]}{mark}{RESET}"
    text = f"{mark} {found.title}　{found.detail}"
    if found.fix:
        text += "\n    " + t("doctor.fix", fix=found.fix)
    return text
