"""Restores on both sides under faults (docs/sync-protocol.md §5.6, §5.7, §5.9; §12 F13b, F19), on
both stores: the kiosk as its own process (tests/bureau/kiosk_driver.py) signs seniors in and
pushes through the cutting proxy, and is killed with SIGKILL at random moments; the bureau is
killed with SIGKILL at random moments and started again.  Meanwhile kiosk.db is restored from a
copy taken while batches waited to go up, and later the bureau's store from a backup that lacks
the facts of the phase before the restore (each restore follows a drain, so what it takes away
is known to be at the other side; the faults go on in between).  After healing, `python main.py
sync --nightly` must leave every fact whose commit returned at the bureau once (I1, I2).  The
seed is printed (FAULT_SEED=<seed> replays it).

The kill points are random delays: that is the fault being injected, not synchronisation."""

import random
import shutil
import sqlite3
import threading
from pathlib import Path

from bureau.models import Event, Kiosk
from tools.checkout import run_kiosk

from .faults import (
    BureauProcess,
    KioskProcess,
    Proxy,
    StoreBackup,
    check_i1,
    check_i2,
    integrity,
    kiosk_db_file,
    kiosk_site_file,
    push_faults,
)
from .test_faults_network import seed

BATCH = 5
ROUNDS = 4  # kiosk processes killed in each of the five phases
BUREAU_KILLS = 1 / 3  # the share of rounds in which the bureau is killed too
QUEUED = 20  # sign-ins (60 facts) waiting to go up as the copy of kiosk.db is taken


def pause(seconds: float) -> None:
    """The random moment of a fault (not a wait for anything)."""
    threading.Event().wait(seconds)


class Run:
    """The kiosk driver through the proxy to a bureau process, and the faults done to them."""

    def __init__(self, driver: KioskProcess, bureau: BureauProcess, rand: random.Random):
        self.driver, self.bureau, self.rand = driver, bureau, rand
        self.kiosk_kills = self.bureau_kills = 0

    def rounds(self, n: int) -> None:
        """`n` times: the kiosk signs in and pushes every 2 sign-ins until it is killed; in a
        third of them the bureau is killed meanwhile, and started again after."""
        for _ in range(n):
            self.driver.start("--forever", "--push-every", "2")
            assert self.driver.ready.wait(30), "".join(self.driver.stderr)
            killer = None
            if self.rand.random() < BUREAU_KILLS:
                killer = threading.Timer(self.rand.uniform(0.05, 0.6), self.bureau.kill)
                killer.start()
            pause(self.rand.uniform(0.2, 0.8))
            self.driver.kill()
            self.kiosk_kills += 1
            assert integrity(self.driver.data_dir) == "ok"
            if killer:
                killer.join()
                self.bureau.start()
                self.bureau_kills += 1


def copy_of(data: Path, to: Path) -> int:
    """A copy of kiosk.db (SQLite's backup API; the kiosk is not running): its backlog."""
    with kiosk_db_file(data) as source:
        copy = sqlite3.connect(to)
        try:
            source.backup(copy)
        finally:
            copy.close()
    with sqlite3.connect(to) as con:
        acked = con.execute("SELECT value FROM sync_state WHERE key = 'acked_seq'").fetchone()
        return con.execute("SELECT count(*) FROM outbox WHERE seq > ?", (int(acked[0]) if acked else 0,)).fetchone()[0]


def put_back(data: Path, copy: Path) -> None:
    for leftover in data.glob("kiosk.db*"):
        leftover.unlink()
    shutil.copy(copy, data / "kiosk.db")


def test_restores_of_the_kiosk_and_the_bureau_under_kills_and_cut_pushes_lose_nothing(
    request, store, store_url, kiosk, tmp_path
):
    s = seed()
    bureau = BureauProcess(store_url, tmp_path)
    bureau.start()
    backup = StoreBackup(bureau, request.getfixturevalue("postgres_cluster") if "postgresql" in store_url else None)
    proxy = Proxy(bureau.port, push_faults(s, share=0.3))
    site_file = kiosk_site_file(tmp_path, kiosk, proxy.url, BATCH)
    data = tmp_path / "kiosk-data"
    driver = KioskProcess(site_file, data)
    run = Run(driver, bureau, random.Random(s))
    try:
        run.rounds(ROUNDS)  # the kiosk as it was
        driver.start("--write", str(QUEUED))  # batches wait to go up ...
        driver.finish()
        waiting = copy_of(data, tmp_path / "copy.db")  # ... as the copy is taken
        assert waiting >= 2 * BATCH
        run.rounds(ROUNDS)
        driver.drain(timeout=120)  # everything it wrote is at the bureau when its disk dies
        put_back(data, tmp_path / "copy.db")
        run.rounds(ROUNDS)  # the restored kiosk.db: its new facts reuse seqs the bureau holds
        driver.drain(timeout=120)
        backup.take()
        run.rounds(ROUNDS)
        driver.drain(timeout=120)  # the backup lacks these facts, and only these
        held = Event.select().count()
        backup.put_back()  # kill -9, and the store as the backup had it
        taken = held - Event.select().count()
        assert taken > 0, "the restore took nothing away: nothing was tested"
        run.rounds(ROUNDS)
        proxy.heal()
        done = run_kiosk("--config", site_file, "--data-dir", data, "sync", "--nightly")
        assert done.returncode == 0, done.stdout + done.stderr
        faults = proxy.faults() + run.kiosk_kills + run.bureau_kills + 2
        print(
            f"{len(driver.acked)} facts through {faults} faults: {proxy.counts} pushes, {run.kiosk_kills} kiosk and"
            f" {run.bureau_kills} bureau kills, kiosk.db restored with {waiting} facts waiting, the bureau"
            f" restored without {taken} of them"
        )
        assert proxy.faults() > 0 and run.bureau_kills > 0
        assert Kiosk.get(Kiosk.kiosk_id == kiosk.kiosk_id).epoch >= 2  # the restored kiosk.db was told
        check_i1(driver.acked, kiosk.kiosk_id)
        check_i2(kiosk.kiosk_id, data)
    finally:
        if driver.process and driver.process.poll() is None:
            driver.kill()
        proxy.close()
        bureau.stop()
        backup.drop()
