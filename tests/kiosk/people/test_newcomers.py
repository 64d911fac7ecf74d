"""Unregistered ID cards: kept a few days for the front desk, then forgotten even when no other
unknown card is read (at start-up, and daily by the upkeep thread: tests/kiosk/test_upkeep.py), and
overwritten on disk.  A card is known by the id_hash of its number: nothing else of the number is kept."""

from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

from kiosk.identity import ids
from kiosk.people import newcomers
from kiosk.store.models import NewcomerCard
from tests.kiosk.builders import ID_NOT_REGISTERED, ID_WANG, World
from tools.checkout import run_kiosk

NOW = datetime(2025, 3, 10, 8, 30)
ADDRESS = "天津市河西区友谊路 1 号 3 单元 502 室"
NAME = "刘桂兰"


def read(world, number: str, at: datetime) -> None:
    card = replace(World.idcard(number, name=NAME), address=ADDRESS, card_type="resident")
    newcomers.remember(card, ids.id_hash(number, world.id_key), at)


def kept(world) -> list[str]:
    """The numbers whose cards are kept (by their id_hash)."""
    known = {ids.id_hash(n, world.id_key): n for n in (ID_NOT_REGISTERED, ID_WANG)}
    return [known[c.id_hash] for c in NewcomerCard.select()]


def test_purge_forgets_cards_older_than_a_week_and_keeps_the_rest(world):
    read(world, ID_NOT_REGISTERED, NOW - timedelta(days=8))
    read(world, ID_WANG, NOW - timedelta(days=6))  # the card of 8 days ago was 2 days old then: kept
    assert NewcomerCard.select().count() == 2
    assert newcomers.purge(NOW) == 1
    assert kept(world) == [ID_WANG]
    assert [n.id for n in newcomers.recent(NOW)] == [NewcomerCard.get().id]


def test_start_up_forgets_old_cards_without_any_new_read(site_file, settings, world):
    read(world, ID_NOT_REGISTERED, datetime.now() - newcomers.KEEP - timedelta(minutes=1))
    read(world, ID_WANG, datetime.now() - newcomers.KEEP + timedelta(hours=1))
    done = run_kiosk("--config", site_file, "--data-dir", settings.kiosk.data_dir, "staff", "list")
    assert done.returncode == 0, done.stderr
    assert kept(world) == [ID_WANG]


def test_a_forgotten_card_leaves_nothing_readable_in_the_file(world, settings, database):
    def on_disk() -> bytes:
        database.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")  # the row is in kiosk.db itself
        return b"".join(p.read_bytes() for p in sorted(Path(settings.kiosk.data_dir).glob("kiosk.db*")))

    read(world, ID_NOT_REGISTERED, NOW - timedelta(days=30))
    before = on_disk()
    assert NAME.encode() in before and ADDRESS.encode() not in before  # the address is never kept
    newcomers.purge(NOW)
    after = on_disk()
    assert NAME.encode() not in after and ids.id_hash(ID_NOT_REGISTERED, world.id_key).encode() not in after
