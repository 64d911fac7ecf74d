"""站点层级 and 统计图表 (bureau/console/sites.py, charts.py) on a real `python -m bureau serve`:
figures summed at each level, the charts' SVG, scoping by role, the admin's audited changes, and
.xlsx downloads read back with openpyxl (those of the older report pages too).  SQLite only here:
the figure queries run on both stores in tests/bureau/test_figures.py and programme/test_hierarchy.py."""

import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from openpyxl import load_workbook

from bureau import users
from bureau.models import AuditEntry, BureauUser, Region, Site, WebSession
from tools import bureau_screenshots as screenshots

from ..programme import regions_data

PASSWORD = "charts-password-2026"
NS = {"s": "http://www.w3.org/2000/svg"}


@pytest.fixture
def store_url(tmp_path):
    """A SQLite file only (this replaces the two-store fixture of conftest.py)."""
    return f"sqlite:///{tmp_path / 'bureau.db'}"


@pytest.fixture
def demo(server, store):
    made = regions_data.build()
    users.add_user("admin1", PASSWORD, "admin", full_name="局管理员")
    users.add_user("viewer1", PASSWORD, "viewer", full_name="王主任")
    users.add_user("staff2", PASSWORD, "staff", Site.get(Site.code == "DEMO-002"), full_name="安定门工作人员")
    return made


@contextmanager
def signed_in(url: str, username: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=url, timeout=30) as http:
        done = http.post("/web/login", data={"username": username, "password": PASSWORD}, headers={"Origin": url})
        assert done.status_code == 303, done.text
        yield http


def svgs(html: str) -> dict[str, ET.Element]:
    charts = [ET.fromstring(m) for m in re.findall(r"<svg .*?</svg>", html, re.S)]
    return {c.get("id"): c for c in charts}


def texts(chart: ET.Element, cls: str) -> list[str]:
    return [t.text or "" for t in chart.iterfind(f".//s:text[@class='{cls}']", NS)]


def cell(html: str, node: str, key: str) -> str:
    row = re.search(rf'<tr data-node="{node}".*?</tr>', html, re.S)
    assert row, node
    found = re.search(rf'data-k="{key}">([^<]*)<', row.group(0))
    assert found, (node, key)
    return found.group(1)


def workbook(response: httpx.Response):
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content), read_only=True)


def rows(sheet) -> list[list]:
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def test_the_tree_sums_each_level_and_the_admin_changes_it(demo, server):
    east, west = demo.regions["东城区"], demo.regions["西城区"]
    with signed_in(server.url, "viewer1") as http:
        html = http.get("/web/sites").text
        assert [cell(html, f"region-{east}", k) for k in ("sites", "members", "active", "courses", "fill")] == [
            "2",
            "6",
            "5",
            "3",
            "87%",
        ]
        assert cell(html, f"region-{demo.regions['示范市']}", "members") == "15"
        assert cell(html, "site-DEMO-003", "active") == "3"
        assert cell(html, "total", "sites") == "5"
        assert 'action="/web/sites/regions"' not in html  # a viewer gets no forms …
        book = workbook(http.get("/web/sites?format=xlsx"))
        table = rows(book["站点层级"])
        assert table[0][:4] == ["层级", "名称", "类型", "站点数"]
        month = demo.signins_month["DEMO-001"] + demo.signins_month["DEMO-002"]
        assert ["区/县", "东城区", None, 2, 6, 5, month, 3, "87%"] in table
        # Even with its session's own token (no page gives a viewer one), a viewer changes nothing.
        token = WebSession.select().join(BureauUser).where(BureauUser.username == "viewer1").get().csrf
        refused = http.post(
            "/web/sites/regions", data={"csrf": token, "name": "x", "level": "city"}, headers={"Origin": server.url}
        )
        assert refused.status_code == 403  # … and may not post one
    with signed_in(server.url, "staff2") as http:
        assert http.get("/web/sites").status_code == 403  # the bureau's page only

    with signed_in(server.url, "admin1") as http:
        page = http.get("/web/sites").text
        token = csrf(page)
        post = lambda path, **form: http.post(path, data={"csrf": token, **form}, headers={"Origin": server.url})
        assert post("/web/sites/regions", name="月坛街道", level="street", parent=str(west)).status_code == 303
        street = Region.get(Region.name == "月坛街道")
        assert post("/web/sites/place", site="DEMO-004", region=str(street.id), kind="point").status_code == 303
        assert post("/web/sites/regions/rename", region=str(street.id), name="月坛街道办").status_code == 303
        wrong = post("/web/sites/regions/move", region=str(street.id), parent=str(demo.regions["示范市"]))
        assert wrong.status_code == 400 and "街道/乡镇只能放在区/县下" in wrong.text
        forged = http.post("/web/sites/regions", data={"name": "伪造", "level": "city"}, headers={"Origin": server.url})
        assert forged.status_code == 403  # no CSRF token
        html = http.get("/web/sites").text
        assert cell(html, f"region-{street.id}", "members") == "2"
        assert cell(html, f"region-{west}", "members") == "5"  # moved within the district: the sum stays
    site = Site.get(Site.code == "DEMO-004")
    assert (site.region_id, site.kind) == (street.id, "point")
    entries = list(AuditEntry.select().where(AuditEntry.username == "admin1").order_by(AuditEntry.id))
    assert [(e.action, e.target) for e in entries] == [
        ("region.add", "月坛街道"),
        ("site.place", "DEMO-004"),
        ("region.rename", "月坛街道办"),
    ]


def csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def test_charts_of_a_district_and_their_tables(demo, server):
    east = demo.regions["东城区"]
    with signed_in(server.url, "viewer1") as http:
        html = http.get(f"/web/charts?region={east}").text
        assert "统计图表 · 东城区" in html
        charts = svgs(html)
        assert sorted(charts) == ["chart-active", "chart-demand", "chart-fill", "chart-portrait", "chart-weekly"]
        weekly = charts["chart-weekly"]
        assert [len(g.findall("s:circle", NS)) for g in weekly.iterfind(".//s:g[@class='series']", NS)] == [52, 52]
        assert weekly.find("s:title", NS).text == "每周签到人次 · 东城区"
        active = charts["chart-active"]
        assert len(active.findall(".//s:rect[@class='bar']", NS)) == 2 * 2  # two sites, active beside registered
        assert texts(active, "category") == [
            "和平里老干部活动中心",
            "安定门教学点",
        ]
        assert texts(active, "value") == ["3", "4", "2", "2"]
        fill = charts["chart-fill"]
        assert texts(fill, "value") == ["100%（20/20）", "60%（6/10）"]
        demand = charts["chart-demand"]
        assert texts(demand, "category") == ["太极拳（和平里老干部活动中心）"]
        portrait = charts["chart-portrait"]
        assert len(portrait.findall(".//s:rect[@class='bar']", NS)) == 5 * 2  # five age bands, 男 and 女

        book = workbook(http.get(f"/web/charts?region={east}&format=xlsx&table=fill"))
        assert book.sheetnames == ["课程报满率"]
        assert rows(book["课程报满率"]) == [
            ["站点", "课程", "已报名", "名额", "报满率"],
            ["和平里老干部活动中心", "太极拳", 20, 20, "100%"],
            ["和平里老干部活动中心", "书法", 6, 10, "60%"],
            ["安定门教学点", "合唱团", 12, "不限", "-"],
        ]
        book = workbook(http.get(f"/web/charts?region={east}&format=xlsx"))
        assert book.sheetnames == ["每周签到", "活跃长者", "课程报满率", "未满足需求", "学员画像"]
        assert rows(book["每周签到"])[-1][1] == 9
        assert http.get("/web/charts?region=99999").status_code == 404
        assert http.get("/web/charts?format=xlsx&table=nope").status_code == 400


def test_a_centers_staff_see_only_their_own_site(demo, server):
    with signed_in(server.url, "staff2") as http:
        html = http.get("/web/charts").text
        assert "统计图表 · DEMO-002 安定门教学点" in html
        assert texts(svgs(html)["chart-active"], "category") == ["安定门教学点"]
        assert "DEMO-001" not in html and "东城区" not in html
        for query in (
            "site=DEMO-001",
            f"region={demo.regions['东城区']}",
            f"region={demo.regions['西城区']}",
            "node=site:DEMO-003",
        ):
            assert http.get(f"/web/charts?{query}").status_code == 404, query
            assert http.get(f"/web/charts?{query}&format=xlsx").status_code == 404, query
        assert http.get("/web/charts?site=DEMO-002").status_code == 200
        # The older report pages' downloads are theirs only too.
        kiosks = rows(workbook(http.get("/web/kiosks?format=xlsx"))["签到机"])
        assert [r[0] for r in kiosks[1:]] == ["DEMO-002-K01"]
        attendance = workbook(http.get("/web/attendance?format=xlsx"))
        assert attendance.sheetnames == ["汇总", "每日", "各课程活动"]
        assert [r[0] for r in rows(attendance["汇总"])[1:]] == ["DEMO-002"]
        assert http.get("/web/attendance?site=DEMO-001&format=xlsx").status_code == 404
        care = rows(workbook(http.get("/web/care?format=xlsx"))["未来签到"])  # their own site's list
        assert care[0][:2] == ["会员号", "姓名"]
        assert http.get("/web/care?site=DEMO-001&format=xlsx").status_code == 404
        assert rows(workbook(http.get("/web/points?format=xlsx"))["负积分"]) == [["会员号", "姓名", "站点", "积分余额"]]


@pytest.fixture(scope="module")
def chromium():
    with screenshots.browser() as browser:
        yield browser


def test_a_viewer_opens_a_districts_charts_and_downloads_a_table(demo, server, chromium, tmp_path):
    page = chromium.new_page(viewport=screenshots.VIEWPORT, locale="zh-CN", accept_downloads=True)
    screenshots.sign_in(page, server.url, "viewer1", PASSWORD)
    page.click("nav >> text=统计图表")
    page.select_option("select[name=node]", label="　东城区（区/县）")
    page.click("text=查看")
    assert page.url == f"{server.url}/web/charts?node=region%3A{demo.regions['东城区']}"
    assert page.inner_text("h2") == "统计图表 · 东城区"
    assert page.locator("#table-active tbody tr").count() == 2
    with page.expect_download() as download:
        page.click("#block-active a.xlsx")
    saved = tmp_path / "active.xlsx"
    download.value.save_as(saved)
    assert download.value.suggested_filename == "统计图表_东城区_活跃长者.xlsx"
    table = rows(load_workbook(saved, read_only=True)["活跃长者"])
    assert table == [
        ["站点", "站点名称", "活跃长者", "登记长者", "活跃率"],
        ["DEMO-001", "和平里老干部活动中心", 3, 4, "75%"],
        ["DEMO-002", "安定门教学点", 2, 2, "100%"],
    ]
    regions_data.add_history(demo)  # a year beside the last one, for the screenshots
    page.reload()
    shots = screenshots.shots_dir(tmp_path / "shots")
    assert screenshots.shot(page, shots, "charts").read_bytes().startswith(b"\x89PNG")
    page.goto(f"{server.url}/web/charts")
    assert screenshots.shot(page, shots, "charts_all").read_bytes().startswith(b"\x89PNG")
    page.close()
    page = chromium.new_page(viewport=screenshots.VIEWPORT, locale="zh-CN")
    screenshots.sign_in(page, server.url, "admin1", PASSWORD)
    page.goto(f"{server.url}/web/sites")
    assert screenshots.shot(page, shots, "sites").read_bytes().startswith(b"\x89PNG")
    page.close()
