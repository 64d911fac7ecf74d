"""The layout check (tools/layoutcheck.py): every screen of the tour, seniors' and staff's, at
normal and at 「大字」 type, without text too big for its box, targets too small or too close, or
lines too tight; and the check itself catching each kind on small broken layouts.  The same two
runs prove the tour that renders the docs' screenshots runs through (a screen's changed call
breaks it, as select_latest's once did) and saves every shot."""

import json
import struct
import subprocess
import sys

import pytest

from tools.checkout import ROOT
from tools.screenshots import shot_names


def _run(*args: str, timeout: int) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout)


@pytest.mark.parametrize("large", [False, True], ids=["normal", "large"])
def test_every_screen_of_the_tour_keeps_the_layout_rules(tmp_path, large):
    done = _run("tools.screenshots", str(tmp_path), "--check", *(["--large"] if large else []), timeout=400)
    report = tmp_path / "layout.json"
    assert report.is_file(), done.stderr[-3000:]
    violations = json.loads(report.read_text(encoding="utf-8"))
    listed = "\n".join(f"{v['shot']}: {v['kind']} {v['widget']} {v['text']!r}: {v['detail']}" for v in violations)
    assert violations == [], f"{len(violations)} layout violations:\n{listed}"
    assert done.returncode == 0, done.stderr[-3000:]
    for name in shot_names():
        png = (tmp_path / name).read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n", name
        assert struct.unpack(">II", png[16:24]) == (1920, 1080), name  # IHDR: the window's size


@pytest.fixture(scope="module")
def caught() -> dict[str, list[str]]:
    done = _run("tests.tools.layout_cases", timeout=120)
    line = next((line for line in done.stdout.splitlines() if line.startswith("CASES ")), None)
    assert line is not None, done.stderr[-3000:]
    return json.loads(line.removeprefix("CASES "))


def test_a_layout_that_fits_passes(caught):
    assert caught["fits"] == []


@pytest.mark.parametrize(
    "case, kind",
    [
        ("too_small_box", "text_overflow"),  # a line wider than its label
        ("lines_dropped", "text_cut"),  # wrapped past its box: the last lines are not drawn
        ("shortened", "text_cut"),  # ends in …
        ("outside_parent", "text_outside_parent"),  # a band that did not grow with its text
        ("cramped", "line_pitch"),  # two lines 0.8 × 1.448 em apart
        ("overlapping", "target_gap"),
        ("too_close", "target_gap"),
        ("too_small_target", "target_small"),
    ],
)
def test_the_check_catches_each_kind_of_broken_layout(caught, case, kind):
    assert caught[case] == [kind]
