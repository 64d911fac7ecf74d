"""The main path in headless Chromium: a centre's staff member posts a need, dispatches it to the
volunteer matched first, records the answer and the time served.  BUREAU_SHOTS=docs/screenshots
also keeps its screenshots there (bureau_volunteers, bureau_need, bureau_volunteer_hours)."""

from bureau.models import LedgerEntry, Member, NeedTaker, SkillDomain
from bureau.store import write
from bureau.volunteers import skills
from tools import bureau_screenshots as screenshots

from .test_activities import PASSWORD
from .test_volunteers import bureau, painting, store_url  # noqa: F401 (fixtures)


def test_staff_post_a_need_dispatch_it_to_a_matched_volunteer_and_record_it_done(bureau, tmp_path):
    url = bureau
    with write():
        domain = SkillDomain.get_by_id(painting())
        for no, detail in (("XC0001", "擅长楷书"), ("XC0002", "国画山水"), ("XC0003", "篆刻")):
            skills.set_skill(Member.get(Member.member_no == no), domain, detail, "staffa")
    shots = screenshots.shots_dir(tmp_path / "shots")
    with screenshots.browser() as chromium:
        page = chromium.new_page(viewport=screenshots.VIEWPORT, locale="zh-CN")
        screenshots.sign_in(page, url, "staffa", PASSWORD)
        page.goto(url + "/web/volunteers")
        assert page.locator("#pool tbody tr").count() == 3
        screenshots.shot(page, shots, "volunteers")

        page.click("text=需求")
        page.click("text=发布需求（群众点单）")
        page.fill("input[name=title]", "社区春联义写")
        page.select_option("select[name=domain]", label="书画")
        page.fill("input[name=requester]", "幸福社区居委会")
        page.fill("input[name=place]", "社区活动室")
        page.fill("input[name=start]", "2030-03-05T09:00")
        page.fill("input[name=end]", "2030-03-05T11:30")
        page.click("button:has-text('发布需求')")
        first = page.locator("#suggested tbody tr").first
        assert "王建华" not in first.inner_text()  # the one with hours lately comes last
        chosen = first.locator("input[name=member_no]").get_attribute("value")
        first.locator("input[name=member_no]").check()
        page.click("button:has-text('派单给所选志愿者')")
        assert "已派单，待答复" in page.inner_text("#takers")
        page.click("#takers button:has-text('接单')")
        assert "已接单" in page.inner_text("#takers")
        assert page.input_value(f"input[name=minutes_{chosen}]") == "150"  # the need's length
        screenshots.shot(page, shots, "need")
        page.click("button:has-text('登记完成')")
        assert "已完成" in page.inner_text("h2")
        taker = NeedTaker.get()
        assert (taker.member_no, taker.status, taker.minutes) == (chosen, "done", 150)
        assert LedgerEntry.get(LedgerEntry.entry_id == taker.entry_id).minutes == 150

        page.goto(url + "/web/volunteers?tab=hours&by=person&from=2030-01-01&to=2030-12-31")
        assert page.locator("#hours tbody tr").count() == 3  # two volunteers and the total
        screenshots.shot(page, shots, "volunteer_hours")
