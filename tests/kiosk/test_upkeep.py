"""The upkeep thread's decisions, with the clock in the test's hand: the nightly backup (and one
soon after start when the newest is over a day old), free space checked and sent to the bureau when its
state changes, old unregistered cards forgotten daily, and what the staff page is told."""

import json
import threading
from datetime import datetime, timedelta
from pathlib import Path

from kiosk.i18n import t
from kiosk.identity import ids
from kiosk.people import newcomers
from kiosk.store import backups
from kiosk.store.models import NewcomerCard, Outbox
from kiosk.store.space import MB, Space
from kiosk.upkeep import AFTER_START, Upkeep, notice
from tests.kiosk.builders import ID_NOT_REGISTERED, World

NIGHT = datetime(2027, 3, 1, 3, 30)  # backup.at of config/default.toml


def taken(settings) -> list[datetime]:
    return [b.taken for b in backups.listed(Path(settings.backup.folder))]


def storage_facts() -> list[dict]:
    found = [json.loads(o.payload) for o in Outbox.select().where(Outbox.kind == "device").order_by(Outbox.seq)]
    return [f for f in found if f["device"] == "storage"]


def test_a_kiosk_without_a_backup_makes_one_soon_after_start_then_each_night(settings, database):
    upkeep = Upkeep(settings)
    start = NIGHT + timedelta(hours=6)  # 09:30
    upkeep.tick(start)
    upkeep.tick(start + AFTER_START - timedelta(seconds=1))
    assert taken(settings) == []  # not while the kiosk starts
    first = start + AFTER_START
    upkeep.tick(first)
    assert taken(settings) == [first]
    for minutes in (60, 17 * 60 + 59):  # later that day, and 03:29 the next: nothing due
        upkeep.tick(start + timedelta(minutes=minutes))
    assert taken(settings) == [first]
    upkeep.tick(NIGHT + timedelta(days=1))
    assert taken(settings) == [NIGHT + timedelta(days=1), first]


def test_a_kiosk_that_was_off_at_night_backs_up_at_start_once_a_day_has_passed(settings, database):
    backups.make(settings, NIGHT)
    Upkeep(settings).tick(NIGHT + timedelta(hours=20))  # started the same day: the copy is fresh
    assert taken(settings) == [NIGHT]
    late = NIGHT + timedelta(days=1, hours=6)  # off at 03:30, started at 09:30
    upkeep = Upkeep(settings)
    upkeep.tick(late)
    upkeep.tick(late + AFTER_START)
    assert taken(settings) == [late + AFTER_START, NIGHT]


def test_a_failed_backup_is_logged_and_tried_the_next_night(settings, database, caplog):
    settings.backup.folder = str(Path(settings.kiosk.data_dir) / "kiosk.db")  # a file: no folder there
    upkeep = Upkeep(settings)
    upkeep.next_backup = NIGHT  # decided on an earlier tick
    upkeep.tick(NIGHT)
    assert "the nightly backup failed" in caplog.text
    assert upkeep.next_backup == NIGHT + timedelta(days=1)


def test_free_space_is_sent_at_start_and_when_its_state_changes(settings, database):
    upkeep = Upkeep(settings)
    upkeep.tick(NIGHT)
    assert [f["state"] for f in storage_facts()] == ["ok"]
    settings.storage.low_free_mb = 10**9  # more than any disk here has: "low"
    upkeep.tick(NIGHT + timedelta(minutes=30))  # not time to look again yet
    assert len(storage_facts()) == 1
    hour = timedelta(seconds=settings.storage.check_every_s)
    upkeep.tick(NIGHT + hour)
    upkeep.tick(NIGHT + 2 * hour)  # still low: no new fact
    facts = storage_facts()
    assert [f["state"] for f in facts] == ["ok", "low"]
    assert facts[-1]["kind"] == "storage" and facts[-1]["kiosk_id"] == settings.kiosk.id
    assert "提醒线 1000000000 MB" in facts[-1]["last_error"]


def test_space_states():
    assert Space(0, 200 * MB).state == "full"
    assert Space(MB - 1, 200 * MB).state == "full"
    assert Space(MB, 200 * MB).state == "low"
    assert Space(200 * MB - 1, 200 * MB).state == "low"
    assert Space(200 * MB, 200 * MB).state == "ok"
    assert Space(85 * MB, 200 * MB).describe() == "剩余 85 MB（提醒线 200 MB）"


def test_staff_are_told_of_low_space_and_of_a_missing_or_old_backup(settings, database):
    assert notice(settings, NIGHT) == t("storage.no_backup")
    backups.make(settings, NIGHT)
    assert notice(settings, NIGHT + timedelta(days=2)) == ""
    assert notice(settings, NIGHT + timedelta(days=2, minutes=1)) == t("storage.old_backup", taken="2027-03-01 03:30")
    settings.storage.low_free_mb = 10**9
    assert notice(settings, NIGHT).startswith("存储空间不足：剩余 ")


def test_the_thread_runs_its_first_tick_at_once_and_stops(settings, database):
    ticked = threading.Event()

    class Watched(Upkeep):
        def tick(self, now):
            super().tick(now)
            ticked.set()

    upkeep = Watched(settings)
    upkeep.start()
    assert ticked.wait(30)
    upkeep.stop()
    upkeep.join(30)
    assert not upkeep.is_alive()
    assert upkeep.next_backup == upkeep.next_check - timedelta(seconds=settings.storage.check_every_s) + AFTER_START
    assert len(storage_facts()) == 1


def test_old_unregistered_cards_are_forgotten_at_the_first_tick_then_once_a_day(settings, world):
    id_hash = ids.id_hash(ID_NOT_REGISTERED, world.id_key)

    def read(at: datetime) -> None:
        newcomers.remember(World.idcard(ID_NOT_REGISTERED, name="刘桂兰"), id_hash, at)

    read(NIGHT - newcomers.KEEP - timedelta(minutes=1))
    upkeep = Upkeep(settings)
    upkeep.tick(NIGHT)
    assert NewcomerCard.select().count() == 0
    read(NIGHT - newcomers.KEEP + timedelta(hours=1))  # an hour from its time at NIGHT
    upkeep.tick(NIGHT + timedelta(hours=2))
    assert NewcomerCard.select().count() == 1  # not looked at again before a day has passed
    upkeep.tick(NIGHT + timedelta(days=1))
    assert NewcomerCard.select().count() == 0
