"""Surviving on a real box, in the real app, run by tests/screens/harness.py for
tests/screens/test_survive.py: the systemd watchdog ($NOTIFY_SOCKET and $WATCHDOG_USEC set by the
test) pinged while the UI thread runs, not while it is frozen, though the kiosk's other threads go
on (a card is read by the reader's thread); and a clock not synchronised, told in the status
corner while the bureau cannot be reached to check it."""

import threading
import time
from pathlib import Path

from kiosk import notify
from kiosk.sync.status import Status

FREEZE_S = 1.5  # the UI thread blocked this long: over ten ping intervals of the test's watchdog


def watchdog_freeze(app, settings, obs):
    interval = notify.watchdog_interval()
    obs["interval"] = interval
    started = {}

    def running():
        # The home screen is up (READY=1 sent) and the reader open; then a few intervals of pings.
        started["at"] = time.monotonic()
        reader = app.device_manager.threads[0]
        return lambda: reader.health.state() == "ok" and time.monotonic() - started["at"] > 4 * interval

    def freeze():
        """Block the UI thread as a hang would, from a callback of its own clock; meanwhile a card
        is laid and the reader's thread reads it, and a thread of ours says it is alive."""
        reader = app.device_manager.threads[0]
        obs["reads_before"] = reader.health.reads
        stop = threading.Event()

        def alive() -> None:
            beat = 0
            while not stop.wait(interval):
                beat += 1
                notify.status(f"alive {beat} reads {reader.health.reads}")

        beats = threading.Thread(target=alive, name="alive")
        notify.status("frozen")
        beats.start()
        app.devices.idcard_sim.lay("resident")
        time.sleep(FREEZE_S)  # the hang itself, on the UI thread
        stop.set()
        beats.join()
        obs["reads_frozen"] = reader.health.reads
        notify.status("thawed")
        started["thawed"] = time.monotonic()
        return lambda: time.monotonic() - started["thawed"] > 4 * interval

    def signed_in():
        # The card read during the freeze reaches the screen once the UI thread runs again.
        return lambda: app.screens.current == "result" and not app.reading.showing

    def seen():
        obs["kind"] = app.result.kind

    return [running, freeze, signed_in, seen]


def clock_unsynced(app, settings, obs):
    flag = Path(settings.kiosk.data_dir) / "synchronized"  # clock.synced_flag: absent, not synchronised
    settings.clock.synced_flag = str(flag)
    corner = app.home.ids.status

    def lines() -> list[str]:
        return [w.text for w in reversed(corner.children)]

    def report(error: str) -> Status:
        """A sync thread's report: the bureau unreachable (error) or just answered ("")."""
        return Status(True, 0, None, 0, 0, 1, None, error, None)

    def bureau_down():
        obs["before"] = lines()
        app.sync_status = report("ConnectError: [Errno 111] Connection refused")

    def synchronised():
        obs["down"] = lines()
        flag.touch()
        app.sync_status = report("ConnectError: [Errno 111] Connection refused")

    def bureau_answers():
        obs["synchronised"] = lines()
        flag.unlink()
        app.sync_status = report("")

    return [bureau_down, lambda: None, synchronised, lambda: None, bureau_answers, lambda: obs.update(answered=lines())]


def survive(app, settings, obs):
    """Both in one run of the app."""
    return watchdog_freeze(app, settings, obs) + [app.go_home] + clock_unsynced(app, settings, obs)


SCENARIOS = [survive]
