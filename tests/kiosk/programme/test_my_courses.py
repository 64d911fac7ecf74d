"""「我的课程」: the member's courses this term, attendance, the missed streak and the next lesson."""

import json
from datetime import date, datetime, timedelta

import pytest

from kiosk.programme import schedule
from kiosk.programme.my_courses import _MY_COURSES, MyCourse, my_courses
from kiosk.programme.schedule import Item
from kiosk.store.db import db
from kiosk.store.models import Course, Holiday, Lesson, Term

# A Thursday noon in the builders' term (from Monday 24 February): four Monday lessons are past.
NOW = datetime(2025, 3, 20, 12, 0)
MONDAYS = [datetime(2025, 2, 24, 9), datetime(2025, 3, 3, 9), datetime(2025, 3, 10, 9), datetime(2025, 3, 17, 9)]
NEXT_MONDAY = datetime(2025, 3, 24, 9)


def weekly(*slots) -> str:
    return json.dumps([{"weekday": w, "start": s, "end": e} for w, s, e in slots])


@pytest.fixture
def wang(world):
    return world.member("DM9001", "王建华")


@pytest.fixture
def taiji(world, wang):
    """太极拳（二）班 every Monday 9:00-11:00 for the whole term, and 王建华 in it."""
    course = world.course("太极拳（二）班", teacher="孙武", room="三楼 301", schedule=weekly((1, "09:00", "11:00")))
    schedule.generate_lessons(course)
    world.enroll(wang, course)
    return course


def lesson_at(course: Course, start: datetime) -> Lesson:
    return Lesson.get(Lesson.course == course, Lesson.start == start)


def came(world, member, course, *starts):
    for start in starts:
        world.sign_in(member, start - timedelta(minutes=10), lesson=lesson_at(course, start))


def only(member, now=NOW) -> MyCourse:
    views = my_courses(member.member_no, now)
    assert len(views) == 1
    return views[0]


def counts(view: MyCourse) -> tuple[int, int, int]:
    return view.attended, view.held, view.missed_in_a_row


# -- attendance -----------------------------------------------------------------------------------


def test_a_course_with_its_attendance_and_next_lesson(world, wang, taiji):
    came(world, wang, taiji, *MONDAYS[:2])
    view = only(wang)
    assert (view.id, view.name, view.teacher, view.room, view.status) == (
        taiji.id,
        "太极拳（二）班",
        "孙武",
        "三楼 301",
        "enrolled",
    )
    assert counts(view) == (2, 4, 2)
    assert view.next_lesson == Item(
        "lesson",
        lesson_at(taiji, NEXT_MONDAY).id,
        "太极拳（二）班",
        "三楼 301",
        NEXT_MONDAY,
        NEXT_MONDAY + timedelta(hours=2),
    )


@pytest.mark.parametrize(
    "attended, missed",
    [
        ((), 4),  # never came: every held lesson is missed
        ((0, 1, 2, 3), 0),
        ((3,), 0),  # came last time
        ((0, 1, 2), 1),
        ((1, 3), 0),
        ((0, 2), 1),
    ],
)
def test_missed_in_a_row_counts_back_from_the_latest_held_lesson(world, wang, taiji, attended, missed):
    came(world, wang, taiji, *(MONDAYS[i] for i in attended))
    assert counts(only(wang)) == (len(attended), 4, missed)


def test_a_lesson_under_way_is_held_and_not_the_next(world, wang, taiji):
    # 「下次上课」 is one still to come, not the one the senior is sitting in (walkthrough #15)
    came(world, wang, taiji, *MONDAYS)
    during = NEXT_MONDAY + timedelta(minutes=20)
    view = only(wang, during)
    assert counts(view) == (4, 5, 1)
    assert view.next_lesson.start == NEXT_MONDAY + timedelta(weeks=1)
    came(world, wang, taiji, NEXT_MONDAY)
    assert counts(only(wang, during)) == (5, 5, 0)


def test_a_lesson_signed_in_to_early_is_not_the_next(world, wang, taiji):
    before = NEXT_MONDAY - timedelta(minutes=10)
    assert only(wang, before).next_lesson.start == NEXT_MONDAY
    came(world, wang, taiji, NEXT_MONDAY)
    assert only(wang, before).next_lesson.start == NEXT_MONDAY + timedelta(weeks=1)


def test_before_the_first_lesson_nothing_is_held(world, wang, taiji):
    view = only(wang, datetime(2025, 2, 24, 8, 0))
    assert counts(view) == (0, 0, 0) and view.next_lesson.start == MONDAYS[0]


def test_after_the_last_lesson_there_is_no_next(world, wang, taiji):
    view = only(wang, datetime(2025, 6, 29, 12, 0))
    assert view.next_lesson is None and view.held == 18


def test_the_last_lesson_under_way_is_said_so_not_that_the_term_is_over(world, wang, taiji):
    view = only(wang, datetime(2025, 6, 29, 12, 0))  # after the last lesson: nothing under way
    assert view.next_lesson is None and view.under_way is None
    final = max(lesson.start for lesson in taiji.lessons)
    during = only(wang, final + timedelta(minutes=20))
    assert during.next_lesson is None and during.under_way.start == final


def test_only_the_members_own_lesson_sign_ins_count(world, wang, taiji):
    li = world.member("DM9002", "李秀英")
    world.enroll(li, taiji)
    came(world, li, taiji, *MONDAYS)
    report = world.activity("形势报告会", MONDAYS[3])
    world.sign_in(wang, MONDAYS[3], activity=report)
    assert counts(only(wang)) == (0, 4, 4)
    assert counts(only(li)) == (4, 4, 0)


# -- cancelled lessons and holidays ---------------------------------------------------------------


def test_cancelled_lessons_are_not_held_nor_next(world, wang, taiji):
    came(world, wang, taiji, MONDAYS[1])
    for start in (MONDAYS[2], NEXT_MONDAY):
        Lesson.update(cancelled=True).where(Lesson.id == lesson_at(taiji, start).id).execute()
    view = only(wang)
    assert counts(view) == (1, 3, 1)  # 3 March came, 10 March cancelled, 17 March missed
    assert view.next_lesson.start == NEXT_MONDAY + timedelta(weeks=1)


def test_a_holiday_is_no_lesson(world, wang, taiji):
    # Declared after the lessons were made: the lesson on that day does not take place.
    for start in (MONDAYS[3], NEXT_MONDAY):
        Holiday.create(term=world.term, day=start.date(), name="校历假日")
    came(world, wang, taiji, MONDAYS[2])
    view = only(wang)
    assert counts(view) == (1, 3, 0)
    assert view.next_lesson.start == NEXT_MONDAY + timedelta(weeks=1)


def test_a_holiday_of_another_term_changes_nothing(world, wang, taiji):
    other = Term.create(site=world.site, name="2024年秋季学期", start=date(2024, 9, 1), end=date(2025, 1, 31))
    Holiday.create(term=other, day=MONDAYS[3].date(), name="别的学期")
    assert only(wang).held == 4


def test_the_next_lesson_is_in_its_own_room_when_moved(world, wang, taiji):
    Lesson.update(room="五楼 报告厅").where(Lesson.id == lesson_at(taiji, NEXT_MONDAY).id).execute()
    assert only(wang).next_lesson.place == "五楼 报告厅"


# -- which courses --------------------------------------------------------------------------------


def test_enrolled_and_waitlisted_by_name_but_not_withdrawn(world, wang, taiji):
    for name, status in (("书法（一）班", "waitlisted"), ("摄影入门班", "withdrawn"), ("八段锦班", "enrolled")):
        course = world.course(name, schedule=weekly((3, "09:00", "11:00")))
        schedule.generate_lessons(course)
        world.enroll(wang, course, status)
    views = my_courses(wang.member_no, NOW)
    assert [(v.name, v.status) for v in views] == sorted(
        [("太极拳（二）班", "enrolled"), ("书法（一）班", "waitlisted"), ("八段锦班", "enrolled")]
    )
    waiting = next(v for v in views if v.status == "waitlisted")
    assert counts(waiting) == (0, 4, 4) and waiting.next_lesson.start == datetime(2025, 3, 26, 9)


def test_only_the_terms_containing_today(world, wang, taiji):
    autumn = Term.create(site=world.site, name="2024年秋季学期", start=date(2024, 9, 2), end=date(2025, 1, 19))
    short = Term.create(site=world.site, name="春季短训", start=date(2025, 3, 17), end=date(2025, 3, 30))
    for term, name in ((autumn, "书法（二）班"), (short, "八段锦班")):
        course = Course.create(term=term, name=name, schedule=weekly((2, "09:00", "11:00")))
        schedule.generate_lessons(course)
        world.enroll(wang, course)
    assert [v.name for v in my_courses(wang.member_no, NOW)] == ["八段锦班", "太极拳（二）班"]
    assert [v.name for v in my_courses(wang.member_no, datetime(2025, 1, 19, 20, 0))] == ["书法（二）班"]
    assert [v.name for v in my_courses(wang.member_no, datetime(2025, 6, 29, 20, 0))] == ["太极拳（二）班"]
    assert my_courses(wang.member_no, datetime(2025, 6, 30, 9)) == []


def test_a_member_without_courses(world, wang):
    assert my_courses(wang.member_no, NOW) == []


def test_a_drop_in_class_has_no_missed_streak(world, wang):
    # Like the demo's 体验课堂: no weekly schedule, lessons put on whenever there is nothing due.
    drop_in = world.course("智能手机应用（体验课堂）", schedule="[]")
    world.enroll(wang, drop_in)
    for day in range(10):
        world.lesson(drop_in, datetime(2025, 3, 5, 14) + timedelta(days=day))
    came(world, wang, drop_in, datetime(2025, 3, 6, 14))
    view = only(wang)
    assert counts(view) == (1, 1, 0)
    assert view.next_lesson is None


# -- an index for every step ----------------------------------------------------------------------


def test_no_table_is_scanned(world, wang, taiji):
    # Tables are searched by an index; only the member's few intermediate rows are scanned.
    plan = [
        row[3]
        for row in db.execute_sql(
            "EXPLAIN QUERY PLAN " + _MY_COURSES, {"member": wang.id, "now": NOW, "today": NOW.date()}
        )
    ]
    scanned = {p.split()[1] for p in plan if p.startswith("SCAN")}
    assert scanned <= {"mine", "lessons", "held", "stats", "missed", "next"}, plan
    searched = " ".join(p for p in plan if p.startswith("SEARCH"))
    for index in ("enrollment_member_id", "lesson_course_id", "holiday_term_id_day", "sign_in_member_id_lesson_id"):
        assert index in searched, plan
