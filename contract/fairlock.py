"""A lock that threads get in the order they asked for it (threading.Lock and RLock do not).

SQLite's own wait for its write lock polls with sleeps of up to 100 ms, first come not first
served: a thread that commits and begins again at once (the kiosk's sync thread applying a page
part by part, the bureau's rules between rounds) keeps a waiting writer out until it is done.
Writers of one process take their turn on this lock first (kiosk.store.db.write, bureau.store.write).
"""

import threading


class FairLock:
    """Re-entrant: a thread holding it may take it again (a write inside a write)."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._owner: int | None = None
        self._depth = self._next = self._serving = 0

    def __enter__(self) -> None:
        me = threading.get_ident()
        with self._changed:
            if self._owner == me:
                self._depth += 1
                return
            ticket, self._next = self._next, self._next + 1
            self._changed.wait_for(lambda: self._serving == ticket)
            self._owner, self._depth = me, 1

    def try_enter(self) -> bool:
        """Take it now if no other thread holds it or waits for it (True), else take nothing."""
        me = threading.get_ident()
        with self._changed:
            if self._owner == me:
                self._depth += 1
                return True
            if self._owner is not None or self._next != self._serving:
                return False
            self._next += 1
            self._owner, self._depth = me, 1
            return True

    def __exit__(self, *exc) -> None:
        with self._changed:
            self._depth -= 1
            if self._depth == 0:
                self._owner, self._serving = None, self._serving + 1
                self._changed.notify_all()

    def waiting(self) -> int:
        """Threads waiting for their turn."""
        with self._changed:
            return self._next - self._serving - (self._owner is not None)
