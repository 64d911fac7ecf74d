"""Work on threads of their own: each on its own connection, and the repeating housekeeping."""

import threading

from kiosk import background
from kiosk.store.db import db
from tests.waiting import wait_until


def test_every_repeats_on_its_own_thread_and_connection_until_stopped(database):
    seen = []

    def action():
        seen.append((threading.current_thread().name, db.execute_sql("SELECT 1").fetchone()[0]))
        if len(seen) == 1:
            raise RuntimeError("a bad turn")  # logged; the next turn comes all the same

    every = background.Every("housekeeping", 0.01, action)
    every.start()
    wait_until(lambda: len(seen) >= 3, 10, "three turns")
    every.stop()
    after = len(seen)
    assert not every._thread.is_alive()
    assert set(seen) == {("housekeeping", 1)}
    assert len(seen) == after  # nothing after stop()
    assert not db.is_closed()  # the test's own connection was never the thread's


def test_stop_ends_a_long_wait_at_once(database):
    every = background.Every("housekeeping", 24 * 3600, lambda: None)
    every.start()
    every.stop()
    assert not every._thread.is_alive()
