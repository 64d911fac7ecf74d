"""The console's notices (bureau/console/notices.py) over HTTP against a real `python -m bureau
serve`: who may publish, see and withdraw which notice, and what reaches the items stream."""

import re
from datetime import datetime, timedelta

import httpx
import pytest

from bureau import admin, streams, users
from bureau.models import AuditEntry, BureauUser, Notice, StreamRow, WebSession

PASSWORD = "correct-horse-9"


@pytest.fixture
def sites(store):
    """Two centres, A and B, an admin, a viewer, and one staff member of each centre."""
    a, b = admin.add_site("SITE-A", "东城中心"), admin.add_site("SITE-B", "西城中心")
    users.add_user("boss", PASSWORD, "admin")
    users.add_user("reader", PASSWORD, "viewer")
    users.add_user("ana", PASSWORD, "staff", a)
    users.add_user("bob", PASSWORD, "staff", b)
    return a, b


class Console:
    """A signed-in browser of the console, as httpx: reads each form's CSRF token from its page."""

    def __init__(self, url: str, username: str):
        self.url, self.username = url, username
        self.http = httpx.Client(base_url=url, headers={"Origin": url})
        signed_in = self.http.post("/web/login", data={"username": username, "password": PASSWORD})
        assert signed_in.status_code == 303, signed_in.text

    def token(self) -> str:
        page = self.http.get("/web/notices/new")
        found = re.search(r'name="csrf" value="([^"]+)"', page.text)
        if page.status_code == 403:  # a read-only account has no form to read it from
            return WebSession.select().join(BureauUser).where(BureauUser.username == self.username).get().csrf
        assert found, page.text
        return found.group(1)

    def post(self, path: str, data: dict, token: str | None = None) -> httpx.Response:
        return self.http.post(path, data={"csrf": token or self.token(), **data})

    def publish(self, **fields) -> httpx.Response:
        start = datetime.now().replace(second=0, microsecond=0) - timedelta(hours=1)
        data = {
            "kind": "suspend",
            "title": "周三太极拳停课",
            "body": "因场地维修，本周三太极拳停课一次。",
            "start": start.isoformat(timespec="minutes"),
            "end": (start + timedelta(days=2)).isoformat(timespec="minutes"),
            **fields,
        }
        return self.post("/web/notices", data)


def items() -> dict[str, tuple[str, dict | None]]:
    """The items stream's notices: key → (scope, data)."""
    found = StreamRow.select().where((StreamRow.stream == "items") & StreamRow.entity_id.startswith("notice:"))
    return {row.entity_id: (row.scope, streams.data(row)) for row in found}


def test_roles_and_sites(sites, server):
    boss, reader, ana, bob = (Console(server.url, u) for u in ("boss", "reader", "ana", "bob"))

    # A centre's staff publish for their own site, whatever the form says.
    made = ana.publish(site="SITE-B", all="on")
    assert made.status_code == 303
    (mine,) = Notice.select()
    assert made.headers["location"] == f"/web/notices/{mine.key}"
    assert (mine.site.code, mine.kind, mine.created_by) == ("SITE-A", "suspend", "ana")
    assert items()[f"notice:{mine.key}"][0] == "site:SITE-A"
    assert AuditEntry.get(AuditEntry.action == "notice.publish").username == "ana"

    # Staff of B: A's notice is not there, by URL, by form, nor in the list.
    assert bob.http.get(f"/web/notices/{mine.key}").status_code == 404
    assert bob.http.get(f"/web/notices/new?from={mine.key}").status_code == 404
    assert bob.post(f"/web/notices/{mine.key}/withdraw", {"reason": "x"}).status_code == 404
    assert bob.post("/web/notices", {"replaces": mine.key, "kind": "notice", "title": "t"}).status_code == 404
    assert mine.key not in bob.http.get("/web/notices").text
    assert Notice.get_by_id(mine.id).withdrawn_at is None

    # A viewer reads every site's notices and changes nothing.
    assert mine.key in reader.http.get("/web/notices").text
    assert reader.http.get("/web/notices/new").status_code == 403
    assert reader.post(f"/web/notices/{mine.key}/withdraw", {"reason": "x"}).status_code == 403
    listed = reader.http.get("/web/notices?site=SITE-B").text
    assert mine.key not in listed

    # No token, another session's token, or another origin: refused.
    assert ana.http.post(f"/web/notices/{mine.key}/withdraw", data={"reason": "x"}).status_code == 403
    assert ana.post(f"/web/notices/{mine.key}/withdraw", {"reason": "x"}, token=bob.token()).status_code == 403
    evil = ana.http.post(
        f"/web/notices/{mine.key}/withdraw",
        data={"reason": "x", "csrf": ana.token()},
        headers={"Origin": "http://evil.example"},
    )
    assert evil.status_code == 403

    # The admin publishes for every site (one notice, scope "") or some sites (one each).
    assert boss.publish(all="on", title="全区通知").status_code == 303
    assert boss.publish(site=["SITE-A", "SITE-B"], title="两个中心").status_code == 303
    everyone = Notice.get(Notice.title == "全区通知")
    assert everyone.site is None and items()[f"notice:{everyone.key}"][0] == ""
    assert sorted(n.site.code for n in Notice.select().where(Notice.title == "两个中心")) == ["SITE-A", "SITE-B"]
    assert boss.publish(title="没选站点").status_code == 400
    assert boss.publish(site="NOPE").status_code == 404

    # Staff see the notice for every site, and may not withdraw it.
    assert everyone.key in bob.http.get("/web/notices").text
    assert bob.post(f"/web/notices/{everyone.key}/withdraw", {"reason": "x"}).status_code == 403

    # Withdrawing takes a reason, deletes the item and is audited with it.
    assert ana.post(f"/web/notices/{mine.key}/withdraw", {"reason": ""}).status_code == 400
    assert ana.post(f"/web/notices/{mine.key}/withdraw", {"reason": "维修提前完成"}).status_code == 303
    assert Notice.get_by_id(mine.id).withdrawn_at is not None
    assert items()[f"notice:{mine.key}"] == ("site:SITE-A", None)
    assert AuditEntry.get(AuditEntry.action == "notice.withdraw").reason == "维修提前完成"
    assert "已撤回" in ana.http.get("/web/notices").text


def test_change_is_withdraw_and_publish(sites, server):
    ana = Console(server.url, "ana")
    ana.publish(title="旧标题")
    old = Notice.get(Notice.title == "旧标题")
    form = ana.http.get(f"/web/notices/new?from={old.key}").text
    assert 'value="旧标题"' in form and f'name="replaces" value="{old.key}"' in form

    too_long = ana.publish(replaces=old.key, title="长" * 41)
    assert too_long.status_code == 400 and "最多 40 个字" in too_long.text
    assert Notice.get_by_id(old.id).withdrawn_at is None  # nothing changed
    backwards = ana.publish(replaces=old.key, start="2026-12-02T09:00", end="2026-12-01T09:00")
    assert backwards.status_code == 400 and "结束时间要晚于开始时间" in backwards.text

    assert ana.publish(replaces=old.key, title="新标题").status_code == 303
    new = Notice.get(Notice.title == "新标题")
    assert Notice.get_by_id(old.id).withdrawn_at is not None and new.withdrawn_at is None
    assert items()[f"notice:{old.key}"][1] is None and items()[f"notice:{new.key}"][1]["title"] == "新标题"


def test_a_notice_saved_in_the_console_reaches_the_kiosk_by_its_pull(settings, server, kiosk):
    """A real kiosk.db pulling from the real server: its site's notice and the one for every site
    arrive, another site's does not; withdrawn, it is gone at the next pull."""
    from kiosk.programme import notices as kiosk_notices
    from kiosk.store.models import Notice as KioskNotice
    from kiosk.sync.apply import Here
    from kiosk.sync.client import Bureau
    from kiosk.sync.pull import pull_all

    other = admin.add_site("DEMO-002", "别的中心")
    users.add_user("here", PASSWORD, "staff", kiosk.site)
    users.add_user("there", PASSWORD, "staff", other)
    users.add_user("boss", PASSWORD, "admin")
    assert Console(server.url, "here").publish(title="本站停课").status_code == 303
    assert Console(server.url, "there").publish(title="别站停课").status_code == 303
    assert Console(server.url, "boss").publish(all="on", kind="notice", title="全区通知").status_code == 303

    def pulled() -> list[str]:
        bureau = Bureau(settings)
        try:
            done = pull_all(bureau, Here(settings.site.code, settings.kiosk.id, datetime.now()))
        finally:
            bureau.close()
        assert not [s for s, d in done.items() if isinstance(d, Exception)], done
        return sorted(n.title for n in kiosk_notices.current(datetime.now()))

    assert pulled() == ["全区通知", "本站停课"]
    mine = KioskNotice.get(KioskNotice.title == "本站停课")
    assert (mine.kind, mine.body) == ("suspend", "因场地维修，本周三太极拳停课一次。")

    key = Notice.get(Notice.title == "本站停课").key
    assert Console(server.url, "here").post(f"/web/notices/{key}/withdraw", {"reason": "不停了"}).status_code == 303
    assert pulled() == ["全区通知"]
