"""The console's 支部与团队 pages over HTTP against a real `python -m bureau serve`: roles and sites
by URL and by form, the roster's forms, the 换届 reminder on the list and the overview, an
activity's 所属组织, the 台账 page and its workbook."""

import io
from datetime import date, datetime, timedelta

import openpyxl
import pytest

from bureau import admin, streams
from bureau.models import Activity, AuditEntry, Member, Organisation, OrgMember, StreamRow
from bureau.organisations import orgs, rosters
from bureau.organisations.orgs import Fields
from bureau.store import write

from ..conftest import SITE
from ..organisations.test_ledger import signed_in
from .signed_in import SignedIn, account

OTHER = "UNI-002"


@pytest.fixture
def store_url(tmp_path):
    """A SQLite file only: the domain's queries run on both stores in tests/bureau/organisations."""
    return f"sqlite:///{tmp_path / 'bureau.db'}"


@pytest.fixture
def world(server, kiosk):
    """Site A (DEMO-001) with two members, site B with one, a branch of each and a bureau-wide team."""
    other = admin.add_site(OTHER, "老年大学", prefix="UN")
    account("boss", "admin")
    account("reader", "viewer")
    account("staffa", "staff", kiosk.site)
    account("staffb", "staff", other)
    Member.create(member_no="DM0001", name="王建华", site=kiosk.site)
    Member.create(member_no="DM0002", name="李秀英", site=kiosk.site)
    Member.create(member_no="UN0001", name="刘桂兰", site=other)
    today = date.today()
    with write():
        theirs = orgs.create("branch", other, Fields("老年大学党支部", today, today + timedelta(days=30)), "staffb")
        rosters.join(theirs, "UN0001", "书记", today, "staffb")
        team = orgs.create("team", None, Fields("全市银龄志愿服务总队"), "boss")
        rosters.join(team, "UN0001", "队员", today, "boss")
        rosters.join(team, "DM0001", "队长", today, "boss")
    return {"url": server.url, "site": kiosk.site, "theirs": theirs, "team": team, "kiosk": kiosk}


def test_staff_make_their_own_sites_branch_and_find_nothing_of_another_site(world):
    url, theirs, team = world["url"], world["theirs"], world["team"]
    a = SignedIn(url, "staffa")
    token = a.csrf("/web/organisations/new")
    made = a.post(
        "/web/organisations/new",
        {"kind": "branch", "name": "老干部第一党支部", "term_start": "2024-01-01", "term_end": "2029-12-31"},
        token,
    )
    assert made.status_code == 303, made.text
    org = Organisation.get(Organisation.name == "老干部第一党支部")
    assert made.headers["location"] == f"/web/organisations/{org.key}" and org.site.code == SITE
    # Another site's, by URL and by form field: not found, as if it did not exist.
    for path in (f"/web/organisations/{theirs.key}", f"/web/organisations/{theirs.key}/ledger"):
        assert a.get(path).status_code == 404, path
    assert a.post(f"/web/organisations/{theirs.key}/members", {"member_no": "DM0001"}, token).status_code == 404
    sneaky = a.post("/web/organisations/new", {"kind": "club", "name": "偷建", "site": OTHER}, token)
    assert sneaky.status_code == 404 and not Organisation.select().where(Organisation.name == "偷建").exists()
    listing = a.get("/web/organisations").text
    assert "老干部第一党支部" in listing and "全市银龄志愿服务总队" in listing and "老年大学党支部" not in listing
    # The bureau's team: seen, its other site's member by number only; not changed by a centre.
    page = a.get(f"/web/organisations/{team.key}").text
    assert "王建华" in page and "UN0001" in page and "刘桂兰" not in page
    assert a.post(f"/web/organisations/{team.key}/members", {"member_no": "DM0002"}, token).status_code == 403
    # Another site's member on their own branch: refused with a reason.
    refused = a.post(f"/web/organisations/{org.key}/members", {"member_no": "UN0001", "role": "党员"}, token)
    assert refused.status_code == 400 and "本站点没有学号 UN0001" in refused.text
    # Without the session's token nothing changes.
    assert a.post(f"/web/organisations/{org.key}/members", {"member_no": "DM0001"}, "").status_code == 403
    assert OrgMember.select().where(OrgMember.organisation == org).count() == 0
    a.close()


def test_the_roster_forms_one_secretary_at_a_time_leaving_and_dissolving(world):
    url = world["url"]
    a = SignedIn(url, "staffa")
    with write():
        org = orgs.create("branch", world["site"], Fields("第二党支部"), "staffa")
    page = f"/web/organisations/{org.key}"
    token = a.csrf(page)
    assert a.post(f"{page}/members", {"member_no": "DM0001", "role": "书记"}, token).status_code == 303
    assert a.post(f"{page}/members", {"member_no": "DM0002", "role": "党员"}, token).status_code == 303
    second = a.post(f"{page}/members/DM0002/role", {"role": "书记"}, token)
    assert second.status_code == 400
    assert "一个组织同时只有一位书记：请先把王建华的职务改为其他，再任命新的书记。" in second.text
    assert a.post(f"{page}/members/DM0001/role", {"role": "委员"}, token).status_code == 303
    assert a.post(f"{page}/members/DM0002/role", {"role": "书记"}, token).status_code == 303
    assert a.post(f"{page}/members/DM0001/leave", {"until": date.today().isoformat()}, token).status_code == 303
    shown = a.get(page).text
    assert "曾经的成员" in shown and "李秀英" in shown
    data = streams.data(StreamRow.get(StreamRow.entity_id == f"org:{org.key}"))
    assert data["members"] == ["DM0002"]
    assert a.post(f"{page}/dissolve", {"reason": "并入第一党支部"}, token).status_code == 303
    assert streams.data(StreamRow.get(StreamRow.entity_id == f"org:{org.key}")) is None
    assert "已撤销" in a.get(page).text and "加入名单" not in a.get(page).text
    assert a.post(f"{page}/members", {"member_no": "DM0001"}, token).status_code == 400
    # Listed again only when asked for the dissolved ones.
    assert "第二党支部" not in a.get("/web/organisations").text
    assert "第二党支部" in a.get("/web/organisations", dissolved="1").text
    a.close()


def test_a_viewer_reads_everything_changes_nothing_and_sees_the_renewal_reminders(world):
    reader = SignedIn(world["url"], "reader")
    theirs = world["theirs"]
    listing = reader.get("/web/organisations").text
    assert "老年大学党支部" in listing and "1 个组织 90 天内到期换届" in listing and "还有 30 天到期换届" in listing
    assert "1 个组织 90 天内到期换届" in reader.get("/web/").text
    assert "刘桂兰" in reader.get(f"/web/organisations/{theirs.key}").text  # the bureau sees every site's members
    assert "新建组织" not in listing and reader.get("/web/organisations/new").status_code == 403
    token = reader.csrf("/web/account")
    assert reader.post(f"/web/organisations/{theirs.key}/dissolve", {"reason": "x"}, token).status_code == 403
    assert Organisation.get_by_id(theirs.id).dissolved_at is None
    reader.close()
    # Site A's staff see no reminder of site B's branch, on the list or the overview.
    a = SignedIn(world["url"], "staffa")
    assert "到期换届" not in a.get("/web/organisations").text and "到期换届" not in a.get("/web/").text
    a.close()


def test_an_activity_of_a_branch_and_its_ledger_page_and_workbook(world):
    url, site, kiosk = world["url"], world["site"], world["kiosk"]
    with write():
        org = orgs.create("branch", site, Fields("第三党支部"), "staffa")
        rosters.join(org, "DM0001", "书记", date(2020, 1, 1), "staffa")
    a = SignedIn(url, "staffa")
    token = a.csrf("/web/activities/new")
    assert f'<option value="{org.key}">第三党支部' in a.get("/web/activities/new").text
    start = datetime.now().replace(second=0, microsecond=0) - timedelta(hours=1)
    form = {
        "title": "主题党日：学习二十大精神",
        "category": "party_day",
        "place": "党员活动室",
        "start": start.strftime("%Y-%m-%dT%H:%M"),
        "end": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "admission": "open",
        "organisation": org.key,
    }
    made = a.post("/web/activities/new", form, token)
    assert made.status_code == 303, made.text
    activity = Activity.get(Activity.title == form["title"])
    assert activity.organisation_id == org.id
    assert streams.data(StreamRow.get(StreamRow.entity_id == f"activity:{activity.key}"))["org"] == org.key
    # The bureau's team holds activities of any site; another site's branch, none of this one's.
    refused = a.post("/web/activities/new", {**form, "organisation": world["theirs"].key}, token)
    assert refused.status_code == 404
    for no in ("DM0001", "DM0002"):
        signed_in(kiosk, no, activity)
    page = a.get(f"/web/organisations/{org.key}/ledger", year=str(start.year)).text
    assert "主题党日：学习二十大精神" in page and "100%" in page and "王建华" in page
    book = a.get(f"/web/organisations/{org.key}/ledger", year=str(start.year), format="xlsx")
    assert book.status_code == 200
    sheets = openpyxl.load_workbook(io.BytesIO(book.content))
    assert sheets.sheetnames == ["汇总", "会议", "签到", "成员"]
    summary = {row[0]: row[1] for row in sheets["汇总"].iter_rows(min_row=2, values_only=True)}
    assert (summary["开会次数"], summary["主题党日"], summary["平均出勤率"]) == (1, 1, "100%")
    signins = [row[2:5] for row in sheets["签到"].iter_rows(min_row=2, values_only=True)]
    assert signins == [("DM0001", "王建华", "成员"), ("DM0002", "李秀英", "非成员")]
    assert AuditEntry.select().where(AuditEntry.action == "activity.create").count() == 1
    a.close()
