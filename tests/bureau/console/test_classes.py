"""The classes and members pages (bureau/console/classes.py, members.py) over HTTP against a real
`python -m bureau serve`: a center's staff make a term, a holiday, a course, enrol seniors, cancel
a lesson and download the spreadsheets; another center's staff find none of it, by URL or by form."""

import io
import re
from datetime import date, datetime, timedelta

import httpx
import pytest
from openpyxl import load_workbook

from bureau import admin, streams, users
from bureau.models import BureauUser, Course, Enrollment, LessonChange, Member, Notice, Term, WebSession
from bureau.programme import classes
from bureau.programme.classes import CourseFields
from bureau.programme.members import initials
from bureau.store import write

PASSWORD = "correct-horse-9"
A, B = "DEMO-001", "DEMO-002"


@pytest.fixture
def store_url(tmp_path):
    """A SQLite file only: the rules themselves run on both stores in tests/bureau/programme."""
    return f"sqlite:///{tmp_path / 'bureau.db'}"


@pytest.fixture
def sites(store):
    a = admin.add_site(A, "示范区老干部活动中心", prefix="XC")
    b = admin.add_site(B, "东城街道长者服务站", prefix="DC")
    users.add_user("staff-a", PASSWORD, "staff", a)
    users.add_user("staff-b", PASSWORD, "staff", b)
    users.add_user("reader", PASSWORD, "viewer")
    for no, name, phone, site in (
        ("XC0001", "王建华", "1234", a),
        ("XC0002", "李秀英", "5678", a),
        ("DC0001", "王建军", "1234", b),
    ):
        Member.create(member_no=no, name=name, phone_last4=phone, site=site, initials=initials(name))
    return a, b


class Staff:
    """A browser of one account: its cookie, and the session's CSRF token read from a form of the
    classes page (a read-only account has no form: its session's token from the store)."""

    def __init__(self, url: str, username: str):
        self.http = httpx.Client(base_url=url, timeout=30, headers={"Origin": url})
        reply = self.http.post("/web/login", data={"username": username, "password": PASSWORD})
        assert reply.status_code == 303, reply.text
        form = re.search(r'name="csrf" value="([^"]+)"', self.get("/web/classes").text)
        self.csrf = (
            form[1] if form else WebSession.select().join(BureauUser).where(BureauUser.username == username).get().csrf
        )

    def get(self, path: str, **params) -> httpx.Response:
        return self.http.get(path, params=params)

    def post(self, path: str, **fields) -> httpx.Response:
        return self.http.post(path, data={"csrf": self.csrf, **fields})


def test_staff_run_a_term_and_its_course_and_other_sites_staff_find_none_of_it(server, sites):
    a = Staff(server.url, "staff-a")
    today = date.today()
    made = a.post(
        "/web/classes/terms",
        site=A,
        name="2026 秋季",
        start=str(today - timedelta(days=30)),
        end=str(today + timedelta(days=90)),
    )
    assert made.status_code == 303, made.text
    term = Term.get(Term.name == "2026 秋季")
    assert made.headers["location"] == f"/web/classes/terms/{term.id}"
    holiday = today + timedelta(days=14)
    assert a.post(f"/web/classes/terms/{term.id}/holidays", day=str(holiday), name="区运动会").status_code == 303
    lesson_day = today + timedelta(days=7)
    made = a.post(
        f"/web/classes/terms/{term.id}/courses",
        title="太极拳（一）班",
        category="太极",
        teacher="张老师",
        room="一楼",
        capacity="1",
        weekday0=str(lesson_day.isoweekday()),
        start0="09:00",
        end0="11:00",
    )
    assert made.status_code == 303, made.text
    course = Course.get(Course.title == "太极拳（一）班")
    page = f"/web/classes/courses/{course.key}"
    assert streams.data(streams.current("items", f"course:{course.key}"))["holidays"] == [str(holiday)]

    found = a.get(page, q="wjh").text
    assert "王建华" in found and "王建军" not in found  # another site's member is not offered
    assert a.post(f"{page}/enroll", member_no="XC0001").status_code == 303
    assert a.post(f"{page}/enroll", member_no="XC0002").status_code == 303
    shown = a.get(page).text
    assert "已报名" in shown and "候补 第 1 位" in shown  # capacity 1: the second waits
    refused = a.post(f"{page}/enroll", member_no="DC0001")
    assert refused.status_code == 404  # B's member, by form

    assert a.post(f"{page}/cancel", day=str(lesson_day), reason="老师外出学习").status_code == 303
    change = LessonChange.get(LessonChange.course == course)
    assert change.notice.title == f"太极拳（一）班 {lesson_day.month}月{lesson_day.day}日停课"
    bad = a.post(f"{page}/cancel", day=str(lesson_day + timedelta(days=1)), reason="x")
    assert bad.status_code == 400 and "没有课" in bad.text

    sheet = load_workbook(io.BytesIO(a.get(f"{page}/roster.xlsx").content)).active
    assert [list(r) for r in sheet.iter_rows(values_only=True)][1:] == [
        ["XC0001", "王建华", None, "1234", "已报名", change.course.enrollments[0].at.strftime("%Y-%m-%d %H:%M")],
        ["XC0002", "李秀英", None, "5678", "候补", change.course.enrollments[1].at.strftime("%Y-%m-%d %H:%M")],
    ]
    courses = load_workbook(io.BytesIO(a.get(f"/web/classes/terms/{term.id}/courses.xlsx").content)).active
    assert list(courses.iter_rows(values_only=True))[1][:4] == ("太极拳（一）班", "太极", "张老师", "一楼")
    assert "太极拳（一）班" in a.get(f"/web/classes/terms/{term.id}/timetable").text

    assert a.post(f"{page}/drop", member_no="XC0001").status_code == 303
    assert [e.status for e in course.enrollments.order_by(Enrollment.id)] == ["dropped", "enrolled"]

    assert "XC0001" in a.get("/web/members", q="1234").text and "DC0001" not in a.get("/web/members", q="1234").text
    record = a.get("/web/members/XC0002").text
    assert "太极拳（一）班" in record and "已报名" in record

    b = Staff(server.url, "staff-b")
    for path in (page, f"/web/classes/terms/{term.id}", f"{page}/roster.xlsx", "/web/members/XC0001"):
        assert b.get(path).status_code == 404, path
    for path, fields in (
        (f"{page}/enroll", {"member_no": "DC0001"}),
        (f"{page}/undo", {"day": str(lesson_day)}),
        (f"/web/classes/terms/{term.id}/holidays", {"day": str(today)}),
    ):
        assert b.post(path, **fields).status_code == 404, path
    assert "太极拳" not in b.get("/web/classes").text
    assert LessonChange.select().count() == 1 and Notice.get_by_id(change.notice.id).withdrawn_at is None

    reader = Staff(server.url, "reader")
    assert reader.get(page).status_code == 200
    refused = reader.post(f"{page}/undo", day=str(lesson_day))
    assert refused.status_code == 403 and "只读账号不能修改" in refused.text

    assert a.post(f"{page}/undo", day=str(lesson_day)).status_code == 303
    assert Notice.get_by_id(change.notice.id).withdrawn_at is not None


def test_staff_enrol_a_senior_in_the_browser_and_export_the_roster(server, sites, tmp_path):
    """Headless Chromium: search by initials, enrol, export; and the pages' screenshots."""
    from tools import bureau_screenshots as screenshots

    a, _ = sites
    today = date.today()
    with write():
        term = classes.save_term(a, "2026 秋季", today - timedelta(days=30), today + timedelta(days=90), "staff-a")
        classes.add_holiday(term, today + timedelta(days=14), "区运动会", "staff-a")
        for title, teacher, room, times in (
            ("太极拳（一）班", "张老师", "一楼", ("2 09:00-11:00", "4 09:00-11:00")),
            ("书法班", "李老师", "二楼 书画室", ("3 14:00-16:00",)),
            ("合唱团", "王老师", "多功能厅", ("5 10:00-11:30",)),
        ):
            fields = CourseFields(title, "lesson", teacher, room, 30, tuple(classes.slot(t) for t in times))
            classes.save_course(a, term, fields, "staff-a")
        tai_chi = Course.get(Course.title == "太极拳（一）班")
        classes.enroll(
            tai_chi, Member.get(Member.member_no == "XC0002"), "staff-a", datetime.now() - timedelta(hours=1)
        )
        lesson = classes.lessons(tai_chi, today + timedelta(days=1))[0]
        classes.cancel_lesson(tai_chi, lesson.day, "老师外出学习", "staff-a", datetime.now())
    out = screenshots.shots_dir(tmp_path / "shots")
    with screenshots.browser() as chromium:
        page = chromium.new_page(viewport=screenshots.VIEWPORT, locale="zh-CN", accept_downloads=True)
        screenshots.sign_in(page, server.url, "staff-a", PASSWORD)
        page.click("nav >> text=班级课程")
        screenshots.shot(page, out, "classes")
        page.click("#terms >> text=2026 秋季")
        screenshots.shot(page, out, "classes_term")
        page.click("#courses >> text=太极拳（一）班")
        page.fill("input[name=q]", "wjh")
        page.click('button:has-text("查找")')
        page.click("#found >> text=报名")
        assert page.inner_text("#roster tbody").count("已报名") == 2
        screenshots.shot(page, out, "classes_course")
        with page.expect_download() as download:
            page.click("text=导出名单（Excel）")
        sheet = load_workbook(io.BytesIO(download.value.path().read_bytes())).active
        assert download.value.suggested_filename == "太极拳（一）班-名单.xlsx"
        assert [r[:2] for r in sheet.iter_rows(min_row=2, values_only=True)] == [
            ("XC0002", "李秀英"),
            ("XC0001", "王建华"),
        ]
        page.goto(f"{server.url}/web/classes/terms/{term.id}/timetable")
        screenshots.shot(page, out, "classes_timetable")
        page.click("nav >> text=学员")
        page.fill("input[name=q]", "1234")
        page.click('button:has-text("查找")')
        screenshots.shot(page, out, "members")
        page.click("#members >> text=XC0001")
        assert "太极拳（一）班" in page.inner_text("#courses")
        screenshots.shot(page, out, "members_record")
    for name in ("classes", "classes_term", "classes_course", "classes_timetable", "members", "members_record"):
        assert (out / f"bureau_{name}.png").read_bytes().startswith(b"\x89PNG")


def test_past_terms_come_a_page_at_a_time_after_the_current_and_coming_ones(server, sites):
    a, b = sites
    today = date.today()
    with write():
        now = classes.save_term(a, "本学期", today - timedelta(days=10), today + timedelta(days=80), "staff-a")
        classes.save_term(a, "下学期", today + timedelta(days=90), today + timedelta(days=180), "staff-a")
        for n in range(45):  # the oldest last
            start = today - timedelta(days=300 + 10 * n)
            classes.save_term(a, f"往期{n:02d}", start, start + timedelta(days=100), "staff-a")
        classes.save_term(b, "东城往期", today - timedelta(days=300), today - timedelta(days=200), "staff-b")
        one = CourseFields("太极拳", "lesson", "", "", 0, (classes.slot("2 09:00-11:00"),))
        two = CourseFields("书法", "lesson", "", "", 0, (classes.slot("3 09:00-11:00"),))
        classes.save_course(a, now, one, "staff-a")
        classes.withdraw_course(classes.save_course(a, now, two, "staff-a"), "staff-a", datetime.now())

    staff = Staff(server.url, "staff-a")
    first = staff.get("/web/classes").text
    assert terms_in(first, "terms") == [("下学期", "0"), ("本学期", "2")]  # withdrawn courses counted as before
    assert terms_in(first, "older-terms") == [(f"往期{n:02d}", "0") for n in range(40)]
    assert "往期学期（共 45 个，第 1/2 页）" in first and "上一页" not in first
    assert f'href="/web/classes?site={A}&amp;page=2">下一页' in first
    second = staff.get("/web/classes", page="2").text
    assert terms_in(second, "terms") == terms_in(first, "terms")  # the current ones stay on top
    assert terms_in(second, "older-terms") == [(f"往期{n:02d}", "0") for n in range(40, 45)]
    assert "上一页" in second and "下一页" not in second
    assert staff.get("/web/classes", page="0").status_code == 400
    assert "东城往期" not in first + second + staff.get("/web/classes", site=B).text

    reader = Staff(server.url, "reader")
    theirs = reader.get("/web/classes", site=B).text
    assert terms_in(theirs, "older-terms") == [("东城往期", "0")] and 'id="terms"' not in theirs
    assert "没有正在进行或即将开始的学期" in theirs
    assert len(terms_in(reader.get("/web/classes").text, "older-terms")) == 40  # every site's, paged


def terms_in(html: str, table: str) -> list[tuple[str, str]]:
    """(name, course count) of each term in the page's table `table`."""
    found = re.search(rf'<table id="{table}">(.*?)</table>', html, re.S)
    rows = re.findall(r'terms/\d+">([^<]+)</a>.*?<td class="num">(\d+)</td>', found[1], re.S) if found else []
    return rows
