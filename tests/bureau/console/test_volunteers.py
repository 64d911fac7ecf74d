"""The console's 志愿服务 pages over HTTP against a real `python -m bureau serve`: who sees and changes
what (a centre's own volunteers and needs, the bureau's domains), a member's skills by form, the
need flow by form, and the hours report as .xlsx from the kiosks' hours and a need done."""

import io
from datetime import datetime, timedelta

import openpyxl
import pytest

from bureau import admin, rules, users
from bureau.models import AuditEntry, LedgerEntry, MemberSkill, Need, NeedTaker, SkillDomain

from ..conftest import SITE
from ..test_reports import member, push
from .test_activities import OTHER, PASSWORD, csrf, signed_in, store_url  # noqa: F401 (fixture)

START = datetime(2030, 3, 5, 9, 0)


@pytest.fixture
def bureau(server, kiosk, client):
    """Two sites' members pushed by a kiosk (XC0001–XC0003 of DEMO-001) and made by the rules, an
    admin, a viewer and the staff of each site."""
    other = admin.add_site(OTHER, "老年大学", prefix="UN")
    users.add_user("admin1", PASSWORD, "admin")
    users.add_user("viewer1", PASSWORD, "viewer")
    users.add_user("staffa", PASSWORD, "staff", kiosk.site, "王芳")
    users.add_user("staffb", PASSWORD, "staff", other, "李强")
    push(
        client,
        [
            ("member", member("XC0001", "王建华", SITE, "2026-01-10", "h-wang")),
            ("member", member("XC0002", "李秀英", SITE, "2026-01-10", "h-li")),
            ("member", member("XC0003", "张志强", SITE, "2026-01-10", "h-zhang")),
            # Two hours of service the kiosk's staff recorded for 王建华.
            (
                "points",
                {
                    "member_no": "XC0001",
                    "amount": 4,
                    "kind": "volunteer",
                    "rule": "volunteer_hour",
                    "hours": 2,
                    "at": "2030-02-10T10:00:00",
                    "site": SITE,
                },
            ),
        ],
    )
    rules.catch_up()
    return server.url


def painting() -> int:
    return SkillDomain.get(SkillDomain.name == "书画").id


def test_skills_needs_and_hours_by_form_each_account_in_its_own_place(bureau):
    url = bureau
    with signed_in(url, "staffa") as a:
        # Skills of two of the centre's members.
        for no, detail in (("XC0001", "擅长楷书"), ("XC0002", "国画")):
            token = csrf(a, f"/web/volunteers/member/{no}")
            reply = a.post(
                f"/web/volunteers/member/{no}/skills", data={"domain": painting(), "detail": detail, "csrf": token}
            )
            assert reply.status_code == 303, reply.text
        assert "擅长楷书" in a.get("/web/volunteers?tab=pool").text
        assert "特长与志愿服务" in a.get("/web/members/XC0001").text  # the member page links to it
        # A need, matched: 李秀英 (no hours lately) before 王建华 (two hours).
        token = csrf(a, "/web/volunteers/needs/new")
        form = {
            "title": "社区春联义写",
            "domain": painting(),
            "requester": "幸福社区居委会",
            "place": "社区活动室",
            "start": START.strftime("%Y-%m-%dT%H:%M"),
            "end": (START + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "wanted": "1",
            "csrf": token,
        }
        reply = a.post("/web/volunteers/needs/new", data=form)
        assert reply.status_code == 303, reply.text
        path = reply.headers["location"]
        page = a.get(path).text
        assert page.index("李秀英") < page.index("王建华") and "近 90 天服务 2 小时" in page
        token = csrf(a, path)
        assert a.post(f"{path}/dispatch", data={"member_no": "XC0002", "csrf": token}).status_code == 303
        assert (
            a.post(f"{path}/answer", data={"member_no": "XC0002", "answer": "accepted", "csrf": token}).status_code
            == 303
        )
        assert Need.get().status == "assigned"
        assert a.post(f"{path}/done", data={"minutes_XC0002": "150", "csrf": token}).status_code == 303
        taker = NeedTaker.get()
        assert (taker.status, taker.minutes) == ("done", 150)
        assert LedgerEntry.get(LedgerEntry.entry_id == taker.entry_id).amount == 5  # 2 an hour, rounded down
        # The domains are the bureau's: not a centre's page.
        assert a.get("/web/volunteers/domains").status_code == 403
    with signed_in(url, "staffb") as b:
        assert b.get(path).status_code == 404
        assert b.get("/web/volunteers/member/XC0001").status_code == 404
        assert "擅长楷书" not in b.get("/web/volunteers?tab=pool").text
        assert "社区春联义写" not in b.get("/web/volunteers?tab=needs").text
        assert b.get("/web/volunteers", params={"tab": "hours", "site": SITE}).status_code == 404
        token = csrf(b, "/web/volunteers/needs/new")
        reply = b.post("/web/volunteers/needs/new", data={**form, "site": SITE, "csrf": token})
        assert reply.status_code == 404 and Need.select().count() == 1
    with signed_in(url, "viewer1") as viewer:
        assert "社区春联义写" in viewer.get("/web/volunteers?tab=needs").text
        assert viewer.get("/web/volunteers/domains").status_code == 200
        assert viewer.get("/web/volunteers/needs/new").status_code == 403
    with signed_in(url, "admin1") as boss:
        token = csrf(boss, "/web/volunteers/domains")
        assert boss.post("/web/volunteers/domains", data={"name": "园艺", "csrf": token}).status_code == 303
        reply = boss.post(f"/web/volunteers/domains/{painting()}/delete", data={"csrf": token})
        assert reply.status_code == 400 and "正在使用" in reply.text
        garden = SkillDomain.get(SkillDomain.name == "园艺").id
        assert boss.post(f"/web/volunteers/domains/{garden}/delete", data={"csrf": token}).status_code == 303
        # The hours of 2030 by person, as .xlsx: the kiosk's two hours and the need's 150 minutes.
        reply = boss.get(
            "/web/volunteers",
            params={"tab": "hours", "by": "person", "from": "2030-01-01", "to": "2030-12-31", "format": "xlsx"},
        )
        rows = list(openpyxl.load_workbook(io.BytesIO(reply.content)).active.iter_rows(values_only=True))
        assert rows == [
            ("志愿者", "说明", "服务小时", "服务次数"),
            ("李秀英", "XC0002 · 示范区老干部活动中心", 2.5, 1),
            ("王建华", "XC0001 · 示范区老干部活动中心", 2, 1),
            ("合计", None, 4.5, 2),
        ]
    assert MemberSkill.select().count() == 2
    actions = {e.action for e in AuditEntry.select()}
    assert {
        "volunteers.skill_set",
        "volunteers.need_post",
        "volunteers.need_dispatch",
        "volunteers.need_done",
    } <= actions
