"""bureau.care.visits on both stores: a visit recorded at its edges, a follow-up done, the log newest
first, the lists' one-query helpers, and 「来过了」."""

import json
from datetime import date, datetime

import pytest

from bureau.care import visits
from bureau.care.situation import CareError
from bureau.care.visits import Entry
from bureau.models import AuditEntry, Member
from bureau.store import write

from .signins import signin

TODAY = date(2026, 11, 21)


@pytest.fixture
def members(store, kiosk):
    return [
        Member.create(member_no=no, name=name, site=kiosk.site)
        for no, name in (("XC0001", "王建华"), ("XC0002", "李秀英"), ("XC0003", "张志强"))
    ]


def test_a_visit_is_recorded_audited_without_what_was_said_and_listed_newest_first(members):
    wang = members[0]
    with write():
        call = visits.record(wang, Entry("call", date(2026, 8, 23), " 刘霞 ", "alone", "身体尚好", ""), "liuxia", TODAY)
        visit = visits.record(
            wang, Entry("visit", TODAY, "刘霞", "absent", "腿脚不便，没来上课", "联系社区医生上门"), "liuxia", TODAY
        )
        visits.record(members[1], Entry("hospital", date(2026, 11, 1), "王芳"), "wangfang", TODAY)
    assert [v.id for v in visits.of_member("XC0001")] == [visit.id, call.id]
    assert (call.visitor, call.site.code, call.recorded_by) == ("刘霞", wang.site.code, "liuxia")
    entry = AuditEntry.select().where(AuditEntry.target == "XC0001").order_by(AuditEntry.id.desc()).first()
    assert entry.action == "care.visit"
    assert json.loads(entry.detail) == {
        "id": visit.id,
        "kind": "visit",
        "day": "2026-11-21",
        "reason": "absent",
        "follow_up": True,
    }
    assert "腿脚" not in entry.detail and "医生" not in entry.detail

    with write():
        done = visits.follow_up_done(wang, visit.id, "liuxia", TODAY)
        assert done.follow_up_done == TODAY
        with pytest.raises(CareError, match="没有待跟进"):
            visits.follow_up_done(wang, visit.id, "liuxia", TODAY)  # done already
        with pytest.raises(CareError, match="没有待跟进"):
            visits.follow_up_done(wang, call.id, "liuxia", TODAY)  # nothing to follow up
        with pytest.raises(CareError, match="没有这条"):
            visits.follow_up_done(members[1], visit.id, "liuxia", TODAY)  # another member's visit
    assert AuditEntry.select().where(AuditEntry.action == "care.follow_up").count() == 1


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (Entry("visit", date(2026, 11, 22), "刘霞"), "还没到"),
        (Entry("visit", date(1999, 12, 31), "刘霞"), "太早"),
        (Entry("letter", TODAY, "刘霞"), "走访方式"),
        (Entry("visit", TODAY, "  "), "请填写走访人"),
        (Entry("visit", TODAY, "刘" * 65), "走访人太长"),
        (Entry("visit", TODAY, "刘霞", reason="lottery"), "关怀名单"),
        (Entry("visit", TODAY, "刘霞", outcome="好" * 1001), "太长"),
    ],
)
def test_a_visit_the_form_cannot_mean_is_refused(entry, message):
    with pytest.raises(CareError, match=message):
        visits.check(entry, TODAY)


def test_last_visit_and_last_signin_of_many_members_at_once(members, kiosk):
    with write():
        for no, day in (("XC0001", date(2026, 8, 23)), ("XC0001", date(2026, 2, 28)), ("XC0002", date(2026, 11, 1))):
            visits.record(Member.get(Member.member_no == no), Entry("call", day, "刘霞"), "liuxia", TODAY)
        signin("XC0001", kiosk, datetime(2026, 11, 20, 8, 55))
        signin("XC0001", kiosk, datetime(2026, 9, 1, 8, 55))
    numbers = [m.member_no for m in members]
    assert visits.last_visit(numbers) == {"XC0001": date(2026, 8, 23), "XC0002": date(2026, 11, 1)}
    assert visits.last_signins(numbers) == {"XC0001": datetime(2026, 11, 20, 8, 55)}
    assert visits.last_visit([]) == {} and visits.last_signins([]) == {}


def test_came_after_the_last_visit():
    at = datetime(2026, 11, 20, 8, 55)
    assert visits.came(at, None)  # never visited
    assert visits.came(at, date(2026, 11, 19))
    assert not visits.came(at, date(2026, 11, 20))  # visited that day: answered
    assert not visits.came(at, date(2026, 11, 21))
    assert visits.came(datetime(2026, 11, 21, 9, 0), date(2026, 11, 20))  # today, visited yesterday
    assert not visits.came(None, None)
