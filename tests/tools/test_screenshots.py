"""tools/screenshots.py, the tour that renders the docs' screenshots: the staff pages' part runs
through on a real window (a screen's changed call breaks it, as select_latest's once did)."""

import struct
import subprocess
import sys

from tools import screenshots
from tools.checkout import ROOT


def test_the_staff_pages_tour_saves_every_staff_shot(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "tools.screenshots", str(tmp_path), "--only", "staff_"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    for name, _ in screenshots.STAFF_SHOTS:
        png = (tmp_path / f"{name}.png").read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n", name
        width, height = struct.unpack(">II", png[16:24])  # the IHDR chunk: the window's size
        assert width > 1000 and height > 600, name
