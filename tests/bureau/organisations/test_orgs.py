"""bureau.organisations on both stores: organisations and rosters as saved, audited and published
to the kiosks (item org:<key>), one leader at a time, the 换届 reminder's days."""

from datetime import date, datetime, timedelta

import pytest

from bureau import admin, streams
from bureau.models import AuditEntry, Member, Organisation, OrgMember, Situation, StreamRow
from bureau.organisations import orgs, reminders, rosters
from bureau.organisations.orgs import Fields, OrganisationError
from bureau.programme import activities, classes
from bureau.programme.classes import CourseFields
from bureau.store import write

from ..conftest import SITE

OTHER = "UNI-002"


@pytest.fixture
def people(store, kiosk):
    """Three members of DEMO-001, one of UNI-002."""
    other = admin.add_site(OTHER, "老年大学", prefix="UN")
    for no, name in (("DM0001", "王建华"), ("DM0002", "李秀英"), ("DM0003", "张志强")):
        Member.create(member_no=no, name=name, site=kiosk.site)
    Member.create(member_no="UN0001", name="刘桂兰", site=other)
    return kiosk.site, other


def item_of(org: Organisation) -> tuple[str, dict | None]:
    row = StreamRow.get(StreamRow.stream == "items", StreamRow.entity_id == f"org:{org.key}")
    return row.scope, streams.data(row)


def actions() -> list[str]:
    return [e.action for e in AuditEntry.select().order_by(AuditEntry.id)]


def test_an_organisation_and_its_roster_are_published_to_its_sites_kiosks_and_withdrawn_when_dissolved(people):
    site, _ = people
    with write():
        org = orgs.create("branch", site, Fields("第一党支部", date(2024, 1, 1), date(2028, 12, 31)), "staffa")
    assert item_of(org) == (
        f"site:{SITE}",
        {"kind": "org", "key": org.key, "type": "branch", "name": "第一党支部", "members": []},
    )
    with write():
        rosters.join(org, "DM0002", "党员", date(2025, 3, 1), "staffa")
        rosters.join(org, "DM0001", "书记", date(2025, 3, 1), "staffa")
        rosters.join(org, "DM0003", "", date(2025, 3, 1), "staffa")  # no role: the plain one
    assert item_of(org)[1]["members"] == ["DM0001", "DM0002", "DM0003"]
    assert OrgMember.get(OrgMember.member_no == "DM0003").role == "党员"
    rev = StreamRow.get(StreamRow.entity_id == f"org:{org.key}").rev
    with write():  # a role is not the kiosks' business: nothing published
        rosters.change_role(org, "DM0002", "组织委员", "staffa")
    assert StreamRow.get(StreamRow.entity_id == f"org:{org.key}").rev == rev
    with write():
        rosters.leave(org, "DM0003", date.today(), "staffa", "迁居外地")
        org = orgs.edit(org, Fields("第一党支部（老干部）", date(2024, 1, 1), date(2028, 12, 31)), "staffa")
    assert item_of(org)[1]["members"] == ["DM0001", "DM0002"]
    assert item_of(org)[1]["name"] == "第一党支部（老干部）"
    left = OrgMember.get(OrgMember.member_no == "DM0003")
    assert left.until == date.today() and left.role == "党员"  # kept, for the 台账
    # A roster is not a care record: joining a party branch made no Situation.
    assert Situation.select().count() == 0
    with write():
        org = orgs.dissolve(org, date.today(), "合并到第二党支部", "staffa")
    assert item_of(org) == (f"site:{SITE}", None)
    assert OrgMember.select().count() == 3 and org.dissolved_at == date.today()
    with write(), pytest.raises(OrganisationError, match="已经撤销"):
        rosters.join(org, "DM0003", "党员", date.today(), "staffa")
    assert actions() == [
        "organisation.create",
        "organisation.join",
        "organisation.join",
        "organisation.join",
        "organisation.role",
        "organisation.leave",
        "organisation.edit",
        "organisation.dissolve",
    ]
    entry = AuditEntry.select().where(AuditEntry.action == "organisation.leave").get()
    assert entry.reason == "迁居外地" and entry.site_id == site.id


def test_a_bureau_wide_team_takes_members_of_any_site_and_goes_to_every_kiosk(people):
    with write():
        team = orgs.create("team", None, Fields("银龄志愿服务总队"), "admin1")
        rosters.join(team, "UN0001", "队长", date(2025, 1, 1), "admin1")
        rosters.join(team, "DM0001", "队员", date(2025, 1, 1), "admin1")
    assert item_of(team) == (
        "",
        {"kind": "org", "key": team.key, "type": "team", "name": "银龄志愿服务总队", "members": ["DM0001", "UN0001"]},
    )


def test_a_site_organisation_takes_only_its_own_sites_members(people):
    site, _ = people
    with write():
        club = orgs.create("club", site, Fields("书画协会"), "staffa")
    with write(), pytest.raises(OrganisationError, match="本站点没有学号 UN0001"):
        rosters.join(club, "UN0001", "会员", date.today(), "staffa")
    with write(), pytest.raises(OrganisationError, match="没有「队长」这个职务"):
        rosters.join(club, "DM0001", "队长", date.today(), "staffa")
    assert OrgMember.select().count() == 0


def test_one_leader_at_a_time_a_second_is_refused_with_who_holds_the_office(people):
    site, _ = people
    with write():
        team = orgs.create("team", site, Fields("健步行志愿服务队"), "staffa")
        rosters.join(team, "DM0001", "队长", date(2025, 1, 1), "staffa")
        rosters.join(team, "DM0002", "队员", date(2025, 1, 1), "staffa")
    message = (
        "「健步行志愿服务队」的队长现在是王建华（DM0001）。"
        "一个组织同时只有一位队长：请先把王建华的职务改为其他，再任命新的队长。"
    )
    with write(), pytest.raises(OrganisationError) as refused:
        rosters.change_role(team, "DM0002", "队长", "staffa")
    assert str(refused.value) == message
    with write(), pytest.raises(OrganisationError):
        rosters.join(team, "DM0003", "队长", date.today(), "staffa")
    # 换届 of the leader: the old one steps down, then the new one takes the office.
    with write():
        rosters.change_role(team, "DM0001", "副队长", "staffa")
        rosters.change_role(team, "DM0002", "队长", "staffa")
    assert {m.member_no: m.role for m in rosters.current(team)} == {"DM0001": "副队长", "DM0002": "队长"}
    # A leader who left holds no office: the next one may be named.
    with write():
        rosters.leave(team, "DM0002", date.today(), "staffa")
        rosters.join(team, "DM0003", "队长", date.today(), "staffa")


def test_a_temp_branch_is_built_on_a_class_of_its_site_and_takes_its_term(people):
    site, other = people
    with write():
        term = classes.save_term(site, "2026 秋季", date(2026, 9, 1), date(2027, 1, 15), "staffa")
        course = classes.save_course(
            site, term, CourseFields("书法（一）班", schedule=(classes.slot("2 09:00-11:00"),)), "staffa"
        )
        theirs_term = classes.save_term(other, "2026 秋季", date(2026, 9, 1), date(2027, 1, 15), "staffb")
        theirs = classes.save_course(
            other, theirs_term, CourseFields("合唱班", schedule=(classes.slot("3 09:00-11:00"),)), "staffb"
        )
    with write(), pytest.raises(OrganisationError, match="请选择所在的班级"):
        orgs.create("temp_branch", site, Fields("书法班临时党支部"), "staffa")
    with write(), pytest.raises(OrganisationError, match="本站点的班级"):
        orgs.create("temp_branch", site, Fields("书法班临时党支部", course=theirs), "staffa")
    with write(), pytest.raises(OrganisationError, match="只有临时党支部"):
        orgs.create("branch", site, Fields("第一党支部", course=course), "staffa")
    with write():
        branch = orgs.create("temp_branch", site, Fields("书法班临时党支部", course=course), "staffa")
    assert (branch.term_start, branch.term_end, branch.course_id) == (date(2026, 9, 1), date(2027, 1, 15), course.id)
    assert item_of(branch)[1]["type"] == "temp_branch"


def test_renewal_is_due_90_days_ahead_and_once_past_and_editing_the_term_is_audited_as_renewal(people):
    site, _ = people
    today = date(2026, 12, 7)
    with write():
        at_90 = orgs.create("branch", site, Fields("九十天", date(2023, 1, 1), today + timedelta(days=90)), "s")
        at_91 = orgs.create("branch", site, Fields("九十一天", date(2023, 1, 1), today + timedelta(days=91)), "s")
        past = orgs.create("club", site, Fields("已过期", date(2021, 1, 1), today - timedelta(days=5)), "s")
        endless = orgs.create("team", site, Fields("无届期"), "s")
        gone = orgs.create("team", site, Fields("已撤销", date(2021, 1, 1), today - timedelta(days=5)), "s")
        orgs.dissolve(gone, today, "", "s")
    assert reminders.renewal(at_90, today) == reminders.Renewal(True, 90, "还有 90 天到期换届")
    assert reminders.renewal(at_91, today).due is False
    assert reminders.renewal(past, today) == reminders.Renewal(True, -5, "届期已过 5 天，请换届")
    assert reminders.renewal(endless, today).due is False
    due = reminders.due(Organisation.select(), today)
    assert [o.name for o in due] == ["已过期", "九十天"]
    # 换届: new term dates, audited as such; the reminder is gone.
    with write():
        renewed = orgs.edit(past, Fields("已过期", today, date(2031, 12, 6)), "s")
    assert reminders.renewal(renewed, today).due is False
    entry = AuditEntry.select().where(AuditEntry.action == "organisation.renew").get()
    assert entry.target == "已过期" and "2031-12-06" in entry.detail
    # Nothing the kiosks hold changed: the item was not published again.
    assert (
        StreamRow.get(StreamRow.entity_id == f"org:{past.key}").rev
        < StreamRow.get(StreamRow.entity_id == f"org:{gone.key}").rev
    )


def test_an_activity_of_an_organisation_carries_its_key_to_the_kiosks(people):
    site, _ = people
    start = datetime(2026, 7, 1, 9, 0)
    with write():
        branch = orgs.create("branch", site, Fields("第一党支部"), "staffa")
        draft = activities.Draft(
            "七一主题党日", start, start + timedelta(hours=2), "party_day", organisation_id=branch.id
        )
        (day,) = activities.create(draft, [site], "staffa")
        (walk,) = activities.create(activities.Draft("健步行", start, start + timedelta(hours=1)), [site], "staffa")
    assert streams.data(StreamRow.get(StreamRow.entity_id == f"activity:{day.key}"))["org"] == branch.key
    assert streams.data(StreamRow.get(StreamRow.entity_id == f"activity:{walk.key}"))["org"] is None
    assert activities.draft_of(day).organisation_id == branch.id
    with write():  # moved to no organisation: published again without it
        activities.edit(day, activities.draft_of(walk), "staffa", datetime.now())
    assert streams.data(StreamRow.get(StreamRow.entity_id == f"activity:{day.key}"))["org"] is None


def test_members_of_a_day_counts_those_who_had_joined_and_not_yet_left(people):
    site, _ = people
    with write():
        team = orgs.create("team", site, Fields("护河志愿服务队"), "staffa")
        rosters.join(team, "DM0001", "队长", date(2025, 1, 1), "staffa")
        rosters.join(team, "DM0002", "队员", date(2025, 6, 1), "staffa")
        rosters.leave(team, "DM0002", date(2025, 9, 30), "staffa")
    assert rosters.members_of(team, date(2024, 12, 31)) == set()
    assert rosters.members_of(team, date(2025, 6, 1)) == {"DM0001", "DM0002"}
    assert rosters.members_of(team, date(2025, 9, 30)) == {"DM0001", "DM0002"}
    assert rosters.members_of(team, date(2025, 10, 1)) == {"DM0001"}
    # Back again: their row, from their first day.
    with write():
        rosters.join(team, "DM0002", "队员", date(2026, 3, 1), "staffa")
    again = OrgMember.get(OrgMember.member_no == "DM0002")
    assert (again.since, again.until) == (date(2025, 6, 1), None)
