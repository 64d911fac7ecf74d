"""Work done on a thread of its own (a sheet of hundreds of cards, an export, the daily
housekeeping): its own connection to kiosk.db, closed when the work is done, so threads never
share one."""

import logging
import threading
from collections.abc import Callable
from typing import TypeVar

from kiosk.store.db import db

T = TypeVar("T")
log = logging.getLogger(__name__)


def run(action: Callable[[], T]) -> T:
    """`action()` on this thread's own connection, closed afterwards whatever happens."""
    try:
        return action()
    finally:
        db.close()


class Every:
    """`action()` every `interval_s` on a thread of its own until stop(); a failure is logged and
    the next turn comes all the same."""

    def __init__(self, name: str, interval_s: float, action: Callable[[], object]):
        self.interval_s = interval_s
        self.action = action
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join()

    def _loop(self) -> None:
        while not self._stopping.wait(self.interval_s):
            try:
                run(self.action)
            except Exception:
                log.exception("%s failed; trying again in %s s", self._thread.name, self.interval_s)
