"""Course-list traps (kiosk/desk/imports/courses.py): times under 上午 and 下午 headers, an afternoon
time written on the twelve-hour clock, other header names, and teachers' names."""

import json

import pytest

from kiosk.desk import imports
from kiosk.desk.imports import RowError
from kiosk.i18n import t
from kiosk.staff.audit import Actor
from kiosk.store.models import Course

from .files import NOW, csv_file, xlsx


@pytest.fixture
def actor(settings) -> Actor:
    return Actor.of(None, settings)


def courses(actor, path, world, **kw):
    return imports.import_courses(actor, path, NOW, term_id=world.term.id, **kw)


def test_times_under_a_morning_and_an_afternoon_header(tmp_path, world, actor):
    path = xlsx(
        tmp_path / "c.xlsx",
        [
            ["课程名称", "授课教师", "上课地点", "上午", "下午"],
            ["书法（二）班", "刘墨林", "二楼 201", "周四 9:00-11:00", "周二 2:30-4:30"],
            ["合唱班", "杨春燕", "四楼 401", "", "周三 12:30-2:00"],
            ["太极拳（一）班", "孙武", "一楼", "周一 8:00-9:30", ""],
        ],
    )
    report = courses(actor, path, world)
    assert report.errors == [] and report.created == 3
    found = {c.name: (c.teacher, c.room, json.loads(c.schedule)) for c in Course.select()}
    assert found == {
        "书法（二）班": (
            "刘墨林",
            "二楼 201",
            [{"weekday": 4, "start": "09:00", "end": "11:00"}, {"weekday": 2, "start": "14:30", "end": "16:30"}],
        ),
        "合唱班": ("杨春燕", "四楼 401", [{"weekday": 3, "start": "12:30", "end": "14:00"}]),
        "太极拳（一）班": ("孙武", "一楼", [{"weekday": 1, "start": "08:00", "end": "09:30"}]),
    }


def test_an_afternoon_time_on_the_twelve_hour_clock_under_a_plain_header_is_refused(tmp_path, world, actor):
    path = xlsx(tmp_path / "c.xlsx", [["课程名称", "上课时间"], ["书法（二）班", "周二 2:30-4:30"]])
    report = courses(actor, path, world)
    assert report.errors == [RowError(2, "上课时间", t("imports.too_early", slot="周二 02:30-04:30", earliest="06:00"))]
    assert str(report.errors[0]).startswith("第 2 行 B 列「上课时间」：")
    assert Course.select().count() == 0


def test_an_afternoon_time_under_a_morning_header_is_refused(tmp_path, world, actor):
    path = xlsx(tmp_path / "c.xlsx", [["课程名称", "上午"], ["书法（二）班", "周二 14:30-16:30"]])
    assert courses(actor, path, world).errors == [
        RowError(2, "上午", t("imports.morning_afternoon", slot="周二 14:30-16:30"))
    ]


def test_a_morning_and_an_afternoon_slot_that_overlap(tmp_path, world, actor):
    path = xlsx(
        tmp_path / "c.xlsx", [["课程名称", "上午", "下午"], ["书法（二）班", "周二 11:00-12:30", "周二 12:00-1:00"]]
    )
    assert courses(actor, path, world).errors == [
        RowError(2, "上午", t("schedule.self_overlap", a="周二 11:00-12:30", b="周二 12:00-13:00"))
    ]


@pytest.mark.parametrize("teacher, key", [("刘?林", "imports.name_lost_char"), ("=1+1", "imports.name_formula")])
def test_a_teacher_name_that_cannot_be_stored(tmp_path, world, actor, teacher, key):
    rows = [["课程名称", "教师", "上课时间"], ["书法（二）班", teacher, "周二 09:00-11:00"]]
    path = csv_file(tmp_path / "c.csv", rows)  # a workbook would hold =1+1 as a formula
    report = courses(actor, path, world)
    assert report.errors == [RowError(2, "教师", t(key, value=teacher))]


def test_a_totals_row_under_a_course_list(tmp_path, world, actor):
    path = xlsx(
        tmp_path / "c.xlsx",
        [["课程名称", "容量", "上课时间"], ["书法（二）班", 30, "周二 09:00-11:00"], ["合计", 30, ""]],
    )
    report = courses(actor, path, world)
    assert report.errors == [] and report.created == 1
    assert report.warnings == [t("imports.total_skipped", row="第 3 行", text="合计")]
