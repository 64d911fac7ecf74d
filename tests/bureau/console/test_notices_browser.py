"""A centre's staff member publishes a notice and withdraws it, in headless Chromium against a real
`python -m bureau serve` (the console is plain HTML forms).  The pages are shot as they go
(OUT: BUREAU_SHOTS, default the test's tmp dir) for docs/screenshots."""

from datetime import datetime, timedelta

import pytest

from bureau import admin, users
from bureau.models import AuditEntry, Notice
from tools import bureau_screenshots as screenshots

PASSWORD = "correct-horse-9"


@pytest.fixture
def store_url(tmp_path):
    """A SQLite file only: the scoping itself runs on both stores in test_notices.py."""
    return f"sqlite:///{tmp_path / 'bureau.db'}"


def test_staff_publish_and_withdraw_a_notice(store, server, tmp_path):
    site = admin.add_site("DEMO-001", "示范区老干部活动中心")
    admin.add_site("DEMO-002", "东城街道长者服务站")
    users.add_user("liuxia", PASSWORD, "staff", site, full_name="刘霞")
    out = screenshots.shots_dir(tmp_path / "shots")
    start = datetime.now().replace(second=0, microsecond=0) - timedelta(hours=1)

    with screenshots.browser() as chromium:
        page = chromium.new_page(viewport=screenshots.VIEWPORT, locale="zh-CN")
        screenshots.sign_in(page, server.url, "liuxia", PASSWORD)
        page.click("nav >> text=通知")
        assert page.url == server.url + "/web/notices"
        assert "现在没有显示中的通知" in page.inner_text("main")
        assert page.locator("select[name=site]").count() == 0  # staff: their own site only

        page.click("text=发布新通知")
        page.check("input[name=kind][value=suspend]")
        page.fill("input[name=title]", "本周三太极拳停课")
        page.fill("textarea[name=body]", "因活动室维修，本周三上午的太极拳停课一次，下周照常上课。")
        page.fill("input[name=start]", start.isoformat(timespec="minutes"))
        page.fill("input[name=end]", (start + timedelta(days=2)).isoformat(timespec="minutes"))
        assert "发布到：示范区老干部活动中心" in page.inner_text("form.notice")
        screenshots.shot(page, out, "notices_new")
        page.click("form.notice button[type=submit]")

        notice = Notice.get()
        assert page.url == f"{server.url}/web/notices/{notice.key}"
        assert (notice.site.code, notice.kind, notice.created_by) == ("DEMO-001", "suspend", "liuxia")
        assert page.inner_text("[data-k=state]") == "正在显示"
        page.goto(server.url + "/web/notices")
        assert page.inner_text(f"#current tr[data-notice='{notice.key}'] th") == "本周三太极拳停课"
        screenshots.shot(page, out, "notices")

        page.click(f"#current tr[data-notice='{notice.key}'] a")
        page.fill("input[name=reason]", "维修提前完成")
        screenshots.shot(page, out, "notice")
        page.click("text=撤回通知")
        assert page.inner_text("[data-k=state]").startswith("已撤回")
        page.goto(server.url + "/web/notices")
        assert "已撤回" in page.inner_text(f"#past tr[data-notice='{notice.key}']")
        page.close()

    assert Notice.get_by_id(notice.id).withdrawn_at is not None
    withdrawn = AuditEntry.get(AuditEntry.action == "notice.withdraw")
    assert (withdrawn.username, withdrawn.reason, withdrawn.site.code) == ("liuxia", "维修提前完成", "DEMO-001")
