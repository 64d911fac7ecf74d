"""The kiosk's own upkeep, on a thread of its own whether or not a bureau is set: the nightly
backup at backup.at (AFTER_START minutes after start instead when the newest is over a day
old: the kiosk was off at its time), free space every storage.check_every_s, sent to the bureau
as a "device" fact ("storage") at start and whenever its state changes, and once a day the
unregistered ID cards past their keeping time forgotten, even when no new card comes.  notice()
is what the staff page shows."""

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

from kiosk.i18n import t
from kiosk.people import newcomers
from kiosk.store import backups, space
from kiosk.store.db import db
from kiosk.sync import device_facts
from kiosk.sync.nightly import next_at

log = logging.getLogger(__name__)

DAY = timedelta(days=1)
STALE = timedelta(days=2)  # no backup for this long: staff are told
# A backup overdue at start waits this long: integrity_check reads every page (~40 s for 300 MB),
# not while the kiosk starts and the first seniors of the morning sign in.
AFTER_START = timedelta(minutes=5)


class Upkeep(threading.Thread):
    """Runs until stop(); tick(now) does what is due at `now` (the tests call it with their clock)."""

    def __init__(self, settings: SimpleNamespace, clock: Callable[[], datetime] = datetime.now):
        super().__init__(name="upkeep", daemon=True)
        self.settings, self.clock = settings, clock
        self.next_check: datetime | None = None
        self.next_backup: datetime | None = None  # None: not decided yet (the first tick does)
        self.next_purge: datetime | None = None
        self.reported = ""  # the storage state the bureau was last sent
        self._stopping = threading.Event()

    def stop(self) -> None:
        self._stopping.set()

    def run(self) -> None:
        try:
            while not self._stopping.is_set():
                now = self.clock()
                self.tick(now)
                self._stopping.wait(max(1.0, (self._next(now) - now).total_seconds()))
        finally:
            db.close()  # this thread's connection

    def tick(self, now: datetime) -> None:
        if self.next_check is None or now >= self.next_check:
            self.next_check = now + timedelta(seconds=self.settings.storage.check_every_s)
            self.check_space(now)
        if self.next_purge is None or now >= self.next_purge:
            self.next_purge = now + DAY
            self.forget_newcomers(now)
        if self._backup_due(now):
            self.next_backup = next_at(now, self.settings.backup.at)
            self.back_up(now)

    def check_space(self, now: datetime) -> space.Space:
        found = space.measure(self.settings)
        if found.state != "ok":
            log.warning("free space on the data disk is %s: %s", found.state, found.describe())
        if found.state != self.reported:
            try:
                device_facts.record_storage(self.settings, found, now)
                self.reported = found.state
            except Exception:  # the disk may be too full for the fact itself: tried again next time
                log.exception("could not record the free space for the bureau")
        return found

    def forget_newcomers(self, now: datetime) -> None:
        try:
            newcomers.purge(now)
        except Exception:  # tried again the next day; start-up purges too
            log.exception("could not forget old unregistered cards")

    def back_up(self, now: datetime) -> None:
        try:
            backups.make(self.settings, now)
        except Exception:  # a damaged database, a full disk: logged, and staff see the backup age
            log.exception("the nightly backup failed")

    def _backup_due(self, now: datetime) -> bool:
        if self.next_backup is None:
            newest = backups.listed(Path(self.settings.backup.folder))
            overdue = not newest or now - newest[0].taken > DAY
            self.next_backup = now + AFTER_START if overdue else next_at(now, self.settings.backup.at)
        return now >= self.next_backup

    def _next(self, now: datetime) -> datetime:
        """The next check, purge or backup (all are set after a tick)."""
        return min(d for d in (self.next_check, self.next_purge, self.next_backup, now + DAY) if d is not None)


def notice(settings: SimpleNamespace, now: datetime) -> str:
    """What staff must know about storage ("" when nothing): the disk filling up, or no recent
    backup."""
    found = space.measure(settings)
    if found.state != "ok":
        return t(f"storage.{found.state}", free=found.describe())
    newest = backups.listed(Path(settings.backup.folder))
    if not newest:
        return t("storage.no_backup")
    if now - newest[0].taken > STALE:
        return t("storage.old_backup", taken=f"{newest[0].taken:%Y-%m-%d %H:%M}")
    return ""
