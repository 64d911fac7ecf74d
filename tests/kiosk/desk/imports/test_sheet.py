"""Reading roster files in the shapes centers make them (kiosk/desk/imports/sheet.py): every sheet
of a workbook, totals rows, hidden rows and sheets, an instructions sheet, a semicolon CSV, and
where an error is (sheet, row, column letter and header)."""

import pytest

from kiosk.desk import imports
from kiosk.desk.imports import RowError
from kiosk.i18n import t
from kiosk.staff.audit import Actor
from kiosk.staff.refused import Refused
from kiosk.store.models import Audit, Enrollment, Member

from .files import CALLIGRAPHY, NOW, TAICHI, csv_file, workbook, xlsx


@pytest.fixture
def actor(settings) -> Actor:
    return Actor.of(None, settings)


@pytest.fixture
def courses(world):
    return world.course(TAICHI), world.course(CALLIGRAPHY, room="二楼 201")


def members(actor, path, settings, **kw):
    return imports.import_members(actor, path, NOW, settings, **kw)


def names() -> list[str]:
    return [m.name for m in Member.select().order_by(Member.id)]


# -- totals rows -------------------------------------------------------------------------------------


def test_totals_rows_anywhere_are_left_out_and_named(tmp_path, world, actor, settings):
    path = xlsx(
        tmp_path / "r.xlsx",
        [
            ["序号", "姓名", "手机号"],
            [1, "赵国强", "13812345678"],
            ["小计", "", ""],  # in the middle, in the counter column
            [2, "钱秀英", "13900001111"],
            ["", "合　计", "2人"],  # in the name column, spaced out
            ["总计：2人", None, None],
        ],
    )
    report = members(actor, path, settings)
    assert report.errors == [] and report.created == 2
    assert names() == ["赵国强", "钱秀英"]
    assert report.warnings[1:] == [
        t("imports.total_skipped", row="第 3 行", text="小计"),
        t("imports.total_skipped", row="第 5 行", text="合 计"),
        t("imports.total_skipped", row="第 6 行", text="总计：2人"),
    ]


def test_a_totals_row_with_a_name_in_it_is_refused(tmp_path, world, actor, settings):
    path = xlsx(tmp_path / "r.xlsx", [["姓名", "备注"], ["赵国强", ""], ["钱秀英", "合计"]])
    report = members(actor, path, settings)
    assert report.errors == [RowError(3, "姓名", t("imports.total_with_name", text="合计"))]
    assert str(report.errors[0]) == "第 3 行 A 列「姓名」：" + t("imports.total_with_name", text="合计")
    assert Member.select().count() == 0


# -- hidden rows and sheets ------------------------------------------------------------------------


def test_hidden_rows_are_refused_row_by_row(tmp_path, world, actor, settings):
    path = xlsx(tmp_path / "r.xlsx", [["姓名"], ["赵国强"], ["钱秀英"], ["孙丽"], ["周桂兰"]], hidden={3, 5})
    report = members(actor, path, settings)
    assert report.errors == [RowError(3, "", t("imports.hidden_row")), RowError(5, "", t("imports.hidden_row"))]
    assert str(report.errors[0]) == "第 3 行：" + t("imports.hidden_row")
    assert Member.select().count() == 0 and Audit.select().count() == 0


def test_a_hidden_sheet_with_a_table_is_refused(tmp_path, world, actor, settings):
    path = workbook(
        tmp_path / "r.xlsx", {"名单": [["姓名"], ["赵国强"]], "退班": [["姓名"], ["钱秀英"]]}, hidden_sheets=("退班",)
    )
    with pytest.raises(Refused) as e:
        members(actor, path, settings)
    assert (e.value.key, e.value.values["sheet"]) == ("imports.hidden_sheet", "退班")
    assert Member.select().count() == 0


def test_a_hidden_sheet_of_drop_down_values_is_no_table(tmp_path, world, actor, settings):
    path = workbook(
        tmp_path / "r.xlsx",
        {"名单": [["姓名", "性别"], ["赵国强", "男"]], "选项": [["男"], ["女"]]},
        hidden_sheets=("选项",),
    )
    report = members(actor, path, settings)
    assert (report.errors, report.created, report.warnings) == ([], 1, [])


# -- several sheets ---------------------------------------------------------------------------------


def test_every_sheet_of_a_workbook_is_read_and_an_instructions_sheet_is_named(tmp_path, world, actor, settings):
    path = workbook(
        tmp_path / "r.xlsx",
        {
            "填表说明": [["请按下面的格式填写学员名单"], ["身份证号一列请设为文本格式"]],
            "一楼": [["姓名", "手机号"], ["赵国强", "13812345678"]],
            "二楼": [["学员名单"], ["手机号", "姓名"], ["13900001111", "钱秀英"], ["13900002222", "孙丽"]],
        },
    )
    report = members(actor, path, settings, dry_run=True)
    assert (report.errors, report.created) == ([], 3)
    assert t("imports.sheet_skipped", sheet="填表说明") in report.warnings
    members(actor, path, settings)
    assert names() == ["赵国强", "钱秀英", "孙丽"]
    assert Member.get(Member.name == "孙丽").phone == "13900002222"  # each sheet by its own header


def test_an_error_names_its_sheet_row_and_column(tmp_path, world, actor, settings):
    path = workbook(
        tmp_path / "r.xlsx",
        {"一楼": [["姓名", "手机号"], ["赵国强", "13812345678"]], "二楼": [["手机号", "姓名"], ["139", "钱秀英"]]},
    )
    report = members(actor, path, settings)
    (error,) = report.errors
    assert (error.sheet, error.row, error.letter, error.column) == ("二楼", 2, "A", "手机号")
    assert str(error) == "工作表「二楼」第 2 行 A 列「手机号」：" + t("imports.bad_phone", value="139")
    assert Member.select().count() == 0


def test_a_sheet_lacking_a_required_column_refuses_the_file(tmp_path, world, actor, settings):
    path = workbook(
        tmp_path / "r.xlsx",
        {
            "一楼": [["姓名", "手机号"], ["赵国强", "13812345678"]],
            "二楼": [["名字", "手机号"], ["钱秀英", "13900001111"]],
        },
    )
    with pytest.raises(Refused) as e:
        members(actor, path, settings)
    assert e.value.key == "imports.missing_column_in"
    assert (e.value.values["sheet"], e.value.values["column"], e.value.values["found"]) == (
        "二楼",
        "姓名",
        "「手机号」",
    )
    assert Member.select().count() == 0


def test_one_sheet_a_class_enrols_by_the_sheet_name_and_keeps_one_member_per_senior(
    tmp_path, world, courses, actor, settings
):
    path = workbook(
        tmp_path / "r.xlsx",
        {
            TAICHI: [["姓名", "手机号"], ["赵国强", "13812345678"], ["钱秀英", "13900001111"]],
            CALLIGRAPHY: [["姓名", "手机号"], ["赵国强", "138 1234 5678"], ["孙丽", "13900002222"]],
        },
    )
    report = members(actor, path, settings)
    assert report.errors == [] and (report.created, report.enrolled) == (3, 4)
    assert t("imports.sheets_as_courses") in report.warnings
    assert sorted((e.member.name, e.course.name) for e in Enrollment.select()) == sorted(
        [("赵国强", TAICHI), ("赵国强", CALLIGRAPHY), ("钱秀英", TAICHI), ("孙丽", CALLIGRAPHY)]
    )


def test_a_sheet_not_named_for_a_course_is_refused(tmp_path, world, courses, actor, settings):
    path = workbook(tmp_path / "r.xlsx", {TAICHI: [["姓名"], ["赵国强"]], "Sheet2": [["姓名"], ["钱秀英"]]})
    report = members(actor, path, settings)
    assert [(e.sheet, e.row, e.column) for e in report.errors] == [("Sheet2", 2, "课程")]
    assert Member.select().count() == 0


def test_a_name_alone_on_two_sheets_is_not_taken_for_one_senior(tmp_path, world, courses, actor, settings):
    path = workbook(tmp_path / "r.xlsx", {TAICHI: [["姓名"], ["王芳"]], CALLIGRAPHY: [["姓名"], ["王芳"]]})
    report = members(actor, path, settings)
    assert report.errors == [
        RowError(2, "姓名", t("imports.same_name_elsewhere", other=f"工作表「{TAICHI}」第 2 行"), CALLIGRAPHY)
    ]
    assert Member.select().count() == 0


# -- files that are not a table as expected ----------------------------------------------------------


def test_an_instructions_sheet_alone_says_what_is_wrong(tmp_path, world, actor, settings):
    path = workbook(tmp_path / "r.xlsx", {"填表说明": [["请把学员名单填在第二张表里"], ["谢谢"]]})
    with pytest.raises(Refused) as e:
        members(actor, path, settings)
    assert e.value.key == "imports.no_header"
    assert e.value.values["first"] == "请把学员名单填在第二张表里" and e.value.values["column"] == "姓名"
    assert "缺少" not in e.value.message()


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_a_csv_separated_by_semicolons_or_tabs(tmp_path, world, courses, actor, settings, delimiter):
    rows = [["姓名", "手机号", "课程"], ["赵国强", "13812345678", f"{TAICHI},{CALLIGRAPHY}"], ["钱秀英", "", TAICHI]]
    report = members(actor, csv_file(tmp_path / "r.csv", rows, delimiter), settings)
    assert report.errors == [] and (report.created, report.enrolled) == (2, 3)
    assert [(m.name, m.phone) for m in Member.select().order_by(Member.id)] == [
        ("赵国强", "13812345678"),
        ("钱秀英", ""),
    ]


def test_a_csv_without_a_header_says_what_it_begins_with(tmp_path, world, actor, settings):
    path = csv_file(tmp_path / "r.csv", [["赵国强", "13812345678"], ["钱秀英", "13900001111"]])
    with pytest.raises(Refused) as e:
        members(actor, path, settings)
    assert (e.value.key, e.value.values["first"]) == ("imports.no_header", "赵国强 13812345678")
