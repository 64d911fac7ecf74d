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


# The modules that take a minute or more of one worker, first in the queue (pytest-xdist hands the
# modules out in collection order, --no-loadscope-reorder): last, one of them would keep a worker
# busy for minutes after the other had run out of work.
FIRST = (
    "tests/tools/test_layout.py",
    "tests/screens/test_staff.py",
    "tests/kiosk/release/test_update_rollback.py",
    "tests/bureau/test_faults_restore.py",
    "tests/screens/test_staff_desk.py",
    "tests/packaging/test_deb.py",
    "tests/screens/test_service.py",
    "tests/screens/test_staff_courses.py",
    "tests/screens/test_checklist.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {module: i for i, module in enumerate(FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::")[0], len(FIRST)))  # stable: the rest keep their order
