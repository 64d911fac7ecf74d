"""The kiosk under systemd's notify protocol, for real: a datagram socket bound as systemd binds
it, the real app in a window (Xvfb) with $NOTIFY_SOCKET and $WATCHDOG_USEC, READY=1 once the home
screen is drawn, WATCHDOG=1 from the UI thread's clock, and no ping while the UI thread hangs
although the app's other threads run (tests/screens/scenarios_survive.py)."""

import socket
import threading

from tests.screens.conftest import run_harness

WATCHDOG_USEC = 200_000  # pings every 0.1 s


def test_ready_then_pings_from_the_ui_thread_which_stop_while_it_hangs(tmp_path, monkeypatch):
    supervisor = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    supervisor.bind(str(tmp_path / "notify"))
    monkeypatch.setenv("NOTIFY_SOCKET", str(tmp_path / "notify"))
    monkeypatch.setenv("WATCHDOG_USEC", str(WATCHDOG_USEC))
    monkeypatch.delenv("WATCHDOG_PID", raising=False)
    said: list[str] = []

    def listen() -> None:  # as systemd does: read each datagram as it comes
        while (message := supervisor.recv(4096)) != b"END":
            said.append(message.decode())

    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    try:
        obs, _ = run_harness("watchdog_freeze", tmp_path)
    finally:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as end:
            end.sendto(b"END", str(tmp_path / "notify"))
        listener.join(10)
        supervisor.close()
    assert obs["finished"], obs.get("step")
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
