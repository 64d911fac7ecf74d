"""The sync thread: pushes soon after a fact is written and then pulls (the bureau's confirmations
of what it just pushed come back in the same cycle), pulls every sync.pull_every_s anyway, runs
the nightly full sync at sync.nightly_at, retries with backoff and jitter, and tells whoever
listens (the staff screen) how it went.  It holds no write transaction across a request, so
sign-ins never wait for the network (docs/sync-protocol.md §12, F16)."""

import logging
import random
import threading
from collections.abc import Callable
from datetime import datetime
from types import SimpleNamespace

from kiosk import config, overlay
from kiosk.store import facts
from kiosk.store.db import db
from kiosk.sync import nightly
from kiosk.sync import status as sync_status
from kiosk.sync.apply import Here
from kiosk.sync.client import Bureau, Unreachable
from kiosk.sync.pull import pull_all
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
        self.pull_every_s, self.nightly_at = settings.sync.pull_every_s, settings.sync.nightly_at
        self.next_nightly: datetime | None = None  # None: not decided yet (the first cycle does)
        self._now = threading.Event()
        self._stopping = threading.Event()

    def sync_now(self) -> None:
        self._now.set()
        facts.written.set()  # ends the wait for a fact as well

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
            db.close()  # this thread's connection

    def _cycle(self, bureau: Bureau) -> None:
        try:
            problem = self._sync(bureau, datetime.now())
        except (Unreachable, Denied) as e:
            self.failures += 1
            error = e.code if isinstance(e, Denied) else str(e)
            log.warning("sync failed (%d in a row): %s", self.failures, error)
            sync_status.failed(error)
        except Exception:  # never let the thread die: the kiosk would stop syncing
            self.failures += 1
            log.exception("sync failed")
            sync_status.failed("internal error")
        else:
            if self.failures:
                log.info("sync works again after %d failures", self.failures)
            self.failures = 0
            if problem:  # some streams failed, the bureau works: no backoff
                sync_status.failed(problem)
            else:
                sync_status.succeeded()
        if self.on_status:
            self.on_status(sync_status.status(True))

    def _sync(self, bureau: Bureau, now: datetime) -> str:
        """Push then pull, or the nightly full sync when it is due; what went wrong with some
        streams ("" when nothing did)."""
        s = self.settings
        here = Here(s.site.code, s.kiosk.id, now)
        if self._nightly_due(now):
            result = nightly.run(bureau, s.sync.batch, here)
            self.next_nightly = nightly.next_at(now, self.nightly_at)
            failed = [stream for stream, outcome in result.items() if outcome == "error"]
        else:
            push_all(bureau, s.sync.batch)
            failed = [stream for stream, done in pull_all(bureau, here).items() if isinstance(done, Exception)]
        self._timers(now)
        return f"pull failed: {', '.join(failed)}" if failed else ""

    def _nightly_due(self, now: datetime) -> bool:
        """At sync.nightly_at; on the first cycle, when the last one is over a day old (the kiosk
        was off at its time)."""
        if self.next_nightly is None:
            if nightly.overdue(now.timestamp()):
                return True
            self.next_nightly = nightly.next_at(now, self.nightly_at)
        return now >= self.next_nightly

    def _timers(self, now: datetime) -> None:
        """The pull interval and the nightly time as the bureau set them last (kiosk.overlay),
        else as the kiosk started with."""
        s = self.settings
        values = overlay.merged(overlay.stored(s.kiosk.data_dir), s.site.code, s.kiosk.id)
        every, at = s.sync.pull_every_s, s.sync.nightly_at
        self.pull_every_s = config.from_bureau("sync.pull_every_s", values.get("sync.pull_every_s", every), every)
        at = config.from_bureau("sync.nightly_at", values.get("sync.nightly_at", at), at)
        if at != self.nightly_at:
            self.nightly_at = at
            self.next_nightly = nightly.next_at(now, at)

    def _wait(self) -> None:
        """Until a new fact (then push_delay_s more, to gather a few), the pull timer or the nightly
        time, 立即同步, or after a failure the backoff — whichever comes first; a new fact does not
        cut a backoff."""
        s = self.settings.sync
        timer = self.pull_every_s
        if self.next_nightly is not None:
            timer = max(0.0, min(timer, (self.next_nightly - datetime.now()).total_seconds()))
        if self.failures:
            self._now.wait(backoff(self.failures, s.backoff_first_s, s.backoff_max_s))
        elif facts.written.wait(timer):
            facts.written.clear()
            self._now.wait(s.push_delay_s)
        self._now.clear()
