"""The care record (/web/care/member/<no>) and 「我联系的老同志」 (/web/care/mine) over HTTP against a
real `python -m bureau serve`: who may open and change a member's situation, the forms, what the audit
trail and the kiosks get (nothing sensitive), and 「来过了」 after a sign-in pushed as a kiosk pushes it."""

from datetime import date, datetime, timedelta

import pytest

from bureau import admin
from bureau.models import Attendance, AuditEntry, Situation, StreamRow, Visit
from tests.waiting import wait_until

from ..conftest import SITE, batch, fact
from ..test_reports import member, signin
from .signed_in import SignedIn, account

OTHER = "DEMO-002"
NO = "XC0001"
PHONE, EMERGENCY = "138 1234 5678", "139-8765-4321"
CAME = '<span class="ok">来过了</span>'


@pytest.fixture
def store_url(tmp_path):
    """A SQLite file only: the domain's queries run on both stores in tests/bureau/care."""
    return f"sqlite:///{tmp_path / 'bureau.db'}"


class Kiosk:
    """The site's kiosk pushing facts, its seqs running on from push to push."""

    def __init__(self, client):
        self.client, self.seq = client, 0

    def push(self, *payloads: tuple[str, dict]) -> None:
        events = [fact(self.seq + i, kind, payload) for i, (kind, payload) in enumerate(payloads, 1)]
        self.seq += len(events)
        reply = self.client.push(batch(self.client.kiosk_id, events))
        assert reply.status_code == 200, reply.text


@pytest.fixture
def centre(server, kiosk, client):
    """Member XC0001 of DEMO-001 registered at its kiosk; the staff of DEMO-001 and DEMO-002, a
    viewer and an admin."""
    other = admin.add_site(OTHER, "东城街道长者服务站", prefix="DC")
    account("liuxia", "staff", kiosk.site)
    account("staff-b", "staff", other)
    account("reader", "viewer")
    account("boss", "admin")
    pushing = Kiosk(client)
    pushing.push(("member", member(NO, "王建华", SITE, "2026-01-10", "h-wang")))
    from bureau.models import Member

    wait_until(lambda: Member.get_or_none(Member.member_no == NO), 30, "the rules to file the member")
    return pushing


def situation_form(**fields) -> dict:
    return {
        "retired": "离休",
        "party_member": "on",
        "birth_date": "1936-02-29",
        "lives_alone": "on",
        "hardship": ["空巢", "重病"],
        "phone": PHONE,
        "contact_user": "liuxia",
        "contact_name": "",
        "emergency_name": "王小明",
        "emergency_relation": "儿子",
        "emergency_phone": EMERGENCY,
        "plan": "每月电话问候",
        "in_hospital_since": "",
        "back_from_hospital": "",
        **fields,
    }


def test_only_the_members_site_staff_and_admins_open_or_change_a_care_record(server, centre):
    path = f"/web/care/member/{NO}"
    staff = SignedIn(server.url, "liuxia")
    saved = staff.post(f"{path}/situation", situation_form(), csrf=staff.csrf(path))
    assert saved.status_code == 303 and saved.headers["location"] == f"{path}#situation"
    page = staff.get(path)
    assert page.status_code == 200
    assert f'href="tel:13812345678">{PHONE}</a>' in page.text and 'href="tel:13987654321"' in page.text
    assert 'value="重病" checked' in page.text and 'value="残疾" checked' not in page.text
    assert 'class="care"' in staff.get(f"/web/members/{NO}").text  # the link from the 学员 record
    rows = (StreamRow.select().count(), [s.phone for s in Situation.select()])
    assert rows[1] == [PHONE]

    boss = SignedIn(server.url, "boss")
    assert boss.get(path).status_code == 200
    others = [SignedIn(server.url, name) for name in ("staff-b", "reader")]
    for other in others:
        refused = other.get(path)
        assert refused.status_code == 404 and PHONE not in refused.text and "王建华" not in refused.text
        assert other.get(f"/web/members/{NO}").status_code in (200, 404)
        assert 'class="care"' not in other.get(f"/web/members/{NO}").text
    staff_b, reader = others
    before = (AuditEntry.select().count(), Visit.select().count(), Situation.get().phone)
    visit = {"kind": "visit", "day": date.today().isoformat(), "visitor": "李强", "reason": ""}
    assert staff_b.post(f"{path}/visit", visit, csrf=staff_b.csrf()).status_code == 404
    assert staff_b.post(f"{path}/situation", situation_form(phone="110"), csrf=staff_b.csrf()).status_code == 404
    assert reader.post(f"{path}/visit", visit, csrf=reader.csrf()).status_code == 403
    assert staff.post(f"{path}/visit", visit, csrf="").status_code == 403  # no token
    assert staff.post(f"{path}/visit", visit, origin=False).status_code == 403  # not from this host
    assert (AuditEntry.select().count(), Visit.select().count(), Situation.get().phone) == before

    # The audit trail a viewer reads names the fields, never their values; no kiosk got anything.
    trail = reader.get("/web/audit").text + reader.get(f"/web/audit/{AuditEntry.get().id}").text
    assert "care.situation" in trail or "关怀" in trail
    for value in ("13812345678", "138 1234", "8765", "重病", "空巢", "1936-02-29", "王小明", "每月电话问候"):
        assert value not in trail
    assert StreamRow.select().count() == rows[0]
    assert not StreamRow.select().where(StreamRow.data.contains("1234 5678")).exists()
    for browser in (staff, boss, *others):
        browser.close()


def test_a_form_the_rules_refuse_says_why_and_changes_nothing(server, centre):
    path = f"/web/care/member/{NO}"
    staff = SignedIn(server.url, "liuxia")
    token = staff.csrf(path)
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    for fields, message in (
        ({"birth_date": tomorrow}, "不晚于今天"),
        ({"phone": "12345"}, "不像电话号码"),
        ({"hardship": ["低保"]}, "没有「低保」这项困难情况"),
        ({"contact_user": "staff-b"}, "联系人应是"),
        ({"birth_date": "1936-02-30"}, "格式不对"),
    ):
        reply = staff.post(f"{path}/situation", situation_form(**fields), csrf=token)
        assert reply.status_code == 400 and message in reply.text, fields
    late = {"kind": "call", "day": tomorrow, "visitor": "刘霞", "reason": ""}
    assert "还没到" in staff.post(f"{path}/visit", late, csrf=token).text
    assert not Situation.select().exists() and not Visit.select().exists()
    staff.close()


def test_the_contact_person_sees_came_after_a_sign_in_and_not_after_the_visit(server, kiosk, centre):
    path = f"/web/care/member/{NO}"
    staff = SignedIn(server.url, "liuxia")
    token = staff.csrf(path)
    assert "您还不是任何老同志的联系人" in staff.get("/web/care/mine").text
    assert staff.post(f"{path}/situation", situation_form(), csrf=token).status_code == 303
    three_days_ago = date.today() - timedelta(days=3)
    first = {"kind": "call", "day": three_days_ago.isoformat(), "visitor": "刘霞", "reason": "alone"}
    assert staff.post(f"{path}/visit", {**first, "outcome": "一切都好"}, csrf=token).status_code == 303
    mine = staff.get("/web/care/mine").text
    assert f'data-member="{NO}"' in mine and CAME not in mine and str(three_days_ago) in mine

    # The senior signs in at the kiosk two days ago: pushed as the kiosk pushes it, filed by the rules.
    start = datetime.combine(date.today() - timedelta(days=2), datetime.min.time()).replace(hour=9)
    centre.push(("signin", signin(NO, SITE, kiosk.kiosk_id, "太极拳", start.isoformat())))
    wait_until(lambda: Attendance.select().where(Attendance.member_no == NO).exists(), 30, "the sign-in filed")
    signed = start - timedelta(minutes=5)
    mine = staff.get("/web/care/mine").text
    assert f"来过了</span>（{signed:%m月%d日 %H:%M}）" in mine
    assert f"{signed:%Y-%m-%d %H:%M}" in staff.get(path).text  # the record's 最近签到

    # A visit after it: no longer 「来过了」; its follow-up done with 已跟进.
    visit = {"kind": "visit", "day": date.today().isoformat(), "visitor": "刘霞", "reason": "", "follow_up": "送助听器"}
    assert staff.post(f"{path}/visit", visit, csrf=token).status_code == 303
    assert CAME not in staff.get("/web/care/mine").text
    follow = Visit.get(Visit.follow_up == "送助听器")
    page = staff.get(path).text
    assert f'<tr data-visit="{follow.id}"><td>{date.today()}</td>' in page  # in 待跟进
    done = staff.post(f"{path}/visit/{follow.id}/done", csrf=token)
    assert done.status_code == 303 and Visit.get_by_id(follow.id).follow_up_done == date.today()
    assert "待跟进" not in staff.get(path).text.split('id="visits"')[1].split('id="log"')[0]
    # The log newest first, with what happened.
    log = staff.get(path).text.split('id="log"')[1]
    assert log.index("送助听器") < log.index("一切都好")
    # Another account, an admin not the contact: nobody in their list.
    boss = SignedIn(server.url, "boss")
    assert "您还不是任何老同志的联系人" in boss.get("/web/care/mine").text
    staff.close()
    boss.close()
