"""学期与课程 in the real app (Xvfb): 停课 with a reason, a 调课 onto a holiday refused, a course
copied into a new class, and a plain staff member refused — each checked on the screen and in the
database file (docs/design.md §4.7)."""

import json

from kiosk.i18n import t
from tests.screens.conftest import rows
from tests.screens.scenarios_staff_courses import COPIED, COPY_TO, COURSE, FREE_ROOM, TAKEN_ROOM, USB


def test_the_page_shows_the_current_term_and_its_courses(scenario):
    obs, data_dir = scenario("courses_admin")
    ((term,),) = rows(
        data_dir,
        "SELECT name FROM term WHERE date(start) <= date('now', 'localtime') "
        "AND date(\"end\") >= date('now', 'localtime')",
    )
    assert obs["term"] == term
    assert COURSE in obs["courses_shown"] and len(obs["courses_shown"]) == 6


def test_a_lesson_cancelled_with_a_picked_reason_is_written_with_its_audit_entry(scenario):
    obs, data_dir = scenario("courses_admin")
    lesson = obs["cancelled_id"]
    assert rows(data_dir, "SELECT cancelled, note FROM lesson WHERE id = ?", lesson) == [(1, "停课：教师请假")]
    assert obs["cancel_row"] == "停课：教师请假"
    assert obs["cancel_message"].startswith("已停课") and "教师请假" in obs["cancel_message"]
    assert rows(data_dir, "SELECT staff_name, target, reason FROM audit WHERE action = 'lesson.cancel'") == [
        ("张老师", f"lesson {lesson}", "教师请假")
    ]
    facts = [json.loads(p) for (p,) in rows(data_dir, "SELECT payload FROM outbox WHERE kind = 'lesson'")]
    assert [(f["action"], f["cancelled"], f["note"], f["staff"]) for f in facts if f["course"] == COURSE] == [
        ("cancel", True, "停课：教师请假", "张老师")
    ]


def test_moving_a_lesson_onto_a_holiday_shows_the_refusal_and_changes_nothing(scenario):
    obs, data_dir = scenario("courses_admin")
    day, name = obs["holiday"]
    assert obs["picked_day"] == day
    month, date_ = int(day[5:7]), int(day[8:10])
    refusal = t("terms.move_holiday", day=f"{month}月{date_}日", holiday=name)
    assert obs["move_message"] == refusal and obs["message_shown"] == refusal and obs["move_problem"]
    assert rows(data_dir, "SELECT cancelled, note, time(start) FROM lesson WHERE id = ?", obs["moved_id"]) == [
        (0, "", "09:00:00")
    ]
    assert rows(data_dir, "SELECT count(*) FROM audit WHERE action = 'lesson.move'") == [(0,)]


def test_copying_a_course_on_two_days_says_the_room_is_taken_before_it_is_made(scenario):
    obs, data_dir = scenario("courses_admin")
    assert COPY_TO in obs["copy_names"] and "书法（二）班" not in obs["copy_names"]
    assert (obs["weekdays_before"], obs["weekdays_chosen"]) == ([1], [3, 6])
    # every room of the site, the copied course's first, each free or taken at the chosen times
    choices = obs["room_choices"]
    assert choices[0] == t("staff.courses.room_taken", room=TAKEN_ROOM, clashes="周三 14:00-16:00 书法（二）班")
    assert t("staff.courses.room_free", room=FREE_ROOM) in choices
    assert len(choices) == 10  # a full first page of rooms; 换上课时间 follows them
    assert "周三 14:00-16:00；周六 14:00-16:00" in obs["room_question"]
    assert obs["clash_question"].startswith(f"{TAKEN_ROOM}这时已经有课：周三 14:00-16:00 书法（二）班")
    assert "40" in obs["capacity_question"]  # the copied course's

    original = rows(data_dir, "SELECT teacher, category, term_id FROM course WHERE name = ?", COPIED)
    copy = rows(
        data_dir, "SELECT teacher, category, term_id, room, capacity, schedule, id FROM course WHERE name = ?", COPY_TO
    )
    assert [c[:3] for c in copy] == original and copy[0][3:5] == (FREE_ROOM, 20)
    assert json.loads(copy[0][5]) == [
        {"weekday": 3, "start": "14:00", "end": "16:00"},
        {"weekday": 6, "start": "14:00", "end": "16:00"},
    ]
    ((lessons,),) = rows(data_dir, "SELECT count(*) FROM lesson WHERE course_id = ?", copy[0][6])
    assert lessons > 0
    assert rows(
        data_dir,
        "SELECT count(*) FROM lesson WHERE course_id = ? AND strftime('%w', start) NOT IN ('3', '6')",
        copy[0][6],
    ) == [(0,)]
    assert obs["copy_message"] == t(
        "staff.courses.copied", name=COPY_TO, slots="周三 14:00-16:00；周六 14:00-16:00", room=FREE_ROOM, count=lessons
    )
    assert rows(data_dir, "SELECT staff_name, target FROM audit WHERE action = 'course.create'") == [
        ("张老师", f"course {COPY_TO}")
    ]


def test_new_course_writes_the_template_to_the_usb_stick_and_leads_to_the_import(scenario):
    obs, data_dir = scenario("new_course")
    assert "python" not in obs["how"] and "从U盘导入" in obs["how"] and "管理台" in obs["how"]
    assert obs["ways"] == [
        t(f"staff.courses.new_way.{w}") for w in ("template_courses", "template_members", "import", "copy")
    ]
    assert obs["no_usb"] == [t("staff.courses.template_no_usb"), True]
    assert obs["files"] == ["课程表模板.xlsx"]
    assert obs["written"] == [t("staff.courses.template_written", file="课程表模板.xlsx", usb=USB), False]
    assert rows(data_dir, "SELECT target FROM audit WHERE action = 'template'") == [("file 课程表模板.xlsx",)]


def test_the_course_list_is_in_full_pinyin_order(scenario):
    obs, _ = scenario("courses_admin")
    from kiosk.collation import pinyin_key

    shown = obs["courses_shown"]
    assert shown[0] == "八段锦班" and shown == sorted(shown, key=pinyin_key)


def test_logging_out_blanks_the_roster(scenario):
    obs, _ = scenario("courses_admin")
    assert obs["roster_names"] and obs["left_behind"] == []


def test_a_plain_staff_member_may_look_but_every_change_is_refused(scenario):
    obs, data_dir = scenario("courses_clerk")
    assert obs["tile"] == t("staff.home.courses_view")
    assert obs["note"] == t("staff.courses.read_only") and obs["courses_shown"] > 0
    refused = t("access.admin_only")
    assert obs["refusals"] == {
        k: [refused, False] for k in ("new_term", "add_holiday", "cancel", "capacity", "generate")
    }
    assert rows(data_dir, "SELECT action FROM audit") == [("staff.login",)]  # signing in, nothing else
    assert rows(data_dir, "SELECT count(*) FROM outbox WHERE kind IN ('term', 'course', 'lesson')") == [(0,)]
