"""bureau.rules on both stores: the roster with one member per person, attendance, device state,
the business day of a kiosk whose clock is off, catch_up's order and concurrency, and a real
kiosk pushing to a real server whose worker applies what it pushed."""

import hashlib
import hmac
import json
import threading
import time
from contextlib import contextmanager
from datetime import datetime, timedelta

import pytest
from uuid6 import uuid7

from bureau import admin, ingest, rules, streams
from bureau.auth import as_utc
from bureau.models import Attendance, DeviceState, Event, Kiosk, LedgerEntry, Member, RuleCursor, StreamRow
from bureau.rules.cursors import behind
from bureau.rules.worker import _workers as workers
from bureau.store import db, write
from contract import idhash

from . import conftest
from .conftest import SITE, SITE_NAME, wait_until

OTHER_SITE = "DEMO-002"
DAY = datetime(2026, 11, 20, 9, 0)  # a Friday morning, kiosk local time


class Till:
    """One kiosk's facts, pushed straight into bureau.ingest as its sync client would send them."""

    def __init__(self, site: str):
        self.site = site
        self.kiosk = admin.add_kiosk(site)
        self.seq = 0

    def push(self, *facts: tuple[str, dict], clock_ms: int = 0, now: float | None = None) -> list[str]:
        """Push `facts` (kind, payload) in one batch; `clock_ms` is how far the kiosk's clock is off.
        A payload's "_id" is the fact's event_id, its "_age_ms" how long before `now` it was written."""
        now = time.time() if now is None else now
        events = []
        for kind, payload in facts:
            self.seq += 1
            payload = dict(payload)
            events.append(
                {
                    "event_id": payload.pop("_id", None) or str(uuid7()),
                    "seq": self.seq,
                    "kind": kind,
                    "schema_v": 1,
                    "wall_ms": int(now * 1000) + clock_ms - payload.pop("_age_ms", 0),
                    "payload": {"site": self.site, "kiosk_id": self.kiosk.kiosk_id, **payload},
                }
            )
        body = {
            "kiosk_id": self.kiosk.kiosk_id,
            "epoch": self.kiosk_epoch(),
            "first_seq": events[0]["seq"],
            "last_seq": events[-1]["seq"],
            "client_version": "test",
            "sent_ms": int(now * 1000) + clock_ms,
            "events": events,
        }
        done = ingest.push(self.kiosk.id, ingest.parse_batch(json.dumps(body).encode(), self.kiosk.kiosk_id), now)
        assert not done["rejected"], done
        return [e["event_id"] for e in events]

    def store_unchecked(self, kind: str, payload: dict) -> str:
        """A fact as a bureau stored it before it checked payloads at ingest: its event_id."""
        self.seq += 1
        event_id, now = str(uuid7()), time.time()
        with write():
            Event.create(
                event_id=event_id,
                kiosk=self.kiosk.id,
                epoch=self.kiosk_epoch(),
                seq=self.seq,
                site=self.kiosk.site_id,
                kind=kind,
                schema_v=1,
                wall_ms=int(now * 1000),
                received_at=as_utc(now),
                skew_ms=0,
                payload=json.dumps({"site": self.site, **payload}, ensure_ascii=False),
            )
            Kiosk.update(acked_seq=self.seq, head_seq=self.seq).where(Kiosk.id == self.kiosk.id).execute()
        return event_id

    def kiosk_epoch(self) -> int:
        return type(self.kiosk).get_by_id(self.kiosk.id).epoch

    def attend(
        self,
        member_no: str,
        title: str,
        start: datetime,
        amount: int = 2,
        kind: str = "lesson",
        at: datetime | None = None,
        **push,
    ) -> tuple[str, str]:
        """A sign-in and its award, as kiosk.checkin.signin.record_sign_in writes them: (signin, points) ids."""
        at = at or start + timedelta(minutes=1)
        signin, item = str(uuid7()), "lesson" if kind == "lesson" else "activity"
        kind_, payload = signin_fact(member_no, title, start, at, item)
        return tuple(
            self.push(
                (kind_, {**payload, "_id": signin}),
                points_fact(member_no, amount, kind, at, rule=f"{kind}_attendance", signin=signin),
                **push,
            )
        )


def signin_fact(member_no: str, title: str, start: datetime, at: datetime, kind: str = "lesson") -> tuple[str, dict]:
    return "signin", {
        "member_no": member_no,
        "kind": kind,
        "item_id": 7,
        "title": title,
        "start": start.isoformat(),
        "at": at.isoformat(),
        "method": "qr",
    }


def member_fact(member_no: str, id_hash: str | None, name: str = "王建华", **fields) -> tuple[str, dict]:
    return conftest.member_fact(member_no, id_hash, name, **{"at": DAY.isoformat(), **fields})


def points_fact(member_no: str, amount: int, kind: str, at: datetime = DAY, **fields) -> tuple[str, dict]:
    return "points", {
        "member_no": member_no,
        "amount": amount,
        "kind": kind,
        "rule": "",
        "at": at.isoformat(),
        **fields,
    }


@pytest.fixture
def sites(store):
    admin.add_site(SITE, SITE_NAME, prefix="A")
    admin.add_site(OTHER_SITE, "第二活动中心", prefix="B")


@pytest.fixture
def tills(sites) -> tuple[Till, Till]:
    """A kiosk at each of two sites."""
    return Till(SITE), Till(OTHER_SITE)


def published(stream: str) -> dict[str, dict]:
    return {row.entity_id: json.loads(row.data) for row in StreamRow.select().where(StreamRow.stream == stream)}


def member(no: str) -> Member:
    return Member.get(Member.member_no == no)


def ledger_sums() -> None:
    """Each member's balance is the sum of its entries and the last entry's balance_after."""
    for m in Member.select():
        entries = list(LedgerEntry.select().where(LedgerEntry.member_no == m.member_no).order_by(LedgerEntry.id))
        assert sum(e.amount for e in entries) == m.balance, m.member_no
        assert (entries[-1].balance_after if entries else 0) == m.balance, m.member_no
        assert published("members")[m.member_no]["balance"] == m.balance


# -- the roster -------------------------------------------------------------------------------------


def test_one_person_registered_at_two_sites_is_one_member(tills):
    first, second = tills
    first.push(member_fact("A0001", "hash-wang"), member_fact("A0002", "hash-li", name="李秀英"))
    second.push(member_fact("B0001", "hash-wang", name="王建华"))
    first.attend("A0001", "太极拳", DAY)
    second.attend("B0001", "书法", DAY, amount=3)
    assert rules.catch_up() == 7
    wang, li, alias = member("A0001"), member("A0002"), member("B0001")
    assert (wang.merged_into, li.merged_into, alias.merged_into) == (None, None, "A0001")
    assert alias.site.code == OTHER_SITE and wang.site.code == SITE
    assert (wang.balance, alias.balance, li.balance) == (5, 0, 0)
    assert {e.member_no for e in LedgerEntry.select()} == {"A0001"}
    assert {a.member_no for a in Attendance.select()} == {"A0001"}
    members = published("members")
    assert members["B0001"] == {  # no birth year, no last 4: beside the id_hash they narrow a search
        "member_no": "B0001",
        "name": "王建华",
        "gender": "男",
        "id_hash": "hash-wang",
        "phone_last4": "1234",
        "site": OTHER_SITE,
        "joined": "2026-01-05",
        "active": True,
        "merged_into": "A0001",
        "balance": 0,
        "card_issue": 1,
    }
    assert published("cards")["B0001"] == {
        "member_no": "B0001",
        "id_hash": "hash-wang",
        "site": OTHER_SITE,
        "active": True,
        "merged_into": "A0001",
        "card_issue": 1,  # a reissued card revokes the older ones at every kiosk
    }
    assert members["A0001"]["balance"] == 5 and members["A0001"]["merged_into"] is None
    balances = sorted(published("balances").values(), key=lambda b: b["balance"])
    assert [(b["member_no"], b["amount"], b["balance"], b["site"]) for b in balances] == [
        ("A0001", 2, 2, SITE),
        ("A0001", 3, 5, OTHER_SITE),
    ]
    ledger_sums()


def test_a_kiosk_gets_its_own_sites_members_in_full_and_only_the_cards_of_the_others(tills):
    first, second = tills
    first.push(member_fact("A0001", "hash-wang"))
    second.push(member_fact("B0001", "hash-li", name="李秀英"))
    rules.catch_up()
    members = streams.pull("members", 0, None, 100, OTHER_SITE, "K-B")["items"]
    assert [(i["id"], i["data"]["name"]) for i in members] == [("B0001", "李秀英")]
    cards = {i["id"]: i["data"] for i in streams.pull("cards", 0, None, 100, OTHER_SITE, "K-B")["items"]}
    assert cards["A0001"] == {
        "member_no": "A0001",
        "id_hash": "hash-wang",
        "site": SITE,
        "active": True,
        "merged_into": None,
        "card_issue": 1,
    }
    assert set(cards) == {"A0001", "B0001"}


def test_a_member_fact_with_the_older_plain_hmac_is_matched_by_its_slow_derivation(tills):
    # A kiosk not yet upgraded sends HMAC-SHA256 in hex; the roster keeps contract.idhash's form.
    first, second = tills
    plain = hmac.new(b"k" * 32, b"120103198806018241", hashlib.sha256).hexdigest()
    first.push(member_fact("A0001", idhash.upgraded(plain)))
    second.push(member_fact("B0001", plain))
    rules.catch_up()
    assert member("B0001").id_hash == member("A0001").id_hash == idhash.upgraded(plain)
    assert member("B0001").merged_into == "A0001"
    assert published("cards")["B0001"]["id_hash"] == idhash.upgraded(plain)


def test_a_later_change_of_a_member_wins_and_an_alias_stays_merged(tills):
    first, second = tills
    first.push(member_fact("A0001", "hash-wang"))
    second.push(member_fact("B0001", "hash-wang"))
    rules.catch_up()
    second.push(member_fact("B0001", "hash-wang", phone_last4="9999", active=False))
    first.push(member_fact("A0001", "hash-wang", name="王建华（改）"))
    assert rules.catch_up() == 2
    alias = member("B0001")
    assert (alias.phone_last4, alias.active, alias.merged_into) == ("9999", False, "A0001")
    assert member("A0001").name == "王建华（改）"
    assert published("members")["A0001"]["name"] == "王建华（改）"


def test_a_member_known_before_its_id_number_brings_its_history_when_merged(tills):
    first, second = tills
    first.push(member_fact("A0001", "hash-wang"))
    first.attend("A0001", "太极拳", DAY)
    # Points for a member the bureau never heard of: a member is made so nothing is lost.
    second.push(points_fact("B0001", 4, "volunteer"))
    second.attend("B0001", "书法", DAY, amount=2)
    rules.catch_up()
    assert (member("B0001").name, member("B0001").balance, member("B0001").merged_into) == ("", 6, None)
    second.push(member_fact("B0001", "hash-wang"))  # … then its registration arrives
    rules.catch_up()
    assert member("B0001").merged_into == "A0001" and member("B0001").balance == 0
    assert member("A0001").balance == 2 + 4 + 2
    assert {e.member_no for e in LedgerEntry.select()} == {"A0001"}
    assert {a.member_no for a in Attendance.select()} == {"A0001"}
    assert {b["member_no"] for b in published("balances").values()} == {"A0001"}
    # The running balances were made again in ledger order.
    assert [e.balance_after for e in LedgerEntry.select().order_by(LedgerEntry.id)] == [2, 6, 8]
    assert sorted(b["balance"] for b in published("balances").values()) == [2, 6, 8]
    ledger_sums()


# -- attendance and devices ------------------------------------------------------------------------


def test_a_signin_is_attendance_of_the_canonical_member(tills):
    first, second = tills
    first.push(member_fact("A0001", "hash-wang"))
    second.push(member_fact("B0001", "hash-wang"))
    (signin,) = second.push(signin_fact("B0001", "合唱团", DAY, DAY + timedelta(minutes=3), kind="activity"))
    rules.catch_up()
    row = Attendance.get()
    assert (row.event_id, row.member_no, row.site.code, row.kiosk.id, row.kind, row.title, row.method) == (
        signin,
        "A0001",
        OTHER_SITE,
        second.kiosk.id,
        "activity",
        "合唱团",
        "qr",
    )
    assert (row.start, row.at, row.business_day) == (DAY, DAY + timedelta(minutes=3), DAY.date())


def test_the_newest_device_fact_wins(tills):
    first, _ = tills

    def device(state: str, at: datetime, faults: int) -> tuple[str, dict]:
        return "device", {
            "device": "idcard",
            "kind": "idcard",
            "port": "/dev/ttyUSB0",
            "state": state,
            "reads": 10,
            "faults": faults,
            "disconnects": 1,
            "last_error": "超时" * 150,
            "at": at.isoformat(),
        }

    first.push(
        device("connected", DAY, 0),
        device("absent", DAY + timedelta(hours=2), 3),
        device("silent", DAY + timedelta(hours=1), 2),
    )
    rules.catch_up()
    first.push(device("silent", DAY + timedelta(minutes=30), 9))  # older than what is held
    rules.catch_up()
    state = DeviceState.get()
    assert (state.kiosk.id, state.device, state.state, state.faults, state.at) == (
        first.kiosk.id,
        "idcard",
        "absent",
        3,
        DAY + timedelta(hours=2),
    )
    assert len(state.last_error) == 200
    first.push(device("connected", DAY + timedelta(hours=3), 3))
    rules.catch_up()
    assert DeviceState.get().state == "connected" and DeviceState.select().count() == 1


# -- business days ---------------------------------------------------------------------------------


def test_a_kiosk_clock_a_day_fast_gives_the_bureaus_business_day(tills):
    first, _ = tills
    now = datetime.now().replace(microsecond=0)
    wrong = now + timedelta(days=1)  # the kiosk believes it is tomorrow
    first.push(signin_fact("A0001", "太极拳", wrong, wrong), clock_ms=86_400_000)
    rules.catch_up()
    assert Event.get().skewed
    assert Attendance.get().business_day == now.date()
    assert abs(Attendance.get().at - now) < timedelta(seconds=5)


def test_a_backlog_from_a_right_clock_keeps_its_days(tills):
    first, _ = tills
    now = datetime.now().replace(microsecond=0)
    old = now - timedelta(days=3)
    # Written offline three days ago and pushed now with a fresh fact: three days old, not skewed.
    first.push(
        ("signin", {**signin_fact("A0001", "太极拳", old, old)[1], "_age_ms": 3 * 86_400_000}),
        signin_fact("A0001", "书法", now, now),
    )
    rules.catch_up()
    assert [e.skewed for e in Event.select().order_by(Event.seq)] == [False, False]
    assert sorted(a.business_day for a in Attendance.select()) == [old.date(), now.date()]


# -- order and concurrency -------------------------------------------------------------------------


def test_catch_up_follows_each_kiosk_across_epochs_and_past_refused_facts(tills):
    first, second = tills
    first.push(member_fact("A0001", "hash-wang"))
    ingest.new_epoch(first.kiosk.id)
    first.seq = 0
    first.push(points_fact("A0001", 3, "volunteer"))
    # A fact refused at the bureau still moves acked_seq: the rules must not wait for it.
    bad = {"event_id": "not-a-uuid", "seq": 2, "kind": "points", "schema_v": 1, "wall_ms": 0, "payload": {}}
    body = {
        "kiosk_id": first.kiosk.kiosk_id,
        "epoch": 2,
        "first_seq": 2,
        "last_seq": 2,
        "client_version": "t",
        "events": [bad],
    }
    assert ingest.push(
        first.kiosk.id, ingest.parse_batch(json.dumps(body).encode(), first.kiosk.kiosk_id), time.time()
    )["rejected"]
    assert rules.catch_up(limit=1) == 1 and rules.catch_up() == 1 and rules.catch_up() == 0
    assert member("A0001").balance == 3
    cursors = {(c.kiosk.id, c.epoch): c.seq for c in RuleCursor.select()}
    assert cursors == {(first.kiosk.id, 1): 1, (first.kiosk.id, 2): 2, (second.kiosk.id, 1): 0}
    assert not behind()


def test_facts_are_applied_in_the_order_the_bureau_stored_them(tills):
    first, second = tills
    first.push(member_fact("A0001", "hash-wang"))
    second.push(member_fact("B0001", "hash-wang"))
    first.push(member_fact("A0002", "hash-li"))
    rules.catch_up()
    # B0001 came second across kiosks, though its kiosk's cursor is read after A's: it is the alias.
    assert member("B0001").merged_into == "A0001" and member("A0002").merged_into is None


def test_catch_up_in_two_threads_applies_each_fact_once(tills, store_url, monkeypatch):
    first, second = tills
    monkeypatch.setattr(rules, "BATCH", 7)  # many small rounds, to interleave
    for i in range(6):
        first.push(member_fact(f"A{i:04d}", f"hash-{i}"))
        second.push(member_fact(f"B{i:04d}", f"hash-{i}"))
        for till, no in ((first, f"A{i:04d}"), (second, f"B{i:04d}")):
            till.attend(no, "太极拳", DAY)  # one award per person: the other is reversed
            till.attend(no, f"课{i}", DAY + timedelta(hours=2))  # … and here too
    applied, errors = [], []
    start = threading.Barrier(2)

    def run():
        try:
            start.wait()
            with db.connection_context():
                applied.append(rules.catch_up())
        except Exception as e:
            errors.append(e)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and sum(applied) == Event.select().count() == 12 + 48
    assert LedgerEntry.select().count() == 24 + 12  # every award once, 12 reversed
    assert rules.catch_up() == 0
    for i in range(6):
        assert member(f"A{i:04d}").balance == 4
    ledger_sums()


# -- a real kiosk and a real server ----------------------------------------------------------------


def test_a_kiosk_signing_in_is_reflected_by_the_servers_worker(tmp_path, server, kiosk):
    from kiosk import config
    from kiosk.checkin.signin import CheckIn
    from kiosk.people import members
    from kiosk.points import ledger
    from kiosk.staff.audit import Actor
    from kiosk.store.db import db as kiosk_db
    from kiosk.store.db import open_db
    from kiosk.sync.client import Bureau
    from kiosk.sync.push import push_all
    from tests.kiosk.builders import ID_WANG, LESSON_START, World
    from tests.kiosk.conftest import write_site_file

    site = write_site_file(
        tmp_path,
        f'[kiosk]\nid = "{kiosk.kiosk_id}"\n[sync]\nurl = "{server.url}"\nkey = "{kiosk.key}"\n',
        name="kiosk.toml",
    )
    settings = config.load(site, tmp_path / "kiosk-data")
    open_db(settings.kiosk.data_dir)
    try:
        world = World(settings)
        wang = world.member("XC9001", "王建华", ID_WANG)
        members.update(Actor.of(None, settings), wang.member_no, LESSON_START - timedelta(days=1), phone="13800001234")
        course = world.course("太极拳（一）班")
        world.enroll(wang, course)
        for day in range(2):
            world.lesson(course, LESSON_START + timedelta(days=day))
        checkin = CheckIn(settings)
        for day in range(2):
            assert checkin.handle(world.qr(wang), LESSON_START + timedelta(days=day, minutes=5)).kind == "ok"
        ledger.redeem(
            Actor.of(None, settings), wang.member_no, 3, "兑换毛巾", LESSON_START + timedelta(days=1, hours=3)
        )
        bureau = Bureau(settings)
        try:
            push_all(bureau, settings.sync.batch)
        finally:
            bureau.close()
    finally:
        kiosk_db.close()

    def applied():
        found = Member.get_or_none(Member.member_no == "XC9001")
        return found is not None and LedgerEntry.select().count() == 3 and found

    wang_there = wait_until(applied, 30, "the server's rules worker to apply the pushed facts")
    assert (wang_there.name, wang_there.phone_last4, wang_there.balance) == ("王建华", "1234", 2 + 2 - 3)
    assert Attendance.select().count() == 2
    assert [e.balance_after for e in LedgerEntry.select().order_by(LedgerEntry.id)] == [2, 4, 1]
    assert published("members")["XC9001"]["balance"] == 1


def test_the_worker_applies_a_push_when_notified(tills):
    first, _ = tills
    worker = rules.Worker(every_s=60)  # only notify() wakes it within the test
    worker.start()
    try:
        first.push(member_fact("A0001", "hash-wang"))
        wait_until(lambda: worker in workers, 5, "the worker to start")
        rules.notify()
        wait_until(lambda: Member.get_or_none(Member.member_no == "A0001"), 10, "the worker to apply the member")
    finally:
        worker.stop()
    assert not worker.is_alive()


@contextmanager
def pushes_arriving(till, **timing):
    """A started rules Worker (`timing` its quiet_s and busy_every_s), a member fact pushed, and
    then pushes arriving every 50 ms, each notifying the rules as bureau.app does, until the
    Event this yields is set."""
    worker = rules.Worker(every_s=60, **timing)
    worker.start()
    over = threading.Event()

    def arrive():
        while not over.wait(0.05):
            rules.notify()

    try:
        wait_until(lambda: worker in workers, 5, "the worker to start")
        till.push(member_fact("A0001", "hash-wang"))
        threading.Thread(target=arrive, daemon=True).start()
        yield over
    finally:
        over.set()
        worker.stop()


def applied() -> Member | None:
    return Member.get_or_none(Member.member_no == "A0001")


def test_the_worker_waits_for_the_pushes_to_pause(tills):
    with pushes_arriving(tills[0], quiet_s=2.0, busy_every_s=600) as over:
        busy_until = time.monotonic() + 4
        while time.monotonic() < busy_until:  # pushes keep coming: the rules wait
            assert applied() is None
            over.wait(0.2)
        over.set()
        wait_until(applied, 20, "the worker to apply it once the pushes paused")


def test_the_worker_still_applies_under_pushes_that_never_pause(tills):
    with pushes_arriving(tills[0], quiet_s=600, busy_every_s=1.0):
        wait_until(applied, 20, "a round within busy_every_s")
