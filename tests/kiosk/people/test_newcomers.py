"""Unregistered ID cards: kept a few days for the front desk, then forgotten even when no other
unknown card is read (at start-up, and daily by the upkeep thread: tests/kiosk/test_upkeep.py), and
overwritten on disk."""

from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

from kiosk.people import newcomers
from kiosk.store.models import NewcomerCard
from tests.kiosk.builders import ID_NOT_REGISTERED, ID_WANG, World
from tools.checkout import run_kiosk

NOW = datetime(2025, 3, 10, 8, 30)
ADDRESS = "天津市河西区友谊路 1 号 3 单元 502 室"


def read(world, number: str, at: datetime) -> None:
    card = replace(World.idcard(number, name="刘桂兰"), address=ADDRESS, card_type="resident")
    newcomers.remember(card, world.id_key, at)


def test_purge_forgets_cards_older_than_a_week_and_keeps_the_rest(world):
    read(world, ID_NOT_REGISTERED, NOW - timedelta(days=8))
    read(world, ID_WANG, NOW - timedelta(days=6))  # the card of 8 days ago was 2 days old then: kept
    assert NewcomerCard.select().count() == 2
    assert newcomers.purge(NOW) == 1
    assert [c.id_last4 for c in NewcomerCard.select()] == [ID_WANG[-4:]]
    assert [n.id_last4 for n in newcomers.recent(NOW)] == [ID_WANG[-4:]]


def test_start_up_forgets_old_cards_without_any_new_read(site_file, settings, world):
    read(world, ID_NOT_REGISTERED, datetime.now() - newcomers.KEEP - timedelta(minutes=1))
    read(world, ID_WANG, datetime.now() - newcomers.KEEP + timedelta(hours=1))
    done = run_kiosk("--config", site_file, "--data-dir", settings.kiosk.data_dir, "staff", "list")
    assert done.returncode == 0, done.stderr
    assert [c.id_last4 for c in NewcomerCard.select()] == [ID_WANG[-4:]]


def test_a_forgotten_card_leaves_nothing_readable_in_the_file(world, settings, database):
    read(world, ID_NOT_REGISTERED, NOW - timedelta(days=30))
    database.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")  # the row is in kiosk.db itself
    newcomers.purge(NOW)
    database.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    folder = settings.kiosk.data_dir
    kept = b"".join(p.read_bytes() for p in sorted(Path(folder).glob("kiosk.db*")))
    assert ADDRESS.encode() not in kept
