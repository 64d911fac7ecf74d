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


# The units of work (below) that take half a minute or more of one worker, longest first (pytest-xdist
# hands the units out in collection order, --no-loadscope-reorder): last, one of them would keep a
# worker busy long after the other had run out of work.  A module, or one case of a test in ALONE.
TOUR = "tests/tools/test_layout.py::test_every_screen_of_the_tour_keeps_the_layout_rules"
RESTORES = (
    "tests/bureau/test_faults_restore.py::"
    "test_restores_of_the_kiosk_and_the_bureau_under_kills_and_cut_pushes_lose_nothing"
)
FIRST = (
    f"{RESTORES}[postgresql]",
    "tests/kiosk/release/test_update_rollback.py",
    "tests/screens/test_staff.py",
    f"{RESTORES}[sqlite]",
    f"{TOUR}[normal]",
    f"{TOUR}[large]",
    "tests/screens/test_service.py",
    "tests/screens/test_staff_desk.py",
    "tests/packaging/test_deb.py",
    "tests/screens/test_staff_courses.py",
    "tests/bench/test_soak.py",
    "tests/screens/test_checklist.py",
)


# Tests, or modules of tests, whose cases share nothing (no module-scoped fixture) and take from
# seconds to a minute each: every case is a unit of work of its own, so the two workers run them
# side by side instead of one worker running them in a row.
ALONE = (TOUR, RESTORES, "tests/bureau/test_sync_restore.py")


def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """--dist loadscope's units of work (a module: its module-scoped fixtures run once), except
    that each case of a test or module in ALONE is a unit of its own."""
    if config.getvalue("dist") != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class Units(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            alone = nodeid.split("[")[0] in ALONE or nodeid.split("::")[0] in ALONE
            return nodeid if alone else super()._split_scope(nodeid)

    return Units(config, log)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {unit: i for i, unit in enumerate(FIRST)}
    # Stable: the rest keep their order.
    items.sort(key=lambda item: rank.get(item.nodeid, rank.get(item.nodeid.split("::")[0], len(FIRST))))
