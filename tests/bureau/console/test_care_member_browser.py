"""A centre's staff member opens a senior's care record from the 学员 page, records their situation
and a visit, and sees 「来过了」 in 我联系的老同志, in headless Chromium against a real
`python -m bureau serve`.  The pages are shot as they go (OUT: BUREAU_SHOTS, default the test's tmp
dir) for docs/screenshots."""

from datetime import date, datetime, timedelta

import pytest

from bureau import users
from bureau.care import situation, visits
from bureau.models import AuditEntry, Member, Situation, Visit
from bureau.store import write
from tools import bureau_screenshots as screenshots

from ..care.test_visits import signin

PASSWORD = "correct-horse-9"


@pytest.fixture
def store_url(tmp_path):
    """A SQLite file only: the rules run on both stores in tests/bureau/care."""
    return f"sqlite:///{tmp_path / 'bureau.db'}"


def test_staff_record_a_seniors_situation_and_a_visit(store, server, kiosk, tmp_path):
    users.add_user("liuxia", PASSWORD, "staff", kiosk.site, full_name="刘霞")
    users.add_user("wangfang", PASSWORD, "staff", kiosk.site, full_name="王芳")
    today = date.today()
    morning = datetime.combine(today, datetime.min.time()).replace(hour=8, minute=52)
    with write():
        Member.create(member_no="XC0001", name="王建华", gender="男", birth_year=1936, site=kiosk.site)
        for no, name in (("XC0002", "李秀英"), ("XC0003", "张志强")):
            other = Member.create(member_no=no, name=name, site=kiosk.site)
            situation.save(other, situation.Draft(contact_user="liuxia", lives_alone=True), "liuxia", today)
        visits.record(Member.get_by_id(2), visits.Entry("call", today - timedelta(days=20), "刘霞"), "liuxia", today)
        visits.record(Member.get_by_id(3), visits.Entry("visit", today - timedelta(days=6), "刘霞"), "liuxia", today)
        signin("XC0002", kiosk, morning - timedelta(days=3))  # after the call: 来过了
        signin("XC0003", kiosk, morning - timedelta(days=9))  # before the visit
        signin("XC0001", kiosk, morning)
    out = screenshots.shots_dir(tmp_path / "shots")

    with screenshots.browser() as chromium:
        page = chromium.new_page(viewport=screenshots.VIEWPORT, locale="zh-CN")
        screenshots.sign_in(page, server.url, "liuxia", PASSWORD)
        page.goto(server.url + "/web/members/XC0001")
        page.click("a.care")
        assert page.url == server.url + "/web/care/member/XC0001"
        assert page.inner_text("[data-k=last_signin]") == f"{morning:%Y-%m-%d %H:%M}"

        form = page.locator("form.situation")
        form.locator("select[name=retired]").select_option("离休")
        form.locator("input[name=party_member]").check()
        form.locator("input[name=lives_alone]").check()
        form.locator("input[name=hardship][value=空巢]").check()
        form.locator("input[name=birth_date]").fill("1936-02-29")
        form.locator("input[name=phone]").fill("138 1234 5678")
        form.locator("select[name=contact_user]").select_option("liuxia")
        form.locator("input[name=emergency_name]").fill("王小明")
        form.locator("input[name=emergency_relation]").fill("儿子")
        form.locator("input[name=emergency_phone]").fill("139-8765-4321")
        form.locator("textarea[name=plan]").fill("每月电话问候一次，每季度上门走访；冬季关注取暖。")
        form.locator("button[type=submit]").click()
        assert page.url == server.url + "/web/care/member/XC0001#situation"
        assert page.get_attribute("[data-k=phone] a", "href") == "tel:13812345678"
        assert page.inner_text("[data-k=contact]") == "刘霞"

        visit = page.locator("form.visit")
        assert visit.locator("input[name=visitor]").input_value() == "刘霞"  # the viewer's own name
        assert visit.locator("input[name=day]").input_value() == today.isoformat()
        visit.locator("select[name=reason]").select_option("alone")
        visit.locator("textarea[name=outcome]").fill("老人精神不错，说冬天屋里冷，暖气片不热。")
        visit.locator("input[name=follow_up]").fill("联系社区物业检修暖气")
        visit.locator("button[type=submit]").click()
        assert page.url.endswith("/web/care/member/XC0001#visits")
        assert "联系社区物业检修暖气" in page.inner_text("#open")
        assert "暖气片不热" in page.inner_text("#log")
        screenshots.shot(page, out, "care_member")

        page.goto(server.url + "/web/care/mine")
        came = {
            row.get_attribute("data-member"): row.query_selector("[data-k=came]").inner_text()
            for row in page.query_selector_all("#mine tbody tr")
        }
        assert came == {"XC0001": "", "XC0002": f"来过了（{morning - timedelta(days=3):%m月%d日 %H:%M}）", "XC0003": ""}
        screenshots.shot(page, out, "care_mine")
        page.close()

    saved = Situation.get(Situation.member_no == "XC0001")
    assert (saved.retired, saved.hardship, saved.birth_date, saved.updated_by) == (
        "离休",
        "空巢",
        date(1936, 2, 29),
        "liuxia",
    )
    assert Visit.select().where(Visit.member_no == "XC0001").get().reason == "alone"
    assert (
        AuditEntry.select().where(AuditEntry.action.startswith("care.")).count() == 6
    )  # 4 made here, 2 in the browser
