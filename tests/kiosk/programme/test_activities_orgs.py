"""近期活动 for a member of a party branch or volunteer team: the next activity of each of their
organisations first, marked with it; a cancelled or past one is not the next; a member of none
sees the list as before.  Organisations and activities come as the bureau's items are applied."""

from datetime import datetime, timedelta

import pytest

from kiosk.programme import activities
from kiosk.store.db import write
from kiosk.store.models import Activity
from kiosk.sync import apply
from kiosk.sync.apply import Here
from screens import present_service
from tests.kiosk.sync.test_apply import activity, put

NOW = datetime(2025, 3, 10, 12, 0)


def at(days: float, hour: int = 9) -> str:
    return (NOW.replace(hour=hour, minute=0) + timedelta(days=days)).isoformat()


def items(world, *entries: dict) -> None:
    here = Here(world.settings.site.code, world.settings.kiosk.id, NOW)
    with write():
        assert [apply.item("items", e, here) for e in entries] == [True] * len(entries)


def event(key: str, title: str, days: float, hour: int = 9, **fields) -> dict:
    start = at(days, hour)
    end = (datetime.fromisoformat(start) + timedelta(hours=1)).isoformat()
    return {**activity(title, key=key, start=start, end=end, open=False), **fields}


def org(key: str, kind: str, name: str, *members: str) -> dict:
    return {"kind": "org", "key": key, "type": kind, "name": name, "members": list(members)}


@pytest.fixture
def programme(world):
    """DM0001 in the branch b1 and the team t1, DM0002 in the team only, DM0003 in neither; the
    branch's past, cancelled and next activities and two more, the team's two."""
    for no in ("DM0001", "DM0002", "DM0003"):
        world.member(no)
    items(
        world,
        put(1, "org:b1", org("b1", "branch", "第一党支部", "DM0001")),
        put(2, "org:t1", org("t1", "team", "志愿服务队", "DM0001", "DM0002")),
        put(3, "activity:past", event("past", "上月组织生活会", -3, org="b1")),
        put(4, "activity:off", event("off", "主题党日（取消）", 1, org="b1", cancelled=True, cancel_reason="改期")),
        put(5, "activity:talk", event("talk", "健康讲座", 2)),
        put(6, "activity:serve", event("serve", "社区助老义诊", 4, org="t1")),
        put(7, "activity:walk", event("walk", "重阳健步行", 5)),
        put(8, "activity:party", event("party", "主题党日：重温入党誓词", 8, org="b1")),
        put(9, "activity:serve2", event("serve2", "敬老院探访", 9, org="t1")),
        put(10, "activity:party2", event("party2", "组织生活会", 12, org="b1")),
    )


def titles(member_no: str | None) -> list[tuple[str, str]]:
    return [(v.org_kind, v.title) for v in activities.upcoming(NOW, member_no)]


PLAIN = [
    ("", "健康讲座"),
    ("", "社区助老义诊"),
    ("", "重阳健步行"),
    ("", "主题党日：重温入党誓词"),
    ("", "敬老院探访"),
    ("", "组织生活会"),
]


def test_each_organisations_next_activity_comes_first_soonest_first_then_the_rest_as_before(programme):
    assert titles("DM0001") == [
        ("team", "社区助老义诊"),
        ("branch", "主题党日：重温入党誓词"),  # the cancelled one before it is not the next
        ("", "健康讲座"),
        ("", "重阳健步行"),
        ("", "敬老院探访"),
        ("", "组织生活会"),
    ]
    first = activities.upcoming(NOW, "DM0001")[1]
    assert (first.org_name, present_service.activity_lines(first, True).title) == (
        "第一党支部",
        "您的支部：主题党日：重温入党誓词",
    )
    team = activities.upcoming(NOW, "DM0001")[0]
    assert present_service.activity_lines(team, True).title == "您的服务队：社区助老义诊"
    assert titles("DM0002") == [("team", "社区助老义诊"), *(t for t in PLAIN if t[1] != "社区助老义诊")]


def test_a_member_of_none_and_the_anonymous_list_see_it_as_before(programme):
    assert titles("DM0003") == PLAIN
    assert titles(None) == PLAIN
    with_cancelled = activities.upcoming(NOW, cancelled=True)  # the attract screen's
    assert [v.title for v in with_cancelled][:2] == ["主题党日（取消）", "健康讲座"]
    assert not any(v.org_kind for v in with_cancelled)


def test_once_the_next_one_has_begun_the_one_after_it_comes_first(programme):
    later = datetime.fromisoformat(at(4)) + timedelta(minutes=1)  # 社区助老义诊 began
    assert [(v.org_kind, v.title) for v in activities.upcoming(later, "DM0002")][:1] == [("team", "敬老院探访")]
    # Sign-up works on a row put first as on any other.
    view = activities.upcoming(NOW, "DM0001")[0]
    change = activities.sign_up("DM0001", view.id, NOW, "KIOSK-T1", "TEST-001")
    assert change.outcome == "registered" and activities.upcoming(NOW, "DM0001")[0].status == "registered"
    assert Activity.get_by_id(view.id).org_key == "t1"
