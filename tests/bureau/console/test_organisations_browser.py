"""The main path in headless Chromium: a center's staff member makes a 临时党支部 on a class, names
its 书记, and opens its 台账.  BUREAU_SHOTS=docs/screenshots also keeps its screenshots there."""

from datetime import date, datetime, timedelta

from bureau import admin
from bureau.models import Member, Organisation, OrgMember
from bureau.organisations import orgs, rosters
from bureau.organisations.orgs import Fields
from bureau.programme import activities, classes
from bureau.programme.classes import CourseFields
from bureau.store import write
from tools import bureau_screenshots as screenshots

from ..organisations.test_ledger import signed_in
from .signed_in import PASSWORD, account
from .test_organisations import store_url  # noqa: F401 (a fixture)

NAMES = [("DM0001", "王建华"), ("DM0002", "李秀英"), ("DM0003", "张志强"), ("DM0004", "刘桂兰")]


def test_staff_make_a_temp_branch_on_a_class_name_its_secretary_and_open_its_ledger(server, kiosk, chromium, tmp_path):
    site, url, today = kiosk.site, server.url, date.today()
    admin.add_site("DEMO-002", "东城街道长者服务站", prefix="DC")
    account("staffa", "staff", site)
    for no, name in NAMES:
        Member.create(member_no=no, name=name, site=site)
    with write():
        term = classes.save_term(
            site, f"{today.year} 学年", today - timedelta(days=60), today + timedelta(days=200), "s"
        )
        slot = (classes.slot(f"{today.isoweekday()} 09:00-11:00"),)
        course = classes.save_course(site, term, CourseFields("书法（一）班", schedule=slot), "staffa")
        first = orgs.create(
            "branch", site, Fields("老干部第一党支部", date(2022, 1, 1), today + timedelta(days=45)), "s"
        )
        for no, _ in NAMES[1:]:
            rosters.join(first, no, "党员", date(2022, 1, 1), "s")
        team = orgs.create("team", site, Fields("健步行志愿服务队", today, today + timedelta(days=900)), "s")
        rosters.join(team, "DM0004", "队长", today, "s")
        orgs.create("club", site, Fields("书画协会"), "s")

    shots = screenshots.shots_dir(tmp_path / "shots")
    page = chromium.new_page(viewport=screenshots.VIEWPORT, locale="zh-CN")
    screenshots.sign_in(page, url, "staffa", PASSWORD)
    page.goto(url + "/web/organisations")
    page.click("text=新建组织")
    page.select_option("select[name=kind]", "temp_branch")
    page.fill("input[name=name]", "书法班临时党支部")
    page.select_option("select[name=course]", course.key)
    page.click("button:has-text('保存')")
    branch = Organisation.get(Organisation.name == "书法班临时党支部")
    assert page.url == f"{url}/web/organisations/{branch.key}"
    assert (branch.kind, branch.course_id, branch.term_end) == ("temp_branch", course.id, term.end)

    page.fill("#join input[name=member_no]", "DM0001")
    page.select_option("#join select[name=role]", "书记")
    page.click("button:has-text('加入名单')")
    page.fill("#join input[name=member_no]", "DM0002")
    page.click("button:has-text('加入名单')")
    assert [(m.member_no, m.role) for m in OrgMember.select().where(OrgMember.organisation == branch)] == [
        ("DM0001", "书记"),
        ("DM0002", "党员"),
    ]
    roster = page.inner_text("#roster")
    assert "王建华" in roster and "书记" in roster and "书法（一）班" in page.inner_text("#facts")
    # A second secretary: refused, the page says who holds the office.
    page.select_option("tr[data-member=DM0002] select[name=role]", "书记")
    page.click("tr[data-member=DM0002] button:has-text('改')")
    assert "书记现在是王建华（DM0001）" in page.inner_text("main")

    # Its meeting this morning, two members and a guest signed in: the 台账.
    start = datetime.now().replace(second=0, microsecond=0) - timedelta(minutes=1)  # begun
    with write():
        draft = activities.Draft(
            "主题党日：重温入党誓词",
            start,
            start + timedelta(hours=1),
            "party_day",
            "三楼党员活动室",
            organisation_id=branch.id,
        )
        (meeting,) = activities.create(draft, [site], "staffa")
    for no in ("DM0001", "DM0002", "DM0003"):
        signed_in(kiosk, no, meeting)
    page.goto(f"{url}/web/organisations/{branch.key}")
    screenshots.shot(page, shots, "organisation")
    page.click(f"text={today.year} 年台账")
    assert page.inner_text("#summary [data-k=meetings]") == "1"
    assert page.inner_text("#summary [data-k=rate]") == "100%"
    assert page.inner_text("#meetings [data-k=others]") == "1"
    screenshots.shot(page, shots, "organisation_ledger")
    page.goto(url + "/web/organisations")
    assert "老干部第一党支部" in page.inner_text("#renewals") and "还有 45 天到期换届" in page.inner_text("main")
    screenshots.shot(page, shots, "organisations")
    page.close()
