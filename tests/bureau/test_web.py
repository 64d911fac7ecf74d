"""The staff's web page (bureau/web.py) in headless Chromium against a real `python -m bureau
serve`, and the accounts behind its login (bureau/users.py).  One store is enough here: the
report queries themselves run on both in test_reports.py."""

import io
import subprocess
import sys
from datetime import date, datetime, timedelta

import httpx
import pytest
from openpyxl import load_workbook

from bureau import reports, rules, users
from bureau.models import BureauUser, WebSession
from bureau.store import utcnow
from tools import bureau_screenshots as screenshots

from .conftest import SITE, SITE_NAME, bureau_env, cli
from .test_reports import device, member, push, signin

USER, PASSWORD = "zhangli", "correct-horse-9"
NAME = "张<script>alert(1)</script>"


@pytest.fixture
def store_url(tmp_path):
    """A SQLite file only (this replaces the two-store fixture of conftest.py)."""
    return f"sqlite:///{tmp_path / 'bureau.db'}"


@pytest.fixture(scope="module")
def chromium():
    with screenshots.browser() as browser:
        yield browser


def add_user(store_url: str, name: str, password: str, cwd) -> subprocess.CompletedProcess:
    """`python -m bureau user add NAME --password-stdin`, as the operator makes a staff account."""
    return subprocess.run(
        [sys.executable, "-m", "bureau", "--db", store_url, "user", "add", name, "--password-stdin"],
        input=password + "\n",
        capture_output=True,
        text=True,
        cwd=cwd,
        env=bureau_env(),
        timeout=60,
    )


@pytest.fixture
def staffed(server, kiosk, client, store_url, tmp_path):
    """A staff user made with the CLI, and today's sign-ins and a failing reader pushed by the kiosk."""
    made = add_user(store_url, USER, PASSWORD, tmp_path)
    assert made.returncode == 0, made.stderr
    today = date.today()
    nine = datetime.combine(today, datetime.min.time()).replace(hour=9).isoformat()
    k1 = kiosk.kiosk_id
    push(
        client,
        [
            ("member", member("XC0001", "王建华", SITE, "2026-01-10", "h-wang")),
            ("member", member("XC0002", NAME, SITE, "2020-01-01", "h-zhang")),
            ("member", member("XC0003", "李秀英", SITE, "2026-01-01", "h-li")),
            ("signin", signin("XC0001", SITE, k1, "太极拳", nine)),
            ("signin", signin("XC0003", SITE, k1, "太极拳", nine)),
            ("device", device(k1, SITE, "absent", 2, "串口无响应", nine)),
        ],
        head_seq=9,
    )
    rules.catch_up()
    return k1


def test_staff_sign_in_and_read_every_page(staffed, server, chromium, tmp_path):
    check_forms_refuse_other_sites(server.url)
    dialogs = []
    page = chromium.new_page(locale="zh-CN")
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))

    page.goto(server.url + "/web/kiosks")  # not signed in: to the login form, and back after it
    assert page.url == server.url + "/web/login?next=/web/kiosks"
    screenshots.sign_in(page, server.url, USER, "wrong-password")
    assert page.url == server.url + "/web/login"
    assert "用户名或密码不对" in page.inner_text("[role=alert]")

    screenshots.sign_in(page, server.url, USER, PASSWORD)
    assert page.url == server.url + "/web/"
    (cookie,) = page.context.cookies()
    assert (cookie["name"], cookie["httpOnly"], cookie["sameSite"], cookie["path"]) == (
        "bureau_session",
        True,
        "Strict",
        "/web",
    )
    check_overview(page)

    page.click("nav >> text=签到机状态")
    assert page.url == server.url + "/web/kiosks"
    check_kiosks(page)

    page.goto(server.url + "/web/care")  # every site: how many each list holds; a viewer sees no names
    assert page.inner_text(f"#care-sites tr[data-site={SITE}] td[data-list=absent]").startswith("1")
    assert NAME not in page.content() and page.locator("#care-sites a").count() == 0
    page.goto(server.url + f"/web/care?site={SITE}")
    assert "只读账号只能看各站点的人数" in page.inner_text("[role=alert]")
    assert dialogs == []  # (a name is shown as text on a staff's list: tests/bureau/console/test_care.py)

    page.goto(server.url + "/web/attendance?from=2026-13-01")
    assert "格式不对" in page.inner_text("[role=alert]")

    page.click("text=退出登录")
    assert page.url == server.url + "/web/login"
    page.goto(server.url + "/web/")
    assert page.url == server.url + "/web/login"
    page.close()

    shots = screenshots.shoot(server.url, USER, PASSWORD, tmp_path / "shots", chromium)
    assert [p.name for p in shots] == [f"bureau_{n}.png" for n in screenshots.PAGES]
    assert all(p.read_bytes().startswith(b"\x89PNG") for p in shots)


def check_forms_refuse_other_sites(url: str) -> None:
    form = {"username": USER, "password": PASSWORD}
    with httpx.Client(base_url=url) as http:
        assert http.post("/web/login", data=form).status_code == 403  # no Origin
        assert http.post("/web/login", data=form, headers={"Origin": "http://evil.example"}).status_code == 403
        signed_in = http.post("/web/login", data=form, headers={"Origin": url})
        assert signed_in.status_code == 303 and signed_in.headers["location"] == "/web/"
        assert http.get("/web/points").status_code == 200
        assert http.post("/web/logout", headers={"Origin": "http://evil.example"}).status_code == 403
        assert http.get("/web/points").status_code == 200  # still signed in
        assert http.post("/web/logout", headers={"Origin": url}).status_code == 303
        # The CJK font for computers without one: served to anybody (it holds no data).
        with http.stream("GET", "/web/static/NotoSansCJKsc-Regular.otf") as font:
            assert (font.status_code, font.headers["content-type"]) == (200, "font/otf")
        with http.stream("GET", "/web/static/HanaMinB.ttf") as rare:  # a name's rare characters
            assert (rare.status_code, rare.headers["content-type"]) == (200, "font/ttf")
    with httpx.Client(base_url=url, cookies=signed_in.cookies) as old:
        assert old.get("/web/points").status_code == 303  # that session is gone


def check_overview(page) -> None:
    """The overview's numbers are the reports' figures."""
    today = date.today()
    day = reports.attendance(today, today)
    month = reports.attendance(today.replace(day=1), today)
    active = reports.active_seniors(30, today)

    def cell(site: str, key: str) -> int:
        return int(page.inner_text(f'#sites tr[data-site="{site}"] td[data-k="{key}"]'))

    (site,) = day
    assert (cell(SITE, "today"), cell(SITE, "today_members")) == (site.signins, site.members) == (2, 2)
    assert (cell(SITE, "month"), cell(SITE, "month_members")) == (month[0].signins, month[0].members)
    assert (cell(SITE, "active"), cell(SITE, "registered")) == (active[0].active, active[0].registered) == (2, 3)
    assert (cell("", "active"), cell("", "registered")) == (active[-1].active, active[-1].registered)
    assert page.inner_text("#attention tbody th") == SITE + "-K01"


def check_kiosks(page) -> None:
    (health,) = reports.kiosk_health(utcnow())

    def cell(key: str) -> str:
        return page.inner_text(f'#kiosks tr[data-kiosk="{health.kiosk_id}"] [data-k="{key}"]')

    assert (cell("backlog"), cell("rejects"), cell("version"), cell("epoch")) == (
        str(health.backlog),
        "0",
        health.version,
        "1",
    )
    assert health.backlog == 3
    assert cell("status") == "需要关注"
    assert cell("last_seen") == reports.local_time(health.last_seen)
    devices = cell("devices")
    assert "身份证读卡器" in devices and "未连接" in devices and "串口无响应" in devices


def test_the_bureau_downloads_how_many_each_site_has_to_visit_and_a_viewer_no_list(staffed, server):
    """Every site at once is a count per site and list (its download too); a site's list, with
    names, is not a read-only account's."""
    with httpx.Client(base_url=server.url, headers={"Origin": server.url}) as http:
        assert http.post("/web/login", data={"username": USER, "password": PASSWORD}).status_code == 303
        counts = load_workbook(io.BytesIO(http.get("/web/care?format=xlsx").content))["各站点"]
        header, row = counts.iter_rows(values_only=True)
        assert header[:4] == ("站点", "站点名称", "未来签到待走访", "未来签到逾期")
        assert row[:4] == (SITE, SITE_NAME, 1, 1)  # XC0002 never came since 2020
        assert http.get(f"/web/care?site={SITE}&format=xlsx").status_code == 403


def test_five_wrong_passwords_lock_the_account_for_ten_minutes(store, store_url, tmp_path):
    assert add_user(store_url, USER, PASSWORD, tmp_path).returncode == 0
    assert add_user(store_url, USER, PASSWORD, tmp_path).returncode == 2  # taken
    assert add_user(store_url, "short", "1234567", tmp_path).returncode == 2  # too short
    stored = BureauUser.get(BureauUser.username == USER).password_hash
    assert stored.startswith("scrypt$") and PASSWORD not in stored
    t = datetime(2026, 11, 21, 9, 0)
    for _ in range(5):
        assert users.login(USER, "wrong-password", t).user is None
    assert users.login(USER, PASSWORD, t + timedelta(minutes=9)).user is None  # locked
    ok = users.login(USER, PASSWORD, t + timedelta(minutes=10, seconds=1))
    assert ok.user.username == USER and len(ok.token) >= 40
    assert users.login("nobody", PASSWORD, t).user is None

    # The session: only its hash is stored; it ends after 8 hours, at logout, or when disabled.
    assert WebSession.select().where(WebSession.token_hash == ok.token).count() == 0
    later = t + timedelta(minutes=10, seconds=1)
    assert users.session_user(ok.token, later + timedelta(hours=7)).username == USER
    assert users.session_user(ok.token, later + timedelta(hours=8)) is None
    users.logout(ok.token)
    assert users.session_user(ok.token, later) is None
    again = users.login(USER, PASSWORD, later)
    listed = cli(store_url, "user", "list", cwd=tmp_path)
    assert listed.stdout.splitlines()[1].split("\t")[:4] == [USER, "viewer", "-", "no"]
    assert cli(store_url, "user", "disable", USER, cwd=tmp_path).returncode == 0
    assert users.session_user(again.token, later) is None
    assert users.login(USER, PASSWORD, later).user is None
