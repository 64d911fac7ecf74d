"""The accounts' main path in headless Chromium: an admin makes a center's staff account, the
staff member signs in, changes their password and reads their site's audit trail only.  The
pages are shot on the way (BUREAU_SHOTS=docs/screenshots keeps them)."""

import pytest

from bureau import admin, audit, publish, users
from bureau.store import write
from tools import bureau_screenshots as screenshots

from ..conftest import SITE
from .signed_in import PASSWORD, account

NEW_PASSWORD = "plum-blossom-window-8"


@pytest.fixture
def store_url(tmp_path):
    return f"sqlite:///{tmp_path / 'bureau.db'}"


def test_an_admin_makes_a_staff_account_who_signs_in_and_sees_their_sites_trail(server, kiosk, chromium, tmp_path):
    other = admin.add_site("DEMO-002", "东城街道长者服务站")
    account("wangadmin", "admin")
    publish.set_rule("lesson", 2, daily_cap=4, by="wangadmin", reason="秋季学期")
    publish.set_rule("volunteer", 5, per="hour", by="wangadmin", reason="鼓励志愿服务")
    publish.set_settings(["display.mask_names=true", "sync.pull_every_s=60"], by="wangadmin", reason="统一设置")
    publish.set_settings(["display.open_from=07:30"], site=SITE, by="wangadmin", reason="早课")
    with write():
        audit.record("liuother", "notice.publish", "东城停课通知", other, {"key": "x"}, "")
        audit.record("wangadmin", "notice.publish", "重阳节游园", kiosk.site, {"key": "y"}, "")
    out = screenshots.shots_dir(tmp_path / "shots")

    page = chromium.new_page(viewport=screenshots.VIEWPORT, locale="zh-CN")
    screenshots.sign_in(page, server.url, "wangadmin", PASSWORD)
    page.click("nav >> text=账号")
    form = page.locator("form#add")
    form.locator("[name=username]").fill("chenstaff")
    form.locator("[name=full_name]").fill("陈老师")
    form.locator("[name=role]").select_option("staff")
    form.locator("[name=site]").select_option(SITE)
    form.locator("[name=password]").fill(PASSWORD)
    form.locator("[name=again]").fill(PASSWORD)
    form.locator("[name=reason]").fill("新到岗的中心工作人员")
    form.locator("button[type=submit]").click()
    assert page.url == server.url + "/web/accounts/chenstaff?done=added"
    assert "账号已建好" in page.inner_text("[role=status]")
    page.goto(server.url + "/web/accounts")
    assert page.inner_text('tr[data-user="chenstaff"] [data-k="role"]') == "中心工作人员"
    screenshots.shot(page, out, "accounts")
    page.goto(server.url + "/web/publish?level=site:" + SITE)
    screenshots.shot(page, out, "publish")
    page.goto(server.url + "/web/audit")
    screenshots.shot(page, out, "audit")
    page.close()

    staff = chromium.new_page(viewport=screenshots.VIEWPORT, locale="zh-CN")
    screenshots.sign_in(staff, server.url, "chenstaff", PASSWORD)
    assert staff.url == server.url + "/web/"
    assert "账号" not in staff.inner_text("nav") and "发布" not in staff.inner_text("nav")
    staff.click("a.who")
    assert staff.url == server.url + "/web/account"
    staff.fill("form#password [name=current]", PASSWORD)
    staff.fill("form#password [name=password]", NEW_PASSWORD)
    staff.fill("form#password [name=again]", NEW_PASSWORD)
    staff.click("form#password button[type=submit]")
    assert staff.url == server.url + "/web/account?done=own_password"
    assert "您的密码已修改" in staff.inner_text("[role=status]")
    assert users.login("chenstaff", NEW_PASSWORD).user is not None
    screenshots.shot(staff, out, "account")

    staff.click("nav >> text=操作记录")
    sites = staff.locator('#audit [data-k="site"]').all_inner_texts()
    targets = staff.locator('#audit [data-k="target"]').all_inner_texts()
    assert sites and set(sites) == {SITE}
    assert "重阳节游园" in targets and "chenstaff" in targets and "东城停课通知" not in targets
    assert "lesson" not in targets  # the bureau-wide changes are not a center's
    staff.close()
