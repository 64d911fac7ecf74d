"""The check-in and the sync thread on one kiosk.db (docs/sync-protocol.md §12: F16): a "UI writer" thread signs
seniors in at 20 a second while kiosk.sync.worker pushes and pulls at its fastest (push_delay_s
0) against a real bureau, for SOAK_S seconds — not a long soak, which
belongs in bench/.  No "database is locked" (no OperationalError) on either side, and every
sign-in reaches the bureau once.  Only the kiosk's database is under test: one store."""

import logging
import threading
import time

from kiosk.store.db import db as kiosk_db
from kiosk.sync.client import Bureau
from kiosk.sync.push import backlog, push_all
from kiosk.sync.worker import SyncWorker

from . import kiosk_driver
from .faults import check_i1, check_i2, open_kiosk, sqlite_bureau  # noqa: F401 (a fixture)

SOAK_S = 10.0
RATE = 20  # sign-ins a second, each its own IMMEDIATE transaction


class Problems(logging.Handler):
    """Warnings and errors the sync thread logs."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_sign_ins_at_20_a_second_and_the_sync_thread_at_full_speed_never_lock_each_other(sqlite_bureau, tmp_path):
    server, kiosk = sqlite_bureau
    settings = open_kiosk(tmp_path, kiosk, server.url, batch=5)
    settings.sync.push_delay_s = 0.0
    kiosk_driver.SETTINGS = settings
    item = kiosk_driver.activity()
    problems = Problems()
    logging.getLogger("kiosk").addHandler(problems)
    worker = SyncWorker(settings)
    written, errors, took = [], [], []
    try:
        worker.start()
        start = time.monotonic()
        for n in range(int(SOAK_S * RATE)):
            due = start + n / RATE
            threading.Event().wait(max(0.0, due - time.monotonic()))  # the pace of the check-in
            began = time.monotonic()
            try:
                written += kiosk_driver.sign_in(item)
            except Exception as e:
                errors.append(e)
            took.append(time.monotonic() - began)
        worker.stop()
        worker.join(timeout=60)
        assert not worker.is_alive()
        assert not errors, f"{len(errors)} sign-ins failed, the first: {errors[0]!r}"
        failed = [r.getMessage() for r in problems.records]
        assert not failed, f"the sync thread had {len(failed)} problems: {failed[:3]}"
        left = backlog()
        took.sort()
        print(
            f"{len(written) // 3} sign-ins in {SOAK_S} s: p50 {took[len(took) // 2] * 1000:.0f} ms, "
            f"p99 {took[len(took) * 99 // 100] * 1000:.0f} ms, max {took[-1] * 1000:.0f} ms; {left} facts left"
        )
        assert left < len(written) / 4, "the sync thread hardly pushed: the test tested no contention"
        bureau = Bureau(settings)
        try:
            push_all(bureau, 5)  # whatever came after the worker's last cycle
        finally:
            bureau.close()
        assert backlog() == 0
        check_i1(written, kiosk.kiosk_id)
        check_i2(kiosk.kiosk_id, settings.kiosk.data_dir)
    finally:
        logging.getLogger("kiosk").removeHandler(problems)
        if worker.is_alive():
            worker.stop()
            worker.join(timeout=10)
        kiosk_db.close()
