"""The Excel templates 新建课程 offers: the importer's own headers, an example row the importer
takes as it is, a note sheet it leaves alone, and cells that never become formulas."""

import json

from openpyxl import load_workbook

from kiosk.desk import imports, templates
from kiosk.desk.imports.courses import COURSE_COLUMNS
from kiosk.desk.imports.members import MEMBER_COLUMNS
from kiosk.staff.audit import Actor
from kiosk.store.models import Audit, Course, Member
from tests.kiosk.desk.imports.files import NOW


def sheets(path) -> dict[str, list[list]]:
    book = load_workbook(path)
    return {s.title: [list(r) for r in s.iter_rows(values_only=True)] for s in book.worksheets}


def test_the_course_template_goes_back_in_through_the_importer(tmp_path, world, settings):
    actor = Actor.of(None, settings)
    path = templates.write_template(actor, "courses", tmp_path, NOW, term=world.term.name)
    assert path.name == "课程表模板.xlsx"
    book = sheets(path)
    assert list(book) == ["课程表", "填写说明"]
    header, example = book["课程表"]
    assert header == ["课程名称", "教师", "教室", "容量", "上课时间", "学期", "类别"]
    assert all(h == COURSE_COLUMNS[f][0] for h, f in zip(header, templates.FIELDS["courses"]))
    assert example[:5] == ["太极拳（三）班", "陈老师", "一楼 多功能厅", "30", "周二 09:00-11:00；周四 09:00-11:00"]
    notes = book["填写说明"]
    assert [row[0] for row in notes[1:-1]] == [f"「{h}」" for h in header]  # every column explained

    report = imports.import_courses(actor, path, NOW)  # the term from the 学期 column
    assert report.errors == [] and report.created == 1
    course = Course.get(Course.name == "太极拳（三）班")
    assert (course.teacher, course.room, course.capacity, course.term_id) == (
        "陈老师",
        "一楼 多功能厅",
        30,
        world.term.id,
    )
    assert [s["weekday"] for s in json.loads(course.schedule)] == [2, 4]
    assert Audit.select().where(Audit.action == "template").get().target == "file 课程表模板.xlsx"


def test_the_member_template_goes_back_in_through_the_importer(tmp_path, world, settings):
    actor = Actor.of(None, settings)
    path = templates.write_template(actor, "members", tmp_path, NOW)
    header, example = sheets(path)["学员名单"]
    assert all(h == MEMBER_COLUMNS[f][0] for h, f in zip(header, templates.FIELDS["members"], strict=True))
    report = imports.import_members(actor, path, NOW, settings)
    assert report.errors == [] and report.created == 1
    member = Member.get(Member.name == "王秀英")
    assert (member.gender, member.phone, member.nation) == ("女", "13800138000", "汉族")


def test_a_second_template_does_not_overwrite_the_first(tmp_path, world, settings):
    actor = Actor.of(None, settings)
    first = templates.write_template(actor, "courses", tmp_path, NOW)
    second = templates.write_template(actor, "courses", tmp_path, NOW)
    assert (first.name, second.name) == ("课程表模板.xlsx", "课程表模板_2.xlsx")


def test_template_cells_are_never_formulas(tmp_path, world, settings):
    """The 学期 cell holds a term's name as the kiosk has it: text, even one that looks like a formula."""
    path = templates.write_template(Actor.of(None, settings), "courses", tmp_path, NOW, term="=1+1")
    cell = load_workbook(path)["课程表"]["F2"]
    assert (cell.value, cell.data_type) == ("=1+1", "s")
