"""A restore on either side loses nothing (docs/sync-protocol.md §5.6, §5.7, §5.9, §6.5), on both
stores, with the kiosk's own `sync --once` and `sync --nightly` run as the operator runs them:

- kiosk.db restored from a copy taken while batches waited to go up: the kiosk takes no
  acknowledgement past the last seq it sent, so the facts it writes after the restore meet the
  bureau's facts under the same seqs (an epoch conflict: a new epoch) instead of being marked sent;
- the bureau restored from its backup: the kiosk compares its outbox with the bureau's state and
  sends again what the bureau lost, and fetches again the streams the restore took back."""

from datetime import datetime
from pathlib import Path

import pytest

from bureau import streams
from bureau.models import Event, Kiosk
from kiosk.store.db import db as kiosk_db
from kiosk.sync import state
from kiosk.sync.push import backlog
from tools.checkout import run_kiosk

from .conftest import publish_members
from .faults import (
    BureauProcess,
    StoreBackup,
    at_bureau,
    back_up,
    check_i1,
    check_i2,
    kiosk_db_file,
    open_kiosk,
    restore,
    write_facts,
)

BATCH = 25
NOW = datetime(2026, 11, 21, 13, 0)


@pytest.fixture
def bureau(request, store, store_url, kiosk, tmp_path):
    """`bureau serve` on the test's store, and its backup (StoreBackup) to take and put back."""
    process = BureauProcess(store_url, tmp_path)
    process.start()
    cluster = request.getfixturevalue("postgres_cluster") if store_url.startswith("postgresql") else None
    backup = StoreBackup(process, cluster)
    try:
        yield backup
    finally:
        process.stop()
        backup.drop()


@pytest.fixture
def site(tmp_path, kiosk, bureau):
    """This process as the kiosk (kiosk.db bound), batches of 25."""
    settings = open_kiosk(tmp_path, kiosk, bureau.bureau.url, BATCH)
    yield settings
    kiosk_db.close()


def sync(settings, how: str) -> str:
    """`python main.py sync --once|--nightly` on the kiosk's site file and data: what it printed."""
    folder = Path(settings.kiosk.data_dir).parent
    done = run_kiosk("--config", folder / "kiosk.toml", "--data-dir", settings.kiosk.data_dir, "sync", how)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def kiosk_members(data: Path) -> set[str]:
    """The members the kiosk holds as the bureau's (pulled, not deleted)."""
    with kiosk_db_file(data) as con:
        return {no for (no,) in con.execute("SELECT entity_id FROM pulled WHERE stream = 'members' AND NOT deleted")}


def bureau_members() -> set[str]:
    return {row.entity_id for row in streams.rows("members")}


def test_a_kiosk_db_restored_while_batches_waited_sends_every_fact_written_after_it(site, kiosk, tmp_path):
    data = Path(site.kiosk.data_dir)
    first = write_facts(100, NOW)
    sync(site, "--once")
    queued = write_facts(60, NOW)  # more than two batches wait ...
    back_up(data, tmp_path / "copy.db")  # ... as the copy is taken
    later = write_facts(100, NOW)
    sync(site, "--once")
    restore(data, tmp_path / "copy.db")  # the disk died; seqs 161-260 are the bureau's alone now
    new = write_facts(80, NOW)  # seqs 161-240 again, other facts
    sync(site, "--once")
    assert backlog() == 0 and state.get_int("epoch", 1) == 2 == Kiosk.get().epoch
    check_i1(first + queued + later + new, kiosk.kiosk_id)
    check_i2(kiosk.kiosk_id, data)
    assert Event.select().count() == 340


def test_a_restored_kiosk_db_takes_no_acknowledgement_past_what_it_sent(site, kiosk, tmp_path):
    data = Path(site.kiosk.data_dir)
    first = write_facts(30, NOW)
    sync(site, "--once")
    queued = write_facts(40, NOW)
    back_up(data, tmp_path / "copy.db")
    later = write_facts(50, NOW)
    sync(site, "--once")
    restore(data, tmp_path / "copy.db")
    sync(site, "--once")  # its 40 queued facts go again: all the bureau's, nothing to tell yet
    assert (state.get_int("acked_seq"), state.get_int("epoch", 1), backlog()) == (70, 1, 0)
    assert (Kiosk.get().acked_seq, Kiosk.get().epoch) == (120, 1)
    (one,) = write_facts(1, NOW)  # seq 71: the bureau holds another fact there
    sync(site, "--once")
    assert state.get_int("epoch", 1) == 2 and backlog() == 0
    check_i1(first + queued + later + [one], kiosk.kiosk_id)
    check_i2(kiosk.kiosk_id, data)


@pytest.mark.parametrize("how", ["--once", "--nightly"])
def test_a_bureau_restored_from_its_backup_gets_back_what_it_lost_from_the_kiosk(site, kiosk, bureau, how):
    data = Path(site.kiosk.data_dir)
    kept = write_facts(100, NOW)
    sync(site, "--once")
    bureau.take()
    lost = write_facts(60, NOW)
    sync(site, "--once")
    bureau.put_back()  # kill -9, its store back as the backup had it
    assert Kiosk.get().acked_seq == 100 and not set(at_bureau()) & {i.replace("-", "") for i in lost}
    sync(site, how)  # no new fact: only comparing with the bureau's state finds what it lacks
    check_i1(kept + lost, kiosk.kiosk_id)
    check_i2(kiosk.kiosk_id, data)
    assert Event.select().count() == 160 and backlog() == 0


def test_a_bureau_restored_from_before_the_kiosks_new_epoch_gets_its_whole_outbox(site, kiosk, bureau, tmp_path):
    data = Path(site.kiosk.data_dir)
    first = write_facts(50, NOW)
    sync(site, "--once")
    bureau.take()  # at epoch 1
    back_up(data, tmp_path / "copy.db")
    write_facts(30, NOW)
    sync(site, "--once")
    restore(data, tmp_path / "copy.db")
    new = write_facts(20, NOW)
    sync(site, "--once")
    assert state.get_int("epoch", 1) == 2
    bureau.put_back()  # epoch 1 again: the 20 new facts are gone from it
    sync(site, "--nightly")
    assert (Kiosk.get().epoch, state.get_int("epoch", 1)) == (2, 2)
    check_i1(first + new, kiosk.kiosk_id)  # the 30 were on the dead disk and in the lost store
    check_i2(kiosk.kiosk_id, data)


def restored_behind_the_kiosk(site, bureau) -> Path:
    """The kiosk pulled members up to rev 3, then the bureau was restored to rev 1; its data dir."""
    data = Path(site.kiosk.data_dir)
    publish_members("DM0001")
    sync(site, "--once")
    bureau.take()
    publish_members("DM0002", "DM0003")
    sync(site, "--once")
    assert kiosk_members(data) == {"DM0001", "DM0002", "DM0003"}
    bureau.put_back()
    return data


def test_a_cursor_past_the_restored_bureaus_head_fetches_the_stream_again(site, kiosk, bureau):
    data = restored_behind_the_kiosk(site, bureau)  # members' head is rev 1 again; the cursor at 3
    publish_members("DM0004")  # rev 2: a cursor at 3 would step over it
    assert "整份重新下载" in sync(site, "--once")
    assert kiosk_members(data) == {"DM0001", "DM0004"} == bureau_members()


def test_the_nightly_sync_finds_what_a_restored_bureau_published_under_revs_the_kiosk_had(site, kiosk, bureau):
    data = restored_behind_the_kiosk(site, bureau)
    publish_members("DM0004", "DM0005")  # revs 2 and 3: the kiosk's cursor is at 3 already
    sync(site, "--once")
    assert "DM0004" not in kiosk_members(data)  # no pull can tell
    sync(site, "--nightly")  # the checksum can
    assert kiosk_members(data) == {"DM0001", "DM0004", "DM0005"} == bureau_members()
