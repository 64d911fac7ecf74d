"""Reports: attendance matrices, a day, activity sign-ups, points, and the care list."""

from datetime import date, datetime, timedelta

import pytest

from kiosk.desk import reports
from kiosk.store.db import db
from kiosk.store.models import Holiday

WEEKLY = '[{"weekday": 1, "start": "09:00", "end": "11:00"}]'
MON = [datetime(2025, 3, d, 9, 0) for d in (3, 10, 17, 24, 31)]  # Mondays of the world's term
TAICHI = "太极拳（一）班"


def statements(run) -> int:
    """How many SQL statements `run()` sends."""
    seen = []
    connection = db.connection()
    connection.set_trace_callback(seen.append)
    try:
        run()
    finally:
        connection.set_trace_callback(None)
    return len(seen)


@pytest.fixture
def taichi(world):
    """太极拳 with three lessons, the middle one cancelled; DM0001 and DM0002 enrolled, DM0003
    withdrawn after coming once, DM0004 on the waitlist."""
    course = world.course(TAICHI, schedule=WEEKLY)
    lessons = [world.lesson(course, MON[0]), world.lesson(course, MON[1], cancelled=True), world.lesson(course, MON[2])]
    a, b, c, d = (world.member(f"DM000{n}", name) for n, name in enumerate(("赵一", "钱二", "孙三", "李四"), 1))
    for m, status in ((a, "enrolled"), (b, "enrolled"), (c, "withdrawn"), (d, "waitlisted")):
        world.enroll(m, course, status)
    world.sign_in(a, MON[0] + timedelta(minutes=2), lesson=lessons[0])
    world.sign_in(a, MON[2] - timedelta(minutes=5), lesson=lessons[2])
    world.sign_in(b, MON[2], lesson=lessons[2])
    world.sign_in(c, MON[0], lesson=lessons[0])
    return course, lessons, (a, b, c, d)


# -- attendance ------------------------------------------------------------------------------------


def test_a_course_matrix_of_members_and_lessons(taichi):
    table = reports.course_attendance(taichi[0])
    assert table.title == TAICHI
    assert table.columns == ["学员编号", "姓名", "03-03", "03-10（停课）", "03-17", "出勤次数"]
    assert table.rows == [
        ["DM0001", "赵一", "✓", "", "✓", 2],
        ["DM0002", "钱二", "", "", "✓", 1],
        ["DM0003", "孙三", "✓", "", "", 1],  # withdrawn since, but came
        ["合计", "", 2, 0, 2, 4],
    ]


def test_two_lessons_on_one_day_show_their_times(world):
    course = world.course("合唱班")
    world.lesson(course, MON[0])
    world.lesson(course, MON[0] + timedelta(hours=5))
    assert reports.course_attendance(course).columns[2:4] == ["03-03 09:00", "03-03 14:00"]


def test_a_term_gives_a_table_per_course_in_a_fixed_number_of_statements(world, taichi):
    empty = world.course("合唱班")
    tables = reports.term_attendance(world.term)
    assert [x.title for x in tables] == ["合唱班", TAICHI]
    assert tables[0].rows == [["合计", "", 0]] and tables[1] == reports.course_attendance(taichi[0])
    few = statements(lambda: reports.term_attendance(world.term))
    for n in range(6):
        course = world.course(f"课程{n}")
        lesson = world.lesson(course, MON[3] + timedelta(hours=n))
        member = world.member(f"DM10{n:02d}", f"学员{n}")
        world.enroll(member, course)
        world.sign_in(member, lesson.start, lesson=lesson)
    assert statements(lambda: reports.term_attendance(world.term)) == few
    assert len(reports.term_attendance(world.term)) == 8 and empty


def test_a_members_term(world, taichi):
    course, lessons, (a, *_) = taichi
    report = world.activity("形势报告会", datetime(2025, 3, 20, 14, 0), place="五楼 报告厅")
    walk = world.activity("健步行", datetime(2025, 3, 22, 8, 0), place="滨江公园", open=True)
    world.activity("书画展", datetime(2025, 3, 25, 9, 0))  # neither signed up nor came
    world.activity("去年的活动", datetime(2024, 10, 1, 9, 0), open=True)
    world.register(a, report)
    world.sign_in(a, walk.start, activity=walk)
    table = reports.member_attendance(a, world.term)
    assert table.title == "赵一（DM0001）"
    assert table.columns == ["日期", "时间", "类型", "名称", "地点", "签到"]
    assert table.rows == [
        ["2025-03-03", "09:00-11:00", "课程", TAICHI, "一楼 多功能厅", "✓ 09:02"],
        ["2025-03-10", "09:00-11:00", "课程", TAICHI, "一楼 多功能厅", "停课"],
        ["2025-03-17", "09:00-11:00", "课程", TAICHI, "一楼 多功能厅", "✓ 08:55"],
        ["2025-03-20", "14:00-15:30", "活动", "形势报告会", "五楼 报告厅", ""],
        ["2025-03-22", "08:00-09:30", "活动", "健步行", "滨江公园", "✓ 08:00"],
        ["合计", "", "", "", "", 3],
    ]


def test_a_day_expected_came_and_who_is_missing(world, taichi):
    course, lessons, (a, b, c, d) = taichi
    choir = world.course("合唱班", room="四楼 401")
    choir_lesson = world.lesson(choir, MON[2] + timedelta(hours=5))
    world.enroll(c, choir)
    world.enroll(d, choir)
    world.sign_in(d, choir_lesson.start, lesson=choir_lesson)
    talk = world.activity("形势报告会", MON[2] + timedelta(hours=6), place="五楼 报告厅", open=True)
    world.register(a, talk)
    world.register(b, talk)
    world.sign_in(a, talk.start, activity=talk)
    world.sign_in(c, talk.start, activity=talk)  # came without signing up
    world.activity("健步行", MON[2] + timedelta(hours=1), place="滨江公园", cancelled=True)
    table = reports.day_attendance(MON[2].date())
    assert table.title == "2025-03-17 签到"
    assert table.columns == ["时间", "类型", "名称", "地点", "应到", "实到", "未到", "未到名单"]
    assert table.rows == [
        ["09:00-11:00", "课程", TAICHI, "一楼 多功能厅", 2, 2, 0, ""],
        ["10:00-11:30", "活动", "健步行", "滨江公园", "已取消", "", "", ""],
        ["14:00-16:00", "课程", "合唱班", "四楼 401", 2, 1, 1, "孙三"],
        ["15:00-16:30", "活动", "形势报告会", "五楼 报告厅", 2, 2, 1, "钱二"],
    ]
    assert reports.day_attendance(date(2025, 3, 18)).rows == []


def test_activity_sign_ups_in_a_period(world, taichi):
    _, _, (a, b, c, d) = taichi
    talk = world.activity("形势报告会", datetime(2025, 3, 20, 14, 0), place="五楼 报告厅", capacity=2)
    for m, status in ((a, "registered"), (b, "registered"), (c, "waitlisted"), (d, "cancelled")):
        world.register(m, talk, status)
    world.sign_in(a, talk.start, activity=talk)
    world.activity("健步行", datetime(2025, 3, 31, 8, 0), open=True)
    world.activity("书画展", datetime(2025, 3, 25, 9, 0), cancelled=True)
    world.activity("四月的活动", datetime(2025, 4, 1, 9, 0))
    table = reports.activity_signups(date(2025, 3, 1), date(2025, 3, 31))
    assert table.columns == ["日期", "时间", "活动", "地点", "名额", "已报名", "候补", "实到", "备注"]
    assert table.rows == [
        ["2025-03-20", "14:00-15:30", "形势报告会", "五楼 报告厅", 2, 2, 1, 1, ""],
        ["2025-03-25", "09:00-10:30", "书画展", "", "不限", 0, 0, 0, "已取消"],
        ["2025-03-31", "08:00-09:30", "健步行", "", "不限", 0, 0, 0, "自由参加"],
    ]


# -- points ----------------------------------------------------------------------------------------


def test_points_per_member_by_kind_with_the_balance(world):
    a = world.member("DM0001", "赵一", points_confirmed=100)
    b = world.member("DM0002", "钱二")
    world.member("DM0003", "孙三")  # no entries: not listed
    march = datetime(2025, 3, 5, 10, 0)
    for member, amount, kind in (
        (a, 2, "lesson"),
        (a, 2, "lesson"),
        (a, 5, "activity"),
        (a, 3, "party"),
        (a, 10, "volunteer"),
        (a, -20, "redeem"),
        (a, -1, "correction"),
        (b, 2, "lesson"),
        (b, 1, "reversal"),
    ):
        world.entry(member, amount, kind, march)
    world.entry(a, 50, "volunteer", datetime(2025, 2, 28, 10, 0))  # before the period: only in the balance
    world.entry(b, 4, "lesson", datetime(2025, 4, 1, 0, 0), status="confirmed")  # after it, and confirmed
    table = reports.points_report(date(2025, 3, 1), date(2025, 3, 31))
    assert table.columns == [
        "学员编号",
        "姓名",
        "上课签到",
        "参加活动",
        "党支部活动",
        "志愿服务",
        "兑换",
        "更正",
        "本期合计",
        "当前积分",
    ]
    assert table.rows == [
        ["DM0001", "赵一", 4, 5, 3, 10, -20, -1, 1, 151],
        ["DM0002", "钱二", 2, 0, 0, 0, 0, 1, 3, 3],
        ["合计", "", 6, 5, 3, 10, -20, 0, 4, 154],
    ]


# -- the care list ---------------------------------------------------------------------------------

CARE_NOW = datetime(2025, 4, 1, 10, 0)  # a Tuesday: the five Monday lessons of March are held


@pytest.fixture
def weekly(world):
    """太极拳 meeting every Monday, its five March lessons held."""
    course = world.course(TAICHI, schedule=WEEKLY)
    return course, [world.lesson(course, start) for start in MON]


def attend(world, member, course_lessons, *which):
    for i in which:
        world.sign_in(member, course_lessons[i].start, lesson=course_lessons[i])


def test_the_care_list(world, weekly):
    course, lessons = weekly
    came_last = world.member("DM0001", "赵一")
    missed_two = world.member("DM0002", "钱二", phone="13812345678")
    missed_one = world.member("DM0003", "孙三")
    never = world.member("DM0004", "李四")
    withdrawn = world.member("DM0005", "周五")
    for m in (came_last, missed_two, missed_one, never):
        world.enroll(m, course)
    world.enroll(withdrawn, course, "withdrawn")
    attend(world, came_last, lessons, 4)
    attend(world, missed_two, lessons, 0, 1, 2)
    attend(world, missed_one, lessons, 3)
    # Away 4 weeks: a course whose later lessons were cancelled, so nothing was missed in a row.
    paused = world.course("书法班", room="二楼 201", schedule=WEEKLY)
    away = world.member("DM0006", "吴六")
    world.enroll(away, paused)
    first = world.lesson(paused, MON[0])
    for start in MON[1:]:
        world.lesson(paused, start, cancelled=True)
    world.sign_in(away, first.start, lesson=first)
    # A drop-in class expects nobody.
    drop_in = world.course("体验课堂", room="一楼 大厅")
    idle = world.member("DM0007", "郑七")
    world.enroll(idle, drop_in)
    world.lesson(drop_in, MON[0] + timedelta(hours=5))

    table = reports.care_list(CARE_NOW, missed_in_row=2, absent_weeks=4)
    assert table.title == "关怀名单"
    assert table.columns == ["学员编号", "姓名", "电话", "课程", "最近签到", "原因"]
    assert table.rows == [
        ["DM0004", "李四", "", TAICHI, "从未签到", f"「{TAICHI}」连续 5 次没来；开课以来没来签到过"],
        ["DM0006", "吴六", "", "书法班", "2025-03-03", "已 4 周没来签到"],
        ["DM0002", "钱二", "13812345678", TAICHI, "2025-03-17", f"「{TAICHI}」连续 2 次没来"],
    ]
    assert reports.care_list(CARE_NOW, missed_in_row=0, absent_weeks=0).rows == []
    assert [r[0] for r in reports.care_list(CARE_NOW, missed_in_row=3, absent_weeks=0).rows] == ["DM0004"]


def test_holidays_are_not_missed_lessons(world, weekly):
    course, lessons = weekly
    member = world.member("DM0002", "钱二")
    world.enroll(member, course)
    attend(world, member, lessons, 0, 1, 2)
    Holiday.create(term=world.term, day=MON[4].date(), name="调休")
    assert reports.care_list(CARE_NOW, missed_in_row=2, absent_weeks=4).rows == []


def test_a_member_seen_lately_at_an_activity_is_not_absent(world, weekly):
    course, lessons = weekly
    member = world.member("DM0002", "钱二")
    world.enroll(member, course)
    attend(world, member, lessons, 0)
    walk = world.activity("健步行", datetime(2025, 3, 29, 8, 0), open=True)
    world.sign_in(member, walk.start, activity=walk)
    (row,) = reports.care_list(CARE_NOW, missed_in_row=4, absent_weeks=4).rows
    assert row[4:] == ["2025-03-29", f"「{TAICHI}」连续 4 次没来"]
    assert reports.care_list(CARE_NOW, missed_in_row=0, absent_weeks=4).rows == []


def test_a_term_not_under_way_is_left_out(world, weekly):
    course, _ = weekly
    world.enroll(world.member("DM0004", "李四"), course)
    assert [r[0] for r in reports.care_list(CARE_NOW, 2, 4).rows] == ["DM0004"]
    assert reports.care_list(datetime(2025, 7, 15, 10, 0), 2, 4).rows == []  # the term is over
