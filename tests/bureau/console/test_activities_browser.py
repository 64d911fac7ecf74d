"""The main path in headless Chromium: a center's staff member creates a weekly activity, cancels
one date, and exports who came.  BUREAU_SHOTS=docs/screenshots also keeps its screenshots there."""

import io
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from bureau import rules
from bureau.models import Activity
from tools import bureau_screenshots as screenshots

from ..conftest import SITE
from ..test_reports import member, push
from .test_activities import PASSWORD, accounts, store_url  # noqa: F401 (fixtures)


@pytest.fixture
def chromium():
    with screenshots.browser() as browser:
        yield browser


def test_staff_create_a_weekly_activity_cancel_one_date_and_export_who_came(
    accounts, chromium, client, kiosk, tmp_path
):
    url = accounts
    shots = screenshots.shots_dir(tmp_path / "shots")
    page = chromium.new_page(viewport=screenshots.VIEWPORT, locale="zh-CN")
    screenshots.sign_in(page, url, "staffa", PASSWORD)
    page.goto(url + "/web/activities")
    page.click("text=新建活动")
    page.fill("input[name=title]", "健康讲座")
    page.select_option("select[name=category]", "health_talk")
    page.fill("input[name=place]", "二楼多功能厅")
    page.fill("input[name=start]", "2030-12-30T14:00")
    page.fill("input[name=end]", "2030-12-30T15:30")
    page.fill("input[name=capacity]", "40")
    page.check("input[name=repeat][value=weekly]")
    page.check("input[name=weekday][value='1']")
    page.check("input[name=weekday][value='3']")
    page.fill("input[name=from_day]", "2030-12-30")
    page.fill("input[name=until_day]", "2031-01-08")
    screenshots.shot(page, shots, "activities_form")
    page.click("button:has-text('保存并发布')")
    assert page.url == url + "/web/activities"
    made = list(Activity.select().order_by(Activity.start))
    assert [a.start.strftime("%m-%d") for a in made] == ["12-30", "01-01", "01-06", "01-08"]
    assert {a.site.code for a in made} == {SITE}

    # One date cancelled, with the reason the kiosks will tell.
    page.click("a:has-text('健康讲座') >> nth=1")
    page.fill("input[name=reason]", "元旦放假，讲座顺延")
    page.click("button:has-text('取消这次活动')")
    assert "元旦放假，讲座顺延" in page.inner_text("main")
    assert [a.cancelled_at is not None for a in Activity.select().order_by(Activity.start)] == [
        False,
        True,
        False,
        False,
    ]
    page.goto(url + "/web/activities")
    assert page.locator("#activities tbody tr").nth(1).inner_text().endswith("已取消")
    screenshots.shot(page, shots, "activities")

    # Who came to the first date, from the kiosk, exported.
    first = made[0].start.isoformat()
    came = {"kind": "activity", "item_id": 1, "title": "健康讲座", "start": first, "method": "qr", "site": SITE}
    push(
        client,
        [
            ("member", member("XC0001", "王建华", SITE, "2026-01-10", "h-wang")),
            ("member", member("XC0002", "李秀英", SITE, "2026-01-10", "h-li")),
            ("signin", {**came, "member_no": "XC0001", "at": "2030-12-30T13:52:00", "kiosk_id": kiosk.kiosk_id}),
            ("signin", {**came, "member_no": "XC0002", "at": "2030-12-30T14:03:00", "kiosk_id": kiosk.kiosk_id}),
        ],
    )
    rules.catch_up()
    page.goto(url + f"/web/activities/{made[0].key}")
    assert "李秀英" in page.inner_text("#attended")
    screenshots.shot(page, shots, "activities_detail")
    with page.expect_download() as download:
        page.click("a[href$='attendance.xlsx']")
    sheet = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    assert [tuple(r) for r in sheet.iter_rows(values_only=True)] == [
        ("学员号", "姓名", "方式", "签到时间"),
        ("XC0001", "王建华", "扫码", datetime(2030, 12, 30, 13, 52)),
        ("XC0002", "李秀英", "扫码", datetime(2030, 12, 30, 14, 3)),
    ]
    page.close()
