"""The kiosk's pull against a real bureau on loopback, on both stores: what staff publish lands in
the kiosk's tables; a push and the pull after it confirm the kiosk's own points in one sync, and
another kiosk's double award comes back reversed; a rebuilt stream (410) is fetched again without
touching the outbox; the nightly checksum finds a row lost here; a garbled page keeps the cursor
at the last good one; and the sync thread does all of it by itself."""

import argparse
import json
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest

from bureau import admin, publish, streams
from bureau.store import write as bureau_write
from kiosk import config
from kiosk.checkin.signin import CheckIn, record_sign_in
from kiosk.cli import sync as cli_sync
from kiosk.identity import ids
from kiosk.points import awards, passbook
from kiosk.programme.schedule import activity_item
from kiosk.store import facts
from kiosk.store.db import write
from kiosk.store.models import Activity, Course, Member, Outbox, PointsEntry, PointsRule, Pulled, Site
from kiosk.sync import nightly, state
from kiosk.sync.apply import Here
from kiosk.sync.client import Bureau
from kiosk.sync.pull import STREAMS, PullError, pull_all, pull_stream
from kiosk.sync.push import push_all
from kiosk.sync.worker import SyncWorker
from tests.kiosk.builders import ID_WANG, World
from tests.kiosk.conftest import write_site_file

from .conftest import SITE, Client, batch, fact, member_row, publish_members, wait_until

OTHER = "DEMO-002"


@pytest.fixture
def settings(settings):
    """conftest's, with this site known to the kiosk."""
    with write():
        Site.create(code=SITE, name="本站")
    return settings


@pytest.fixture
def bureau(settings):
    b = Bureau(settings)
    yield b
    b.close()


def here(settings) -> Here:
    return Here(settings.site.code, settings.kiosk.id, datetime.now())


def sync_command(settings, capsys, *args: str) -> tuple[int, str]:
    """`python main.py sync …` on the test's kiosk (in this process: the exit code and the output)."""
    parser = argparse.ArgumentParser()
    cli_sync.add(parser.add_subparsers())
    code = cli_sync.run(parser.parse_args(["sync", *args]), settings)
    out = capsys.readouterr()
    return code, out.out + out.err


def failures(pulled: dict) -> dict:
    return {s: str(x) for s, x in pulled.items() if isinstance(x, Exception)}


def test_what_staff_publish_lands_in_the_kiosks_tables(settings, bureau, kiosk, capsys):
    publish.set_rule("lesson", 3, daily_cap=6)
    talk = publish.publish_activity(
        "健康讲座", "2030-05-06 14:00", "2030-05-06 15:30", site=SITE, place="一楼", category="report", points=4
    )
    tai_chi = publish.publish_course(
        SITE,
        "太极拳（二）班",
        "2030 春季",
        "2030-03-04",
        "2030-03-17",
        ["1 09:00-11:00", "4 09:00-11:00"],
        teacher="张老师",
    )
    publish.set_settings(["sync.pull_every_s=120"], kiosk=kiosk.kiosk_id)
    publish_members("DM0001", "XY0001")
    code, out = sync_command(settings, capsys, "--once")
    assert code == 0 and "已上传 0 条" in out and "已下载 members：更新 2 条" in out, out
    assert state.get("last_pull_ok")
    code, out = sync_command(settings, capsys, "--status")
    assert code == 0 and "上次成功下载 20" in out and "上次完整同步 无" in out, out
    assert awards.rule("lesson") == awards.Rule("lesson", 3, "attendance", 6, True, 1, "bureau")
    activity = Activity.get(Activity.bureau_key == f"activity:{talk}")
    assert (activity.title, activity.kind, activity.points, activity.site.code) == ("健康讲座", "report", 4, SITE)
    course = Course.get(Course.bureau_key == f"course:{tai_chi}")
    assert (course.name, course.teacher, course.term.name, course.lessons.count()) == (
        "太极拳（二）班",
        "张老师",
        "2030 春季",
        4,
    )
    assert {m.member_no for m in Member.select()} == {"DM0001", "XY0001"}
    assert (
        config.load(
            write_site_file(Path(settings.kiosk.data_dir), f'[kiosk]\nid = "{kiosk.kiosk_id}"\n'),
            settings.kiosk.data_dir,
        ).sync.pull_every_s
        == 120
    )
    # Nothing new: a second pull applies nothing, and every cursor stays at the bureau's head.
    cursors = {s: state.get_int(f"cursor:{s}") for s in STREAMS}
    again = pull_all(bureau, here(settings))
    assert all(p.applied == 0 for p in again.values()) and {s: p.cursor for s, p in again.items()} == cursors
    publish.withdraw_activity(talk)
    pull_stream(bureau, "items", here(settings))
    assert Activity.get_by_id(activity.id).cancelled


def test_push_then_pull_confirms_our_points_and_brings_another_kiosks_double_award_reversed(
    settings, bureau, kiosk, server
):
    now = datetime.now().replace(microsecond=0)
    with write():
        wang = Member.create(member_no="XC0001", name="王建华", site=Site.get(), points_confirmed=0)
        facts.record("member", facts.new_event_id(), {**member_row("XC0001", "王建华"), "at": now.isoformat()}, now)
        walk = Activity.create(site=Site.get(), title="健步走", start=now, end=now + timedelta(hours=1), open=True)
        gained = record_sign_in(wang, activity_item(walk), "qr", now, settings.kiosk.id, SITE)
    assert gained > 0 and passbook.balance(wang) == gained
    push_all(bureau, settings.sync.batch)
    assert failures(pull_all(bureau, here(settings))) == {}
    wang = Member.get_by_id(wang.id)
    assert (wang.points_confirmed, passbook.balance(wang)) == (gained, gained)  # in the same sync
    assert {p.status for p in PointsEntry.select()} == {"confirmed"}

    # Another kiosk of the site signs him in to the same walk as well: the bureau takes it back.
    other = admin.add_kiosk(SITE, "second desk")
    signin = fact(
        1,
        "signin",
        {
            "member_no": "XC0001",
            "kind": "activity",
            "item_id": 77,
            "title": "健步走",
            "start": now.isoformat(),
            "at": now.isoformat(),
            "method": "qr",
            "kiosk_id": other.kiosk_id,
            "site": SITE,
        },
    )
    award = fact(
        2,
        "points",
        {
            "member_no": "XC0001",
            "amount": gained,
            "kind": "activity",
            "rule": "activity_attendance",
            "signin": signin["event_id"],
            "at": now.isoformat(),
            "kiosk_id": other.kiosk_id,
            "site": SITE,
        },
    )
    with Client(server.url, other.kiosk_id, other.key) as second:
        assert second.push(batch(other.kiosk_id, [signin, award])).status_code == 200
    pull_stream(bureau, "balances", here(settings))
    entries = {(p.event_id == award["event_id"], p.kind, p.amount, p.status) for p in PointsEntry.select()}
    assert entries == {
        (False, "activity", gained, "confirmed"),
        (True, "activity", gained, "confirmed"),
        (False, "reversal", -gained, "confirmed"),
    }
    assert passbook.balance(Member.get_by_id(wang.id)) == gained


def test_a_senior_of_another_site_signs_in_here_and_this_kiosk_keeps_only_their_card(settings, bureau, server):
    """A kiosk holds only the members it needs (docs/sync-protocol.md §6.1): another site's member
    arrives as a card, with no name, gender or phone, and the senior's ID card signs in here."""
    admin.add_site(OTHER, "第二活动中心", prefix="W")  # W0001 is a number of that site
    there = admin.add_kiosk(OTHER, "front desk")
    now = datetime.now().replace(microsecond=0)
    id_hash = ids.id_hash(ID_WANG, bytes.fromhex(settings.security.id_hash_key))
    registered = {
        **member_row("W0001", "王建华", id_hash=id_hash, phone_last4="1234", site=OTHER),
        "at": now.isoformat(),
    }
    with Client(server.url, there.kiosk_id, there.key) as desk:
        assert desk.push(batch(there.kiosk_id, [fact(1, "member", registered)])).status_code == 200
    publish_members("DM0001")
    assert failures(pull_all(bureau, here(settings))) == {}
    visitor = Member.get(Member.member_no == "W0001")
    assert (visitor.name, visitor.gender, visitor.phone_last4, visitor.initials) == ("", "", "", "")
    assert (visitor.id_hash, visitor.site.code, visitor.active) == (id_hash, OTHER, True)
    assert Member.get(Member.member_no == "DM0001").name == "成员DM0001"  # this site's: in full
    with write():
        Activity.create(
            site=Site.get(Site.code == SITE), title="健步走", start=now, end=now + timedelta(hours=1), open=True
        )
    result = CheckIn(settings).handle(World.idcard(ID_WANG), now + timedelta(minutes=5))
    assert (result.kind, result.member_no, result.item.title) == ("ok", "W0001", "健步走")


def test_the_nightly_sync_finds_a_row_lost_here_and_fetches_that_stream_again(settings, bureau, capsys):
    publish_members("DM0001", "DM0002")
    publish.set_rule("lesson", 2)
    first = nightly.run(bureau, settings.sync.batch, here(settings))
    assert first == dict.fromkeys(first, "ok") and len(first) == 7
    # A row lost here (a restore, a bug): no pull would ever bring it back.
    with write():
        Pulled.delete().where(Pulled.entity_id == "DM0002").execute()
        Member.delete().where(Member.member_no == "DM0002").execute()
    code, out = sync_command(settings, capsys, "--nightly")
    assert code == 0 and "members：与老干部局不一致，已重新下载" in out, out
    second = json.loads(state.get("last_nightly_result"))
    assert second == {**first, "members": "refetched"}
    assert Member.get(Member.member_no == "DM0002").active
    assert float(state.get("last_nightly_ok")) > 0
    assert nightly.run(bureau, settings.sync.batch, here(settings)) == first


class GarbledPage(httpx.HTTPTransport):
    """The real connection, but the n-th pull's reply is replaced by what a broken proxy sends."""

    def __init__(self, n: int):
        super().__init__()
        self.n, self.pulls = n, 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        if request.url.path == "/v1/pull":
            self.pulls += 1
            if self.pulls == self.n:
                response.read()
                return httpx.Response(200, content=iter([b"<html>502 bad gateway</html>"]))  # streamed, as sent
        return response


def test_a_garbled_page_keeps_the_cursor_and_a_rebuilt_stream_replaces_the_copy_not_the_outbox(settings, bureau):
    publish_members(*(f"DM{n:04d}" for n in range(1, 6)))
    garbled = Bureau(settings, transport=GarbledPage(2))
    try:
        with pytest.raises(PullError):
            pull_stream(garbled, "members", here(settings), limit=2)
    finally:
        garbled.close()
    assert state.get_int("cursor:members") == 2 and Member.select().count() == 2
    done = pull_stream(bureau, "members", here(settings), limit=2)
    assert (done.pages, done.applied, done.cursor, Member.select().count()) == (2, 3, 5, 5)

    with write():
        facts.record("member_prefs", facts.new_event_id(), {"member_no": "DM0002"}, datetime.now())
    outbox = [(o.seq, o.event_id, o.state) for o in Outbox.select()]
    # The bureau rebuilds the stream without DM0002 (a registration it dropped), with a new handle.
    with bureau_write():
        streams.StreamRow.delete().where(
            streams.StreamRow.stream == "members", streams.StreamRow.entity_id == "DM0002"
        ).execute()
    publish.reset("members")
    done = pull_stream(bureau, "members", here(settings), limit=2)
    assert done.refetched and (done.pages, done.applied) == (2, 4)
    # No longer this site's member: its name goes, its card ("cards" stream) stays.
    assert {m.member_no for m in Member.select().where(Member.name == "")} == {"DM0002"}
    assert Member.select().count() == 5  # never deleted
    assert {p.entity_id for p in Pulled.select().where(Pulled.stream == "members")} == {
        "DM0001",
        "DM0003",
        "DM0004",
        "DM0005",
    }
    assert [(o.seq, o.event_id, o.state) for o in Outbox.select()] == outbox
    assert nightly.local("members")[0] == 4


def test_the_sync_thread_pushes_then_pulls_by_itself(settings, kiosk):
    publish.set_rule("party", 9)
    with write():
        facts.record("member_prefs", facts.new_event_id(), {"member_no": "DM0001"}, datetime.now())
    statuses = []
    worker = SyncWorker(settings, on_status=statuses.append)
    worker.start()
    try:
        wait_until(lambda: state.get("last_nightly_ok") and statuses, 20, "the first sync (a nightly one)")
        assert awards.rule("party").points == 9 and statuses[-1].backlog == 0
        publish.set_rule("party", 11)
        worker.sync_now()
        wait_until(lambda: PointsRule.get(PointsRule.category == "party").points == 11, 20, "the next pull")
    finally:
        worker.stop()
        worker.join(10)
    assert not worker.is_alive()
