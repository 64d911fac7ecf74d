"""/web/accounts and /web/account (bureau/console/accounts.py) on a real server: who may change
which account, what each change does to sessions, and its audit entry."""

from datetime import timedelta

import pytest

from bureau import admin, users
from bureau.models import AuditEntry, BureauUser, StreamRow, WebSession
from bureau.store import utcnow, write

from ..conftest import SITE
from .signed_in import PASSWORD, SignedIn, account, reason_of_last

OTHER = "DEMO-002"
NEW_PASSWORD = "copper-kettle-river-5"


@pytest.fixture
def store_url(tmp_path):
    """A SQLite file only: the pages' queries are the store's plain selects."""
    return f"sqlite:///{tmp_path / 'bureau.db'}"


@pytest.fixture
def people(store, kiosk):
    """An admin, a viewer, a staff member of each of two sites."""
    other = admin.add_site(OTHER, "东城街道长者服务站")
    return {
        "admin": account("wangadmin", "admin"),
        "viewer": account("zhaoview", "viewer"),
        "staff": account("listaff", "staff", kiosk.site),
        "other": account("liuother", "staff", other),
    }


def state() -> tuple:
    """Everything a refused POST must leave as it was: the accounts, the streams, the audit."""
    accounts = [
        (u.username, u.role, u.site_id, u.full_name, u.disabled, u.password_hash, u.locked_until)
        for u in BureauUser.select().order_by(BureauUser.id)
    ]
    return accounts, StreamRow.select().count(), AuditEntry.select().count()


def posts(target: str) -> list[tuple[str, dict]]:
    """Every admin POST of the console's accounts and publish pages, with a form that would work."""
    why = {"reason": "测试"}
    return [
        (
            "/web/accounts",
            {"username": "newone", "role": "viewer", "password": NEW_PASSWORD, "again": NEW_PASSWORD, **why},
        ),
        (f"/web/accounts/{target}/profile", {"role": "staff", "site": OTHER, "full_name": "改", **why}),
        (f"/web/accounts/{target}/password", {"password": NEW_PASSWORD, "again": NEW_PASSWORD, **why}),
        (f"/web/accounts/{target}/disable", why),
        (f"/web/accounts/{target}/enable", why),
        (f"/web/accounts/{target}/unlock", why),
        ("/web/publish/rules/lesson", {"points": "3", "per": "attendance", "daily_cap": "0", **why}),
        ("/web/publish/settings", {"level": "", "sync.pull_every_s": "60", **why}),
    ]


def test_only_an_admin_changes_accounts_and_publishes(server, people):
    before = state()
    viewer, staff = SignedIn(server.url, "zhaoview"), SignedIn(server.url, "listaff")
    for path, form in posts("liuother"):
        for who in (viewer, staff):
            done = who.post(path, form)
            assert done.status_code == 403, (who.username, path, done.text)
            assert "权限" in done.text or "只读" in done.text
    assert state() == before
    # Nor may they read the admin's pages; a viewer reads the published rules and settings, without forms.
    assert staff.get("/web/accounts").status_code == viewer.get("/web/accounts").status_code == 403
    assert staff.get("/web/accounts/wangadmin").status_code == 403
    assert staff.get("/web/publish").status_code == 403
    seen = viewer.get("/web/publish")
    assert seen.status_code == 200 and 'method="post"' not in seen.text.split("</header>")[1]

    # An admin's form without the token, with another session's token, or from another origin.
    boss = SignedIn(server.url, "wangadmin")
    for path, form in posts("liuother"):
        assert boss.post(path, form, csrf="").status_code == 403
        assert boss.post(path, form, csrf=viewer.csrf()).status_code == 403
        assert boss.post(path, form, origin=False).status_code == 403
    assert state() == before
    for who in (viewer, staff, boss):
        who.close()


def test_an_admin_makes_and_changes_an_account_each_change_audited(server, people):
    boss = SignedIn(server.url, "wangadmin")
    form = {"username": "chenstaff", "full_name": "陈老师", "role": "staff", "site": SITE, "reason": "新到岗"}
    weak = boss.post("/web/accounts", {**form, "password": "123456789012", "again": "123456789012"})
    assert weak.status_code == 400 and "太容易被猜到" in weak.text
    differ = boss.post("/web/accounts", {**form, "password": NEW_PASSWORD, "again": NEW_PASSWORD + "x"})
    assert differ.status_code == 400 and "两次输入的新密码不一样" in differ.text
    no_site = boss.post("/web/accounts", {**form, "site": "", "password": NEW_PASSWORD, "again": NEW_PASSWORD})
    assert no_site.status_code == 400 and "要选一个站点" in no_site.text
    assert not BureauUser.select().where(BureauUser.username == "chenstaff").exists()

    made = boss.post("/web/accounts", {**form, "password": NEW_PASSWORD, "again": NEW_PASSWORD})
    assert (made.status_code, made.headers["location"]) == (303, "/web/accounts/chenstaff?done=added")
    chen = BureauUser.get(BureauUser.username == "chenstaff")
    assert (chen.role, chen.site.code, chen.full_name) == ("staff", SITE, "陈老师")
    assert reason_of_last("user.add") == ("wangadmin", "chenstaff", "新到岗")
    assert AuditEntry.get(AuditEntry.action == "user.add", AuditEntry.target == "chenstaff").site.code == SITE
    listed = boss.get("/web/accounts").text
    assert "chenstaff" in listed and "陈老师" in listed and "从未登录" in listed

    # A reset password ends every session of the account.
    chen_browser = SignedIn(server.url, "chenstaff", NEW_PASSWORD)
    assert chen_browser.get("/web/account").status_code == 200
    reset = boss.post(
        "/web/accounts/chenstaff/password", {"password": PASSWORD, "again": PASSWORD, "reason": "忘记密码"}
    )
    assert reset.status_code == 303
    assert chen_browser.get("/web/account").status_code == 303  # signed out
    assert WebSession.select().where(WebSession.user == chen).count() == 0
    assert users.login("chenstaff", PASSWORD).user is not None
    assert reason_of_last("user.password") == ("wangadmin", "chenstaff", "忘记密码")

    # Role and site, disable and enable, unlock.
    assert (
        boss.post(
            "/web/accounts/chenstaff/profile", {"role": "viewer", "full_name": "陈老师", "reason": "调到局里"}
        ).status_code
        == 303
    )
    chen = BureauUser.get_by_id(chen.id)
    assert (chen.role, chen.site) == ("viewer", None)
    assert reason_of_last("user.role") == ("wangadmin", "chenstaff", "调到局里")
    assert boss.post("/web/accounts/chenstaff/disable", {"reason": "离职"}).status_code == 303
    assert BureauUser.get_by_id(chen.id).disabled
    assert "已停用" in boss.get("/web/accounts").text
    assert boss.post("/web/accounts/chenstaff/enable", {"reason": "返聘"}).status_code == 303
    assert not BureauUser.get_by_id(chen.id).disabled
    with write():
        BureauUser.update(failures=0, locked_until=utcnow() + timedelta(minutes=9)).where(
            BureauUser.id == chen.id
        ).execute()
    assert "已锁定" in boss.get("/web/accounts").text
    assert boss.post("/web/accounts/chenstaff/unlock", {"reason": "本人电话确认"}).status_code == 303
    assert BureauUser.get_by_id(chen.id).locked_until is None
    actions = [e.action for e in AuditEntry.select().where(AuditEntry.target == "chenstaff").order_by(AuditEntry.id)]
    assert actions == ["user.add", "user.password", "user.role", "user.disable", "user.enable", "user.unlock"]
    assert all(e.username == "wangadmin" for e in AuditEntry.select().where(AuditEntry.target == "chenstaff"))

    # Nor a reason-less change, nor an account that is not there, nor locking oneself out.
    assert boss.post("/web/accounts/chenstaff/disable", {"reason": ""}).status_code == 400
    assert boss.post("/web/accounts/nobody/disable", {"reason": "x"}).status_code == 404
    assert boss.post("/web/accounts/wangadmin/disable", {"reason": "x"}).status_code == 400
    assert boss.post("/web/accounts/wangadmin/profile", {"role": "viewer", "reason": "x"}).status_code == 400
    assert BureauUser.get(BureauUser.username == "wangadmin").role == "admin"
    boss.close()
    chen_browser.close()


def test_own_password_and_sessions(server, people):
    here, there = SignedIn(server.url, "zhaoview"), SignedIn(server.url, "zhaoview")
    other = SignedIn(server.url, "listaff")
    mine = users.sessions(people["viewer"])
    assert len(mine) == 2
    page = here.get("/web/account").text
    assert page.count("退出该会话") == 1 and "当前会话" in page and "退出其他所有会话" in page

    # Another account's session is not one's own to end: not found, and it goes on.
    (theirs,) = users.sessions(people["staff"])
    assert here.post(f"/web/account/sessions/{theirs.id}").status_code == 404
    assert other.get("/web/account").status_code == 200

    # A read-only account ends its own other session, and changes its own password.
    there_id = next(s.id for s in mine if s.id != here_session(here))
    assert here.post(f"/web/account/sessions/{there_id}").status_code == 303
    assert there.get("/web/account").status_code == 303
    assert reason_of_last("session.end")[:2] == ("zhaoview", "zhaoview")

    again = SignedIn(server.url, "zhaoview")
    wrong = here.post(
        "/web/account/password", {"current": "not-my-password", "password": NEW_PASSWORD, "again": NEW_PASSWORD}
    )
    assert wrong.status_code == 400 and "当前密码不对" in wrong.text
    changed = here.post("/web/account/password", {"current": PASSWORD, "password": NEW_PASSWORD, "again": NEW_PASSWORD})
    assert (changed.status_code, changed.headers["location"]) == (303, "/web/account?done=own_password")
    assert here.get("/web/account").status_code == 200  # this session stays …
    assert again.get("/web/account").status_code == 303  # … the others end
    assert users.login("zhaoview", NEW_PASSWORD).user is not None
    assert reason_of_last("user.password") == ("zhaoview", "zhaoview", "本人修改密码")

    # 退出其他所有会话
    assert here.post("/web/account/sessions/others").status_code == 303
    assert [s.id for s in users.sessions(people["viewer"])] == [here_session(here)]
    assert other.get("/web/account").status_code == 200  # another account's sessions untouched
    for who in (here, there, other, again):
        who.close()


def here_session(browser: SignedIn) -> int:
    """The id of the session the browser is signed in with (the page marks it as the current one)."""
    page = browser.get("/web/account").text
    return int(page.split("data-current")[0].rsplit('data-session="', 1)[1].split('"')[0])
