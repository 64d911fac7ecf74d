"""The console's 活动 pages over HTTP against a real `python -m bureau serve`: roles, scoping by URL
and by form field, the forms, the kiosks' registrations as the rules file them, the exports."""

import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

import httpx
import openpyxl
import pytest

from bureau import admin, rules, users
from bureau.models import Activity, AuditEntry, BureauUser, Signup, StreamRow, WebSession

from ..conftest import SITE
from ..test_reports import member, push

PASSWORD = "correct-horse-9"
OTHER = "UNI-002"


@pytest.fixture
def store_url(tmp_path):
    """A SQLite file only: the domain's queries run on both stores in tests/bureau/programme."""
    return f"sqlite:///{tmp_path / 'bureau.db'}"


@pytest.fixture
def accounts(server, kiosk):
    """An admin, a viewer, the staff of DEMO-001 (A) and of UNI-002 (B)."""
    other = admin.add_site(OTHER, "老年大学")
    users.add_user("admin1", PASSWORD, "admin")
    users.add_user("viewer1", PASSWORD, "viewer")
    users.add_user("staffa", PASSWORD, "staff", kiosk.site, "王芳")
    users.add_user("staffb", PASSWORD, "staff", other, "李强")
    return server.url


@contextmanager
def signed_in(url: str, username: str) -> Iterator[httpx.Client]:
    """A browser of the console signed in as `username`: its forms come from the console's origin."""
    with httpx.Client(base_url=url, headers={"Origin": url}, timeout=30) as browser:
        reply = browser.post("/web/login", data={"username": username, "password": PASSWORD})
        assert reply.status_code == 303, reply.text
        yield browser


def csrf(browser: httpx.Client, path: str) -> str:
    page = browser.get(path)
    assert page.status_code == 200, page.text
    return re.search(r'name="csrf" value="([^"]+)"', page.text)[1]


def form(title: str, start: datetime, **fields) -> dict:
    return {
        "title": title,
        "category": "walk",
        "place": "滨江公园",
        "start": start.strftime("%Y-%m-%dT%H:%M"),
        "end": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "capacity": "30",
        "waitlist": "on",
        "admission": "registered",
        **fields,
    }


def key_of(reply: httpx.Response) -> str:
    assert reply.status_code == 303, reply.text
    return reply.headers["location"].rsplit("/", 1)[1]


def test_roles_and_sites_decide_what_each_account_sees_and_changes(accounts):
    url, start = accounts, datetime(2030, 10, 18, 9, 0)
    with signed_in(url, "admin1") as boss:
        token = csrf(boss, "/web/activities/new")
        theirs = key_of(
            boss.post("/web/activities/new", data={**form("老年大学游园", start), "site": OTHER, "csrf": token})
        )
        everyone = key_of(
            boss.post("/web/activities/new", data={**form("重阳健步行", start), "every_site": "on", "csrf": token})
        )
        two = boss.post("/web/activities/new", data={**form("书画展", start), "site": [SITE, OTHER], "csrf": token})
        assert two.headers["location"] == "/web/activities"
        assert [a.site.code for a in Activity.select().where(Activity.title == "书画展").order_by(Activity.id)] == [
            SITE,
            OTHER,
        ]
        refused = boss.post("/web/activities/new", data={**form("无站点", start), "csrf": token})
        assert refused.status_code == 400 and "请选择发布到哪些站点" in refused.text
    assert StreamRow.get(StreamRow.entity_id == f"activity:{everyone}").scope == ""

    with signed_in(url, "staffa") as a:
        listing = a.get("/web/activities")
        assert "重阳健步行" in listing.text and "老年大学游园" not in listing.text
        # Site B's activity by URL: not found, as if it did not exist; by form: the same.
        for path in (
            f"/web/activities/{theirs}",
            f"/web/activities/{theirs}/edit",
            f"/web/activities/{theirs}/signups.xlsx",
        ):
            assert a.get(path).status_code == 404, path
        token = csrf(a, "/web/activities/new")
        assert a.post(f"/web/activities/{theirs}/cancel", data={"reason": "试试", "csrf": token}).status_code == 404
        sneaky = a.post("/web/activities/new", data={**form("偷发", start), "site": OTHER, "csrf": token})
        assert sneaky.status_code == 404 and not Activity.select().where(Activity.title == "偷发").exists()
        # Every site's activity: seen, not changed by a center's staff.
        assert a.get(f"/web/activities/{everyone}").status_code == 200
        assert a.post(f"/web/activities/{everyone}/cancel", data={"reason": "试试", "csrf": token}).status_code == 403
        # Their own: with no site field it is their own site's.
        mine = key_of(a.post("/web/activities/new", data={**form("太极展示", start), "csrf": token}))
        assert Activity.get(Activity.key == mine).site.code == SITE
        # A form without the session's token, or from another origin, changes nothing.
        assert a.post(f"/web/activities/{mine}/cancel", data={"reason": "x"}).status_code == 403
        other_origin = a.post(
            f"/web/activities/{mine}/cancel", data={"reason": "x", "csrf": token}, headers={"Origin": "http://evil"}
        )
        assert other_origin.status_code == 403 and Activity.get(Activity.key == mine).cancelled_at is None

    with signed_in(url, "viewer1") as v:
        assert "老年大学游园" in v.get("/web/activities").text
        assert v.get("/web/activities/new").status_code == 403
        # No page gives a read-only account a form; its session's own token does not make it one.
        token = WebSession.select().join(BureauUser).where(BureauUser.username == "viewer1").get().csrf
        assert v.post(f"/web/activities/{theirs}/cancel", data={"reason": "x", "csrf": token}).status_code == 403
    assert Activity.get(Activity.key == theirs).cancelled_at is None
    assert AuditEntry.select().where(AuditEntry.action == "activity.cancel").count() == 0


def test_edit_cancel_and_the_kiosks_registrations_and_sign_ins(accounts, client, kiosk):
    url, start = accounts, datetime(2030, 10, 18, 9, 0)
    with signed_in(url, "staffa") as a:
        token = csrf(a, "/web/activities/new")
        key = key_of(a.post("/web/activities/new", data={**form("重阳健步行", start), "csrf": token}))
        edited = a.post(
            f"/web/activities/{key}/edit",
            data={**form("重阳健步行", start, capacity="2", window_before_min="45"), "csrf": token},
        )
        assert edited.status_code == 303
        activity = Activity.get(Activity.key == key)
        assert (activity.capacity, activity.window_before_min, activity.waitlist) == (2, 45, True)
        bad = a.post(
            f"/web/activities/{key}/edit", data={**form("重阳健步行", start, window_after_min="999"), "csrf": token}
        )
        assert bad.status_code == 400 and "0 到 720" in bad.text

        registered = {"title": "重阳健步行", "start": start.isoformat(), "site": SITE, "kiosk_id": kiosk.kiosk_id}
        push(
            client,
            [
                ("member", member("XC0001", "王建华", SITE, "2026-01-10", "h-wang")),
                ("member", member("XC0002", "李秀英", SITE, "2026-01-10", "h-li")),
                (
                    "registration",
                    {
                        **registered,
                        "member_no": "XC0001",
                        "status": "registered",
                        "at": "2030-10-01T09:00:00",
                        "key": key,
                    },
                ),
                (
                    "registration",
                    {**registered, "member_no": "XC0002", "status": "registered", "at": "2030-10-01T09:05:00"},
                ),
                (
                    "registration",
                    {**registered, "member_no": "XC0002", "status": "cancelled", "at": "2030-10-02T10:00:00"},
                ),
                (
                    "signin",
                    {
                        **registered,
                        "member_no": "XC0001",
                        "kind": "activity",
                        "item_id": 1,
                        "at": "2030-10-18T08:50:00",
                        "method": "qr",
                    },
                ),
            ],
        )
        rules.catch_up()
        assert sorted((s.member_no, s.status, s.activity_id) for s in Signup.select()) == [
            ("XC0001", "registered", activity.id),
            ("XC0002", "cancelled", activity.id),  # matched by site, title and start: the fact had no key
        ]
        page = a.get(f"/web/activities/{key}")
        assert "王建华" in page.text and "李秀英" in page.text and "已报名" in page.text
        sheet = openpyxl.load_workbook(io.BytesIO(a.get(f"/web/activities/{key}/signups.xlsx").content)).active
        assert [tuple(r)[:3] for r in sheet.iter_rows(values_only=True)] == [
            ("学员号", "姓名", "状态"),
            ("XC0001", "王建华", "已报名"),
            ("XC0002", "李秀英", "已取消"),
        ]
        came = openpyxl.load_workbook(io.BytesIO(a.get(f"/web/activities/{key}/attendance.xlsx").content)).active
        assert [tuple(r) for r in came.iter_rows(values_only=True)] == [
            ("学员号", "姓名", "方式", "签到时间"),
            ("XC0001", "王建华", "扫码", datetime(2030, 10, 18, 8, 50)),
        ]

        no_reason = a.post(f"/web/activities/{key}/cancel", data={"reason": " ", "csrf": token})
        assert no_reason.status_code == 400 and "取消原因" in no_reason.text
        assert (
            a.post(f"/web/activities/{key}/cancel", data={"reason": "天气预报有大雨", "csrf": token}).status_code == 303
        )
        assert "天气预报有大雨" in a.get(f"/web/activities/{key}").text
        # Next year's: the 2nd, copied, in the same yearly series.
        nxt = key_of(a.post(f"/web/activities/{key}/next", data={"day": "2031-10-26", "csrf": token}))
        follow = Activity.get(Activity.key == nxt)
        assert (follow.series_no, follow.start, follow.cancelled_at) == (2, datetime(2031, 10, 26, 9, 0), None)
        copy = a.get(f"/web/activities/new?copy={key}&day=2031-05-01")
        assert 'value="2031-05-01T09:00"' in copy.text and "复制自" in copy.text
    actions = [
        e.action for e in AuditEntry.select().where(AuditEntry.action.startswith("activity.")).order_by(AuditEntry.id)
    ]
    assert actions == ["activity.create", "activity.edit", "activity.cancel", "activity.create"]
