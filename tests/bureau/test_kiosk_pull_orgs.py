"""A branch and its activity as the bureau publishes them (issue 22's agreed item, org:<key>),
pulled by a kiosk from a real bureau on loopback: the roster and the activity's organisation land
in the kiosk's tables, a member sees the branch's activity first, another site's branch never
comes, and a dissolved branch leaves the kiosk.  Published with bureau.streams directly: the
console's pages that publish them are another part of the issue."""

from datetime import datetime, timedelta

from bureau import streams
from bureau.store import write as bureau_write
from kiosk.programme import activities
from kiosk.store.db import write
from kiosk.store.models import Activity, Member, Organisation, OrgMember, Site
from kiosk.sync.pull import pull_stream

from .conftest import SITE
from .test_kiosk_pull import bureau, here, settings  # noqa: F401  (fixtures)


def test_a_branch_its_roster_and_its_activity_come_down_and_go_when_dissolved(settings, bureau):
    start = (datetime.now() + timedelta(days=3)).replace(hour=9, minute=30, second=0, microsecond=0)
    when = {"start": start.isoformat(), "end": (start + timedelta(hours=1)).isoformat()}
    with write():
        for no in ("XC0001", "XC0002"):
            Member.create(member_no=no, name="王建华", site=Site.get())
    with bureau_write():
        branch = {"kind": "org", "key": "b1", "type": "branch", "name": "第一党支部", "members": ["XC0001"]}
        streams.publish("items", "org:b1", branch, f"site:{SITE}")
        other = {**branch, "key": "b9", "name": "别处的支部"}
        streams.publish("items", "org:b9", other, "site:OTHER-009")
        for key, title, org, days in (("a1", "健康讲座", None, 0), ("a2", "主题党日", "b1", 1)):
            at = {k: (datetime.fromisoformat(v) + timedelta(days=days)).isoformat() for k, v in when.items()}
            item = {"kind": "activity", "key": key, "title": title, "category": "report", "org": org, **at}
            streams.publish("items", f"activity:{key}", item, f"site:{SITE}")
    pull_stream(bureau, "items", here(settings))
    assert [(o.key, o.kind, o.name) for o in Organisation.select()] == [("b1", "branch", "第一党支部")]
    assert [m.member_no for m in OrgMember.select()] == ["XC0001"]
    assert {a.title: a.org_key for a in Activity.select()} == {"健康讲座": None, "主题党日": "b1"}
    now = datetime.now()
    assert [(v.org_kind, v.title) for v in activities.upcoming(now, "XC0001")] == [
        ("branch", "主题党日"),
        ("", "健康讲座"),
    ]
    assert [v.title for v in activities.upcoming(now, "XC0002")] == ["健康讲座", "主题党日"]

    with bureau_write():
        streams.publish("items", "org:b1", None, f"site:{SITE}")
    pull_stream(bureau, "items", here(settings))
    assert Organisation.select().count() == 0 and OrgMember.select().count() == 0
    assert Activity.get(Activity.title == "主题党日").org_key is None
    assert [v.title for v in activities.upcoming(now, "XC0001")] == ["健康讲座", "主题党日"]
