"""Lessons in time: weekly schedules, holidays, and the day's list."""

import json
from datetime import date, datetime, time, timedelta

from kiosk.programme import schedule
from kiosk.store.models import Holiday, Lesson, Term
from tests.kiosk.builders import LESSON_START


def slots(*entries):
    return json.dumps([{"weekday": w, "start": s, "end": e} for w, s, e in entries])


def test_hm():
    assert schedule.hm("09:30") == time(9, 30)
    assert schedule.hm("14:05") == time(14, 5)


def test_lesson_times_follow_weekdays_and_skip_holidays(world):
    term = Term.create(site=world.site, name="短学期", start=date(2025, 3, 3), end=date(2025, 3, 16))
    course = world.course("书法（一）班", schedule=slots((1, "09:00", "11:00"), (7, "14:30", "16:30")))
    course.term = term
    got = schedule.lesson_times(course, term, {date(2025, 3, 10)})
    assert got == [
        (datetime(2025, 3, 3, 9, 0), datetime(2025, 3, 3, 11, 0)),  # Monday = 1
        (datetime(2025, 3, 9, 14, 30), datetime(2025, 3, 9, 16, 30)),  # Sunday = 7
        (datetime(2025, 3, 16, 14, 30), datetime(2025, 3, 16, 16, 30)),  # the term's last day counts
    ]


def test_generate_lessons_is_idempotent_and_skips_holidays(world):
    term = Term.create(site=world.site, name="短学期", start=date(2025, 3, 3), end=date(2025, 3, 30))
    Holiday.create(term=term, day=date(2025, 3, 19), name="校庆日")
    course = world.course("智能手机应用班", schedule=slots((3, "09:00", "11:00")))
    course.term = term
    course.save()
    assert schedule.generate_lessons(course) == 3
    assert schedule.generate_lessons(course) == 0
    days = [x.start.date() for x in Lesson.select().order_by(Lesson.start)]
    assert days == [date(2025, 3, 5), date(2025, 3, 12), date(2025, 3, 26)]
    assert all(x.room == "" and not x.cancelled for x in Lesson.select())


def test_empty_schedule_generates_nothing(world):
    assert schedule.generate_lessons(world.course("体验课堂")) == 0


def test_today_lists_the_days_lessons_and_activities_in_order(world):
    course = world.course("太极拳（一）班", room="一楼 多功能厅")
    morning = world.lesson(course, LESSON_START)
    moved = world.lesson(world.course("书法（一）班", room="二楼 201"), LESSON_START.replace(hour=14), room="三楼 301")
    world.lesson(course, LESSON_START.replace(hour=16), cancelled=True)
    world.lesson(course, LESSON_START + timedelta(days=1))
    walk = world.activity("重阳健步行", LESSON_START.replace(hour=8), place="滨河公园", open=True)
    world.activity("取消的活动", LESSON_START.replace(hour=10), cancelled=True)
    items = schedule.today(LESSON_START.replace(hour=23, minute=59))
    assert [(i.kind, i.id) for i in items] == [("activity", walk.id), ("lesson", morning.id), ("lesson", moved.id)]
    assert items[1].place == "一楼 多功能厅"  # the course's room
    assert items[2].place == "三楼 301"  # the lesson's own room
    assert items[0].place == "滨河公园"
    assert schedule.today(datetime(2025, 3, 12, 9, 0)) == []


# -- weekly schedules as staff write them ---------------------------------------------------------


def test_parse_slots_reads_what_staff_write():
    assert schedule.parse_slots("周二 09:00-11:00；周四 14:00-16:00") == [
        {"weekday": 2, "start": "09:00", "end": "11:00"},
        {"weekday": 4, "start": "14:00", "end": "16:00"},
    ]
    assert schedule.parse_slots(" 星期日 8:30～10:00, 礼拜三 14：00至15：30 / 5 9:00 到 9:45 ") == [
        {"weekday": 7, "start": "08:30", "end": "10:00"},
        {"weekday": 3, "start": "14:00", "end": "15:30"},
        {"weekday": 5, "start": "09:00", "end": "09:45"},
    ]
    assert schedule.parse_slots("周天 09:00—11:00\n周一 09:00–11:00；") == [
        {"weekday": 7, "start": "09:00", "end": "11:00"},
        {"weekday": 1, "start": "09:00", "end": "11:00"},
    ]


def test_format_slots_writes_what_parse_slots_reads():
    text = "周一 09:00-11:00；周日 14:30-16:30"
    assert schedule.format_slots(schedule.parse_slots(text)) == text
    assert schedule.format_slots([]) == ""


def raises(call, key, **values):
    try:
        call()
    except schedule.SlotError as e:
        assert (e.key, e.values) == (key, values)
    else:
        raise AssertionError(f"no {key}")


def test_parse_slots_says_what_it_cannot_read():
    raises(lambda: schedule.parse_slots("周八 09:00-11:00"), "schedule.unreadable", part="周八 09:00-11:00")
    raises(lambda: schedule.parse_slots("周二上午"), "schedule.unreadable", part="周二上午")
    raises(lambda: schedule.parse_slots("周二 25:00-26:00"), "schedule.unreadable", part="周二 25:00-26:00")
    raises(lambda: schedule.parse_slots(" ；"), "schedule.empty")
    raises(lambda: schedule.parse_slots("周二 11:00-09:00"), "schedule.backwards", slot="周二 11:00-09:00")
    raises(
        lambda: schedule.parse_slots("周二 09:00-11:00；周二 10:30-12:00"),
        "schedule.self_overlap",
        a="周二 09:00-11:00",
        b="周二 10:30-12:00",
    )


def test_check_slots_and_overlap():
    schedule.check_slots(
        [{"weekday": 2, "start": "09:00", "end": "11:00"}, {"weekday": 2, "start": "11:00", "end": "12:00"}]
    )  # touching is no overlap
    raises(
        lambda: schedule.check_slots([{"weekday": 3, "start": "09:00", "end": "09:00"}]),
        "schedule.backwards",
        slot="周三 09:00-09:00",
    )
    a = {"weekday": 1, "start": "09:00", "end": "11:00"}
    assert schedule.slots_overlap(a, {"weekday": 1, "start": "10:59", "end": "12:00"})
    assert not schedule.slots_overlap(a, {"weekday": 1, "start": "11:00", "end": "12:00"})
    assert not schedule.slots_overlap(a, {"weekday": 2, "start": "09:00", "end": "11:00"})


# -- coming_up: the home screen's list -------------------------------------------------------------


def _item(title: str, start: str, end: str) -> schedule.Item:
    day = "2026-12-06 "
    return schedule.Item(
        "lesson", 1, title, "一楼", datetime.fromisoformat(day + start), datetime.fromisoformat(day + end)
    )


def test_coming_up_leaves_out_ended_and_long_running_lessons():
    ended = _item("太极拳", "08:00", "09:30")
    long_running = _item("书法", "09:00", "11:00")  # begun an hour ago: too late to sign in
    just_begun = _item("合唱", "09:50", "11:30")
    later = _item("葫芦丝", "14:30", "16:00")
    now = datetime(2026, 12, 6, 10, 0)
    got = schedule.coming_up([later, long_running, ended, just_begun], now, timedelta(minutes=30))
    assert got == [just_begun, later]


def test_coming_up_is_soonest_first_and_keeps_a_lesson_until_its_window_closes():
    a = _item("国画", "10:00", "12:00")
    b = _item("摄影", "09:30", "11:00")
    now = datetime(2026, 12, 6, 10, 0)
    assert schedule.coming_up([a, b], now, timedelta(minutes=30)) == [b, a]
    assert schedule.coming_up([a, b], now, timedelta(minutes=29)) == [a]
