"""The printer's own thread: slips wait in a small queue and print one after the other, so a
senior's screen never waits for paper, and a printer that is absent or out of paper costs the
flow nothing but a sentence (`Printing.trouble`).

Between slips the thread asks the printer how it is every `look_every_s`, so the status corner
and the staff's device list show paper running out or a pulled cable before the next senior
needs a slip.  Every change of its health goes to `on_health`, from this thread.
"""

import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Protocol

from kiosk.health import Health
from kiosk.printing import states
from kiosk.printing.layout import Page, lay_out
from kiosk.printing.slips import Slip

log = logging.getLogger(__name__)

QUEUE = 8  # slips waiting at most: more means the printer is stuck, and a ninth is dropped
LOOK_EVERY_S = 20.0


class Driver(Protocol):
    """devices/printer.py's Printer, as the thread uses it."""

    name: str
    port: str

    def look(self) -> str:
        """The printer's state now (states.OK, a trouble, SILENT); OSError when it is absent."""
        ...

    def print_page(self, page: Page) -> str:
        """Prints `page`; the state after it.  states.Refused before printing, OSError when absent."""
        ...


class Printing:
    def __init__(
        self,
        driver: Driver,
        width_mm: int,
        on_health: Callable[[Health], None] = lambda h: None,
        look_every_s: float = LOOK_EVERY_S,
    ):
        self.driver = driver
        self.width_mm = width_mm
        self.on_health = on_health
        self.look_every_s = look_every_s
        self.health = Health(driver.name, "printer", driver.port)
        self.queue: queue.Queue[Page | None] = queue.Queue(maxsize=QUEUE)
        self.stopping = threading.Event()
        self.printed = threading.Condition()  # notified after each slip, printed or not (tests, bench)
        self.done = 0  # slips taken from the queue so far
        self._lock = threading.Lock()
        self.thread = threading.Thread(target=self._run, name="printer", daemon=True)

    def start(self) -> "Printing":
        self.thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self.stopping.set()
        try:
            self.queue.put_nowait(None)
        except queue.Full:
            pass  # the thread sees `stopping` after its slip
        self.thread.join(timeout)

    def submit(self, slip: Slip) -> bool:
        """Queue `slip` and return at once: True when it was queued.  Never raises: a slip that
        cannot be laid out or finds the queue full is logged and dropped."""
        try:
            page = lay_out(slip, self.width_mm)
            self.queue.put_nowait(page)
            return True
        except queue.Full:
            log.error("printer: %d slips waiting, one for %s dropped", QUEUE, slip.member_no)
        except Exception:
            log.exception("printer: the slip for %s could not be laid out", getattr(slip, "member_no", "?"))
        return False

    def state(self) -> str:
        """states.OK, a trouble, SILENT or ABSENT; OK too before the first look (as a reader at
        start-up is not yet "absent")."""
        health = self.health
        if not health.connected and health.since is None and not health.last_error:
            return states.OK
        return health.state()

    def _run(self) -> None:
        self._look()
        while not self.stopping.is_set():
            try:
                page = self.queue.get(timeout=self.look_every_s)
            except queue.Empty:
                self._look()
                continue
            if page is None:
                break
            self._print(page)
            with self.printed:
                self.done += 1
                self.printed.notify_all()

    def _look(self) -> None:
        try:
            self._said(self.driver.look())
        except Exception as e:  # OSError: absent; anything else: a driver bug, reported the same
            self._lost(e)

    def _print(self, page: Page) -> None:
        try:
            after = self.driver.print_page(page)
        except states.Refused as e:
            log.warning("printer: %s, a slip not printed:\n%s", e.state, page.text())
            self._said(e.state, faults=self.health.faults + 1)
        except Exception as e:
            log.warning("printer: a slip not printed (%s):\n%s", e, page.text())
            self._lost(e, faults=self.health.faults + 1)
        else:
            self._said(after, reads=self.health.reads + 1, last_read=datetime.now())

    def _said(self, state: str, **changes) -> None:
        trouble = state if state in states.TROUBLES else ""
        answering = state != states.SILENT
        since = self.health.since if self.health.connected else datetime.now()
        self._update(connected=True, answering=answering, trouble=trouble, since=since, last_error="", **changes)

    def _lost(self, error: Exception, **changes) -> None:
        if self.health.last_error != str(error):
            log.warning("printer: %s: %s", self.driver.port, error)
        disconnects = self.health.disconnects + (1 if self.health.connected else 0)
        since = datetime.now() if self.health.connected or self.health.since is None else self.health.since
        self._update(
            connected=False, trouble="", last_error=str(error), since=since, disconnects=disconnects, **changes
        )

    def _update(self, **changes) -> None:
        with self._lock:
            before = self.health
            self.health = replace(before, **changes)
            health = self.health
        if (before.state(), before.reads, before.faults, before.last_error) != (
            health.state(),
            health.reads,
            health.faults,
            health.last_error,
        ):
            self.on_health(health)
