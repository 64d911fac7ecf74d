"""Running the rules: catch_up() applies every fact not yet applied, round by round; a Worker thread
does it beside the HTTP workers on SQLite, and follow() in a process of its own on PostgreSQL
(docs/sync-protocol.md §9.1).  Rounds are serialised as a whole (§9.5).  No fact stops them: one
that fails its round is dead-lettered (§9.8)."""

import logging
import os
import threading
import time

from peewee import InterfaceError, OperationalError

from bureau.models import RuleCursor
from bureau.rules import cursors, dead, sql
from bureau.rules.cursors import Fact
from bureau.rules.rounds import Round
from bureau.schema import open_store
from bureau.store import close_store, db, write

log = logging.getLogger("bureau.rules")

BATCH = 500  # facts a round applies in one transaction
# The store's own trouble (a lost connection, a lock not had in time): the round fails as a whole
# and is tried again, never blamed on a fact.
STORE_TROUBLE = (OperationalError, InterfaceError)


def catch_up(limit: int | None = None) -> int:
    """Apply every fact not yet applied (at most `limit`); returns how many were applied.  Runs
    on the caller's connection: call it inside db.connection_context() in a thread of your own."""
    done = 0
    while limit is None or done < limit:
        if not cursors.behind():
            break
        with write():
            applied = _round(BATCH if limit is None else min(BATCH, limit - done))
        if not applied:
            break
        done += applied
    return done


class Worker(threading.Thread):
    """catch_up every `every_s` seconds, and soon after notify(); it logs errors and carries on.

    Pushes go first: the rules are asynchronous, and in one process (the bureau on SQLite) each
    round takes the GIL and the write lock from the pushes, which kiosks are waiting on (a rules
    thread beside them quartered the ingest rate).  So while pushes keep notifying, a round waits
    until none has come for `quiet_s`, yet runs at least every `busy_every_s` so confirmations
    still move under a steady load; a pull of members or balances catches up first anyway."""

    def __init__(self, every_s: float = 1.0, quiet_s: float = 0.25, busy_every_s: float = 5.0):
        super().__init__(name="bureau-rules", daemon=True)
        self.every_s, self.quiet_s, self.busy_every_s = every_s, quiet_s, busy_every_s
        self.wake = threading.Event()
        self.stopping = threading.Event()
        self.pushed = time.monotonic()  # when notify() was last called

    def run(self) -> None:
        _workers.add(self)
        try:
            while not self.stopping.is_set():
                self.wake.wait(self.every_s)
                last = time.monotonic()
                while self._quiet_or_overdue(last + self.busy_every_s) and self.step():
                    last = time.monotonic()
        finally:
            _workers.discard(self)

    def _quiet_or_overdue(self, due: float) -> bool:
        """Wait until no push has notified for quiet_s, or the monotonic time `due`: False once
        stopping.  It sleeps to the next time the pushes could have paused, and no push wakes
        it meanwhile: waking it on each one cost each push two handoffs of the GIL."""
        while not self.stopping.is_set():
            now = time.monotonic()
            until = min(self.pushed + self.quiet_s, due)
            if now >= until:
                break
            self.stopping.wait(until - now)
        self.wake.clear()
        return not self.stopping.is_set()

    def step(self) -> int:
        """One round: how many facts it applied (0 when none was waiting or it failed)."""
        try:
            with db.connection_context():
                applied = catch_up(BATCH)
            if applied:
                log.info("rules: %d facts applied", applied)
            return applied
        except Exception:
            log.exception("rules: catch_up failed; trying again in %s s", self.every_s)
            return 0

    def notify(self) -> None:
        self.pushed = time.monotonic()
        if not self.wake.is_set():  # set already while the worker waits for a pause
            self.wake.set()

    def stop(self, timeout: float = 10) -> None:
        self.stopping.set()
        self.wake.set()
        self.join(timeout)


_workers: set[Worker] = set()


def follow(url: str, parent: int, every_s: float = 1.0) -> None:
    """The rules process `python -m bureau serve` starts beside the HTTP workers: in a process of
    its own, the rules never hold the GIL a push needs.  It ends when its parent is gone, even
    killed with SIGKILL, so a restarted bureau never finds an orphan still applying rules."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    open_store(url)
    worker = Worker(every_s)
    worker.start()
    try:
        while os.getppid() == parent and worker.is_alive():
            worker.stopping.wait(every_s)
    finally:
        worker.stop()
        close_store()


def notify() -> None:
    """Wake the running workers of this process (after a push)."""
    for worker in list(_workers):
        worker.notify()


def _round(n: int) -> int:
    sql.lock_rules()
    facts, moved = cursors.next_facts(n)
    if not facts and not moved:
        return 0
    _apply(facts)
    sql.upsert(
        RuleCursor,
        ("kiosk_id", "epoch", "seq"),
        [(k, e, s) for (k, e), s in moved.items()],
        ("kiosk_id", "epoch"),
        ("seq",),
    )
    return len(facts)


def _apply(facts: list[Fact]) -> None:
    """Apply `facts` in one Round; when it fails, each in a round of its own, dead-lettering the
    ones that fail alone.  Each attempt is a savepoint: a failed one leaves nothing behind."""
    error = _attempt(facts)
    if error is None:
        return
    if len(facts) > 1:
        log.warning("rules: a round of %d facts failed (%s): applying them one by one", len(facts), error)
        alone = [(fact, _attempt([fact])) for fact in facts]
    else:
        alone = [(facts[0], error)]
    for fact, error in alone:
        if error is not None:
            dead.letter(fact, dead.UNUSABLE, f"the rules failed on it: {error}")


def _attempt(facts: list[Fact]) -> str | None:
    """Apply `facts` in a savepoint: None, or what went wrong (the savepoint rolled back)."""
    try:
        with db.atomic():
            Round(facts).apply()
    except STORE_TROUBLE:
        raise
    except Exception as e:
        log.exception("rules: a round of %d facts failed", len(facts))
        return f"{type(e).__name__}: {str(e).strip()[:200]}"
    return None
