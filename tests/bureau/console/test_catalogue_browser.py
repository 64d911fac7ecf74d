"""A centre's staff member adds an item to the points catalogue in headless Chromium against a real
`python -m bureau serve`, and finds the seniors' requests for it (the kiosks' facts through the
real ingest and rules) on the list and the item's page.  The pages are shot as they go (OUT:
BUREAU_SHOTS, default the test's tmp dir) for docs/screenshots."""

from datetime import datetime, timedelta

import pytest

from bureau import admin, rules, users
from bureau.models import CatalogueItem
from tests.bureau.test_rules import Till, member_fact
from tools import bureau_screenshots as screenshots

from .test_catalogue import redeem

PASSWORD = "correct-horse-9"


@pytest.fixture
def store_url(tmp_path):
    """A SQLite file only: the pages' queries run on both stores in test_catalogue.py."""
    return f"sqlite:///{tmp_path / 'bureau.db'}"


def test_staff_add_an_item_and_see_its_requests(store, server, tmp_path):
    site = admin.add_site("DEMO-001", "示范区老干部活动中心", prefix="A")
    admin.add_site("DEMO-002", "东城街道长者服务站", prefix="B")
    users.add_user("liuxia", PASSWORD, "staff", site, full_name="刘霞")
    out = screenshots.shots_dir(tmp_path / "shots")

    with screenshots.browser() as chromium:
        page = chromium.new_page(viewport=screenshots.VIEWPORT, locale="zh-CN")
        screenshots.sign_in(page, server.url, "liuxia", PASSWORD)
        page.click("nav >> text=积分兑换")
        assert page.url == server.url + "/web/catalogue"
        assert "还没有物品" in page.inner_text("main")
        page.click("main >> text=添加物品")
        assert page.locator("select[name=site]").count() == 0  # staff: their own site only
        page.fill("input[name=name]", "保温杯")
        page.fill("input[name=points]", "120")
        page.fill("input[name=stock]", "2")
        page.fill("input[name=valid_to]", "2030-12-31")
        page.click("form.item button[type=submit]")

        cup = CatalogueItem.get()
        assert page.url == f"{server.url}/web/catalogue/{cup.key}"
        assert (cup.name, cup.points, cup.stock, cup.site.code, cup.created_by) == (
            "保温杯",
            120,
            2,
            "DEMO-001",
            "liuxia",
        )
        assert page.inner_text("[data-k=stock]") == "2"

        # At the kiosks: 王建华 and 李秀英 take one each (the hall's kiosk offline: past the stock), 张桂芳 asks.
        front, hall = Till("DEMO-001"), Till("DEMO-001")
        front.push(
            member_fact("A0001", "hash-1"),
            member_fact("A0002", "hash-2", name="李秀英"),
            member_fact("A0003", "hash-3", name="张桂芳"),
        )
        now = datetime.now().replace(second=0, microsecond=0)
        redeem(front, cup, "A0001", now - timedelta(hours=3))
        redeem(front, cup, "A0002", now - timedelta(hours=2))
        redeem(hall, cup, "A0003", now - timedelta(hours=1))
        redeem(front, cup, "A0001", now - timedelta(minutes=30), hand_over=False)
        rules.catch_up()

        page.goto(server.url + "/web/catalogue")
        row = page.locator(f"#items tr[data-item='{cup.key}']")
        assert row.locator("[data-k=stock]").inner_text() == "0（已兑完）"
        assert row.locator("[data-k=waiting-DEMO-001]").inner_text() == "1"
        assert "超出库存的领取（1）" in page.inner_text("main")
        screenshots.shot(page, out, "catalogue")

        page.click(f"#items tr[data-item='{cup.key}'] a")
        assert page.locator("tr[data-request]").count() == 4
        assert page.inner_text("[data-k=waiting]") == "1"
        screenshots.shot(page, out, "catalogue_item")
        page.fill("tr[data-request] form.inline input[name=reason]", "清点后补货")
        page.click("tr[data-request] form.inline button")
        assert page.locator("form.inline").count() == 0
        assert "liuxia 已核对" in page.inner_text("main")
