"""kiosk/doctor/display.py: the X server $DISPLAY names, asked through libX11 (the tests run
under Xvfb), one that does not answer, and a terminal without a display."""

import os

from kiosk.doctor import display


def test_the_x_server_of_the_tests_answers():
    found = display.x_server()
    assert found.state == "ok" and os.environ["DISPLAY"] in found.detail


def test_a_display_nobody_serves(monkeypatch):
    monkeypatch.setenv("DISPLAY", ":4999")
    assert display.x_server().state == "fail"


def test_no_display(monkeypatch):
    monkeypatch.delenv("DISPLAY")
    assert display.x_server().state == "warn"


def test_the_running_kiosks_screen():
    assert display.on_screen(1920, 1080).detail == "屏幕 1920 × 1080"
