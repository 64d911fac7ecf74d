"""The same seniors at two centres, both offline (docs/sync-protocol.md §12: F8), on both stores with a real
bureau process: three kiosks at two sites copy the members one of them registered (members
stream) and an activity the bureau published for every site; cut off from the bureau, each signs
the same seniors in to that activity and to its own, and one person registers at both sites.  Back
online, their pushes arrive in a random order, in random pieces, with random pulls in between
(seeded: FAULT_SEED=<seed> replays it).  Then: both registrations are one member (merged into
the first the bureau received); each double award is reversed and the one kept is the first
ingested (I4: no award_key twice, ledgers sum to balances); every kiosk's copy and balances are
the bureau's (I3)."""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

from bureau import admin, publish, rules
from bureau.models import Event, LedgerEntry
from bureau.models import Member as BureauMember
from bureau.rules import rounds
from kiosk.checkin.signin import record_sign_in
from kiosk.points import passbook
from kiosk.store.db import db as kiosk_db
from kiosk.store.db import open_db, write
from kiosk.store.models import Member
from kiosk.sync.apply import Here
from kiosk.sync.client import Bureau
from kiosk.sync.pull import pull_all
from kiosk.sync.push import backlog, push_all, push_once

from .conftest import MEMBER_PREFIX, SITE
from .faults import activity_on, check_i1, check_i2, check_i3, check_i4, open_kiosk, register
from .test_faults_network import seed

WEST = "WEST-002"
ROUNDS = 5  # arrival orders per store, each with new seniors and a new activity
SENIORS = 3  # registered at the first kiosk, signed in everywhere
BATCH = 4


@dataclass
class Desk:
    """One kiosk of the test: its settings and folder; use() binds kiosk.db to it."""

    settings: SimpleNamespace
    data: Path
    written: list

    def use(self) -> Bureau:
        kiosk_db.close()
        open_db(self.data)
        return Bureau(self.settings)


def desk(tmp_path: Path, site: str, url: str) -> Desk:
    kiosk = admin.add_kiosk(site, f"{site} desk")
    settings = open_kiosk(tmp_path / kiosk.kiosk_id, kiosk, url, batch=BATCH)
    settings.site.code = site
    kiosk_db.close()
    return Desk(settings, settings.kiosk.data_dir, [])


def online(d: Desk, rand: random.Random | None = None) -> None:
    """Push (everything, or a random part of it when `rand`), then pull every stream."""
    bureau = d.use()
    try:
        if rand is None:
            push_all(bureau, BATCH)
        else:
            for _ in range(rand.randint(0, 3)):
                push_once(bureau, BATCH)
        failed = [s for s, p in pull_all(bureau, here(d)).items() if isinstance(p, Exception)]
        assert not failed, failed
    finally:
        bureau.close()


def here(d: Desk) -> Here:
    return Here(d.settings.site.code, d.settings.kiosk.id, datetime.now())


def sign_in_offline(d: Desk, numbers: list[str], shared_key: str, at: datetime, twin: str | None) -> None:
    """At this kiosk, cut off: the seniors sign in to the shared activity and to one of its own;
    `twin` (a member_no) registers here a person registered elsewhere (the same id_hash)."""
    bureau = d.use()
    bureau.close()
    code, kiosk_id = d.settings.site.code, d.settings.kiosk.id
    with write():
        people = [Member.get(Member.member_no == n) for n in numbers]
        if twin:
            people.append(register(code, twin, at, id_hash=twin_hash(at)))
        shared = activity_on(code, "", at, f"activity:{shared_key}")
        own = activity_on(code, f"{kiosk_id} 自己的活动", at.replace(hour=14))
        for member in people:
            record_sign_in(member, shared, "qr", at + timedelta(minutes=10), kiosk_id, code)
            record_sign_in(member, own, "qr", at.replace(hour=14, minute=5), kiosk_id, code)
    d.written[:] = [r[0] for r in kiosk_db.execute_sql("SELECT event_id FROM outbox")]


def twin_hash(at: datetime) -> str:
    return f"{at:%Y%m%d%H}".ljust(64, "a")


def test_the_same_seniors_at_two_centres_offline_converge_with_one_award_each(server, kiosk, tmp_path):
    rand = random.Random(seed())
    admin.add_site(WEST, "西区活动中心", prefix="W")
    publish.set_rule("activity", 2)
    desks = [desk(tmp_path, SITE, server.url), desk(tmp_path, WEST, server.url), desk(tmp_path, WEST, server.url)]
    first = desks[0]
    try:
        for n in range(ROUNDS):
            at = (datetime.now() - timedelta(days=ROUNDS - n)).replace(hour=9, minute=0, second=0, microsecond=0)
            ends = at + timedelta(hours=2)
            key = publish.publish_activity(f"健康讲座{n}", f"{at:%Y-%m-%d %H:%M}", f"{ends:%Y-%m-%d %H:%M}")
            first.use().close()
            numbers = [f"{MEMBER_PREFIX}{n:02d}{i:02d}" for i in range(SENIORS)]
            with write():
                for number in numbers:
                    register(SITE, number, at)
            for d in [first, *desks[1:]]:  # the seniors and the activity reach every kiosk
                online(d)
            twins = {id(first): f"{MEMBER_PREFIX}T{n:02d}1", id(desks[1]): f"WT{n:02d}2"}
            # The partition: the twins' kiosks, and the third one or not.
            offline = desks[:2] + [d for d in desks[2:] if rand.random() < 0.5]
            for d in offline:
                sign_in_offline(d, numbers, key, at, twins.get(id(d)))
            for d in rand.sample(offline, len(offline)) + [rand.choice(offline)]:  # random arrival order
                online(d, rand)
            for d in desks * 2:  # healed: all in, all out
                online(d)
            check(desks, f"健康讲座{n}", numbers, n)
        doubles = LedgerEntry.select().where(LedgerEntry.note == rounds.DOUBLE_AWARD).count()
        merged = BureauMember.select().where(BureauMember.merged_into.is_null(False)).count()
        print(f"{ROUNDS} rounds: {doubles} double awards reversed, {merged} members merged")
        assert doubles >= ROUNDS * SENIORS and merged == ROUNDS
    finally:
        kiosk_db.close()


def check(desks: list[Desk], title: str, numbers: list[str], n: int) -> None:
    rules.catch_up()
    check_i4()
    for d in desks:
        bureau = d.use()
        bureau.close()
        assert backlog() == 0
        check_i1(d.written, d.settings.kiosk.id)
        check_i2(d.settings.kiosk.id, d.data)
        check_i3(d.data, d.settings.kiosk.id)
        balances = dict(BureauMember.select(BureauMember.member_no, BureauMember.balance).tuples())
        for member in Member.select().where(Member.merged_into.is_null()):
            assert passbook.balance(member) == balances[member.member_no], (d.settings.kiosk.id, member.member_no)
    twins = list(BureauMember.select().where(BureauMember.member_no.in_([f"{MEMBER_PREFIX}T{n:02d}1", f"WT{n:02d}2"])))
    if len(twins) == 2:
        merged = [t for t in twins if t.merged_into]
        assert len(merged) == 1 and merged[0].merged_into in {t.member_no for t in twins}
        kept = next(t for t in twins if not t.merged_into)
        assert first_member_fact(twins) == kept.member_no, "the member kept is not the first the bureau received"
    for member_no in numbers + [t.member_no for t in twins if not t.merged_into]:
        winner_is_first(member_no, title)


def first_member_fact(twins) -> str:
    facts = Event.select(Event.id, Event.payload).where(Event.kind == "member").order_by(Event.id)
    numbers = {t.member_no for t in twins}
    return next(no for _, payload in facts.tuples() if (no := _json(payload)["member_no"]) in numbers)


def winner_is_first(member_no: str, title: str) -> None:
    """The member's awards for the shared activity: the first ingested is kept (its award_key),
    every later one is reversed."""
    signins = {
        _plain(e)
        for e, p in Event.select(Event.event_id, Event.payload).where(Event.kind == "signin").tuples()
        if _json(p)["title"] == title
    }
    ingested = [
        _plain(e)
        for e, p in Event.select(Event.event_id, Event.payload)
        .where(Event.kind == "points")
        .order_by(Event.id)
        .tuples()
        if _plain(_json(p)["signin"]) in signins
    ]
    entries = {_plain(e.entry_id): e for e in LedgerEntry.select().where(LedgerEntry.member_no == member_no)}
    awards = [i for i in ingested if i in entries]
    assert awards, f"{member_no}: no award for {title}"
    kept = [i for i in awards if entries[i].award_key]
    assert kept == awards[:1], f"{member_no}: kept {kept}, the first ingested was {awards[0]}"
    reversed_ = {_plain(e.reverses) for e in entries.values() if e.reverses}
    assert set(awards[1:]) <= reversed_, f"{member_no}: a later award for {title} was not reversed"


def _plain(event_id) -> str:
    return str(event_id).lower().replace("-", "")


def _json(text):
    import json

    return json.loads(text) if isinstance(text, str) else text
