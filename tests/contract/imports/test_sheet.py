"""The shared reading and row checks (contract/imports): codes with values, no catalog, no store.
The kiosk's importer tests (tests/kiosk/desk/imports) check the same through the kiosk's words."""

import io

import pytest
from openpyxl import Workbook

from contract.imports.courses import COURSE_COLUMNS, check_course
from contract.imports.members import MEMBER_COLUMNS, course_names
from contract.imports.sheet import Problem, SheetError, read_sheet, row_label
from contract.imports.slots import SlotError, parse_slots


def xlsx(rows: list[list]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_header_under_a_title_is_found_by_any_of_its_names():
    data = xlsx([["2026年秋季学员名单"], ["会员号", "学员姓名", "联系电话", "备注"], ["XC0001", "王　芳", 13812345678]])
    sheet = read_sheet(data, "r.xlsx", MEMBER_COLUMNS, ("name",))
    (row,) = sheet.rows
    assert row.n == 3 and row.cells["member_no"] == "XC0001" and row.cells["phone"] == 13812345678
    assert sheet.parts[0].letters["name"] == "B"
    assert sheet.notes == [Problem("imports.unknown_columns", {"columns": "「备注」"})]


def test_a_gb18030_semicolon_csv_reads_and_a_totals_row_is_a_note():
    data = "课程名称;上课时间\n太极拳;周二 09:00-11:00\n合计：1门;\n".encode("gb18030")
    sheet = read_sheet(data, "c.csv", COURSE_COLUMNS, ("name",))
    assert [r.cells["name"] for r in sheet.rows] == ["太极拳"]
    assert sheet.notes == [Problem("imports.total_skipped", {"row": "第 3 行", "text": "合计：1门"})]


@pytest.mark.parametrize(
    "name, data, key",
    [
        ("x.txt", b"abc", "imports.unsupported"),
        ("x.xlsx", b"PK\x03\x04garbage", "imports.unreadable"),
        ("x.csv", "姓名\n".encode(), "imports.no_rows"),
        ("x.csv", "上课时间\n周二 09:00-11:00\n".encode(), "imports.missing_column"),
    ],
)
def test_a_file_that_cannot_be_used_is_a_code_with_its_values(name, data, key):
    with pytest.raises(SheetError) as e:
        columns = COURSE_COLUMNS if "上课" in data.decode("utf-8", "ignore") else MEMBER_COLUMNS
        read_sheet(data, name, columns, ("name",))
    assert e.value.key == key and e.value.values["file"] == name


def test_a_course_row_is_checked_on_its_own_with_column_and_letter():
    data = xlsx(
        [
            ["课程名称", "教师", "容量", "下午", "学期"],
            ["合唱团", "@陈老师", "二十", "周四 2:30-4:30", "春季"],
            ["书法班", "李老师", "20人", "周二 2:30-4:30", ""],
        ]
    )
    sheet = read_sheet(data, "c.xlsx", COURSE_COLUMNS, ("name",))
    problems: list = []
    assert check_course(sheet.rows[0], problems, {"秋季"}, True) is None
    assert [(p.letter, p.column, p.problem.key) for p in problems] == [
        ("B", "教师", "imports.name_formula"),
        ("E", "学期", "imports.unknown_term"),
        ("C", "容量", "imports.bad_capacity"),
    ]
    course = check_course(sheet.rows[1], problems, {"秋季"}, True)
    assert course is not None and course.capacity == 20 and course.term == ""
    assert course.slots == [{"weekday": 2, "start": "14:30", "end": "16:30"}]  # 下午 2:30 is 14:30


def test_weekly_times_and_course_lists_as_staff_write_them():
    assert parse_slots("星期二 9:00~11:00，周四 14:00 到 16:00") == [
        {"weekday": 2, "start": "09:00", "end": "11:00"},
        {"weekday": 4, "start": "14:00", "end": "16:00"},
    ]
    with pytest.raises(SlotError) as e:
        parse_slots("周二 09:00-11:00；周二 10:00-12:00")
    assert e.value.key == "schedule.self_overlap"
    assert course_names("书法班、太极拳；书法班") == ["书法班", "太极拳"]
    assert row_label(3, "书法班") == "工作表「书法班」第 3 行"
