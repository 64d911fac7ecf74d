"""Each pytest-xdist worker draws on a virtual screen of its own.  One X server shared by two
workers would give the keyboard focus to one worker's kiosk window, and key presses faked
through XTest (tests/screens/harness.py) would land in the other's."""

import os
import subprocess

import pytest

_screen = pytest.StashKey[subprocess.Popen]()
SCREEN = ["-screen", "0", "1920x1080x24", "+extension", "GLX"]  # as ./dev's XVFB_SCREEN


def _start_screen() -> subprocess.Popen:
    """Xvfb on a display number it picks itself, ready once it has written that number."""
    read, write = os.pipe()
    try:
        xvfb = subprocess.Popen(
            ["Xvfb", "-displayfd", str(write), "-nolisten", "tcp", *SCREEN],
            pass_fds=(write,),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    finally:
        os.close(write)
    with os.fdopen(read) as numbers:
        number = numbers.readline().strip()
    if not number.isdigit():
        xvfb.kill()
        raise pytest.UsageError(f"Xvfb did not start (exit {xvfb.wait()})")
    os.environ["DISPLAY"] = f":{number}"
    return xvfb


def pytest_configure(config: pytest.Config) -> None:
    if os.environ.get("PYTEST_XDIST_WORKER") and os.environ.get("DISPLAY"):
        config.stash[_screen] = _start_screen()


def pytest_unconfigure(config: pytest.Config) -> None:
    xvfb = config.stash.get(_screen, None)
    if xvfb is not None:
        xvfb.terminate()
        xvfb.wait()
