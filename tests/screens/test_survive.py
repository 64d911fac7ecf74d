"""The kiosk on a real box, for real (tests/screens/scenarios_survive.py): under systemd's notify
protocol — a datagram socket bound as systemd binds it, the real app in a window (Xvfb) with
$NOTIFY_SOCKET and $WATCHDOG_USEC, READY=1 once the home screen is drawn, WATCHDOG=1 from the UI
thread's clock, and no ping while the UI thread hangs although the app's other threads run — and
its status corner on a clock not synchronised."""

import os
import socket
import threading

import pytest

from kiosk.i18n import t
from tests.screens.conftest import run_harness

WATCHDOG_USEC = 200_000  # pings every 0.1 s


@pytest.fixture(scope="module")
def survived(tmp_path_factory):
    """(what the scenario saw, every message the kiosk sent to its supervisor, in order)."""
    folder = tmp_path_factory.mktemp("survive")
    address = str(folder / "notify")
    supervisor = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    supervisor.bind(address)
    said: list[str] = []

    def listen() -> None:  # as systemd does: read each datagram as it comes
        while (message := supervisor.recv(4096)) != b"END":
            said.append(message.decode())

    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    saved = {key: os.environ.get(key) for key in ("NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID")}
    os.environ.update(NOTIFY_SOCKET=address, WATCHDOG_USEC=str(WATCHDOG_USEC))
    os.environ.pop("WATCHDOG_PID", None)
    try:
        obs, _ = run_harness("survive", folder)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as end:
            end.sendto(b"END", address)
        listener.join(10)
        supervisor.close()
    assert obs["finished"], obs.get("step")
    return obs, said


def test_ready_then_pings_from_the_ui_thread_which_stop_while_it_hangs(survived):
    obs, said = survived
    assert obs["interval"] == WATCHDOG_USEC / 2 / 1e6
    assert said.count("READY=1") == 1
    frozen, thawed = said.index("STATUS=frozen"), said.index("STATUS=thawed")
    before, during, after = said[:frozen], said[frozen:thawed], said[thawed:]
    assert before.count("WATCHDOG=1") >= 3 and "READY=1" in before
    assert "WATCHDOG=1" not in during  # the UI thread hangs: no ping, and systemd would restart it
    beats = [m for m in during if m.startswith("STATUS=alive")]
    assert len(beats) >= 10  # … while another thread of the process went on
    assert after.count("WATCHDOG=1") >= 3  # the UI thread runs again: so do the pings
    # The reader's thread read the card laid during the hang; the sign-in showed after it.
    assert obs["reads_frozen"] == obs["reads_before"] + 1
    assert obs["kind"] == "ok"


def test_a_clock_not_synchronised_is_told_while_the_bureau_cannot_check_it(survived):
    obs, _ = survived
    note = t("device.clock_unsynced")
    assert note not in obs["before"]  # no bureau has reported yet: nothing to say on the seniors' screen
    assert note in obs["down"]
    assert note not in obs["synchronised"] and note not in obs["answered"]
