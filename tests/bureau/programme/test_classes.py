"""The rules of a site's classes (bureau/programme/classes.py) on both stores: terms and holidays,
lesson changes and the notices they make, the roster's capacity and waitlist order, and what the
kiosks get of each on the "items" stream."""

import json
from datetime import date, datetime

import pytest

from bureau import admin, streams
from bureau.models import AuditEntry, Member, Notice, StreamRow
from bureau.programme import classes
from bureau.programme.classes import ClassError, CourseFields
from bureau.store import write

SITE, OTHER = "DEMO-001", "DEMO-002"
NOW = datetime(2026, 12, 1, 10, 0)  # a Tuesday
TAI_CHI = CourseFields(
    title="太极拳（一）班",
    category="太极",
    teacher="张老师",
    room="一楼",
    capacity=2,
    schedule=({"weekday": 2, "start": "09:00", "end": "11:00"}, {"weekday": 4, "start": "14:00", "end": "16:00"}),
)


@pytest.fixture
def site(store):
    admin.add_site(OTHER, "东城街道长者服务站", prefix="DC")
    return admin.add_site(SITE, "示范区老干部活动中心", prefix="XC")


@pytest.fixture
def course(site):
    with write():
        term = classes.save_term(site, "2026 秋季", date(2026, 9, 1), date(2027, 1, 15), "li")
        return classes.save_course(site, term, TAI_CHI, "li")


def item(entity: str) -> dict | None:
    row = streams.current("items", entity)
    return None if row is None or row.deleted else streams.data(row)


def member(site, no: str, name: str) -> Member:
    return Member.create(member_no=no, name=name, site=site, initials="")


def test_a_course_is_published_to_its_site_with_the_terms_holidays(site, course):
    with write():
        classes.add_holiday(course.term, date(2026, 12, 3), "区运动会", "li")
    published = item(f"course:{course.key}")
    assert published["holidays"] == ["2026-12-03"] and published["changes"] == []
    assert published["term"] == {"name": "2026 秋季", "start": "2026-09-01", "end": "2027-01-15"}
    assert StreamRow.get(StreamRow.entity_id == f"course:{course.key}").scope == f"site:{SITE}"
    week = classes.lessons(course, date(2026, 11, 30), date(2026, 12, 6))
    assert [x.start for x in week] == [datetime(2026, 12, 1, 9)]  # Thursday the 3rd is a holiday
    with write(), pytest.raises(ClassError, match="不在学期"):
        classes.add_holiday(course.term, date(2027, 2, 1), "", "li")
    with write():
        classes.remove_holiday(course.term, date(2026, 12, 3), "li")
    assert item(f"course:{course.key}")["holidays"] == []
    with write(), pytest.raises(ClassError, match="早于开始日期"):
        classes.save_term(site, "2027 春季", date(2027, 3, 1), date(2027, 2, 1), "li")


def test_cancelling_a_lesson_makes_its_notice_until_the_lessons_end_and_undoing_withdraws_it(site, course):
    with write():
        change = classes.cancel_lesson(course, date(2026, 12, 8), "老师外出学习", "li", NOW)
    notice = change.notice
    assert (notice.kind, notice.title, notice.start, notice.end) == (
        "suspend",
        "太极拳（一）班 12月8日停课",
        NOW,
        datetime(2026, 12, 8, 11),
    )
    assert notice.source == f"lesson:{course.key}:2026-12-08" and "老师外出学习" in notice.body
    assert item(f"notice:{notice.key}")["type"] == "suspend"
    assert item(f"course:{course.key}")["changes"] == [
        {"day": "2026-12-08", "action": "cancel", "start": None, "end": None, "room": "", "reason": "老师外出学习"}
    ]
    with write(), pytest.raises(ClassError, match="已经停课了"):
        classes.move_lesson(
            course, date(2026, 12, 8), datetime(2026, 12, 9, 9), datetime(2026, 12, 9, 11), "", "x", "li", NOW
        )
    with write():
        classes.undo_change(change, "li", NOW)
    assert Notice.get_by_id(notice.id).withdrawn_at == NOW
    assert item(f"notice:{notice.key}") is None
    assert item(f"course:{course.key}")["changes"] == []
    assert [a.action for a in AuditEntry.select().order_by(AuditEntry.id)][-4:] == [
        "notice.publish",
        "lesson.cancel",
        "notice.withdraw",
        "lesson.cancel.undo",
    ]


def test_moving_a_lesson_needs_a_lesson_that_day_a_later_time_and_a_reason(site, course):
    tuesday, later = date(2026, 12, 8), (datetime(2026, 12, 9, 9), datetime(2026, 12, 9, 11))
    for day, when, reason, words in (
        (date(2026, 12, 7), later, "场地", "没有课"),  # a Monday
        (tuesday, (later[1], later[0]), "场地", "要晚于"),
        (tuesday, later, " ", "原因"),
        (tuesday, (datetime(2026, 12, 10, 14), datetime(2026, 12, 10, 16)), "场地", "本来就有一节课"),
    ):
        with write(), pytest.raises(ClassError, match=words):
            classes.move_lesson(course, day, *when, "", reason, "li", NOW)
    with write():
        change = classes.move_lesson(course, tuesday, *later, "二楼", "一楼维修", "li", NOW)
    assert change.notice.title == "太极拳（一）班 12月8日调课" and change.notice.kind == "move"
    assert "12月9日 09:00-11:00，地点 二楼" in change.notice.body
    assert item(f"course:{course.key}")["changes"] == [
        {
            "day": "2026-12-08",
            "action": "move",
            "start": "2026-12-09T09:00:00",
            "end": "2026-12-09T11:00:00",
            "room": "二楼",
            "reason": "一楼维修",
        }
    ]
    with write(), pytest.raises(ClassError, match="已经结束"):
        classes.cancel_lesson(course, date(2026, 11, 24), "x", "li", NOW)


def test_the_roster_fills_to_capacity_then_waits_in_order_and_a_drop_promotes_the_first(site, course):
    people = [member(site, f"XC000{i}", n) for i, n in enumerate(["王建华", "李秀英", "张志强", "刘桂兰"], 1)]
    with write():
        for i, m in enumerate(people):
            classes.enroll(course, m, "li", datetime(2026, 12, 1, 9, i))
    assert [(p.enrollment.member_no, p.enrollment.status) for p in classes.roster(course)] == [
        ("XC0001", "enrolled"),
        ("XC0002", "enrolled"),
        ("XC0003", "waitlisted"),
        ("XC0004", "waitlisted"),
    ]
    with write(), pytest.raises(ClassError, match="已经已报名"):
        classes.enroll(course, people[0], "li", NOW)
    with write():
        promoted = classes.drop(course, "XC0002", "li")
    assert [p.member_no for p in promoted] == ["XC0003"]  # the first to wait, not the last
    assert item(f"enrollment:{course.key}:XC0003") == {
        "kind": "enrollment",
        "course": course.key,
        "member_no": "XC0003",
        "status": "enrolled",
        "at": "2026-12-01T09:02:00",
    }
    assert item(f"enrollment:{course.key}:XC0002")["status"] == "dropped"
    with write():  # a larger capacity lets the rest in
        classes.save_course(site, course.term, CourseFields(**{**TAI_CHI.__dict__, "capacity": 3}), "li", course)
    assert {p.enrollment.status for p in classes.roster(course)} == {"enrolled"}
    with write():  # a dropped member enrolling again goes to the back
        classes.enroll(course, people[1], "li", NOW)
    assert classes.roster(course)[-1].enrollment.status == "waitlisted"


def test_a_course_title_is_once_a_term_and_needs_a_time(site, course):
    with write(), pytest.raises(ClassError, match="已有课程"):
        classes.save_course(site, course.term, TAI_CHI, "li")
    with write(), pytest.raises(ClassError, match="至少填写一个"):
        classes.save_course(site, course.term, CourseFields(title="书法"), "li")
    with pytest.raises(ClassError, match="要晚于"):
        classes.slot("3 11:00-09:00")
    week = classes.timetable([course])
    assert [(c.start, c.course.title) for c in week[4]] == [("14:00", "太极拳（一）班")]
    assert json.loads(course.schedule)[0]["weekday"] == 2
