"""The console's 关怀走访 pages over HTTP against a real `python -m bureau serve`: a site's staff see
their own lists (tabs, export, print sheet), the bureau's accounts the counts per site, an admin's
drill-down, a viewer refused any names; and, in Chromium, the staff's path."""

import io
import re
from datetime import date, datetime, timedelta

import openpyxl
import pytest

from bureau import admin, users
from bureau.models import Attendance, BureauUser, Member, Situation, Visit
from tools import bureau_screenshots as screenshots

from ..conftest import SITE
from .test_activities import PASSWORD, signed_in

OTHER = "UNI-002"
NAME = "张<script>alert(1)</script>"


@pytest.fixture
def store_url(tmp_path):
    """A SQLite file only: the lists' queries run on both stores in tests/bureau/care."""
    return f"sqlite:///{tmp_path / 'bureau.db'}"


@pytest.fixture
def cared(server, kiosk):
    """Site A (DEMO-001) with members on several lists, site B with one; an admin, a viewer, A's and B's staff."""
    other = admin.add_site(OTHER, "老年大学", prefix="LD")
    users.add_user("admin1", PASSWORD, "admin")
    users.add_user("viewer1", PASSWORD, "viewer")
    users.add_user("staffa", PASSWORD, "staff", kiosk.site, "王芳")
    users.add_user("staffb", PASSWORD, "staff", other, "李强")
    today = date.today()
    a = kiosk.site

    def person(no: str, name: str, site=a, signed: date | None = None, **situation) -> None:
        Member.create(member_no=no, name=name, site=site, joined=date(2020, 3, 1), phone_last4="6688")
        if situation:
            Situation.create(member_no=no, site=site, **situation)
        if signed:
            at = datetime.combine(signed, datetime.min.time()).replace(hour=9)
            Attendance.create(
                event_id=f"e-{no}", member_no=no, site=a, kiosk=kiosk, kind="lesson", title="太极拳",
                start=at, at=at, business_day=signed, method="qr",
            )  # fmt: skip

    contact = BureauUser.get(BureauUser.username == "staffa")
    person("XC0001", NAME, signed=today - timedelta(weeks=6))
    alone = dict(lives_alone=True, hardship="重病", phone="13800001234", contact_user=contact)
    person("XC0002", "李秀英", signed=today - timedelta(days=2), **alone)
    back = dict(back_from_hospital=today - timedelta(days=10), in_hospital_since=today - timedelta(days=30))
    person("XC0003", "王建国", signed=today - timedelta(days=40), contact_name="志愿者刘红", **back)
    Visit.create(member_no="XC0002", site=a, day=today - timedelta(days=120), visitor="王芳", recorded_by="staffa")
    person("LD0001", "赵老", site=other, lives_alone=True)
    return server.url


def test_a_sites_staff_see_their_own_lists_export_and_print_them(cared):
    with signed_in(cared, "staffa") as http:
        page = http.get("/web/care").text
        tabs = dict(re.findall(r'data-list="(\w+)">([^<]+)', page))
        assert tabs["absent"].strip() == "未来签到 2" and tabs["alone"].strip() == "四必访 1"
        assert tabs["hospital"].strip() == "出院回访 1" and tabs["birthday"].strip() == "本月生日 0"
        assert 'href="/web/care/member/XC0001"' in page and "已 6 周未来" in page
        assert "张&lt;script&gt;alert(1)&lt;/script&gt;" in page and NAME not in page  # shown as text
        alone = http.get("/web/care?list=alone").text
        assert "独居、重病，上次走访" in alone and "王芳" in alone and "逾期" in alone and "赵老" not in alone
        hospital = http.get("/web/care?list=hospital").text
        assert "志愿者刘红" in hospital and "出院" in hospital
        # Another site's list, by URL: not found; a list that is none: a bad query.
        assert http.get(f"/web/care?site={OTHER}").status_code == 404
        assert http.get(f"/web/care/sheet?site={OTHER}&list=alone").status_code == 404
        assert http.get("/web/care?list=nope").status_code == 400
        book = openpyxl.load_workbook(io.BytesIO(http.get("/web/care?list=alone&format=xlsx").content))
        (header, row) = book["四必访"].iter_rows(values_only=True)
        assert header == ("会员号", "姓名", "原因", "应访日期", "逾期", "最近签到", "最近走访", "联系人", "电话")
        assert row[:2] == ("XC0002", "李秀英") and row[4] == "逾期" and row[7:] == ("王芳", "13800001234")
        sheet = http.get("/web/care/sheet?list=alone").text
        assert "@page { size: A4" in sheet and "<script" not in sheet
        for column in ("姓名", "住址", "电话", "原因", "日期", "走访人", "情况", "需跟进"):
            assert f">{column}</th>" in sheet
        assert "13800001234" in sheet and "李秀英" in sheet
        assert "待走访 3 人，逾期 2 人" in http.get("/web/").text  # their own site's only


def test_the_bureau_sees_counts_per_site_an_admin_the_lists_a_viewer_never_a_name(cared):
    with signed_in(cared, "viewer1") as http:
        page = http.get("/web/care").text
        assert "李秀英" not in page and 'href="/web/care?site=' not in page
        cell = re.search(rf'<tr data-site="{OTHER}">.*?data-list="alone">(.*?)</td>', page, re.S)[1]
        assert cell.startswith("1") and "逾期 1" in cell  # never visited
        for path in (f"/web/care?site={SITE}", f"/web/care?site={SITE}&format=xlsx", f"/web/care/sheet?site={SITE}"):
            reply = http.get(path)
            assert reply.status_code == 403 and "李秀英" not in reply.text, path
        assert http.get("/web/care/sheet").status_code == 400
        book = openpyxl.load_workbook(io.BytesIO(http.get("/web/care?format=xlsx").content))
        assert [r[0] for r in book["各站点"].iter_rows(min_row=2, values_only=True)] == [SITE, OTHER]
        # The overview: every site's members to visit, each once (XC0003 is on two lists, LD0001 too).
        assert '<a href="/web/care">待走访 4 人，逾期 3 人</a>' in http.get("/web/").text
    with signed_in(cared, "admin1") as http:
        page = http.get("/web/care").text
        assert f'href="/web/care?site={SITE}&amp;list=alone"' in page
        listed = http.get(f"/web/care?site={SITE}&list=alone").text
        assert "李秀英" in listed and 'href="/web/care/sheet?site=DEMO-001&amp;list=alone"' in listed
        assert "李秀英" in http.get(f"/web/care/sheet?site={SITE}&list=alone").text


def test_staff_open_a_list_export_it_and_print_the_visit_sheet(cared, chromium, tmp_path):
    shots = screenshots.shots_dir(tmp_path / "shots")
    dialogs = []
    page = chromium.new_page(viewport=screenshots.VIEWPORT, locale="zh-CN")
    page.on("dialog", lambda d: dialogs.append(d.message))
    screenshots.sign_in(page, cared, "staffa", PASSWORD)
    page.click("#care-due a")  # the overview's 「待走访 N 人」
    assert page.url == cared + "/web/care"
    assert page.inner_text("#care tbody tr:first-child th") == NAME
    screenshots.shot(page, shots, "care")
    page.click("nav.tabs >> text=四必访")
    assert page.url == cared + "/web/care?list=alone"
    assert "独居、重病" in page.inner_text("#care tbody tr td.wrap")
    with page.expect_download() as download:
        page.click("a.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes()))
    assert download.value.suggested_filename.startswith("关怀名单-四必访-DEMO-001")
    assert [r[1] for r in book["四必访"].iter_rows(min_row=2, values_only=True)] == ["李秀英"]
    page.click("text=打印走访表")
    assert page.url == cared + "/web/care/sheet?list=alone"
    assert page.locator("#sheet tbody tr").count() == 1
    screenshots.shot(page, shots, "care_sheet")
    page.close()
    assert dialogs == []
    admin = chromium.new_page(viewport=screenshots.VIEWPORT, locale="zh-CN")
    screenshots.sign_in(admin, cared, "admin1", PASSWORD)
    admin.goto(cared + "/web/care")
    assert admin.locator("#care-sites tbody tr[data-site]").count() == 2
    screenshots.shot(admin, shots, "care_sites")
    admin.close()
