"""The sync thread: pushes soon after a fact is written, retries with backoff and jitter, and
tells whoever listens (the staff screen) how it went.  It holds no write transaction across a
request, so sign-ins never wait for the network (reference F16)."""
import logging
import random
import threading
from types import SimpleNamespace
from typing import Callable

from kiosk import facts
from kiosk.db import db
from kiosk.sync import status as sync_status
from kiosk.sync.client import Bureau, Unreachable
from kiosk.sync.push import Denied, push_all

log = logging.getLogger(__name__)


def backoff(failures: int, first: float, most: float, rand: Callable[[float, float], float] = random.uniform) -> float:
    """Full jitter: a random wait up to first × 2^(failures − 1), capped; many kiosks coming back at
    once after an outage spread out instead of arriving together."""
    return rand(0, min(most, first * 2 ** max(0, failures - 1)))


class SyncWorker(threading.Thread):
    """Runs until stop(); sync_now() (the staff's 「立即同步」) cuts any wait short."""

    def __init__(self, settings: SimpleNamespace, on_status: Callable[[sync_status.Status], None] | None = None):
        super().__init__(name="sync", daemon=True)
        self.settings, self.on_status = settings, on_status
        self.failures = 0
        self._now = threading.Event()
        self._stopping = threading.Event()

    def sync_now(self) -> None:
        self._now.set()
        facts.written.set()                  # ends the wait for a fact as well

    def stop(self) -> None:
        self._stopping.set()
        self._now.set()
        facts.written.set()

    def run(self) -> None:
        bureau = Bureau(self.settings)
        try:
            while not self._stopping.is_set():
                self._cycle(bureau)
                self._wait()
        finally:
            bureau.close()
            db.close()                       # this thread's connection

    def _cycle(self, bureau: Bureau) -> None:
        try:
            push_all(bureau, self.settings.sync.batch)
        except (Unreachable, Denied) as e:
            self.failures += 1
            error = e.code if isinstance(e, Denied) else str(e)
            log.warning("sync failed (%d in a row): %s", self.failures, error)
            sync_status.failed(error)
        except Exception:                    # never let the thread die: the kiosk would stop syncing
            self.failures += 1
            log.exception("sync failed")
            sync_status.failed("internal error")
        else:
            if self.failures:
                log.info("sync works again after %d failures", self.failures)
            self.failures = 0
            sync_status.succeeded()
        if self.on_status:
            self.on_status(sync_status.status(True))

    def _wait(self) -> None:
        """Until a new fact (then push_delay_s more, to gather a few), the pull timer, 立即同步, or
        after a failure the backoff — whichever comes first; a new fact does not cut a backoff."""
        s = self.settings.sync
        if self.failures:
            self._now.wait(backoff(self.failures, s.backoff_first_s, s.backoff_max_s))
        elif facts.written.wait(s.pull_every_s):
            facts.written.clear()
            self._now.wait(s.push_delay_s)
        self._now.clear()
