"""Members as the console finds them (bureau/programme/members.py): the initials the rules write,
the search, the data step that fills the initials of older members; and the kiosks' enrollment
facts joining the bureau's rosters (bureau/rules/rounds.py)."""

from datetime import date

from bureau import admin, rules
from bureau.migrations import steps
from bureau.models import Enrollment, Member
from bureau.programme import classes, members
from bureau.programme.classes import CourseFields
from bureau.store import db, write

from ..conftest import SITE, batch, fact
from ..test_reports import member, push


def enrollment(no: str, course: str, status: str = "enrolled", term: str = "2026 秋季") -> dict:
    """An "enrollment" fact as kiosk.programme.enrollments writes it."""
    return {"member_no": no, "course": course, "term": term, "status": status, "at": "2026-12-01T09:30:00"}


def test_kiosk_enrollments_join_the_bureaus_roster_and_members_get_their_initials(client, kiosk):
    site = kiosk.site
    with write():
        term = classes.save_term(site, "2026 秋季", date(2026, 9, 1), date(2027, 1, 15), "li")
        slot = classes.slot("2 09:00-11:00")
        course = classes.save_course(site, term, CourseFields(title="太极拳（一）班", schedule=(slot,)), "li")
    push(
        client,
        [
            ("member", member("XC0001", "王建华", SITE, "2026-01-10", "h-wang")),
            ("member", member("XC0002", "李秀英", SITE, "2026-01-10", "h-li")),
            ("enrollment", enrollment("XC0001", "太极拳（一）班")),
            ("enrollment", enrollment("XC0002", "太极拳（一）班", "waitlisted")),
            ("enrollment", enrollment("XC0002", "书法班")),  # a course only the kiosk has
            ("enrollment", enrollment("XC0001", "太极拳（一）班", term="2025 秋季")),  # another term's
        ],
    )
    rules.catch_up()
    assert [(p.enrollment.member_no, p.enrollment.status) for p in classes.roster(course)] == [
        ("XC0001", "enrolled"),
        ("XC0002", "waitlisted"),
    ]
    withdrawn = fact(7, "enrollment", enrollment("XC0001", "太极拳（一）班", "withdrawn"))
    assert client.push(batch(client.kiosk_id, [withdrawn])).status_code == 200
    rules.catch_up()
    assert Enrollment.get(Enrollment.member_no == "XC0001").status == "dropped"
    assert dict(Member.select(Member.member_no, Member.initials).tuples()) == {"XC0001": "WJH", "XC0002": "LXY"}


def test_search_by_initials_name_number_and_phone_last4_within_the_sites_given(store):
    here = admin.add_site(SITE, "示范区老干部活动中心", prefix="XC")
    there = admin.add_site("DEMO-002", "东城街道长者服务站", prefix="DC")
    for no, name, phone, site in (
        ("XC0001", "王建华", "1234", here),
        ("XC0002", "王建国", "5678", here),
        ("XC0003", "李秀英", "0012", here),
        ("DC0001", "王建军", "1234", there),
    ):
        Member.create(member_no=no, name=name, phone_last4=phone, site=site, initials=members.initials(name))
    Member.create(member_no="XC0009", name="王建华", site=here, initials="WJH", merged_into="XC0001")
    ours = Member.select().where(Member.site == here)

    def found(query: str, among=ours) -> list[str]:
        return [m.member_no for m in members.search(among, query)]

    assert found("wj") == ["XC0001", "XC0002"]
    assert found("WJH") == ["XC0001"]  # never the merged second registration
    assert found("1234") == ["XC0001"]  # another site's member with those digits is not ours
    assert found("1234", Member.select()) == ["DC0001", "XC0001"]
    assert found("0012") == ["XC0003"]  # the phone's last 4 …
    assert found("0001") == ["XC0001"]  # … or a number ending in them
    assert found("秀英") == ["XC0003"]
    assert found("xc0002") == ["XC0002"]
    assert found("") == [] and found("ZZZ") == []


def test_the_data_step_of_version_6_fills_the_initials_of_every_member(store):
    site = admin.add_site(SITE, "示范区老干部活动中心", prefix="XC")
    Member.create(member_no="XC0001", name="张志强", site=site)
    Member.create(member_no="XC0002", name="Mary 陈", site=site)
    steps.STEPS[6](db)
    assert dict(Member.select(Member.member_no, Member.initials).tuples()) == {
        "XC0001": "ZZQ",
        "XC0002": "C",
    }  # letters are no pinyin
