"""kiosk/doctor/display.py: the X server $DISPLAY names, asked through libX11 (the tests run
under Xvfb), one that does not answer, and a terminal without a display."""

import os
import subprocess
import sys

from kiosk.doctor import display
from kiosk.i18n import t
from kiosk.store import backups

CLAIM = """
import sys
from types import SimpleNamespace
from kiosk.store import backups
backups.claim(SimpleNamespace(kiosk=SimpleNamespace(data_dir=sys.argv[1])))
print("claimed", flush=True)
input()
"""


def test_the_x_server_of_the_tests_answers():
    found = display.x_server()
    assert found.state == "ok" and os.environ["DISPLAY"] in found.detail


def test_a_display_nobody_serves(monkeypatch):
    monkeypatch.setenv("DISPLAY", ":4999")
    assert display.x_server().state == "fail"


def test_no_display(monkeypatch):
    monkeypatch.delenv("DISPLAY")
    assert display.x_server().state == "warn"


def test_no_display_with_the_kiosk_running_on_its_own_screen(monkeypatch, settings, database):
    monkeypatch.delenv("DISPLAY")
    assert not backups.kiosk_running(settings)
    holder = subprocess.Popen(  # a kiosk's claim, held by another process as the running kiosk holds it
        [sys.executable, "-c", CLAIM, settings.kiosk.data_dir], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    try:
        assert holder.stdout.readline() == b"claimed\n"
        assert backups.kiosk_running(settings)
        found = display.x_server(backups.kiosk_running(settings))
        assert found.state == "ok" and found.detail == t("doctor.display.kiosk_running")
    finally:
        holder.kill()
        holder.wait()
    assert not backups.kiosk_running(settings)


def test_the_running_kiosks_screen():
    assert display.on_screen(1920, 1080).detail == "屏幕 1920 × 1080"
