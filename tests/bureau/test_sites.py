"""A kiosk writes only for its own site, on both stores, against a real server on loopback: the
attacks of a kiosk on another site's members fail, a visiting senior's sign-in and its award count,
member numbers cannot collide across sites, and a reissued card is the only one any kiosk takes."""

from datetime import datetime, timedelta

import pytest

from bureau import admin, rules
from bureau.models import Attendance, EventReject, LedgerEntry, Member, Site
from bureau.store import write as write_bureau
from contract import idhash
from kiosk.checkin.signin import CheckIn
from kiosk.identity import tokens
from kiosk.identity.credentials import Credential
from kiosk.people import members
from kiosk.staff.audit import Actor
from kiosk.store.db import db as kiosk_db
from kiosk.store.db import open_db, write
from kiosk.sync.apply import Here
from kiosk.sync.client import Bureau
from kiosk.sync.pull import pull_all
from kiosk.sync.push import push_all

from .conftest import Client, batch, fact, member_fact
from .faults import activity_on, open_kiosk, register

DAY = datetime(2026, 11, 20, 9, 0)
EAST, WEST = "EAST-001", "WEST-002"  # member numbers E…, W…


class Kiosk:
    """A kiosk of a site pushing by hand-made facts, as a kiosk's sync client sends them."""

    def __init__(self, url: str, site: str):
        self.kiosk = admin.add_kiosk(site)
        self.client = Client(url, self.kiosk.kiosk_id, self.kiosk.key)
        self.seq = 0

    def push(self, *facts: tuple[str, dict]) -> dict:
        """The facts (kind, payload) in one batch, their payloads as given (no site field): the
        reply, once the rules have read them."""
        events = []
        for kind, payload in facts:
            self.seq += 1
            events.append(fact(self.seq, kind, payload))
        return self.send(events)

    def send(self, events: list[dict]) -> dict:
        reply = self.client.push(batch(self.kiosk.kiosk_id, events))
        assert reply.status_code == 200, reply.text
        rules.catch_up()  # beside the server's own worker: each fact is applied once
        return {**reply.json(), "event_ids": [e["event_id"] for e in events]}

    def pull(self, stream: str) -> dict[str, dict]:
        """The whole stream as this kiosk sees it (the bureau applies its rules first)."""
        reply = self.client.send("GET", f"/v1/pull?stream={stream}&after=0&limit=1000")
        assert reply.status_code == 200, reply.text
        return {item["id"]: item["data"] for item in reply.json()["items"]}

    def attend(self, member_no: str, title: str = "太极拳", amount: int = 2, signin: str | None = None) -> dict:
        """A sign-in and the award for it, as kiosk.checkin.signin writes them (or an award naming
        `signin` alone, when given)."""
        award = points(member_no, amount, "lesson", rule="lesson_attendance")
        if signin is not None:
            return self.push(("points", {**award, "signin": signin}))
        self.seq += 2
        sign_in = fact(self.seq - 1, "signin", signin_payload(member_no, title))
        return self.send([sign_in, fact(self.seq, "points", {**award, "signin": sign_in["event_id"]})])


def member(member_no: str, name: str, id_hash: str, **fields) -> tuple[str, dict]:
    return member_fact(member_no, id_hash, name, **{"at": DAY.isoformat(), **fields})


def points(member_no: str, amount: int, kind: str, **fields) -> dict:
    return {"member_no": member_no, "amount": amount, "kind": kind, "at": DAY.isoformat(), **fields}


def signin_payload(member_no: str, title: str) -> dict:
    return {
        "member_no": member_no,
        "kind": "lesson",
        "item_id": 7,
        "title": title,
        "start": DAY.isoformat(),
        "at": (DAY + timedelta(minutes=1)).isoformat(),
        "method": "qr",
    }


@pytest.fixture
def kiosks(server, store) -> tuple[Kiosk, Kiosk]:
    """A kiosk at each of two sites, E and W; W's kiosk registered 王建华 as W0001 with 10 points."""
    admin.add_site(EAST, "东区活动中心", prefix="E")
    admin.add_site(WEST, "西区活动中心", prefix="W")
    east, west = Kiosk(server.url, EAST), Kiosk(server.url, WEST)
    west.push(
        member("W0001", "王建华", "b" * idhash.LENGTH), ("points", points("W0001", 10, "correction", reason="开户"))
    )
    yield east, west
    east.client.__exit__()
    west.client.__exit__()


def dead_letters(event_ids: list[str]) -> dict[str, tuple[str, str]]:
    """What the rules refused of these facts: {event_id: (code, reason)}."""
    rows = EventReject.select().where(EventReject.event_id.in_(event_ids))
    return {r.event_id: (r.code, r.reason) for r in rows}


def wang_untouched(west: Kiosk) -> None:
    """W0001 as W's kiosk registered it, in the bureau and in what W's kiosk pulls."""
    wang = Member.get(Member.member_no == "W0001")
    assert (wang.site.code, wang.name, wang.id_hash, wang.id_last4, wang.merged_into) == (
        WEST,
        "王建华",
        "b" * idhash.LENGTH,
        "8241",
        None,
    )
    pulled = west.pull("members")["W0001"]
    assert (pulled["site"], pulled["name"], pulled["id_hash"], pulled["balance"]) == (
        WEST,
        "王建华",
        "b" * idhash.LENGTH,
        10,
    )


# -- the attacks of the review ----------------------------------------------------------------------


def test_a_member_fact_without_a_site_for_another_sites_member_changes_nothing(kiosks):
    east, west = kiosks
    attack = east.push(member("W0001", "<script>alert(1)</script>", "a" * idhash.LENGTH, id_last4="9999"))
    assert attack["inserted"] == 1  # stored: ingest cannot tell, the rules judge it
    wang_untouched(west)
    assert dead_letters(attack["event_ids"]) == {
        attack["event_ids"][0]: (
            "wrong_site",
            f"a member fact for member W0001 of site {WEST}, not of this kiosk's {EAST}",
        )
    }


def test_another_site_cannot_re_key_a_member_nor_merge_it_into_its_own(kiosks):
    east, west = kiosks
    east.push(member("E0001", "李秀英", "a" * idhash.LENGTH))
    east.attend("E0001")
    # W0001 given E0001's id number would be merged into E0001, its points and sign-ins with it.
    attack = east.push(member("W0001", "王建华", "a" * idhash.LENGTH))
    wang_untouched(west)
    assert Member.get(Member.member_no == "E0001").balance == 2
    assert {e.member_no for e in LedgerEntry.select()} == {"W0001", "E0001"}
    assert [code for code, _ in dead_letters(attack["event_ids"]).values()] == ["wrong_site"]


def test_redemptions_and_corrections_for_another_sites_member_are_refused(kiosks):
    east, west = kiosks
    attack = east.push(
        ("points", points("W0001", -500, "redeem", reason="兑换")),
        ("points", points("W0001", 100, "correction", reason="补录")),
        ("points", points("W0001", 4, "volunteer", hours=2.0)),  # staff-entered hours name no sign-in
    )
    wang_untouched(west)
    assert {e.site.code for e in LedgerEntry.select()} == {WEST}
    refused = dead_letters(attack["event_ids"])
    assert sorted(refused.values()) == sorted(
        [
            ("wrong_site", f"a redeem entry for member W0001 of site {WEST}, not of this kiosk's {EAST}"),
            ("wrong_site", f"a correction entry for member W0001 of site {WEST}, not of this kiosk's {EAST}"),
            ("wrong_site", f"a volunteer entry for member W0001 of site {WEST}, not of this kiosk's {EAST}"),
        ]
    )


def test_no_kiosk_credits_anyone_two_billion_points(kiosks):
    east, west = kiosks
    east.push(member("E0002", "张淑芬", "c" * idhash.LENGTH))
    for member_no in ("E0002", "W0001", "W0002"):
        attack = east.push(("points", points(member_no, 2_147_483_647, "correction")))
        assert [r["code"] for r in attack["rejected"]] == ["invalid"], attack
    assert {m.member_no: m.balance for m in Member.select()} == {"W0001": 10, "E0002": 0}
    wang_untouched(west)


# -- what a visiting senior does elsewhere ----------------------------------------------------------


def test_a_visiting_seniors_sign_in_and_its_award_count_for_them(kiosks):
    east, west = kiosks
    visit = east.attend("W0001", "书法")
    assert visit["rejected"] == []
    wang = Member.get(Member.member_no == "W0001")
    assert wang.site.code == WEST and wang.balance == 12
    (attended,) = Attendance.select().where(Attendance.member_no == "W0001")
    assert (attended.site.code, attended.kiosk.kiosk_id, attended.title) == (EAST, east.kiosk.kiosk_id, "书法")
    award = LedgerEntry.get(LedgerEntry.entry_id == visit["event_ids"][1])
    assert (award.amount, award.site.code, award.award_key) == (2, EAST, f"lesson|W0001|书法|{DAY.isoformat()}")
    assert west.pull("members")["W0001"]["balance"] == 12
    assert dead_letters(visit["event_ids"]) == {}


def test_an_award_tied_to_no_sign_in_of_that_kiosk_is_refused_for_a_visitor(kiosks):
    east, west = kiosks
    home = west.attend("W0001", "太极拳")  # W's own sign-in: E may not award for it
    borrowed = east.attend("W0001", signin=home["event_ids"][0])
    unnamed = east.push(("points", points("W0001", 2, "lesson", rule="lesson_attendance")))
    assert Member.get(Member.member_no == "W0001").balance == 12
    assert (
        LedgerEntry.select().where(LedgerEntry.entry_id.in_(borrowed["event_ids"] + unnamed["event_ids"])).count() == 0
    )
    refused = dead_letters(borrowed["event_ids"] + unnamed["event_ids"])
    assert [code for code, _ in refused.values()] == ["wrong_site", "wrong_site"]


# -- member numbers -----------------------------------------------------------------------------------


def test_two_sites_can_no_longer_both_number_a_member_dm0001(kiosks):
    east, west = kiosks
    demo = [
        east.push(member("DM0001", "赵一", "d" * idhash.LENGTH)),
        west.push(member("DM0001", "钱二", "e" * idhash.LENGTH)),
    ]
    theirs = east.push(member("W0002", "孙三", "f" * idhash.LENGTH))  # W's number, made up at E
    assert not Member.select().where(Member.member_no.in_(["DM0001", "W0002"])).exists()
    refused = dead_letters([i for r in (*demo, theirs) for i in r["event_ids"]])
    assert sorted(refused.values()) == [
        ("wrong_site", "member number DM0001 does not start with this site's prefix E"),
        ("wrong_site", "member number DM0001 does not start with this site's prefix W"),
        ("wrong_site", f"member number W0002 is one of site {WEST}"),
    ]
    # Each site's own numbers: two people, two members.
    east.push(member("E0001", "赵一", "d" * idhash.LENGTH))
    west.push(member("W0002", "钱二", "e" * idhash.LENGTH))
    found = {m.member_no: (m.name, m.site.code) for m in Member.select().where(Member.member_no != "W0001")}
    assert found == {"E0001": ("赵一", EAST), "W0002": ("钱二", WEST)}
    assert east.pull("members")["E0001"]["site"] == EAST


def test_sites_made_before_prefixes_keep_their_numbers_and_never_share_one(server, store):
    with write_bureau():  # two sites of a bureau older than prefixes, both left on DM
        for code in ("OLD-001", "OLD-002"):
            Site.create(code=code, name=code)
    first, second = Kiosk(server.url, "OLD-001"), Kiosk(server.url, "OLD-002")
    first.push(member("DM0001", "赵一", "d" * idhash.LENGTH))
    clash = second.push(member("DM0001", "钱二", "e" * idhash.LENGTH))
    zhao = Member.get(Member.member_no == "DM0001")
    assert (zhao.name, zhao.site.code, zhao.id_hash) == ("赵一", "OLD-001", "d" * idhash.LENGTH)
    assert [code for code, _ in dead_letters(clash["event_ids"]).values()] == ["wrong_site"]
    first.client.__exit__()
    second.client.__exit__()


# -- a reissued card ----------------------------------------------------------------------------------


def test_a_reissued_card_revokes_the_old_one_at_every_kiosk_and_the_new_one_signs_in_there(server, store, tmp_path):
    admin.add_site(EAST, "东区活动中心", prefix="E")
    admin.add_site(WEST, "西区活动中心", prefix="W")
    desks = []
    for site in (EAST, EAST, WEST):  # the issuing kiosk, the second kiosk of its site, one elsewhere
        kiosk = admin.add_kiosk(site)
        settings = open_kiosk(tmp_path / kiosk.kiosk_id, kiosk, server.url)
        settings.site.code = site
        desks.append(settings)
    issuing, *others = desks
    now = datetime.now().replace(microsecond=0)
    use(issuing)
    with write():
        register(EAST, "E0001", now - timedelta(days=30))
    for settings in desks:  # every kiosk has the member, and their card of issue 1
        sync(settings, now)
    use(issuing)
    members.reissue_card(Actor.of(None, issuing), "E0001", "卡丢失", now)
    sync(issuing, now)
    assert Member.get(Member.member_no == "E0001").card_issue == 2
    key = bytes.fromhex(issuing.security.card_key)
    old, new = Credential.qr(tokens.make("E0001", 1, key)), Credential.qr(tokens.make("E0001", 2, key))
    for settings in others:
        sync(settings, now)
        with write():
            activity_on(settings.site.code, "健康讲座", now - timedelta(minutes=5))
        check_in = CheckIn(settings)
        lost = check_in.handle(old, now)
        assert (lost.kind, lost.detail) == ("invalid_card", "card.revoked"), settings.kiosk.id
        assert check_in.handle(new, now + timedelta(seconds=10)).kind == "ok", settings.kiosk.id
    kiosk_db.close()


def use(settings) -> None:
    """Bind kiosk.db to this kiosk's."""
    kiosk_db.close()
    open_db(settings.kiosk.data_dir)


def sync(settings, now: datetime) -> None:
    """This kiosk pushes its outbox and pulls every stream; its kiosk.db stays bound."""
    use(settings)
    bureau = Bureau(settings)
    try:
        push_all(bureau, 50)
        pulled = pull_all(bureau, Here(settings.site.code, settings.kiosk.id, now))
        assert not [s for s, p in pulled.items() if isinstance(p, Exception)], pulled
    finally:
        bureau.close()
