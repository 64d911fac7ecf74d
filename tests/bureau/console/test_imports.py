"""Importing a course list and a roster in the console (bureau/console/imports.py) over HTTP
against a real `python -m bureau serve`: the preview shows each row's problem in Chinese and
changes nothing, the confirm applies the good rows and audits the import; a garbage file gets a
kind message; another site's term answers 404, a read-only account 403."""

import io
import re
from datetime import date, timedelta

import httpx
from openpyxl import Workbook, load_workbook

from bureau import streams
from bureau.models import AuditEntry, Course, Enrollment, Member, PendingImport, Term
from bureau.programme import classes
from bureau.programme.classes import CourseFields
from bureau.store import write

from .test_classes import A, B, Staff, sites, store_url  # noqa: F401  (fixtures)


def workbook(rows: list[list]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # typed as text, as a senior's name field would be
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(staff: Staff, path: str, name: str, data: bytes) -> httpx.Response:
    return staff.http.post(path, data={"csrf": staff.csrf}, files={"file": (name, data)})


def term_of(site) -> Term:
    today = date.today()
    with write():
        return classes.save_term(site, "2026 秋季", today - timedelta(days=7), today + timedelta(days=90), "setup")


def test_a_course_list_is_previewed_then_applied_and_audited(server, sites):
    term = term_of(sites[0])
    a = Staff(server.url, "staff-a")
    data = workbook(
        [
            ["课程名称", "教师", "教室", "容量", "上课时间"],
            ["太极拳（一）班", "张老师", "一楼", 30, "周二 09:00-11:00"],
            ["书法班", "", "二楼", "", "周八 09:00-11:00"],
            ["合唱团", "李老师", "", "20人", "周四 14:00-16:00；周五 9:00-10:00"],
        ]
    )
    shown = upload(a, f"/web/classes/terms/{term.id}/import/courses", "秋季课程.xlsx", data)
    assert shown.status_code == 200, shown.text
    assert "2</strong> 行可以导入" in shown.text and "1</strong> 行有问题" in shown.text
    assert "看不懂上课时间「周八 09:00-11:00」" in shown.text and "第 3 行" in shown.text
    assert Course.select().count() == 0  # a preview changes nothing
    token = re.search(r'name="token" value="([^"]+)"', shown.text)[1]
    # Kept in the store, not in the worker that previewed it: any worker may take the confirmation.
    (kept,) = PendingImport.select()
    assert (kept.name, bytes(kept.data), kept.token_hash != token) == ("秋季课程.xlsx", data, True)

    done = a.http.post("/web/classes/import/confirm", data={"csrf": a.csrf, "token": token})
    assert done.status_code == 200, done.text
    assert "已导入 2 项" in done.text
    assert PendingImport.select().count() == 0
    made = {c.title: c for c in Course.select()}
    assert set(made) == {"太极拳（一）班", "合唱团"}
    assert classes.schedule(made["合唱团"])[1] == {"weekday": 5, "start": "09:00", "end": "10:00"}
    assert streams.data(streams.current("items", f"course:{made['合唱团'].key}"))["capacity"] == 20
    entry = AuditEntry.get(AuditEntry.action == "import.courses")
    assert entry.username == "staff-a" and "秋季课程.xlsx" in entry.detail and '"applied": 2' in entry.detail
    again = a.http.post("/web/classes/import/confirm", data={"csrf": a.csrf, "token": token})
    assert again.status_code == 410  # used once


def test_a_roster_names_members_by_number_or_name_and_last4(server, sites):
    term = term_of(sites[0])
    with write():
        weekly = ({"weekday": 2, "start": "09:00", "end": "11:00"},)
        course = classes.save_course(sites[0], term, CourseFields("书法班", capacity=1, schedule=weekly), "setup")
        Member.update(id_last4="123X").where(Member.member_no == "XC0002").execute()
    a = Staff(server.url, "staff-a")
    data = workbook(
        [
            ["学员编号", "姓名", "身份证后四位"],
            ["XC0001", "王建华", ""],
            ["", "李秀英", "123x"],  # by name and the last four: the waitlist (capacity 1)
            ["XC9999", "", ""],
            ["DC0001", "", ""],  # another site's member is unknown here
            ["", "=1+1", ""],
        ]
    )
    shown = upload(a, f"/web/classes/courses/{course.key}/import", "名单.xlsx", data)
    assert shown.status_code == 200, shown.text
    assert "本站点没有学号为「XC9999」的学员" in shown.text and "本站点没有学号为「DC0001」的学员" in shown.text
    assert "「=1+1」不能以 = + - @ 开头" in shown.text  # shown as text, refused
    assert Enrollment.select().count() == 0
    token = re.search(r'name="token" value="([^"]+)"', shown.text)[1]
    b = Staff(server.url, "staff-b")
    assert b.http.post("/web/classes/import/confirm", data={"csrf": b.csrf, "token": token}).status_code == 410
    done = a.http.post("/web/classes/import/confirm", data={"csrf": a.csrf, "token": token})
    assert "已导入 2 项" in done.text
    assert {(e.member_no, e.status) for e in Enrollment.select()} == {("XC0001", "enrolled"), ("XC0002", "waitlisted")}
    assert streams.data(streams.current("items", f"enrollment:{course.key}:XC0001"))["status"] == "enrolled"
    assert AuditEntry.select().where(AuditEntry.action == "import.roster").count() == 1


def test_garbage_other_sites_and_read_only_accounts(server, sites):
    term = term_of(sites[0])
    with write():
        other = classes.save_term(sites[1], "东城 秋季", date.today(), date.today() + timedelta(days=60), "setup")
    a = Staff(server.url, "staff-a")
    path = f"/web/classes/terms/{term.id}/import/courses"
    garbage = upload(a, path, "课程.xlsx", b"PK\x03\x04 not really a workbook")
    assert garbage.status_code == 400 and "打不开或已损坏" in garbage.text
    wrong = upload(a, path, "课程.txt", b"name")
    assert wrong.status_code == 400 and "只能导入 .xlsx 或 .csv" in wrong.text
    big = upload(a, path, "课程.csv", b"x" * (5 * 1024 * 1024 + 1))
    assert big.status_code == 400 and "太大了" in big.text
    imported = AuditEntry.select().where(AuditEntry.action.startswith("import"))
    assert Course.select().count() == 0 and imported.count() == 0
    csv = "课程名称,上课时间\n太极拳,周二 09:00-11:00\n".encode("utf-8-sig")
    assert upload(a, f"/web/classes/terms/{other.id}/import/courses", "c.csv", csv).status_code == 404
    reader = Staff(server.url, "reader")
    assert upload(reader, path, "c.csv", csv).status_code == 403
    template = a.get("/web/classes/templates/roster.xlsx")
    book = load_workbook(io.BytesIO(template.content))
    assert [c.value for c in book.worksheets[0][1]] == ["学员编号", "姓名", "身份证后四位", "课程"]
