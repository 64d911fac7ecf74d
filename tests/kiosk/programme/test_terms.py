"""Terms, holidays, courses and lessons as an admin sets them up: each change with its facts and
audit entry, and each refusal with a clear message and nothing changed."""

import json
from datetime import date, datetime, timedelta

import pytest

from kiosk.programme import enrollments, terms
from kiosk.programme.schedule import parse_slots
from kiosk.staff.audit import Actor
from kiosk.staff.refused import Refused
from kiosk.store import facts
from kiosk.store.db import db
from kiosk.store.models import Audit, Course, Enrollment, Holiday, Lesson, Outbox, Site, Staff, Term
from tests.kiosk.builders import Boom, fail_on_call

NOW = datetime(2025, 2, 20, 10, 0)  # before the term (2025-02-24 … 2025-06-29) begins
LATER = datetime(2025, 3, 5, 12, 0)  # a Wednesday in term
MONDAYS = 18  # 2月24日 … 6月23日
MONDAY = parse_slots("周一 09:00-11:00")


def actor_of(world, staff) -> Actor:
    return Actor(staff, world.settings.kiosk.id, world.settings.site.code)


@pytest.fixture
def admin(world):
    return actor_of(world, Staff.create(name="李主任", pin_hash="-", role="admin", site=world.site))


@pytest.fixture
def clerk(world):
    return actor_of(world, Staff.create(name="张老师", pin_hash="-", role="staff", site=world.site))


@pytest.fixture
def taiji(world, admin):
    """太极拳（二）班: Mondays 09:00-11:00 in 三楼 301, two places, its lessons generated."""
    return terms.create_course(
        admin, world.term.id, "太极拳（二）班", MONDAY, NOW, teacher="陈老师", room="三楼 301", capacity=2
    )


def lesson_at(course, start: datetime) -> Lesson:
    return Lesson.get(Lesson.course == course.id, Lesson.start == start)


def starts(course) -> list[datetime]:
    return [x.start for x in Lesson.select().where(Lesson.course == course.id).order_by(Lesson.start)]


def payloads(kind: str) -> list[dict]:
    return [json.loads(o.payload) for o in Outbox.select().where(Outbox.kind == kind).order_by(Outbox.seq)]


def audits() -> list[Audit]:
    return list(Audit.select().order_by(Audit.id))


def snapshot() -> dict:
    """Every row a refused change must leave as it was."""
    return {
        table: db.execute_sql(f'SELECT * FROM "{table}" ORDER BY 1').fetchall()
        for table in ("term", "holiday", "course", "lesson", "enrollment", "outbox", "audit")
    }


def refused(call, key: str) -> Refused:
    before = snapshot()
    with pytest.raises(Refused) as e:
        call()
    assert e.value.key == key
    assert snapshot() == before
    return e.value


def signed_in(world, lesson, no="DM9001"):
    member = world.member(no, f"学员{no}")
    return world.sign_in(member, lesson.start - timedelta(minutes=10), lesson=lesson)


# -- terms ----------------------------------------------------------------------------------------


def test_create_term_with_its_fact_and_audit(world, admin):
    term = terms.create_term(admin, " 2025年秋季学期 ", date(2025, 9, 1), date(2026, 1, 18), NOW)
    assert (term.name, Term.get_by_id(term.id).site.code, term.start, term.end) == (
        "2025年秋季学期",
        world.settings.site.code,
        date(2025, 9, 1),
        date(2026, 1, 18),
    )
    assert payloads("term") == [
        {
            "action": "create",
            "name": "2025年秋季学期",
            "start": "2025-09-01",
            "end": "2026-01-18",
            "at": NOW.isoformat(),
            **admin.origin(),
        }
    ]
    (entry,) = audits()
    assert (entry.action, entry.target, entry.staff_name) == ("term.create", "term 2025年秋季学期", "李主任")


def test_overlapping_terms_are_refused(world, admin):
    e = refused(lambda: terms.create_term(admin, "暑期班", date(2025, 6, 29), date(2025, 8, 31), NOW), "terms.overlap")
    assert e.message() == "日期和学期「2025年春季学期」（2月24日–6月29日）重叠了"
    refused(lambda: terms.create_term(admin, "寒假班", date(2025, 1, 1), date(2025, 2, 24), NOW), "terms.overlap")
    assert terms.create_term(admin, "暑期班", date(2025, 6, 30), date(2025, 8, 31), NOW).name == "暑期班"


def test_a_term_of_another_site_is_no_overlap(world, admin):
    other = Site.create(code="OTHER-002", name="老年大学分校")
    Term.create(site=other, name="春季", start=date(2025, 7, 1), end=date(2025, 8, 31))
    made = terms.create_term(admin, "春季", date(2025, 7, 1), date(2025, 8, 31), NOW)
    assert Term.get_by_id(made.id).site == world.site
    assert [t.name for t in terms.terms(world.settings.site.code)] == ["2025年春季学期", "春季"]
    assert [t.name for t in terms.terms("OTHER-002")] == ["春季"]


@pytest.mark.parametrize(
    "name, start, end, key, message",
    [
        ("", date(2025, 9, 1), date(2025, 12, 31), "terms.name_empty", "请填写学期名称"),
        (
            "秋季",
            date(2025, 9, 1),
            date(2025, 8, 31),
            "terms.backwards",
            "学期的结束日期（8月31日）不能早于开始日期（9月1日）",
        ),
        (
            "2025年春季学期",
            date(2025, 9, 1),
            date(2025, 12, 31),
            "terms.name_taken",
            "已经有一个学期叫「2025年春季学期」",
        ),
    ],
)
def test_term_refusals(world, admin, name, start, end, key, message):
    assert refused(lambda: terms.create_term(admin, name, start, end, NOW), key).message() == message


def test_current_term(world, admin):
    autumn = terms.create_term(admin, "2025年秋季学期", date(2025, 9, 1), date(2026, 1, 18), NOW)
    code = world.settings.site.code
    spring = terms.TermView(world.term.id, world.term.name, world.term.start, world.term.end)
    assert terms.current_term(code, date(2025, 2, 24)) == spring
    assert terms.current_term(code, date(2025, 6, 29)) == spring
    assert terms.current_term(code, date(2025, 7, 1)) is None
    assert terms.current_term(code, date(2026, 1, 1)) == autumn
    assert terms.current_term("OTHER-002", date(2025, 3, 1)) is None


# -- holidays -------------------------------------------------------------------------------------


def test_a_holiday_cancels_the_days_lessons(world, admin, taiji):
    before = len(payloads("lesson"))
    holiday = terms.add_holiday(admin, world.term.id, date(2025, 5, 5), "劳动节", NOW)
    assert (holiday.day, holiday.name, holiday.term_id) == (date(2025, 5, 5), "劳动节", world.term.id)
    assert terms.holidays(world.term.id) == [holiday]
    lesson = lesson_at(taiji, datetime(2025, 5, 5, 9))
    assert (lesson.cancelled, lesson.note) == (True, "节假日：劳动节")
    (fact,) = payloads("lesson")[before:]
    assert (fact["action"], fact["course"], fact["start"], fact["cancelled"]) == (
        "cancel",
        "太极拳（二）班",
        "2025-05-05T09:00:00",
        True,
    )
    assert payloads("term")[-1] == {
        "action": "holiday_add",
        "name": "2025年春季学期",
        "start": "2025-02-24",
        "end": "2025-06-29",
        "day": "2025-05-05",
        "holiday": "劳动节",
        "at": NOW.isoformat(),
        **admin.origin(),
    }
    assert audits()[-1].action == "holiday.add"


def test_a_holiday_on_a_day_with_sign_ins_is_refused(world, admin, taiji):
    signed_in(world, lesson_at(taiji, datetime(2025, 3, 10, 9)))
    e = refused(
        lambda: terms.add_holiday(admin, world.term.id, date(2025, 3, 10), "停电", LATER), "terms.holiday_has_signins"
    )
    assert e.message() == "「太极拳（二）班」3月10日的课已有签到，不能设为节假日"


@pytest.mark.parametrize(
    "day, name, key, message",
    [
        (date(2025, 7, 1), "建党节", "terms.holiday_outside", "7月1日不在学期「2025年春季学期」里"),
        (date(2025, 5, 1), " ", "terms.holiday_name_empty", "请填写节假日名称，例如「清明节」"),
        (date(2025, 4, 4), "又一个", "terms.holiday_exists", "4月4日已经是节假日了"),
    ],
)
def test_holiday_refusals(world, admin, taiji, day, name, key, message):
    terms.add_holiday(admin, world.term.id, date(2025, 4, 4), "清明节", NOW)
    assert refused(lambda: terms.add_holiday(admin, world.term.id, day, name, NOW), key).message() == message


def test_removing_a_holiday_brings_its_lessons_back(world, admin, taiji):
    terms.add_holiday(admin, world.term.id, date(2025, 5, 5), "劳动节", NOW)
    # A course created after the holiday has no lesson that day at all.
    chorus = terms.create_course(admin, world.term.id, "合唱团", parse_slots("周一 14:00-16:00"), NOW)
    assert datetime(2025, 5, 5, 14) not in starts(chorus)
    holiday = Holiday.get()
    assert terms.remove_holiday(admin, holiday.id, LATER) == 2
    assert Holiday.select().count() == 0
    lesson = lesson_at(taiji, datetime(2025, 5, 5, 9))
    assert (lesson.cancelled, lesson.note) == (False, "")
    assert not lesson_at(chorus, datetime(2025, 5, 5, 14)).cancelled
    assert len(starts(chorus)) == MONDAYS
    assert [f["action"] for f in payloads("lesson")[-2:]] == ["restore", "add"]
    assert payloads("term")[-1]["action"] == "holiday_remove"
    detail = json.loads(audits()[-1].detail)
    assert (detail["lessons_restored"], detail["lessons_added"]) == (1, 1)


def test_removing_a_holiday_keeps_a_lesson_cancelled_for_another_reason(world, admin, taiji):
    lesson = lesson_at(taiji, datetime(2025, 5, 5, 9))
    terms.cancel_lesson(admin, lesson.id, "老师生病", NOW)
    holiday = terms.add_holiday(admin, world.term.id, date(2025, 5, 5), "劳动节", NOW)
    assert lesson_at(taiji, lesson.start).note == "停课：老师生病"
    assert terms.remove_holiday(admin, holiday.id, NOW) == 0
    assert (lesson_at(taiji, lesson.start).cancelled, lesson_at(taiji, lesson.start).note) == (True, "停课：老师生病")


# -- courses --------------------------------------------------------------------------------------


def test_create_course_generates_its_lessons_with_facts_and_audit(world, admin):
    terms.add_holiday(admin, world.term.id, date(2025, 5, 5), "劳动节", NOW)
    course = terms.create_course(
        admin,
        world.term.id,
        " 太极拳（二）班 ",
        parse_slots("周一 09:00-11:00；周四 14:00-16:00"),
        NOW,
        teacher="陈老师",
        room="三楼 301",
        capacity=30,
    )
    assert (course.name, course.teacher, course.room, course.capacity, course.category) == (
        "太极拳（二）班",
        "陈老师",
        "三楼 301",
        30,
        "lesson",
    )
    assert course.schedule == (
        {"weekday": 1, "start": "09:00", "end": "11:00"},
        {"weekday": 4, "start": "14:00", "end": "16:00"},
    )
    assert len(starts(course)) == 2 * MONDAYS - 1 and datetime(2025, 5, 5, 9) not in starts(course)
    assert payloads("course") == [
        {
            "action": "create",
            "name": "太极拳（二）班",
            "term": "2025年春季学期",
            "teacher": "陈老师",
            "room": "三楼 301",
            "capacity": 30,
            "category": "lesson",
            "slots": list(course.schedule),
            "at": NOW.isoformat(),
            **admin.origin(),
        }
    ]
    added = [f for f in payloads("lesson") if f["action"] == "add"]
    assert len(added) == 2 * MONDAYS - 1 and added[0]["term"] == "2025年春季学期"
    entry = audits()[-1]
    assert (entry.action, entry.target, json.loads(entry.detail)["lessons_added"]) == (
        "course.create",
        "course 太极拳（二）班",
        2 * MONDAYS - 1,
    )


@pytest.mark.parametrize(
    "name, slots, room, capacity, category, key, message",
    [
        ("", MONDAY, "", 0, "lesson", "terms.course_name_empty", "请填写课程名称"),
        (
            "太极拳（二）班",
            parse_slots("周五 09:00-11:00"),
            "",
            0,
            "lesson",
            "terms.course_name_taken",
            "学期「2025年春季学期」里已经有课程「太极拳（二）班」",
        ),
        ("书法班", MONDAY, "", -1, "lesson", "terms.capacity_negative", "人数上限要填 0（不限）或正整数，不能是 -1"),
        ("书法班", [], "", 0, "lesson", "schedule.empty", "请填写上课时间，例如「周二 09:00-11:00」"),
        (
            "书法班",
            [{"weekday": 2, "start": "09:00", "end": "11:00"}, {"weekday": 2, "start": "10:00", "end": "12:00"}],
            "",
            0,
            "lesson",
            "schedule.self_overlap",
            "上课时间「周二 09:00-11:00」和「周二 10:00-12:00」重叠了",
        ),
        (
            "书法班",
            [{"weekday": 2, "start": "11:00", "end": "09:00"}],
            "",
            0,
            "lesson",
            "schedule.backwards",
            "上课时间「周二 11:00-09:00」的结束时间要晚于开始时间",
        ),
        (
            "书法班",
            parse_slots("周三 08:00-09:00；周一 10:30-12:00"),
            "三楼 301",
            0,
            "lesson",
            "terms.room_clash",
            "三楼 301在「周一 10:30-12:00」已经给「太极拳（二）班」上课用了",
        ),
    ],
)
def test_course_refusals(world, admin, taiji, name, slots, room, capacity, category, key, message):
    e = refused(
        lambda: terms.create_course(
            admin, world.term.id, name, slots, NOW, room=room, capacity=capacity, category=category
        ),
        key,
    )
    assert e.message() == message
    with pytest.raises(Refused) as checked:
        terms.check_course(world.term, name, slots, room, capacity)
    assert (checked.value.key, checked.value.values) == (e.key, e.values)


def test_rooms_and_times_that_do_not_clash(world, admin, taiji):
    spring = world.term
    terms.create_course(admin, spring.id, "书法班", parse_slots("周一 11:00-12:00"), NOW, room="三楼 301")
    terms.create_course(admin, spring.id, "合唱团", MONDAY, NOW, room="五楼 报告厅")
    terms.create_course(admin, spring.id, "户外健步", MONDAY, NOW, room="")
    autumn = terms.create_term(admin, "2025年秋季学期", date(2025, 9, 1), date(2026, 1, 18), NOW)
    terms.create_course(admin, autumn.id, "太极拳（二）班", MONDAY, NOW, room="三楼 301")
    assert terms.check_course(spring, "国画班", parse_slots("周二 09:00-11:00"), "三楼 301", 20) is None
    assert Course.select().count() == 5


def test_check_course_writes_nothing(world, admin, taiji):
    before = snapshot()
    terms.check_course(world.term, "国画班", MONDAY, "二楼 201", 20)
    terms.check_course(world.term, "太极拳（二）班", MONDAY, "三楼 301", 2, exclude=taiji)
    assert snapshot() == before


def test_courses_view(world, admin, taiji):
    people = [world.member(f"DM91{n:02d}", f"学员{n}") for n in range(1, 4)]
    for p in people:
        enrollments.enrol(admin, p.member_no, taiji.id, NOW)
    terms.cancel_lesson(admin, lesson_at(taiji, datetime(2025, 3, 3, 9)).id, "老师生病", NOW)
    chorus = terms.create_course(
        admin, world.term.id, "合唱团", parse_slots("周二 14:00-16:00；周五 14:00-16:00"), NOW, category="activity"
    )
    assert terms.courses(world.term.id) == [
        terms.CourseView(
            chorus.id,
            world.term.id,
            "合唱团",
            "",
            "",
            0,
            "activity",
            "周二 14:00-16:00；周五 14:00-16:00",
            chorus.schedule,
            0,
            0,
            36,
        ),
        terms.CourseView(
            taiji.id,
            world.term.id,
            "太极拳（二）班",
            "陈老师",
            "三楼 301",
            2,
            "lesson",
            "周一 09:00-11:00",
            ({"weekday": 1, "start": "09:00", "end": "11:00"},),
            2,
            1,
            MONDAYS - 1,
        ),
    ]
    assert terms.course_view(taiji.id) == terms.courses(world.term.id)[1]


def test_editing_a_course_without_a_new_schedule_keeps_its_lessons(world, admin, taiji):
    ids = [x.id for x in Lesson.select().order_by(Lesson.id)]
    terms.edit_course(admin, taiji.id, LATER, "换老师", teacher="王老师", room="三楼 302", name="太极拳（三）班")
    course = Course.get_by_id(taiji.id)
    assert (course.name, course.teacher, course.room) == ("太极拳（三）班", "王老师", "三楼 302")
    assert [x.id for x in Lesson.select().order_by(Lesson.id)] == ids
    assert terms.lessons(course.id)[0].room == "三楼 302"  # lessons follow the course's room
    fact = payloads("course")[-1]
    assert (fact["action"], fact["name"], fact["previous"], fact["room"]) == (
        "edit",
        "太极拳（三）班",
        "太极拳（二）班",
        "三楼 302",
    )
    entry = audits()[-1]
    assert (entry.action, entry.reason) == ("course.edit", "换老师")
    assert json.loads(entry.detail)["changed"] == {
        "name": ["太极拳（二）班", "太极拳（三）班"],
        "room": ["三楼 301", "三楼 302"],
        "teacher": ["陈老师", "王老师"],
    }


def test_a_new_schedule_replaces_the_future_lessons_nobody_came_to(world, admin, taiji):
    now = datetime(2025, 3, 10, 8, 50)
    signed_in(world, lesson_at(taiji, datetime(2025, 3, 10, 9)))  # signed in early
    terms.cancel_lesson(admin, lesson_at(taiji, datetime(2025, 3, 17, 9)).id, "场地维修", NOW)
    terms.edit_course(admin, taiji.id, now, slots=parse_slots("周一 09:00-11:00；周四 14:00-16:00"))
    mondays = [s for s in starts(taiji) if s.isoweekday() == 1]
    thursdays = [s for s in starts(taiji) if s.isoweekday() == 4]
    assert len(mondays) == MONDAYS and thursdays[0] == datetime(2025, 3, 13, 14) and len(thursdays) == 16
    assert lesson_at(taiji, datetime(2025, 3, 17, 9)).cancelled  # still on the schedule: kept

    terms.edit_course(admin, taiji.id, now, slots=parse_slots("周三 09:00-11:00"))
    kept = [datetime(2025, 2, 24, 9), datetime(2025, 3, 3, 9), datetime(2025, 3, 10, 9)]  # past, or signed in
    assert [s for s in starts(taiji) if s.isoweekday() != 3] == kept
    assert [s for s in starts(taiji) if s.isoweekday() == 3][0] == datetime(2025, 3, 12, 9)
    detail = json.loads(audits()[-1].detail)
    assert (detail["lessons_deleted"], detail["lessons_added"]) == (15 + 16, 16)


def test_raising_the_capacity_lets_the_waitlist_move_up(world, admin, taiji):
    people = [world.member(f"DM91{n:02d}", f"学员{n}") for n in range(1, 6)]
    for n, p in enumerate(people):
        enrollments.enrol(admin, p.member_no, taiji.id, NOW + timedelta(minutes=n))
    terms.edit_course(admin, taiji.id, LATER, capacity=3)
    assert json.loads(audits()[-1].detail)["promoted"] == ["DM9103"]
    terms.edit_course(admin, taiji.id, LATER, capacity=1)
    assert json.loads(audits()[-1].detail)["promoted"] == []
    terms.edit_course(admin, taiji.id, LATER, capacity=0)
    assert json.loads(audits()[-1].detail)["promoted"] == ["DM9104", "DM9105"]
    assert {e.status for e in Enrollment.select()} == {"enrolled"}


def test_course_edits_refused(world, admin, taiji):
    other = terms.create_course(admin, world.term.id, "书法班", parse_slots("周一 14:00-16:00"), NOW, room="三楼 301")
    e = refused(
        lambda: terms.edit_course(admin, other.id, LATER, slots=parse_slots("周一 10:00-12:00")), "terms.room_clash"
    )
    assert e.values == {"course": "太极拳（二）班", "slot": "周一 10:00-12:00", "room": "三楼 301"}
    refused(lambda: terms.edit_course(admin, other.id, LATER, name="太极拳（二）班"), "terms.course_name_taken")
    refused(lambda: terms.edit_course(admin, other.id, LATER, capacity=-5), "terms.capacity_negative")
    with pytest.raises(TypeError):
        terms.edit_course(admin, other.id, LATER, colour="red")


def test_generate_lessons_counts_and_keeps_what_is_there(world, admin):
    course = world.course("智能手机应用班", schedule=json.dumps(MONDAY))
    assert terms.generate_lessons(admin, course.id, NOW) == MONDAYS
    entry = audits()[-1]
    assert (entry.action, json.loads(entry.detail)["count"]) == ("lessons.generate", MONDAYS)
    audit_count = len(audits())
    assert terms.generate_lessons(admin, course.id, NOW) == 0
    assert len(audits()) == audit_count
    assert len(payloads("lesson")) == MONDAYS


def test_lessons_are_generated_only_ahead_of_now(world, admin):
    course = world.course("智能手机应用班", schedule=json.dumps(MONDAY))
    assert terms.generate_lessons(admin, course.id, LATER) == MONDAYS - 2  # 2月24日 and 3月3日 are past
    assert min(starts(course)) == datetime(2025, 3, 10, 9)


def test_a_subject_category_is_kept_on_create_and_edit(world, admin):
    course = terms.create_course(admin, world.term.id, "国画花鸟班", MONDAY, NOW, category="国画")
    terms.edit_course(admin, course.id, LATER, teacher="王老师")
    assert Course.get_by_id(course.id).category == "国画"


# -- lessons --------------------------------------------------------------------------------------


def test_cancel_and_restore_a_lesson(world, admin, taiji):
    lesson = lesson_at(taiji, datetime(2025, 3, 10, 9))
    refused(lambda: terms.cancel_lesson(admin, lesson.id, " ", LATER), "terms.reason_required")
    terms.cancel_lesson(admin, lesson.id, "老师生病", LATER)
    row = Lesson.get_by_id(lesson.id)
    assert (row.cancelled, row.note) == (True, "停课：老师生病")
    fact = payloads("lesson")[-1]
    assert (fact["action"], fact["reason"], fact["note"]) == ("cancel", "老师生病", "停课：老师生病")
    assert (audits()[-1].action, audits()[-1].reason) == ("lesson.cancel", "老师生病")
    e = refused(lambda: terms.cancel_lesson(admin, lesson.id, "又病了", LATER), "terms.lesson_already_cancelled")
    assert e.message() == "3月10日 09:00的课已经停了"

    terms.restore_lesson(admin, lesson.id, LATER)
    row = Lesson.get_by_id(lesson.id)
    assert (row.cancelled, row.note) == (False, "")
    assert payloads("lesson")[-1]["action"] == "restore" and audits()[-1].action == "lesson.restore"
    refused(lambda: terms.restore_lesson(admin, lesson.id, LATER), "terms.lesson_not_cancelled")


def test_a_lesson_with_sign_ins_is_neither_cancelled_nor_moved(world, admin, taiji):
    lesson = lesson_at(taiji, datetime(2025, 3, 10, 9))
    signed_in(world, lesson)
    e = refused(lambda: terms.cancel_lesson(admin, lesson.id, "老师生病", LATER), "terms.lesson_has_signins")
    assert e.message() == "3月10日 09:00的课已有 1 人签到，不能停课或调课"
    refused(
        lambda: terms.move_lesson(admin, lesson.id, datetime(2025, 3, 12, 9), datetime(2025, 3, 12, 11), LATER, "调课"),
        "terms.lesson_has_signins",
    )


def test_a_lesson_on_a_holiday_is_restored_by_removing_the_holiday(world, admin, taiji):
    terms.add_holiday(admin, world.term.id, date(2025, 5, 5), "劳动节", NOW)
    e = refused(
        lambda: terms.restore_lesson(admin, lesson_at(taiji, datetime(2025, 5, 5, 9)).id, NOW), "terms.restore_holiday"
    )
    assert e.message() == "5月5日是节假日（劳动节），要恢复这天的课请先删除节假日"


def test_restoring_onto_a_room_taken_meanwhile_is_refused(world, admin, taiji):
    lesson = lesson_at(taiji, datetime(2025, 3, 17, 9))
    terms.cancel_lesson(admin, lesson.id, "场地维修", LATER)
    calligraphy = terms.create_course(
        admin, world.term.id, "书法班", parse_slots("周二 09:00-11:00"), NOW, room="三楼 301"
    )
    terms.move_lesson(
        admin,
        lesson_at(calligraphy, datetime(2025, 3, 18, 9)).id,
        datetime(2025, 3, 17, 9, 30),
        datetime(2025, 3, 17, 11),
        LATER,
        "借用教室",
    )
    e = refused(lambda: terms.restore_lesson(admin, lesson.id, LATER), "terms.restore_clash")
    assert e.message() == "不能恢复：这个时间「书法班」在三楼 301有课（3月17日 09:30）"


def test_move_a_lesson_and_its_note_keeps_the_original_time(world, admin, taiji):
    lesson = lesson_at(taiji, datetime(2025, 3, 10, 9))
    terms.move_lesson(
        admin,
        lesson.id,
        datetime(2025, 3, 12, 14),
        datetime(2025, 3, 12, 16),
        LATER - timedelta(days=3),
        "老师出差",
        room="二楼 201",
    )
    row = Lesson.get_by_id(lesson.id)
    assert (row.start, row.end, row.room, row.note) == (
        datetime(2025, 3, 12, 14),
        datetime(2025, 3, 12, 16),
        "二楼 201",
        "调课：原 3月10日 09:00",
    )
    fact = payloads("lesson")[-1]
    assert (fact["action"], fact["start"], fact["previous_start"], fact["room"], fact["reason"]) == (
        "move",
        "2025-03-12T14:00:00",
        "2025-03-10T09:00:00",
        "二楼 201",
        "老师出差",
    )
    entry = audits()[-1]
    assert (entry.action, entry.target, entry.reason) == ("lesson.move", f"lesson {lesson.id}", "老师出差")

    # Generating lessons again does not bring the original back.
    assert terms.generate_lessons(admin, taiji.id, LATER) == 0
    assert datetime(2025, 3, 10, 9) not in starts(taiji)

    terms.move_lesson(admin, lesson.id, datetime(2025, 3, 13, 9), datetime(2025, 3, 13, 11), LATER, "再调")
    assert Lesson.get_by_id(lesson.id).note == "调课：原 3月10日 09:00"
    assert Lesson.get_by_id(lesson.id).room == "二楼 201"  # room None: unchanged
    terms.cancel_lesson(admin, lesson.id, "下雪", LATER)
    assert Lesson.get_by_id(lesson.id).note == "调课：原 3月10日 09:00；停课：下雪"
    terms.restore_lesson(admin, lesson.id, LATER)
    assert Lesson.get_by_id(lesson.id).note == "调课：原 3月10日 09:00"


def test_moving_a_lesson_back_clears_its_note(world, admin, taiji):
    lesson = lesson_at(taiji, datetime(2025, 3, 17, 9))
    terms.move_lesson(admin, lesson.id, datetime(2025, 3, 18, 9), datetime(2025, 3, 18, 11), LATER, "调课")
    terms.move_lesson(admin, lesson.id, datetime(2025, 3, 17, 9), datetime(2025, 3, 17, 11), LATER, "调回", room="")
    row = Lesson.get_by_id(lesson.id)
    assert (row.start, row.note, row.room) == (datetime(2025, 3, 17, 9), "", "")


def test_a_lesson_cancelled_for_a_holiday_moves_to_a_make_up_day(world, admin, taiji):
    holiday = terms.add_holiday(admin, world.term.id, date(2025, 5, 5), "劳动节", NOW)
    lesson = lesson_at(taiji, datetime(2025, 5, 5, 9))
    terms.move_lesson(admin, lesson.id, datetime(2025, 4, 27, 9), datetime(2025, 4, 27, 11), NOW, "五一调休")
    row = Lesson.get_by_id(lesson.id)
    assert (row.cancelled, row.note) == (False, "调课：原 5月5日 09:00")
    assert terms.remove_holiday(admin, holiday.id, NOW) == 0  # the lesson is on 4月27日 now
    assert datetime(2025, 5, 5, 9) not in starts(taiji) and len(starts(taiji)) == MONDAYS


@pytest.mark.parametrize(
    "start, end, key, message",
    [
        (
            datetime(2025, 5, 5, 9),
            datetime(2025, 5, 5, 11),
            "terms.move_holiday",
            "5月5日是节假日（劳动节），不能调到这一天",
        ),
        (
            datetime(2025, 7, 1, 9),
            datetime(2025, 7, 1, 11),
            "terms.move_outside",
            "7月1日 09:00不在学期「2025年春季学期」（2月24日–6月29日）里，上下课要在同一天",
        ),
        (
            datetime(2025, 3, 12, 23),
            datetime(2025, 3, 13, 1),
            "terms.move_outside",
            "3月12日 23:00不在学期「2025年春季学期」（2月24日–6月29日）里，上下课要在同一天",
        ),
        (
            datetime(2025, 3, 4, 9),
            datetime(2025, 3, 4, 11),
            "terms.move_past",
            "不能调到已经过去的时间（3月4日 09:00）",
        ),
        (
            datetime(2025, 3, 12, 11),
            datetime(2025, 3, 12, 9),
            "terms.move_backwards",
            "下课时间（3月12日 09:00）要晚于上课时间（3月12日 11:00）",
        ),
        (
            datetime(2025, 3, 17, 10),
            datetime(2025, 3, 17, 12),
            "terms.move_clash",
            "这个时间已有课：「太极拳（二）班」3月17日 09:00 三楼 301",
        ),
        (
            datetime(2025, 3, 11, 10),
            datetime(2025, 3, 11, 11),
            "terms.move_clash",
            "这个时间已有课：「书法班」3月11日 09:00 三楼 301",
        ),
    ],
)
def test_move_refusals(world, admin, taiji, start, end, key, message):
    terms.add_holiday(admin, world.term.id, date(2025, 5, 5), "劳动节", NOW)
    terms.create_course(admin, world.term.id, "书法班", parse_slots("周二 09:00-11:00"), NOW, room="三楼 301")
    lesson = lesson_at(taiji, datetime(2025, 3, 10, 9))
    e = refused(lambda: terms.move_lesson(admin, lesson.id, start, end, LATER, "调课"), key)
    assert e.message() == message


def test_move_needs_a_reason_and_another_room_avoids_a_clash(world, admin, taiji):
    calligraphy = terms.create_course(
        admin, world.term.id, "书法班", parse_slots("周二 09:00-11:00"), NOW, room="三楼 301"
    )
    lesson = lesson_at(taiji, datetime(2025, 3, 10, 9))
    tuesday = datetime(2025, 3, 11, 9), datetime(2025, 3, 11, 11)
    refused(
        lambda: terms.move_lesson(admin, lesson.id, *tuesday, LATER - timedelta(days=3), ""), "terms.reason_required"
    )
    terms.move_lesson(admin, lesson.id, *tuesday, LATER - timedelta(days=3), "借教室", room="二楼 201")
    assert lesson_at(calligraphy, tuesday[0]).room == "" and Lesson.get_by_id(lesson.id).room == "二楼 201"


def test_cancelled_lessons_of_other_courses_do_not_clash(world, admin, taiji):
    calligraphy = terms.create_course(
        admin, world.term.id, "书法班", parse_slots("周二 09:00-11:00"), NOW, room="三楼 301"
    )
    terms.cancel_lesson(admin, lesson_at(calligraphy, datetime(2025, 3, 11, 9)).id, "老师生病", NOW)
    lesson = lesson_at(taiji, datetime(2025, 3, 10, 9))
    terms.move_lesson(admin, lesson.id, datetime(2025, 3, 11, 9), datetime(2025, 3, 11, 11), NOW, "调课")
    assert Lesson.get_by_id(lesson.id).start == datetime(2025, 3, 11, 9)


def test_lessons_view(world, admin, taiji):
    first, second = (lesson_at(taiji, datetime(2025, 2, 24, 9)), lesson_at(taiji, datetime(2025, 3, 3, 9)))
    signed_in(world, first, "DM9001")
    signed_in(world, first, "DM9002")
    terms.cancel_lesson(admin, second.id, "老师生病", NOW)
    views = terms.lessons(taiji.id)
    assert len(views) == MONDAYS
    assert views[0] == terms.LessonView(
        first.id, datetime(2025, 2, 24, 9), datetime(2025, 2, 24, 11), "三楼 301", False, "", 2
    )
    assert views[1] == terms.LessonView(
        second.id, datetime(2025, 3, 3, 9), datetime(2025, 3, 3, 11), "三楼 301", True, "停课：老师生病", 0
    )


# -- who may, and one transaction -----------------------------------------------------------------


def test_plain_staff_may_not_edit_terms_courses_holidays_or_lessons(world, admin, clerk, taiji):
    holiday = terms.add_holiday(admin, world.term.id, date(2025, 5, 5), "劳动节", NOW)
    lesson = lesson_at(taiji, datetime(2025, 3, 10, 9))
    calls = [
        lambda: terms.create_term(clerk, "秋季", date(2025, 9, 1), date(2025, 12, 31), NOW),
        lambda: terms.add_holiday(clerk, world.term.id, date(2025, 4, 4), "清明节", NOW),
        lambda: terms.remove_holiday(clerk, holiday.id, NOW),
        lambda: terms.create_course(clerk, world.term.id, "书法班", MONDAY, NOW),
        lambda: terms.edit_course(clerk, taiji.id, NOW, capacity=40),
        lambda: terms.generate_lessons(clerk, taiji.id, NOW),
        lambda: terms.cancel_lesson(clerk, lesson.id, "老师生病", NOW),
        lambda: terms.restore_lesson(clerk, lesson_at(taiji, datetime(2025, 5, 5, 9)).id, NOW),
        lambda: terms.move_lesson(clerk, lesson.id, datetime(2025, 3, 12, 9), datetime(2025, 3, 12, 11), NOW, "调课"),
    ]
    for call in calls:
        refused(call, "access.admin_only")


def test_the_command_line_is_an_admin(world):
    cli = Actor(None, world.settings.kiosk.id, world.settings.site.code)
    term = terms.create_term(cli, "2025年秋季学期", date(2025, 9, 1), date(2026, 1, 18), NOW)
    assert Audit.get().staff_name == "命令行" and term.name == "2025年秋季学期"


def test_a_failing_audit_entry_undoes_the_course_and_its_lessons(world, admin, monkeypatch):
    before = snapshot()
    calls = MONDAYS + 2  # the lessons' facts, the course's, then the audit's
    monkeypatch.setattr(facts, "record", fail_on_call(facts.record, calls))
    with pytest.raises(Boom):
        terms.create_course(admin, world.term.id, "书法班", MONDAY, NOW)
    assert snapshot() == before


def test_a_kiosk_whose_site_is_not_registered_cannot_make_terms(world):
    stranger = Actor(None, world.settings.kiosk.id, "NOWHERE-404")
    e = refused(lambda: terms.create_term(stranger, "秋季", date(2025, 9, 1), date(2025, 12, 31), NOW), "terms.no_site")
    assert e.message() == "本机的站点 NOWHERE-404 还没有登记，请先同步"


def test_a_row_gone_since_the_page_showed_it_is_refused_with_a_reason(world, admin):
    refused(lambda: terms.cancel_lesson(admin, 999, "老师生病", NOW), "terms.gone")
    refused(lambda: terms.edit_course(admin, 999, NOW, capacity=3), "terms.gone")
    refused(lambda: terms.remove_holiday(admin, 999, NOW), "terms.gone")
    refused(lambda: terms.add_holiday(admin, 999, date(2025, 5, 5), "劳动节", NOW), "terms.gone")


# -- issue 19: the order of the list, a new class checked before it is made, lessons gone by -------


def test_courses_are_listed_in_full_pinyin_order(world, admin):
    for i, name in enumerate(["书法（一）班", "京剧票友班", "八段锦班", "国画花鸟班", "书法（二）班"]):
        terms.create_course(admin, world.term.id, name, parse_slots(f"周{'一二三四五'[i]} 09:00-11:00"), NOW)
    assert [c.name for c in terms.courses(world.term.id)] == [
        "八段锦班",
        "国画花鸟班",
        "京剧票友班",
        "书法（一）班",  # the classes by number, though 二 èr comes before 一 yī
        "书法（二）班",
    ]


def test_room_clashes_name_each_wanted_time_and_the_course_there(world, admin, taiji):
    terms.create_course(admin, world.term.id, "书法班", parse_slots("周二 09:00-11:00"), NOW, room="三楼 301")
    wanted = parse_slots("周一 10:00-12:00；周二 08:00-09:00；周三 09:00-11:00")
    assert terms.room_clashes(world.term.id, "三楼 301", wanted) == [terms.RoomClash(wanted[0], "太极拳（二）班")]
    assert terms.room_clashes(world.term.id, "二楼 201", wanted) == []
    assert terms.room_clashes(world.term.id, "", wanted) == []
    # what the check passes, create_course takes
    terms.create_course(admin, world.term.id, "太极拳（三）班", wanted[1:], NOW, room="三楼 301")


def test_rooms_are_the_sites_course_rooms(world, admin, taiji):
    terms.create_course(admin, world.term.id, "书法班", parse_slots("周二 09:00-11:00"), NOW, room="二楼 201")
    terms.create_course(admin, world.term.id, "合唱班", parse_slots("周三 09:00-11:00"), NOW)
    assert terms.rooms(world.settings.site.code) == ["二楼 201", "三楼 301"]
    assert terms.rooms("ELSEWHERE") == []


def test_a_lesson_that_has_begun_is_neither_cancelled_restored_nor_moved(world, admin, taiji):
    lesson = lesson_at(taiji, datetime(2025, 3, 10, 9))
    terms.cancel_lesson(admin, lesson_at(taiji, datetime(2025, 3, 17, 9)).id, "老师生病", LATER)
    during, after = datetime(2025, 3, 10, 9, 30), datetime(2025, 3, 18, 12)
    e = refused(lambda: terms.cancel_lesson(admin, lesson.id, "老师生病", during), "terms.lesson_begun")
    assert e.message() == "3月10日 09:00的课已经开始或上过了，不能再停课、恢复或调课"
    refused(
        lambda: terms.move_lesson(admin, lesson.id, datetime(2025, 3, 19, 9), datetime(2025, 3, 19, 11), after, "调课"),
        "terms.lesson_begun",
    )
    refused(
        lambda: terms.restore_lesson(admin, lesson_at(taiji, datetime(2025, 3, 17, 9)).id, after), "terms.lesson_begun"
    )
    view = next(x for x in terms.lessons(taiji.id) if x.id == lesson.id)
    assert terms.begun(view, during) and not terms.begun(view, datetime(2025, 3, 10, 8, 59))
