"""Importing rosters and course lists: real .xlsx and .csv files, all or nothing, row-by-row errors."""

import csv
import hashlib
import json
from datetime import date, datetime

import pytest
from openpyxl import Workbook

from kiosk.desk import imports
from kiosk.desk.imports import RowError
from kiosk.i18n import t
from kiosk.identity import ids
from kiosk.staff.audit import Actor
from kiosk.staff.refused import Refused
from kiosk.store.models import Audit, Course, Enrollment, Holiday, Lesson, Member, Outbox, Staff, Term
from tests.kiosk.builders import ID_LI, ID_WANG
from tests.kiosk.desk.imports.files import CALLIGRAPHY, ID_QIAN, ID_ZHAO, NOW, TAICHI

ID_BAD_CHECK = ID_ZHAO[:17] + ("0" if ID_ZHAO[17] != "0" else "1")


def xlsx(path, rows) -> str:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def csv_file(path, rows, encoding="utf-8") -> str:
    with open(path, "w", encoding=encoding, newline="") as f:
        csv.writer(f).writerows(rows)
    return path


def counts() -> dict:
    return {m.__name__: m.select().count() for m in (Member, Course, Lesson, Enrollment, Outbox, Audit)}


def outbox(kind: str) -> list[dict]:
    return [json.loads(o.payload) for o in Outbox.select().where(Outbox.kind == kind).order_by(Outbox.seq)]


@pytest.fixture
def actor(settings) -> Actor:
    return Actor.of(None, settings)


@pytest.fixture
def courses(world):
    """Two courses of the world's term: 太极拳 with two places, 书法 without a limit."""
    return (
        world.course(TAICHI, capacity=2, schedule='[{"weekday": 1, "start": "09:00", "end": "11:00"}]'),
        world.course(CALLIGRAPHY, room="二楼 201", schedule='[{"weekday": 2, "start": "09:00", "end": "11:00"}]'),
    )


def members(actor, path, settings, **kw):
    return imports.import_members(actor, path, NOW, settings, **kw)


HEADER = ["学员编号", "姓名", "性别", "出生日期", "手机号", "身份证号", "课程"]


# -- members: good files --------------------------------------------------------------------------


def test_a_roster_goes_in_with_ids_phones_and_courses(tmp_path, world, courses, actor, settings):
    world.member("XC0007", "老学员")
    path = xlsx(
        tmp_path / "名单.xlsx",
        [
            ["2025 年春季学员名单"],  # a title row above the header
            ["序号", "会员号", "学员姓名", "手机", "身份证号码", "报名课程", "备注"],
            [1, "", "赵国强", 13812345678, ID_ZHAO, f"{TAICHI}、{CALLIGRAPHY}", "老党员"],
            [2, "", "钱秀英", "139 0000 1111", ID_QIAN.lower(), "太极拳(一)班"],
            [3, "XC0100", "孙丽", "", "", ""],
        ],
    )
    report = members(actor, path, settings)
    assert report.errors == []
    assert (report.created, report.updated, report.enrolled, report.waitlisted) == (3, 0, 3, 0)
    assert report.warnings == [t("imports.unknown_columns", columns="「序号」、「备注」")]

    zhao, qian, sun = (Member.get(Member.name == n) for n in ("赵国强", "钱秀英", "孙丽"))
    # New numbers continue after the highest, in the database (XC0007) or the file (XC0100).
    assert (zhao.member_no, qian.member_no, sun.member_no) == ("XC0101", "XC0102", "XC0100")
    assert (zhao.gender, qian.gender) == ("男", "女")  # from the ID number; its birth date is not kept
    assert (zhao.phone, zhao.phone_last4, qian.phone) == ("13812345678", "5678", "13900001111")
    assert zhao.id_hash == ids.id_hash(ID_ZHAO, world.id_key)
    assert qian.id_hash == ids.id_hash(ID_QIAN, world.id_key)
    assert (sun.id_hash, sun.gender) == (None, "")
    assert not [f for f in outbox("member") if {"id_last4", "birth_year"} & f.keys()]
    assert (zhao.initials, qian.initials, zhao.joined, zhao.site.id) == ("zgq", "qxy", NOW.date(), world.site.id)
    assert {(e.member.name, e.course.name, e.status, e.at) for e in Enrollment.select()} == {
        ("赵国强", TAICHI, "enrolled", NOW),
        ("赵国强", CALLIGRAPHY, "enrolled", NOW),
        ("钱秀英", TAICHI, "enrolled", NOW),
    }

    assert [(f["member_no"], f["change"], f["site"]) for f in outbox("member")] == [
        ("XC0101", "created", settings.site.code),
        ("XC0102", "created", settings.site.code),
        ("XC0100", "created", settings.site.code),
    ]
    assert sorted((f["member_no"], f["course"], f["status"]) for f in outbox("enrollment")) == [
        ("XC0101", CALLIGRAPHY, "enrolled"),
        ("XC0101", TAICHI, "enrolled"),
        ("XC0102", TAICHI, "enrolled"),
    ]
    (entry,) = Audit.select()
    detail = json.loads(entry.detail)
    assert (entry.action, entry.staff_name) == ("import.members", "命令行")
    assert detail["file"] == "名单.xlsx"
    assert detail["sha256"] == hashlib.sha256((tmp_path / "名单.xlsx").read_bytes()).hexdigest()
    assert (detail["created"], detail["enrolled"]) == (3, 3)
    # The ID numbers themselves are nowhere: not in the database file, nor in any fact.
    stored = b"".join(p.read_bytes() for p in (tmp_path / "data").glob("kiosk.db*"))
    for number in (ID_ZHAO, ID_QIAN):
        assert number.encode() not in stored and number not in str(outbox("member"))


def test_a_full_course_puts_the_rest_on_its_waitlist(tmp_path, world, courses, actor, settings):
    taken = world.member("DM9001", "王建华")
    world.enroll(taken, courses[0])
    path = xlsx(tmp_path / "r.xlsx", [["姓名", "课程"], ["甲", TAICHI], ["乙", TAICHI], ["丙", TAICHI]])
    report = members(actor, path, settings)
    assert (report.enrolled, report.waitlisted) == (1, 2)
    assert report.warnings == [
        t("imports.waitlisted", row="第 3 行", name="乙", course=TAICHI),
        t("imports.waitlisted", row="第 4 行", name="丙", course=TAICHI),
    ]
    assert [(e.member.name, e.status) for e in Enrollment.select().order_by(Enrollment.id)] == [
        ("王建华", "enrolled"),
        ("甲", "enrolled"),
        ("乙", "waitlisted"),
        ("丙", "waitlisted"),
    ]


def test_importing_the_same_roster_again_changes_nothing(tmp_path, world, courses, actor, settings):
    path = xlsx(
        tmp_path / "r.xlsx",
        [
            HEADER,
            ["", "赵国强", "", "", "13812345678", ID_ZHAO, TAICHI],
            ["", "钱秀英", "女", "1952-07-15", "13900001111", "", CALLIGRAPHY],
            ["DM0100", "孙丽", "", "", "", "", f"{TAICHI}；{CALLIGRAPHY}"],
            ["", "周桂兰", "女", "", "13900001111", "", ""],
        ],
    )  # 钱秀英's phone too
    first = members(actor, path, settings)
    assert (first.created, first.enrolled) == (4, 4)
    before = counts()
    again = members(actor, path, settings)  # known by ID number, member number, or name and phone
    assert (again.created, again.updated, again.unchanged, again.enrolled, again.waitlisted) == (0, 0, 4, 0, 0)
    assert counts() == {**before, "Audit": before["Audit"] + 1, "Outbox": before["Outbox"] + 1}
    assert again.warnings == []


def test_a_known_member_is_updated_by_number_or_id(tmp_path, world, courses, actor, settings):
    wang = world.member("DM9001", "王建华", ID_WANG, phone="13800000000", phone_last4="0000")
    li = world.member("DM9002", "李华", ID_LI)
    world.enroll(wang, courses[0])
    path = xlsx(
        tmp_path / "r.xlsx",
        [
            HEADER,
            ["DM9001", "王建国", "", "", "13811112222", "", TAICHI],
            ["", "李华", "", "1991-01-01", "", ID_LI, CALLIGRAPHY],
        ],
    )
    report = members(actor, path, settings)
    assert (report.created, report.updated, report.enrolled) == (0, 2, 1)
    wang, li = Member.get_by_id(wang.id), Member.get_by_id(li.id)
    assert (wang.name, wang.initials, wang.phone, wang.phone_last4) == ("王建国", "wjg", "13811112222", "2222")
    assert wang.id_hash == ids.id_hash(ID_WANG, world.id_key)  # a blank cell keeps what is there
    assert li.gender == "男"  # from the ID number; the birth date is checked, not kept
    assert Enrollment.select().where(Enrollment.member == wang).count() == 1  # not doubled
    assert [(f["member_no"], f["name"], f["change"]) for f in outbox("member")] == [
        ("DM9001", "王建国", "updated"),
        ("DM9002", "李华", "updated"),
    ]


def test_a_withdrawn_member_is_enrolled_again(tmp_path, world, courses, actor, settings):
    wang = world.member("DM9001", "王建华")
    world.enroll(wang, courses[1], status="withdrawn")
    report = members(
        actor, xlsx(tmp_path / "r.xlsx", [["学员编号", "姓名", "课程"], ["DM9001", "王建华", CALLIGRAPHY]]), settings
    )
    assert report.enrolled == 1
    assert Enrollment.get(Enrollment.member == wang).status == "enrolled"
    assert [(f["status"], f["previous"]) for f in outbox("enrollment")] == [("enrolled", "withdrawn")]


@pytest.mark.parametrize("cell", ["1948-03-02", "1948/3/2", "19480302", "1948年3月2日", datetime(1948, 3, 2)])
def test_birth_dates_as_people_type_them(tmp_path, world, actor, settings, cell):
    path = xlsx(tmp_path / "r.xlsx", [["姓名", "出生日期", "性别"], ["赵国强", cell, "男"]])
    assert members(actor, path, settings).errors == []
    assert Member.get().name == "赵国强"  # the date is checked, not kept: beside an id_hash it narrows a search


def test_a_birth_year_column(tmp_path, world, actor, settings):
    path = xlsx(tmp_path / "r.xlsx", [["姓名", "出生年份"], ["赵国强", 1948], ["钱秀英", "1952年"]])
    assert members(actor, path, settings).errors == []
    assert [m.name for m in Member.select().order_by(Member.id)] == ["赵国强", "钱秀英"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_as_excel_saves_it(tmp_path, world, courses, actor, settings, encoding):
    path = csv_file(
        tmp_path / "名单.csv",
        [
            HEADER,
            ["", "赵国强", "男", "1948/3/2", "13812345678", ID_ZHAO, TAICHI],
            ["", "欧阳淑珍", "女", "", "", "", CALLIGRAPHY],
        ],
        encoding,
    )
    report = members(actor, path, settings)
    assert report.errors == [] and (report.created, report.enrolled) == (2, 2)
    assert [(m.name, m.gender) for m in Member.select().order_by(Member.id)] == [("赵国强", "男"), ("欧阳淑珍", "女")]


def test_a_dry_run_reports_and_writes_nothing(tmp_path, world, courses, actor, settings):
    before = counts()
    report = members(
        actor,
        xlsx(tmp_path / "r.xlsx", [["姓名", "课程"], ["甲", TAICHI], ["乙", CALLIGRAPHY]]),
        settings,
        dry_run=True,
    )
    assert (report.dry_run, report.created, report.enrolled, report.errors) == (True, 2, 2, [])
    assert counts() == before


def test_a_senior_without_number_id_or_phone_named_like_a_member_is_flagged(tmp_path, world, actor, settings):
    world.member("DM9001", "王建华")
    report = members(actor, xlsx(tmp_path / "r.xlsx", [["姓名"], ["王建华"]]), settings)
    assert report.created == 1
    assert report.warnings == [t("imports.namesake", row="第 2 行", name="王建华", member_no="DM9001")]


# -- members: bad rows ----------------------------------------------------------------------------

GOOD = ["", "赵国强", "男", "", "13812345678", ID_ZHAO, TAICHI]

BAD_ROWS = {
    "missing name": (["", "", "", "", "13812340000", "", ""], "姓名", "imports.required", {}),
    "bad phone": (["", "钱秀英", "", "", "1381234", "", ""], "手机号", "imports.bad_phone", {"value": "1381234"}),
    "bad ID check character": (["", "钱秀英", "", "", "", ID_BAD_CHECK, ""], "身份证号", "card.id_bad_check", {}),
    "bad ID format": (["", "钱秀英", "", "", "", "12345", ""], "身份证号", "card.id_bad_format", {}),
    "bad gender": (["", "钱秀英", "m", "", "", "", ""], "性别", "imports.bad_gender", {"value": "m"}),
    "bad date": (["", "钱秀英", "", "1952-02-30", "", "", ""], "出生日期", "imports.bad_date", {"value": "1952-02-30"}),
    "future date": (
        ["", "钱秀英", "", "2030-01-01", "", "", ""],
        "出生日期",
        "imports.bad_date",
        {"value": "2030-01-01"},
    ),
    "bad member number": (
        ["DM 01", "钱秀英", "", "", "", "", ""],
        "学员编号",
        "imports.bad_member_no",
        {"value": "DM 01"},
    ),
    "duplicate ID in the file": (
        ["", "钱秀英", "", "", "", ID_ZHAO, ""],
        "身份证号",
        "imports.duplicate_id",
        {"last4": ID_ZHAO[-4:], "other": "第 2 行"},
    ),
    "ID of another member": (
        ["DM0100", "钱秀英", "", "", "", ID_WANG, ""],
        "身份证号",
        "imports.id_taken",
        {"last4": ID_WANG[-4:], "member_no": "DM9001"},
    ),
    "unknown course": (
        ["", "钱秀英", "", "", "", "", f"{TAICHI}、国画班"],
        "课程",
        "imports.unknown_course",
        {"name": "国画班", "term": "2025年春季学期"},
    ),
}


@pytest.mark.parametrize("case", BAD_ROWS, ids=list(BAD_ROWS))
def test_a_bad_row_is_reported_and_nothing_is_written(tmp_path, world, courses, actor, settings, case):
    world.member("DM9001", "王建华", ID_WANG)
    row, column, key, values = BAD_ROWS[case]
    before = counts()
    report = members(actor, xlsx(tmp_path / "r.xlsx", [HEADER, GOOD, row]), settings)
    assert report.errors == [RowError(3, column, t(key, **values))]
    letter = "ABCDEFG"[HEADER.index(column)]
    assert str(report.errors[0]) == f"第 3 行 {letter} 列「{column}」：{t(key, **values)}"
    assert counts() == before


def test_a_member_number_twice_in_the_file(tmp_path, world, actor, settings):
    before = counts()
    report = members(
        actor, xlsx(tmp_path / "r.xlsx", [["学员编号", "姓名"], ["dm0100", "甲"], ["DM0100", "乙"]]), settings
    )
    assert report.errors == [RowError(3, "学员编号", t("imports.duplicate_no", value="DM0100", other="第 2 行"))]
    assert counts() == before


def test_an_id_number_differing_from_the_members_own(tmp_path, world, actor, settings):
    world.member("DM9001", "王建华", ID_WANG)
    report = members(
        actor, xlsx(tmp_path / "r.xlsx", [["学员编号", "姓名", "身份证号"], ["DM9001", "王建华", ID_ZHAO]]), settings
    )
    assert report.errors == [RowError(2, "身份证号", t("imports.id_differs", member_no="DM9001"))]


def test_every_problem_of_the_file_is_reported_at_once(tmp_path, world, courses, actor, settings):
    before = counts()
    report = members(
        actor,
        xlsx(
            tmp_path / "r.xlsx",
            [HEADER, ["", "", "x", "", "123", ID_BAD_CHECK, ""], GOOD, ["", "钱秀英", "", "", "", "", "国画班"]],
        ),
        settings,
    )
    assert [(e.row, e.column) for e in report.errors] == [
        (2, "姓名"),
        (2, "性别"),
        (2, "手机号"),
        (2, "身份证号"),
        (4, "课程"),
    ]
    assert counts() == before


def test_courses_need_a_term(tmp_path, world, actor, settings):
    Term.update(end=date(2025, 2, 1)).execute()  # the only term is over
    report = members(actor, xlsx(tmp_path / "r.xlsx", [["姓名", "课程"], ["甲", TAICHI]]), settings)
    assert report.errors == [RowError(2, "课程", t("imports.no_term"))]


# -- members: files that cannot be used ------------------------------------------------------------


def test_a_missing_required_column_refuses_the_file(tmp_path, world, actor, settings):
    with pytest.raises(Refused) as e:
        members(actor, xlsx(tmp_path / "r.xlsx", [["学员编号", "手机号"], ["DM0001", "13812345678"]]), settings)
    assert e.value.key == "imports.missing_column" and e.value.values["column"] == "姓名"


@pytest.mark.parametrize(
    "name, content, key",
    [
        ("r.xls", b"\xd0\xcf\x11\xe0", "imports.unsupported"),
        ("r.xlsx", b"not a zip file", "imports.unreadable"),
        ("r.csv", b"\xff\xfe\x00\x81\x30\xff\xff", "imports.unreadable"),
        ("r.csv", "姓名\n\n".encode(), "imports.no_rows"),
        ("r.csv", b"", "imports.no_rows"),
    ],
)
def test_a_file_that_cannot_be_read(tmp_path, world, actor, settings, name, content, key):
    (tmp_path / name).write_bytes(content)
    with pytest.raises(Refused) as e:
        members(actor, tmp_path / name, settings)
    assert e.value.key == key


def test_a_missing_file(tmp_path, world, actor, settings):
    with pytest.raises(Refused) as e:
        members(actor, tmp_path / "nope.xlsx", settings)
    assert e.value.key == "imports.not_found"


def test_two_columns_for_the_same_thing(tmp_path, world, actor, settings):
    with pytest.raises(Refused) as e:
        members(actor, xlsx(tmp_path / "r.xlsx", [["姓名", "手机", "电话"], ["甲", "", ""]]), settings)
    assert (e.value.key, e.value.values) == ("imports.duplicate_column", {"a": "手机", "b": "电话"})


def test_only_an_admin_imports(tmp_path, world, settings):
    clerk = Staff.create(name="小李", pin_hash="-", role="staff", site=world.site)
    boss = Staff.create(name="张主任", pin_hash="-", role="admin", site=world.site)
    path = xlsx(tmp_path / "r.xlsx", [["姓名"], ["甲"]])
    with pytest.raises(Refused) as e:
        members(Actor.of(clerk, settings), path, settings)
    assert e.value.key == "access.admin_only" and Member.select().count() == 0
    assert members(Actor.of(boss, settings), path, settings).created == 1
    assert Audit.get().staff_name == "张主任"


# -- courses ---------------------------------------------------------------------------------------

COURSE_HEADER = ["课程名称", "类别", "教师", "教室", "容量", "上课时间"]


def import_courses(actor, path, world, **kw):
    return imports.import_courses(actor, path, NOW, **{"term_id": world.term.id, **kw})


def test_a_course_list_goes_in_with_its_lessons(tmp_path, world, actor):
    Holiday.create(term=world.term, day=date(2025, 5, 1), name="劳动节")  # a Thursday
    path = xlsx(
        tmp_path / "课程.xlsx",
        [
            COURSE_HEADER,
            ["书法（二）班", "书法", "刘墨林", "二楼 201", 30, "周二 09:00-11:00；周四 14:00-16:00"],
            ["太极拳（一）班", "", "孙武", "一楼 多功能厅", "", "星期一 9:00-11:00"],
        ],
    )
    report = import_courses(actor, path, world)
    assert report.errors == [] and (report.created, report.unchanged) == (2, 0)
    calligraphy, taichi = Course.select().order_by(Course.id)
    assert (calligraphy.name, calligraphy.category, calligraphy.teacher, calligraphy.room, calligraphy.capacity) == (
        "书法（二）班",
        "书法",
        "刘墨林",
        "二楼 201",
        30,
    )
    assert json.loads(calligraphy.schedule) == [
        {"weekday": 2, "start": "09:00", "end": "11:00"},
        {"weekday": 4, "start": "14:00", "end": "16:00"},
    ]
    assert (taichi.category, taichi.capacity) == ("lesson", 0)
    # 2025-02-24 … 06-29 has 18 Mondays, 18 Tuesdays and 18 Thursdays, one of them 劳动节.
    assert (calligraphy.lessons.count(), taichi.lessons.count(), report.lessons) == (35, 18, 53)
    assert not Lesson.select().where(Lesson.start.between(datetime(2025, 5, 1), datetime(2025, 5, 2))).exists()
    assert Lesson.select().where(Lesson.course == taichi).order_by(Lesson.start).first().start == datetime(
        2025, 2, 24, 9, 0
    )
    assert [f["name"] for f in outbox("course")] == ["书法（二）班", "太极拳（一）班"]
    assert [len(f["lessons"]) for f in outbox("lesson")] == [35, 18]
    (entry,) = Audit.select()
    assert entry.action == "import.courses" and json.loads(entry.detail)["lessons"] == 53


def test_the_term_from_a_column(tmp_path, world, actor):
    autumn = Term.create(site=world.site, name="2025年秋季学期", start=date(2025, 9, 1), end=date(2025, 9, 14))
    path = xlsx(tmp_path / "c.xlsx", [["班级", "上课时间", "学期"], ["合唱班", "周三 14:00-16:00", "2025年秋季学期"]])
    report = imports.import_courses(actor, path, NOW)
    assert report.errors == [] and report.lessons == 2
    assert Course.get().term.id == autumn.id


def test_a_term_is_required(tmp_path, world, actor):
    with pytest.raises(Refused) as e:
        imports.import_courses(
            actor, xlsx(tmp_path / "c.xlsx", [["课程名称", "上课时间"], ["合唱班", "周三 14:00-16:00"]]), NOW
        )
    assert e.value.key == "imports.term_required"


def test_an_identical_course_is_left_alone_so_a_list_imports_again(tmp_path, world, actor):
    path = xlsx(tmp_path / "c.xlsx", [COURSE_HEADER, ["合唱班", "声乐", "杨春燕", "四楼 401", 40, "周三 14:00-16:00"]])
    import_courses(actor, path, world)
    before = counts()
    again = import_courses(actor, path, world)
    assert (again.created, again.unchanged, again.lessons, again.errors) == (0, 1, 0, [])
    assert counts() == {**before, "Audit": before["Audit"] + 1, "Outbox": before["Outbox"] + 1}


BAD_COURSES = {
    "bad schedule": (
        ["国画班", "", "", "", "", "周八 09:00"],
        "上课时间",
        "schedule.unreadable",
        {"part": "周八 09:00"},
    ),
    "backwards schedule": (
        ["国画班", "", "", "", "", "周二 11:00-09:00"],
        "上课时间",
        "schedule.backwards",
        {"slot": "周二 11:00-09:00"},
    ),
    "missing schedule": (["国画班", "", "", "", "", ""], "上课时间", "schedule.empty", {}),
    "missing name": (["", "", "", "", "", "周二 14:00-16:00"], "课程名称", "imports.required", {}),
    "bad capacity": (["国画班", "", "", "", "-3", "周二 14:00-16:00"], "容量", "imports.bad_capacity", {"value": "-3"}),
    "fractional capacity": (
        ["国画班", "", "", "", 2.5, "周二 14:00-16:00"],
        "容量",
        "imports.bad_capacity",
        {"value": "2.5"},
    ),
    "room clash with the term": (
        ["国画班", "", "", "一楼  多功能厅", "", "周一 10:00-12:00"],
        "教室",
        "imports.room_clash",
        {"room": "一楼  多功能厅", "slot": "周一 10:00-12:00", "other": "太极拳（一）班"},
    ),
    "room clash in the file": (
        ["国画班", "", "", "二楼 201", "", "周二 10:30-11:30"],
        "教室",
        "imports.room_clash_in_file",
        {"room": "二楼 201", "slot": "周二 10:30-11:30", "other": "书法（二）班", "other_row": "第 2 行"},
    ),
    "same name in the file": (
        ["书法(二)班", "", "", "", "", "周五 09:00-11:00"],
        "课程名称",
        "imports.duplicate_course",
        {"name": "书法(二)班", "other": "第 2 行"},
    ),
    "a different course of that name": (
        ["太极拳（一）班", "", "孙武", "", "", "周五 09:00-11:00"],
        "课程名称",
        "imports.course_exists",
        {"name": "太极拳（一）班", "term": "2025年春季学期"},
    ),
}


@pytest.mark.parametrize("case", BAD_COURSES, ids=list(BAD_COURSES))
def test_a_bad_course_row_is_reported_and_nothing_is_written(tmp_path, world, courses, actor, case):
    row, column, key, values = BAD_COURSES[case]
    good = ["书法（二）班", "", "刘墨林", "二楼 201", 30, "周二 09:00-11:00"]
    Course.delete().where(Course.name == CALLIGRAPHY).execute()
    before = counts()
    report = import_courses(actor, xlsx(tmp_path / "c.xlsx", [COURSE_HEADER, good, row]), world)
    assert report.errors == [RowError(3, column, t(key, **values))]
    assert counts() == before


def test_an_unknown_term_in_the_column(tmp_path, world, actor):
    report = imports.import_courses(
        actor,
        xlsx(tmp_path / "c.xlsx", [["课程名称", "上课时间", "学期"], ["合唱班", "周三 14:00-16:00", "2030年春季学期"]]),
        NOW,
    )
    assert report.errors == [RowError(2, "学期", t("imports.unknown_term", name="2030年春季学期"))]
    assert Course.select().count() == 0


def test_a_course_list_as_gb18030_csv(tmp_path, world, actor):
    path = csv_file(
        tmp_path / "课程.csv",
        [
            ["课程", "老师", "地点", "人数", "上课时间"],
            ["智能手机应用班", "周晓明", "三楼 机房", "25人", "周五 09:00～11:00"],
        ],
        "gb18030",
    )
    report = import_courses(actor, path, world)
    assert report.errors == [] and report.created == 1
    course = Course.get()
    assert (course.name, course.teacher, course.room, course.capacity) == ("智能手机应用班", "周晓明", "三楼 机房", 25)
