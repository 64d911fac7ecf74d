"""Every table of the console downloads as .xlsx (bureau/console: activities, notices, members,
accounts, the timetable): over HTTP against a real `python -m bureau serve`, each download read back
with openpyxl.  A download shows what its page shows to the same account: another site's rows are
not in it, another site's member record or timetable is not found, and a name that looks like a
formula stays text."""

import io
import uuid
from datetime import date, datetime, timedelta
from urllib.parse import unquote

import httpx
import pytest
from openpyxl import load_workbook

from bureau import admin
from bureau.models import Attendance, LedgerEntry, Member, Signup, Site, Term
from bureau.programme import activities, classes, notices
from bureau.programme.activities import Draft
from bureau.programme.classes import CourseFields
from bureau.programme.members import initials
from bureau.store import write
from tests.bureau.console.signed_in import SignedIn, account

A, B = "DEMO-001", "DEMO-002"
FORMULA = "=1+1"


@pytest.fixture
def store_url(tmp_path):
    """A SQLite file only: the queries are the pages' own, tried on both stores by their tests."""
    return f"sqlite:///{tmp_path / 'bureau.db'}"


@pytest.fixture
def programme(store):
    """Two sites, each with an activity, a notice, a term with a course and members; an activity
    for every site; A's first member with a sign-in, a signup and a passbook entry."""
    a = admin.add_site(A, "示范区老干部活动中心", prefix="XC")
    b = admin.add_site(B, "东城街道长者服务站", prefix="DC")
    kiosk = admin.add_kiosk(A)
    account("admin", "admin")
    account("reader", "viewer")
    account("staff-a", "staff", a)
    account("staff-b", "staff", b)
    now = datetime.now().replace(second=0, microsecond=0)
    start = now + timedelta(days=7)
    with write():
        for no, name, site in (("XC0001", "王建华", a), ("XC0002", FORMULA, a), ("DC0001", "王建军", b)):
            Member.create(member_no=no, name=name, phone_last4="1234", site=site, initials=initials(name))
        walk = activities.create(
            Draft("重阳健步行", start, start + timedelta(hours=2), place="滨江公园"), [a], "staff-a"
        )
        activities.create(Draft("东城合唱排练", start, start + timedelta(hours=2)), [b], "staff-b")
        activities.create(Draft("全市形势报告会", start, start + timedelta(hours=1)), [None], "admin")
        notices.publish(a, "notice", "周三停水", "活动室周三停水一天", now, now + timedelta(days=2), "staff-a")
        notices.publish(b, "suspend", "东城合唱停课", "", now, now + timedelta(days=2), "staff-b")
        today = date.today()
        for site, title in ((a, "太极拳"), (b, "东城书法")):
            term = classes.save_term(site, "2026 秋季", today - timedelta(days=30), today + timedelta(days=60), "admin")
            fields = CourseFields(title, teacher="李老师", room="201", schedule=(classes.slot("1 09:00-11:00"),))
            classes.save_course(site, term, fields, "admin")
        choir = classes.save_course(
            a, term_of(A), CourseFields("合唱", schedule=(classes.slot("3 14:00-16:00"),)), "admin"
        )
        classes.enroll(choir, Member.get(Member.member_no == "XC0001"), "staff-a", now)
        lesson = now.replace(hour=9, minute=0) - timedelta(days=1)
        Attendance.create(
            event_id=str(uuid.uuid4()),
            member_no="XC0001",
            site=a,
            kiosk=kiosk,
            kind="lesson",
            title="太极拳",
            start=lesson,
            at=lesson,
            business_day=lesson.date(),
            method="qr",
        )
        Signup.create(
            site=a, member_no="XC0001", activity=walk[0], title="重阳健步行", start=start, status="registered", at=now
        )
        LedgerEntry.create(
            entry_id=str(uuid.uuid4()),
            member_no="XC0001",
            amount=5,
            kind="lesson",
            site=a,
            business_day=lesson.date(),
            balance_after=5,
            note="太极拳",
            at=now,
        )
    return a, b


def term_of(code: str) -> Term:
    return Term.get(Term.site == Site.get(Site.code == code))


def workbook(reply: httpx.Response, name: str) -> dict[str, list[tuple]]:
    """The download's sheets (title → rows, the header first), after checking it is one, named
    `name` and today's date."""
    assert reply.status_code == 200, reply.text
    assert reply.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    disposition = reply.headers["content-disposition"]
    assert unquote(disposition.split("''", 1)[1]) == f"{name}-{date.today().isoformat()}.xlsx"
    book = load_workbook(io.BytesIO(reply.content))
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}


def column(rows: list[tuple], header: str) -> list:
    i = rows[0].index(header)
    return [row[i] for row in rows[1:]]


@pytest.fixture
def staff_a(server, programme):
    browser = SignedIn(server.url, "staff-a")
    yield browser
    browser.close()


@pytest.fixture
def staff_b(server, programme):
    browser = SignedIn(server.url, "staff-b")
    yield browser
    browser.close()


def test_a_centres_staff_download_each_list_of_their_own_site(staff_a):
    page = staff_a.get("/web/activities").text
    assert 'href="/web/activities?format=xlsx"' in page
    sheets = workbook(staff_a.get("/web/activities", format="xlsx"), "活动列表")
    rows = sheets["活动"]
    assert rows[0] == ("活动", "类别", "站点", "开始", "结束", "地点", "名额", "状态")
    walk = next(row for row in rows if row[0] == "重阳健步行")
    assert walk[2] == "示范区老干部活动中心" and walk[5] == "滨江公园" and walk[6] == "不限" and walk[7] == "需报名"
    assert set(column(rows, "活动")) == {"重阳健步行", "全市形势报告会"}  # not B's rehearsal
    assert 'href="/web/activities?past=1&amp;format=xlsx"' in staff_a.get("/web/activities", past=1).text

    assert 'href="/web/notices?site=DEMO-001&amp;format=xlsx"' in staff_a.get("/web/notices").text
    rows = workbook(staff_a.get("/web/notices", format="xlsx"), "通知列表")["通知"]
    assert rows[1:] == [
        (
            "正在显示",
            "通知",
            "周三停水",
            "活动室周三停水一天",
            "示范区老干部活动中心",
            rows[1][5],
            rows[1][6],
            "staff-a",
        )
    ]

    page = staff_a.get("/web/members", q="王").text
    assert 'href="/web/members?q=%E7%8E%8B&amp;site=DEMO-001&amp;format=xlsx"' in page
    rows = workbook(staff_a.get("/web/members", q="王", format="xlsx"), "学员查找结果")["学员"]
    assert rows[0] == ("学号", "姓名", "拼音首字母", "性别", "电话后四位", "站点", "积分")
    assert [row[:2] for row in rows[1:]] == [("XC0001", "王建华")]  # not B's 王建军

    term = term_of(A)
    assert (
        f'href="/web/classes/terms/{term.id}/timetable.xlsx"'
        in staff_a.get(f"/web/classes/terms/{term.id}/timetable").text
    )
    rows = workbook(
        staff_a.get(f"/web/classes/terms/{term.id}/timetable.xlsx"), "示范区老干部活动中心-2026 秋季-课程表"
    )["课程表"]
    assert rows == [
        ("星期", "上课", "下课", "课程", "教室", "教师"),
        ("周一", "09:00", "11:00", "太极拳", "201", "李老师"),
        ("周三", "14:00", "16:00", "合唱", None, None),
    ]

    assert 'href="/web/classes?site=DEMO-001&amp;format=xlsx"' in staff_a.get("/web/classes").text
    rows = workbook(staff_a.get("/web/classes", format="xlsx"), "学期列表")["学期"]
    assert rows[0] == ("学期", "站点", "开始", "结束", "课程数", "状态")
    assert [row[:2] + row[4:] for row in rows[1:]] == [("2026 秋季", "示范区老干部活动中心", 2, "本学期")]


def test_a_members_record_downloads_a_sheet_per_table(staff_a):
    assert 'href="/web/members/XC0001?format=xlsx"' in staff_a.get("/web/members/XC0001").text
    sheets = workbook(staff_a.get("/web/members/XC0001", format="xlsx"), "学员记录-XC0001")
    assert list(sheets) == ["课程", "签到记录", "活动报名", "积分存折"]
    assert sheets["课程"][0] == ("课程", "学期", "状态", "时间")
    assert sheets["课程"][1][:3] == ("合唱", "2026 秋季", "已报名")
    assert sheets["签到记录"][1][1:] == ("太极拳", sheets["签到记录"][1][0], "二维码")
    assert sheets["活动报名"][1][::2] == ("重阳健步行", "已报名")
    assert sheets["积分存折"][0] == ("日期", "事项", "积分", "余额", "备注")
    assert sheets["积分存折"][1][1:] == ("lesson", 5, 5, "太极拳")


def test_another_sites_staff_download_nothing_of_it(staff_b):
    assert staff_b.get("/web/members/XC0001", format="xlsx").status_code == 404
    assert staff_b.get("/web/members", q="王", site=A, format="xlsx").status_code == 404
    assert staff_b.get("/web/notices", site=A, format="xlsx").status_code == 404
    assert staff_b.get(f"/web/classes/terms/{term_of(A).id}/timetable.xlsx").status_code == 404
    rows = workbook(staff_b.get("/web/members", q="王", format="xlsx"), "学员查找结果")["学员"]
    assert column(rows, "学号") == ["DC0001"]
    rows = workbook(staff_b.get("/web/activities", format="xlsx"), "活动列表")["活动"]
    assert set(column(rows, "活动")) == {"东城合唱排练", "全市形势报告会"}
    rows = workbook(staff_b.get("/web/notices", format="xlsx"), "通知列表")["通知"]
    assert column(rows, "标题") == ["东城合唱停课"]
    assert staff_b.get("/web/accounts", format="xlsx").status_code == 403  # the admin's only


def test_only_an_admin_downloads_the_accounts(server, programme):
    boss, reader = SignedIn(server.url, "admin"), SignedIn(server.url, "reader")
    try:
        assert 'href="/web/accounts?format=xlsx"' in boss.get("/web/accounts").text
        rows = workbook(boss.get("/web/accounts", format="xlsx"), "账号列表")["账号"]
        assert rows[0] == ("用户名", "姓名", "角色", "站点", "状态", "最近登录")
        assert ("staff-a", "staff-a同志", "中心工作人员", "示范区老干部活动中心", "正常") in [r[:5] for r in rows]
        assert column(rows, "用户名") == ["admin", "reader", "staff-a", "staff-b"]
        assert reader.get("/web/accounts", format="xlsx").status_code == 403
    finally:
        boss.close()
        reader.close()


def test_a_name_like_a_formula_stays_text(staff_a):
    reply = staff_a.get("/web/members", q="XC0002", format="xlsx")
    assert reply.status_code == 200
    sheet = load_workbook(io.BytesIO(reply.content))["学员"]
    name = sheet.cell(row=2, column=2)
    assert name.value == FORMULA and name.data_type == "s"
    record = load_workbook(io.BytesIO(staff_a.get("/web/members/XC0002", format="xlsx").content))
    assert all(cell.data_type != "f" for sheet in record.worksheets for row in sheet.iter_rows() for cell in row)
