"""python main.py export …, run as an operator runs it: a separate process on a kiosk.db built here."""

import csv
import json
import subprocess
from datetime import date, datetime, timedelta

import pytest
from openpyxl import load_workbook

from kiosk.store.models import Audit, Course, Term
from tools.checkout import run_kiosk

TODAY = date.today()  # the command line takes the time from the clock
STAMP = f"{TODAY:%Y%m%d}"


@pytest.fixture
def kiosk(world, site_file, settings):
    """main.py on this test's kiosk.db: a term under way with 太极拳, whose lesson a week ago 赵一 came to."""
    term = Term.create(site=world.site, name="本学期", start=TODAY - timedelta(days=30), end=TODAY + timedelta(days=60))
    course = Course.create(term=term, name="太极拳（一）班", room="一楼")
    lesson = world.lesson(course, datetime.combine(TODAY - timedelta(days=7), datetime.min.time()).replace(hour=9))
    zhao, qian = world.member("DM0001", "赵一"), world.member("DM0002", "钱二")
    world.enroll(zhao, course)
    world.enroll(qian, course)
    world.sign_in(zhao, lesson.start, lesson=lesson)

    def run(*args) -> subprocess.CompletedProcess:
        return run_kiosk("--config", site_file, "--data-dir", settings.kiosk.data_dir, *args)

    return run


def written(result) -> list[str]:
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0] == f"已导出 {len(lines) - 1} 个文件："
    return lines[1:]


def test_the_current_terms_attendance_as_csv(tmp_path, kiosk):
    (path,) = written(kiosk("export", "attendance", "--format", "csv", "--out", tmp_path))
    assert path == str(tmp_path / f"本学期考勤_{STAMP}.csv")
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert [r[:2] + r[-2:] for r in rows] == [
        ["学员编号", "姓名", f"{TODAY - timedelta(days=7):%m-%d}", "出勤次数"],
        ["DM0001", "赵一", "✓", "1"],
        ["DM0002", "钱二", "", "0"],
        ["合计", "", "1", "1"],
    ]
    assert json.loads(Audit.get().detail)["files"] == [f"本学期考勤_{STAMP}.csv"]


def test_a_course_to_excel_in_the_export_folder(kiosk, settings):
    (path,) = written(kiosk("export", "course", "--course", "太极拳（一）班", "--term", "本学期"))
    assert path == f"{settings.staff.export_dir}/太极拳（一）班考勤_{STAMP}.xlsx"
    assert load_workbook(path).sheetnames == ["太极拳（一）班"]


@pytest.mark.parametrize(
    "args, name",
    [
        (("member", "--member", "DM0001"), f"赵一DM0001本学期考勤_{STAMP}.xlsx"),
        (("day", "--date", "2025-03-10"), f"2025-03-10签到_{STAMP}.xlsx"),
        (("points", "--from", "2025-03-01", "--to", "2025-03-31"), f"积分2025-03-01至2025-03-31_{STAMP}.xlsx"),
        (("activities",), f"活动报名{TODAY.replace(day=1)}至{TODAY}_{STAMP}.xlsx"),
        (("care",), f"关怀名单_{STAMP}.xlsx"),
    ],
)
def test_each_report(tmp_path, kiosk, args, name):
    assert written(kiosk("export", *args, "--out", tmp_path)) == [str(tmp_path / name)]


@pytest.mark.parametrize(
    "args, words",
    [
        (("course", "--course", "国画班"), ("本学期", "国画班")),
        (("course",), ("--course",)),
        (("member", "--member", "DM9999"), ("DM9999",)),
        (("attendance", "--term", "下学期"), ("下学期",)),
        (("points", "--from", "2025-03-31", "--to", "2025-03-01"), ("2025-03-31", "2025-03-01")),
        (("attendance", "--out", "/nonexistent/usb"), ("/nonexistent/usb",)),
    ],
)
def test_what_cannot_be_exported(tmp_path, kiosk, args, words):
    result = kiosk("export", *args)
    assert result.returncode == 2 and result.stdout == "" and "Traceback" not in result.stderr
    (line,) = result.stderr.splitlines()
    assert all(w in line for w in words), line
    assert Audit.select().count() == 0


def test_a_date_that_is_not_one(kiosk):
    result = kiosk("export", "day", "--date", "2025-13-01")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "看不懂日期「2025-13-01」" in result.stderr.splitlines()[-1]
