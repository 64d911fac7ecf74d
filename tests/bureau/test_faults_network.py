"""Network faults between a kiosk and a real bureau (docs/sync-protocol.md §12: F1, F2, F5, and F10/F13/F14
under them), through the cutting proxy of tests/bureau/faults.py, on both stores.  Each test heals,
drains with a clean sync and
checks I1 (nothing acknowledged is lost) and I2 (nothing doubled, seqs contiguous, all or
nothing per batch).  The seed is printed; a failure replays with FAULT_SEED=<seed>."""

import os
import random
from datetime import datetime

from bureau.models import Event, EventReject, Kiosk
from kiosk.store.db import db as kiosk_db
from kiosk.store.db import write as kiosk_write
from kiosk.store.facts import new_event_id
from kiosk.sync.client import Bureau, Unreachable
from kiosk.sync.push import backlog, push_all, push_once

from .conftest import record_newer_kind
from .faults import (
    CUT,
    DROP,
    PASS,
    Fault,
    KioskProcess,
    Proxy,
    back_up,
    check_i1,
    check_i2,
    check_i3,
    check_i4,
    kiosk_site_file,
    kiosk_state,
    open_kiosk,
    push_faults,
    restore,
    write_facts,
)

FAULTED_PUSHES = 200  # per store: half cut before the bureau has the body, half with the reply lost
BATCH = 5  # small batches: many requests
F5_KILLS = 6  # kiosk processes killed between the bureau's commit and the kiosk's checkpoint


def seed() -> int:
    value = int(os.environ.get("FAULT_SEED") or random.randrange(2**32))
    print(f"FAULT_SEED={value}")
    return value


def port(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


def test_pushes_cut_before_the_commit_or_answered_into_the_void_lose_and_double_nothing(server, kiosk, tmp_path):
    """F1: a request cut at a random byte (FIN or RST) commits nothing: its resend inserts it all.
    F2: a reply lost after the bureau committed: the resend is all duplicates (inserted 0)."""
    rand = random.Random(s := seed())
    proxy = Proxy(port(server.url), push_faults(s, share=0.5))
    settings = open_kiosk(tmp_path, kiosk, proxy.url, BATCH)
    bureau = Bureau(settings)
    written, resend = [], None  # resend: (committed?, facts sent) of the batch that failed
    now = datetime(2026, 11, 21, 9, 30)
    try:
        while proxy.faults() < FAULTED_PUSHES:
            if resend is None:  # the retry must send exactly the batch that failed
                written += write_facts(rand.randint(1, 2 * BATCH - 2), now)
            before, sending = dict(proxy.counts), min(BATCH, backlog())
            try:
                pushed = push_once(bureau, BATCH)
            except Unreachable:
                # A lost reply means the bureau has the batch, however later attempts fail.
                dropped = proxy.counts[DROP] > before[DROP]
                resend = (dropped or bool(resend and resend[0]), sending)
                continue
            assert proxy.counts[PASS] == before[PASS] + 1
            if resend:
                committed, sent = resend
                assert pushed.sent == sent
                assert (pushed.inserted, pushed.duplicates) == ((0, sent) if committed else (sent, 0)), resend
                resend = None
        proxy.heal()
        push_all(bureau, BATCH)
        assert backlog() == 0
        check_i1(written, kiosk.kiosk_id)
        check_i2(kiosk.kiosk_id, settings.kiosk.data_dir)
        print(
            f"{proxy.counts[CUT]} cut, {proxy.counts[DROP]} dropped, {proxy.counts[PASS]} passed; {len(written)} facts"
        )
        assert proxy.counts[CUT] > FAULTED_PUSHES / 4 and proxy.counts[DROP] > FAULTED_PUSHES / 4
    finally:
        bureau.close()
        kiosk_db.close()
        proxy.close()


def test_a_kiosk_killed_after_the_bureau_committed_and_before_its_checkpoint_sends_again_harmlessly(
    server, kiosk, tmp_path
):
    """F5: the proxy holds the bureau's reply to a push, kills the kiosk process with SIGKILL, then
    drops the reply: the kiosk restarts with an acked_seq behind the bureau's, sends the batch
    again, and nothing is lost or doubled."""
    rand = random.Random(seed())
    kills, pushes = [], []

    def decide(line: bytes, size: int) -> Fault:
        # Every other push until enough kills: the resend after a kill gets through, so the
        # kills land on different batches and all of them happen within the 18 batches.
        if line.startswith(b"POST /v1/push"):
            pushes.append(line)
            if len(kills) < F5_KILLS and len(pushes) % 2:
                return Fault(DROP, reset=rand.random() < 0.5)
        return Fault(PASS)

    def kill_kiosk(fault: Fault) -> None:
        kills.append(Kiosk.get(Kiosk.kiosk_id == kiosk.kiosk_id).acked_seq)  # what the bureau committed
        driver.kill()

    proxy = Proxy(port(server.url), decide, on_reply=kill_kiosk)
    data = tmp_path / "kiosk-data"
    driver = KioskProcess(kiosk_site_file(tmp_path, kiosk, proxy.url, BATCH), data)
    try:
        driver.start("--write", "30")  # 30 members sign in: 90 facts (member, signin, points), 18 batches
        driver.finish()
        assert len(driver.acked) == 90
        restarts = 0
        while not driver.drained:
            driver.start("--drain")
            code = driver.process.wait(timeout=60)
            if code == -9:
                restarts += 1
                # Killed before its checkpoint: the kiosk is behind what the bureau committed.
                assert int(kiosk_state(data, "acked_seq") or 0) < kills[-1]
            else:
                driver.finish()
            assert restarts <= F5_KILLS
        assert len(kills) == restarts == F5_KILLS
        driver.drain(pull=True)
        check_i1(driver.acked, kiosk.kiosk_id)
        check_i2(kiosk.kiosk_id, data)
        check_i3(data, kiosk.kiosk_id)
        check_i4()
    finally:
        if driver.process and driver.process.poll() is None:
            driver.kill()
        proxy.close()


def push_through(bureau: Bureau) -> None:
    """Push until the outbox is drained, whatever the proxy does to single requests."""
    while backlog():
        try:
            push_once(bureau, BATCH)
        except Unreachable:
            continue


def test_poison_and_a_restored_kiosk_db_under_a_faulty_network_lose_and_double_nothing(server, kiosk, tmp_path):
    """F10, F13, F14 under F1/F2: a poison fact among good ones, then kiosk.db restored from an
    old copy (its seqs used again: a new epoch, the outbox sent again), all while a third of the
    pushes are cut or lose their reply.  The poison is dead-lettered; every other fact is at the
    bureau once; the new epoch's seqs are contiguous (I2)."""
    s = seed()
    proxy = Proxy(port(server.url), push_faults(s, share=0.3))
    settings = open_kiosk(tmp_path, kiosk, proxy.url, BATCH)
    data = tmp_path / "kiosk-data"
    bureau = Bureau(settings)
    now = datetime(2026, 11, 21, 13, 0)
    try:
        written = write_facts(23, now)
        with kiosk_write():
            poison = new_event_id()
            record_newer_kind("no_such_kind", poison, {"site": "DEMO-001"}, now)
        written += write_facts(17, now)
        push_through(bureau)
        back_up(data, tmp_path / "old.db")  # a backup, taken now
        written += write_facts(30, now)
        push_through(bureau)
        restore(data, tmp_path / "old.db")  # … after the disk died
        written += write_facts(25, now)  # the same seqs again, new facts
        push_through(bureau)
        proxy.heal()
        push_all(bureau, BATCH)
        assert Kiosk.get_by_id(kiosk.id).epoch == 2 and backlog() == 0
        assert str(EventReject.get().event_id) == poison and poison not in at_bureau_events()
        check_i1(written, kiosk.kiosk_id)
        check_i2(kiosk.kiosk_id, data)
        assert Event.select().count() == len(written) and proxy.faults() > 0
    finally:
        bureau.close()
        kiosk_db.close()
        proxy.close()


def at_bureau_events() -> set[str]:
    return {str(e) for (e,) in Event.select(Event.event_id).tuples()}
