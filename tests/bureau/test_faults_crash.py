"""Processes killed mid-work (docs/sync-protocol.md §12: F4, F6), with real parts: the bureau as
`python -m bureau serve` killed with SIGKILL during large pushes and started again on the same
store (both stores; on PostgreSQL its connections are also terminated during ingest), and the
kiosk as its own process (tests/bureau/kiosk_driver.py) killed at random points while it signs
seniors in and pushes.  Every test ends with a clean drain and the invariants I1 and I2; the
seed is printed (FAULT_SEED=<seed> replays it).

The kill points are random delays after a push or a start: that is the fault being injected,
not synchronisation; what the tests wait for, they poll (wait_until) or read from pipes."""

import random
import threading
import time
from datetime import datetime

import psycopg2

from bureau.models import Kiosk
from kiosk.store.db import db as kiosk_db
from kiosk.sync.client import Bureau, Unreachable
from kiosk.sync.push import backlog, push_all

from .faults import (
    BureauProcess,
    KioskProcess,
    at_bureau,
    check_i1,
    check_i2,
    check_i3,
    check_i4,
    integrity,
    kiosk_db_file,
    kiosk_site_file,
    open_kiosk,
    sqlite_bureau,  # noqa: F401  (a fixture)
    write_facts,
)
from .test_faults_network import seed

BUREAU_KILLS = 4  # per store, during pushes of 500 facts
TERMINATIONS = 6  # PostgreSQL: the bureau's connections terminated during ingest
KIOSK_KILLS = 20  # the kiosk process, while it writes and pushes
NOW = datetime(2026, 11, 21, 10, 0)


def pause(seconds: float) -> None:
    """The random moment of a fault (not a wait for anything)."""
    threading.Event().wait(seconds)


def all_or_nothing(kiosk_id: str) -> int:
    """The bureau holds exactly seqs 1..acked_seq of the kiosk: no batch half in."""
    kiosk = Kiosk.get(Kiosk.kiosk_id == kiosk_id)
    seqs = sorted(seq for _, seq in at_bureau(kiosk_id).values())
    assert seqs == list(range(1, kiosk.acked_seq + 1)), f"half a batch: acked_seq {kiosk.acked_seq}, {len(seqs)} facts"
    return kiosk.acked_seq


def push_until_down(bureau: Bureau) -> None:
    try:
        push_all(bureau, 500)
    except Unreachable:
        pass


def terminate_bureau_connections(port: int) -> int:
    """pg_terminate_backend of every connection the bureau process holds (PGAPPNAME)."""
    connection = psycopg2.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres")
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = %s",
                (BureauProcess.APP_NAME,),
            )
            return cursor.fetchone()[0]
    finally:
        connection.close()


def test_the_bureau_killed_mid_batch_keeps_each_batch_all_or_nothing(request, store, store_url, kiosk, tmp_path):
    """F6: kill -9 of the bureau at random moments of 500-fact pushes, then a restart on the same
    store; on PostgreSQL also pg_terminate_backend of its connections during ingest.  After each
    fault the bureau holds whole batches only; after the drain, every fact exactly once."""
    rand = random.Random(seed())
    server = BureauProcess(store_url, tmp_path)
    server.start()
    settings = open_kiosk(tmp_path, kiosk, server.url, batch=500)
    written, bureau, behind = [], Bureau(settings), 0
    try:
        written += write_facts(500, NOW)
        began = time.monotonic()
        push_all(bureau, 500)
        per_fact = (time.monotonic() - began) / 500  # this machine's pace now: kill within a push
        for _ in range(BUREAU_KILLS):
            n = rand.randint(400, 900)
            written += write_facts(n, NOW)
            killer = threading.Timer(rand.uniform(0.0, n * per_fact), server.kill)
            killer.start()
            push_until_down(bureau)
            killer.join()
            behind += all_or_nothing(kiosk.kiosk_id) < len(written)  # killed before the last batch was in
            server.start()
        print(f"{BUREAU_KILLS} kills; the bureau was behind the kiosk after {behind} of them")
        assert behind >= 1, "every kill came after the push: nothing was tested"
        if store_url.startswith("postgresql"):
            cluster = request.getfixturevalue("postgres_cluster")
            terminated = 0
            for _ in range(TERMINATIONS):
                written += write_facts(rand.randint(400, 900), NOW)
                pusher = threading.Thread(target=push_until_down, args=(bureau,))
                pusher.start()
                pause(rand.uniform(0.0, 900 * per_fact))
                terminated += terminate_bureau_connections(cluster.port)
                pusher.join(timeout=60)
                all_or_nothing(kiosk.kiosk_id)
            print(f"{terminated} connections terminated")
            assert terminated >= TERMINATIONS / 2, f"only {terminated} connections were terminated"
        bureau.close()
        bureau = Bureau(settings)
        for _ in range(10):  # the pool may still hand out a few dead connections
            try:
                push_all(bureau, 500)
                break
            except Unreachable:
                continue
        assert backlog() == 0
        check_i1(written, kiosk.kiosk_id)
        check_i2(kiosk.kiosk_id, settings.kiosk.data_dir)
    finally:
        bureau.close()
        kiosk_db.close()
        server.stop()


def signins_match_their_facts(data: object) -> None:
    """Each SignIn has its signin fact and each signin fact its SignIn: one transaction, all or nothing."""
    with kiosk_db_file(data) as con:
        rows = {r[0] for r in con.execute("SELECT event_id FROM sign_in")}
        facts = {r[0] for r in con.execute("SELECT event_id FROM outbox WHERE kind = 'signin'")}
    assert rows == facts


def test_a_kiosk_killed_at_random_points_keeps_every_acknowledged_sign_in(sqlite_bureau, tmp_path):
    """F4: the kiosk process is killed with SIGKILL 20 times while it signs seniors in, and pushes
    and pulls every 3 sign-ins; after each kill kiosk.db passes integrity_check and holds every sign-in whose
    commit returned (with its facts), and after the drain the bureau has them all once; after a
    pull the kiosk's copy of every stream and its balances are the bureau's (I3, I4)."""
    rand = random.Random(seed())
    server, kiosk = sqlite_bureau
    data = tmp_path / "kiosk-data"
    driver = KioskProcess(kiosk_site_file(tmp_path, kiosk, server.url, batch=5), data)
    for _ in range(KIOSK_KILLS):
        driver.start("--forever", "--push-every", "3", "--pull")
        assert driver.ready.wait(30), "".join(driver.stderr)
        pause(rand.uniform(0.02, 0.3))
        driver.kill()
        assert driver.process.returncode == -9
        assert integrity(data) == "ok"
        with kiosk_db_file(data) as con:
            held = {r[0] for r in con.execute("SELECT event_id FROM outbox")}
        assert set(driver.acked) <= held
        signins_match_their_facts(data)
    assert len(driver.acked) > KIOSK_KILLS and driver.pushed, "the driver did too little to test anything"
    driver.drain(pull=True)
    print(f"{KIOSK_KILLS} kills, {len(driver.acked)} acknowledged facts, {len(driver.pushed)} pushes answered")
    check_i1(driver.acked, kiosk.kiosk_id)
    check_i2(kiosk.kiosk_id, data)
    check_i3(data, kiosk.kiosk_id)
    check_i4()
