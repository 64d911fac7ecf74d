"""`yinling-bureau demo`: a year of care visits, branches and volunteer needs, read back through the
domain functions the console reads them with (the care lists, the 台账, the 换届 reminders, needs,
the hours reports)."""

import json
import time
from datetime import date, datetime, timedelta

import pytest
from uuid6 import uuid7

from bureau import admin, demo, ingest
from bureau.care import lists
from bureau.cli import main as cli_main
from bureau.models import (
    Activity,
    Attendance,
    AuditEntry,
    Kiosk,
    LedgerEntry,
    Member,
    Need,
    NeedTaker,
    Organisation,
    OrgMember,
    Site,
    Situation,
    Visit,
)
from bureau.organisations import ledger, reminders
from bureau.programme import classes
from bureau.rules.worker import catch_up
from bureau.schema import open_store
from bureau.store import close_store, write
from bureau.volunteers import hours, needs
from tests.bureau.console.signed_in import account

SITE, EMPTY = "DEMO-001", "DEMO-002"
# Every list has due and overdue rows on this day: the 16th of the month or later (a birthday
# overdue), past a quarter's first two weeks (90 and over overdue), and in two festivals' windows:
# 元旦 2023's, open for 26 days (overdue), and 春节 2023's (22 January), open since yesterday (due).
AS_OF = date(2022, 12, 28)
SQLITE = pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)


def push(kiosk: Kiosk, facts: list[tuple[str, dict]]) -> None:
    """Facts as the kiosk's sync client pushes them, applied by the rules."""
    kiosk = Kiosk.get_by_id(kiosk.id)
    events = [
        {
            "event_id": str(uuid7()),
            "seq": kiosk.acked_seq + i,
            "kind": kind,
            "schema_v": 1,
            "wall_ms": int(time.time() * 1000),
            "payload": {**payload, "kiosk_id": kiosk.kiosk_id, "site": kiosk.site.code},
        }
        for i, (kind, payload) in enumerate(facts, 1)
    ]
    body = {
        "kiosk_id": kiosk.kiosk_id,
        "epoch": kiosk.epoch,
        "first_seq": kiosk.acked_seq + 1,
        "last_seq": kiosk.acked_seq + len(events),
        "client_version": "0.2.0",
        "events": events,
    }
    ingest.push(
        kiosk.id, ingest.parse_batch(json.dumps(body, ensure_ascii=False).encode(), kiosk.kiosk_id), time.time()
    )
    catch_up()


def bureau() -> None:
    """Site A with its kiosk, staff, a class and 50 members who signed in now and then; site B
    with a kiosk and no member."""
    site = admin.add_site(SITE, "示范区老干部活动中心", prefix="XC")
    kiosk = admin.add_kiosk(SITE, "front desk")
    admin.add_site(EMPTY, "东城街道长者服务站", prefix="DC")
    admin.add_kiosk(EMPTY, "front desk")
    account("wangfang", "staff", site)
    with write():
        term = classes.save_term(site, "2022 秋季", date(2022, 9, 1), date(2023, 1, 15), "admin")
        course = classes.save_course(
            site,
            term,
            classes.CourseFields(
                "书法", room="二楼书画室", schedule=({"weekday": 2, "start": "09:00", "end": "11:00"},)
            ),
            "admin",
        )
    facts = []
    for i in range(50):
        no = f"XC{i + 1:04d}"
        facts.append(
            (
                "member",
                {
                    "member_no": no,
                    "name": f"学员{i + 1}",
                    "birth_year": 1940 + i % 20,
                    "joined": "2020-03-01",
                    "at": "2020-03-01T09:00:00",
                },
            )
        )
        if i % 10 == 0:  # a few signed in this month at a lesson
            start = datetime(2022, 12, 20, 9)
            facts.append(
                (
                    "signin",
                    {
                        "member_no": no,
                        "kind": "lesson",
                        "title": "书法",
                        "start": start.isoformat(),
                        "at": start.isoformat(),
                    },
                )
            )
    push(kiosk, facts)
    with write():
        for no in ("XC0002", "XC0003", "XC0004", "XC0005", "XC0006"):
            classes.enroll(course, Member.get(Member.member_no == no), "admin", datetime(2022, 9, 1))


def test_a_year_fills_every_list_organisation_and_report(store):
    bureau()
    made = demo.run(None, AS_OF, seed=7)
    assert [s.site for s in made] == [SITE, EMPTY]
    assert made[0].members_made == 0 and made[1].members_made == demo.NEW_MEMBERS
    assert Member.select().where(Member.site == admin.find_site(EMPTY)).count() == demo.NEW_MEMBERS

    for code in (SITE, EMPTY):
        site = admin.find_site(code)
        assert Situation.select().where(Situation.site == site).count() >= demo.AT_LEAST
        for kind in lists.LISTS:
            rows = lists.rows(kind, [site], AS_OF)
            assert any(r.overdue for r in rows), (code, kind)
            assert any(not r.overdue for r in rows), (code, kind)
        birthdays = lists.rows("birthday", [site], AS_OF)
        assert any(r.reason.endswith("（90 岁）") for r in birthdays)  # turned 90 this month
        assert any(r.reason == "今天满 90 岁" for r in lists.rows("ninety", [site], AS_OF))
        assert Situation.select().where(Situation.site == site, Situation.birth_date == date(1944, 2, 29)).exists()
        # 出院回访: back last week, due; in hospital now, off the absent list
        assert any(r.due == AS_OF - timedelta(days=5) and not r.overdue for r in lists.rows("hospital", [site], AS_OF))
        inside = Situation.get(Situation.site == site, Situation.in_hospital_since.is_null(False))
        assert inside.member_no not in {r.member_no for r in lists.rows("absent", [site], AS_OF)}
        assert (
            Situation.select().where(Situation.site == site, Situation.retired == "离休", Situation.plan == "").count()
            == 0
        )
        open_follow_ups = Visit.select().where(
            Visit.site == site, Visit.follow_up != "", Visit.follow_up_done.is_null()
        )
        assert open_follow_ups.exists()
        assert Visit.select().where(Visit.site == site, Visit.day < AS_OF - timedelta(days=300)).exists()

        organised = list(Organisation.select().where(Organisation.site == site))
        kinds = sorted(o.kind for o in organised)
        assert kinds == (["branch", "club", "team", "temp_branch"] if code == SITE else ["branch", "club", "team"])
        for org in organised:
            assert OrgMember.select().where(OrgMember.organisation == org, OrgMember.until.is_null()).exists()
            assert (
                Activity.select()
                .where(Activity.organisation == org, Activity.start > datetime.combine(AS_OF, datetime.min.time()))
                .exists()
            )
        branch = next(o for o in organised if o.kind == "branch")
        roles = {m.role for m in OrgMember.select().where(OrgMember.organisation == branch)}
        assert {"书记", "组织委员"} <= roles
        due = reminders.due(Organisation.select().where(Organisation.site == site), AS_OF)
        assert branch.name in [o.name for o in due]  # its three-year term ends in 60 days
        book = ledger.ledger(branch, AS_OF.year, datetime.combine(AS_OF, datetime.min.time()))
        assert len(book.meetings) >= 12 and book.party_days == 12
        assert book.attendances > 0 and any(m.others for m in book.meetings)
        assert 0.5 < book.rate < 1

        states = {n.status for n, _, _ in needs.listing([site.id])}
        assert states == set(needs.STATES)
        done = Need.get(Need.site == site, Need.status == "done")
        assert all(
            t.minutes and t.entry_id
            for t in NeedTaker.select().where(NeedTaker.need == done, NeedTaker.status == "done")
        )

    year = (date(2022, 1, 1), AS_OF)
    for by in ("person", "team", "site", "month"):
        assert hours.report(by, *year).lines, by
    assert {line.detail for line in hours.report("site", *year).lines} == {SITE, EMPTY}
    kiosk_hours = LedgerEntry.select().where(LedgerEntry.kind == "volunteer", LedgerEntry.kiosk.is_null(False))
    assert kiosk_hours.where(LedgerEntry.minutes > 0).exists()
    # the demo's kiosk is revoked: never shown as a silent kiosk
    assert all(k.revoked_at for k in Kiosk.select().where(Kiosk.name == demo.KIOSK_NAME))
    assert AuditEntry.select().where(AuditEntry.username == demo.USER).count() > 100


def snapshot() -> dict:
    return {
        "situations": sorted(
            (s.member_no, s.retired, s.party_member, s.birth_date, s.hardship, s.phone, s.plan, s.back_from_hospital)
            for s in Situation.select()
        ),
        "visits": sorted(
            (v.member_no, v.day, v.kind, v.reason, v.outcome, v.follow_up, v.follow_up_done) for v in Visit.select()
        ),
        "rosters": sorted((m.organisation.name, m.member_no, m.role, m.since, m.until) for m in OrgMember.select()),
        "activities": sorted((a.title, a.start, a.category) for a in Activity.select()),
        "attendance": sorted((a.member_no, a.title, a.start, a.at) for a in Attendance.select()),
        "needs": sorted((n.title, n.start, n.status) for n in Need.select()),
        "ledger": sorted((e.member_no, e.amount, e.minutes, e.business_day) for e in LedgerEntry.select()),
    }


@SQLITE
def test_the_same_seed_makes_the_same_data(store, tmp_path):
    bureau()
    demo.run([SITE], AS_OF, seed=3)
    first = snapshot()
    close_store()
    open_store(f"sqlite:///{tmp_path / 'again.db'}")
    bureau()
    demo.run([SITE], AS_OF, seed=3)
    assert snapshot() == first
    assert first["visits"] and first["attendance"] and first["ledger"]


@SQLITE
def test_a_second_run_is_refused_and_says_how_to_start_afresh(store, store_url, capsys):
    bureau()
    assert cli_main(["--db", store_url, "demo", "--site", EMPTY, "--as-of", AS_OF.isoformat()]) == 0
    out = capsys.readouterr().out
    assert "DEMO-002:" in out and "60 made" in out and "节日走访" in out
    open_store(store_url)
    visits_made = Visit.select().count()
    close_store()
    assert cli_main(["--db", store_url, "demo", "--as-of", AS_OF.isoformat()]) == 2
    err = capsys.readouterr().err
    assert "DEMO-002 has demo data already" in err and "start afresh" in err
    open_store(store_url)
    assert Visit.select().count() == visits_made  # DEMO-001 was not filled either: refused first
    assert not Organisation.select().join_from(Organisation, Site).where(Site.code == SITE).exists()
