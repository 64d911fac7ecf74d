"""A centre's staff member imports a roster into a course and exports it, in headless Chromium
against a real `python -m bureau serve`.  The pages are shot as they go (OUT: BUREAU_SHOTS, default
the test's tmp dir) for docs/screenshots."""

import io
from datetime import date, timedelta
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from bureau import admin, users
from bureau.models import Enrollment, Member
from bureau.programme import classes
from bureau.programme.classes import CourseFields
from bureau.programme.members import initials
from bureau.store import write
from tools import bureau_screenshots as screenshots

PASSWORD = "correct-horse-9"


@pytest.fixture
def store_url(tmp_path):
    """A SQLite file only: the rules run on both stores elsewhere."""
    return f"sqlite:///{tmp_path / 'bureau.db'}"


def test_staff_import_a_roster_and_export_it(store, server, tmp_path):
    site = admin.add_site("DEMO-001", "示范区老干部活动中心", prefix="XC")
    users.add_user("liuxia", PASSWORD, "staff", site, full_name="刘霞")
    today = date.today()
    with write():
        for no, name in (("XC0001", "王建华"), ("XC0002", "李秀英"), ("XC0003", "赵国强")):
            Member.create(member_no=no, name=name, site=site, initials=initials(name))
        term = classes.save_term(site, "2026 秋季", today - timedelta(days=7), today + timedelta(days=90), "setup")
        weekly = ({"weekday": 2, "start": "09:00", "end": "11:00"},)
        course = classes.save_course(site, term, CourseFields("书法班", capacity=2, schedule=weekly), "setup")
    book = Workbook()
    for row in (["学员编号", "姓名"], ["XC0001", "王建华"], ["XC0002", "李秀英"], ["XC0003", "赵国强"], ["XC0099", ""]):
        book.active.append(row)
    roster = tmp_path / "书法班名单.xlsx"
    book.save(roster)
    out = screenshots.shots_dir(tmp_path / "shots")

    with screenshots.browser() as chromium:
        page = chromium.new_page(viewport=screenshots.VIEWPORT, locale="zh-CN", accept_downloads=True)
        screenshots.sign_in(page, server.url, "liuxia", PASSWORD)
        page.goto(f"{server.url}/web/classes/terms/{term.id}")
        screenshots.shot(page, out, "import_term")
        page.goto(f"{server.url}/web/classes/courses/{course.key}")
        page.set_input_files("#import-roster input[type=file]", str(roster))
        page.click("#import-roster button[type=submit]")
        assert "3</strong> 行可以导入" in page.inner_html("#counts")
        assert "本站点没有学号为「XC0099」的学员" in page.inner_text("#rows")
        assert Enrollment.select().count() == 0
        screenshots.shot(page, out, "import")
        page.click("text=确认导入")
        assert "已导入 3 项" in page.inner_text("#result")
        screenshots.shot(page, out, "import_done")

        page.goto(f"{server.url}/web/classes/courses/{course.key}")
        with page.expect_download() as download:
            page.click("text=导出名单（Excel）")
        sheet = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
        page.close()
    rows = [tuple(r[:2]) + (r[4],) for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert rows == [("XC0001", "王建华", "已报名"), ("XC0002", "李秀英", "已报名"), ("XC0003", "赵国强", "候补")]
