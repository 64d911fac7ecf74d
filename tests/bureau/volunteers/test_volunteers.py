"""The volunteers' rules on both stores: skills and domains, matching a need, dispatch → answers →
done with minutes (entered by the rules as a kiosk's hours are), and the hours reports from real
ledger entries (kiosks' points facts through ingest and the rules) and needs, none counted twice."""

import json
from datetime import date, datetime, timedelta

import pytest

from bureau import rules
from bureau.models import (
    AuditEntry,
    LedgerEntry,
    Member,
    Need,
    NeedTaker,
    Organisation,
    OrgMember,
    SkillDomain,
    StreamRow,
)
from bureau.store import write
from bureau.volunteers import VolunteerError, hours, needs, skills
from tests.bureau.test_rules import OTHER_SITE, SITE, Till, member_fact, points_fact, sites  # noqa: F401 (fixture)

DAY = datetime(2026, 11, 20, 9, 0)


@pytest.fixture
def tills(sites):
    return Till(SITE), Till(OTHER_SITE)


def domain(name: str) -> SkillDomain:
    return SkillDomain.get(SkillDomain.name == name)


def member(no: str) -> Member:
    return Member.get(Member.member_no == no)


def hours_fact(no: str, hours_: float, at: datetime = DAY, amount: int | None = None, **fields) -> tuple[str, dict]:
    """A kiosk's volunteer hours, as kiosk/points/ledger.py volunteer() records them."""
    points = int(hours_ * 2) if amount is None else amount
    return points_fact(no, points, "volunteer", at, rule="volunteer_hour", hours=hours_, **fields)


def roster(tills) -> None:
    first, second = tills
    first.push(
        member_fact("A0001", "h1", name="王建华"),
        member_fact("A0002", "h2", name="李秀英"),
        member_fact("A0003", "h3", name="张志强"),
        member_fact("A0004", "h4", name="刘桂兰"),
    )
    second.push(member_fact("B0001", "h5", name="陈国栋"))
    rules.catch_up()
    painting = domain("书画")
    with write():
        for no, detail in (("A0001", "擅长楷书"), ("A0002", "国画"), ("A0003", "篆刻"), ("B0001", "书法协会会员")):
            skills.set_skill(member(no), painting, detail, "staff")
        skills.set_skill(member("A0004"), domain("医疗"), "退休内科医生", "staff")


def post(title: str, start: datetime, wanted: int = 1, hours_: int = 2) -> Need:
    with write():
        draft = needs.Draft(
            title, domain("书画"), "幸福社区居委会", "社区活动室", start, start + timedelta(hours=hours_), wanted
        )
        return needs.create(member("A0001").site, draft, "staff")


def test_domains_are_kept_by_the_bureau_and_one_in_use_is_not_deleted(tills):
    roster(tills)
    with write():
        made = skills.add_domain("园艺", "boss")
        skills.change_domain(made, "园艺花卉", 0, "boss")
    assert skills.domains()[0].name == "园艺花卉"  # position 0: first
    with pytest.raises(VolunteerError, match="已有领域"), write():
        skills.add_domain("书画", "boss")
    with pytest.raises(VolunteerError, match="正在使用"), write():
        skills.delete_domain(domain("书画"), "boss")
    with write():
        skills.delete_domain(domain("园艺花卉"), "boss")
    uses = {d.domain.name: (d.skills, d.used) for d in skills.domain_uses()}
    assert "园艺花卉" not in uses and uses["书画"] == (4, True) and uses["法律"] == (0, False)
    actions = [a.action for a in AuditEntry.select().order_by(AuditEntry.id)]
    assert actions.count("volunteers.skill_set") == 5
    assert actions[-3:] == ["volunteers.domain_add", "volunteers.domain_change", "volunteers.domain_delete"]
    assert [s.detail for s in skills.skills_of("A0004")] == ["退休内科医生"]


def test_the_pool_finds_volunteers_by_domain_site_and_name_with_their_hours_and_teams(tills):
    roster(tills)
    first, _ = tills
    today = date.today()
    first.push(hours_fact("A0002", 2.5, datetime.combine(today, datetime.min.time()).replace(hour=9)))
    rules.catch_up()
    with write():
        team = Organisation.create(key="t1", site=member("A0001").site, kind="team", name="翰墨志愿服务队")
        OrgMember.create(organisation=team, member_no="A0002", role="队长", since=today - timedelta(days=30))
        OrgMember.create(organisation=team, member_no="A0003", until=today - timedelta(days=1))  # left
    site_a = Member.select().where(Member.site == member("A0001").site)
    found = skills.pool(site_a, domain("书画"), "", today)
    assert [v.member.member_no for v in found] == ["A0001", "A0002", "A0003"]  # B0001 is another site's
    li = found[1]
    assert (li.minutes, li.services, li.teams) == (150, 1, ["翰墨志愿服务队"]) and found[2].teams == []
    assert [v.member.name for v in skills.pool(Member.select(), None, "LXY", today)] == ["李秀英"]
    assert [v.member.member_no for v in skills.pool(Member.select(), domain("医疗"), "", today)] == ["A0004"]


def test_matching_puts_the_needs_site_first_leaves_out_the_busy_and_spreads_the_work(tills):
    roster(tills)
    first, second = tills
    # Lately A0001 served 3 hours, A0003 1 hour, A0002 none; B0001 (the other site) none.
    first.push(hours_fact("A0001", 3, DAY - timedelta(days=10)), hours_fact("A0003", 1, DAY - timedelta(days=5)))
    rules.catch_up()
    need = post("社区春联义写", DAY)
    other = post("老年大学书法课助教", DAY + timedelta(hours=1))  # overlaps 10:00-11:00
    with write():
        (three,) = [m for m in needs.matches(other, None)[0] if m.member.member_no == "A0003"]
        needs.dispatch(other, [three], "staff")
    suggested, busy = needs.matches(need, None)
    assert [m.member.member_no for m in suggested] == ["A0002", "A0001", "B0001"]
    assert [(m.member.member_no, m.busy_with) for m in busy] == [("A0003", "老年大学书法课助教（11-20 10:00）")]
    assert suggested[0].reasons == ["特长：国画", "本站志愿者", "近 90 天服务 0 小时"]
    assert suggested[1].reasons[2] == "近 90 天服务 3 小时"
    assert suggested[2].reasons[1] == "其他站点（第二活动中心）"
    site_a = [member("A0001").site_id]
    assert [m.member.member_no for m in needs.matches(need, site_a)[0]] == ["A0002", "A0001"]  # a centre's own
    later = post("书画展布展", DAY + timedelta(hours=3))  # after the other need: A0003 is free
    assert "A0003" in [m.member.member_no for m in needs.matches(later, site_a)[0]]


def test_dispatch_answers_and_done_enter_each_takers_minutes_through_the_rules(tills):
    roster(tills)
    need = post("社区春联义写", DAY, wanted=2, hours_=3)
    with write():
        chosen = needs.matches(need, None)[0][:3]
        needs.dispatch(need, chosen, "staff")
    assert {t.member_no: t.status for t in NeedTaker.select()} == dict.fromkeys(["A0001", "A0002", "A0003"], "offered")
    with write():
        needs.answer(need, "A0001", True, "staff")
        needs.answer(need, "A0002", False, "staff")
    assert Need.get_by_id(need.id).status == "open"  # one of two
    with write():
        needs.answer(need, "A0003", True, "staff")
    need = Need.get_by_id(need.id)
    assert need.status == "assigned"
    with pytest.raises(VolunteerError, match="服务时长"), write():
        needs.complete(need, {"A0001": 180}, "staff")
    with write():
        entries = needs.complete(need, {"A0001": 180, "A0003": 600}, "staff")
    assert Need.get_by_id(need.id).status == "done"
    done = {t.member_no: (t.status, t.minutes, t.entry_id) for t in NeedTaker.select()}
    assert done["A0002"][0] == "declined" and done["A0001"] == ("done", 180, entries[0])
    # The volunteer rule: 2 points an hour, 16 a day at most: 6 points; 10 hours → 20 held to 16.
    wang, zhang = (
        LedgerEntry.get(LedgerEntry.entry_id == entries[0]),
        LedgerEntry.get(LedgerEntry.entry_id == entries[1]),
    )
    assert (wang.kind, wang.rule, wang.amount, wang.minutes, wang.balance_after) == (
        "volunteer",
        "volunteer_hour",
        6,
        180,
        6,
    )
    assert (zhang.amount, zhang.minutes) == (16, 600) and wang.business_day == DAY.date()
    assert member("A0001").balance == 6 and member("A0003").balance == 16
    balances = {r.entity_id: json.loads(r.data) for r in StreamRow.select().where(StreamRow.stream == "balances")}
    assert balances[entries[0]]["balance"] == 6 and balances[entries[0]]["note"] == "志愿服务：社区春联义写"
    members_ = {r.entity_id: json.loads(r.data) for r in StreamRow.select().where(StreamRow.stream == "members")}
    assert members_["A0001"]["balance"] == 6
    with pytest.raises(VolunteerError, match="已完成"), write():
        needs.complete(need, {"A0001": 180, "A0003": 600}, "staff")
    # A kiosk's award the same day counts against the same cap: 16 - 6 = 10 more at most.
    first, _ = tills
    first.push(hours_fact("A0001", 6, DAY.replace(hour=15)))  # 12 points: 2 reversed
    rules.catch_up()
    assert member("A0001").balance == 16
    assert hours.by_member(["A0001"], DAY.date(), DAY.date()) == {"A0001": (180 + 360, 2)}


def test_the_reports_count_each_service_once_by_person_team_site_and_period(tills):
    roster(tills)
    first, second = tills
    first.push(
        hours_fact("A0001", 2, datetime(2026, 1, 15, 9)),
        hours_fact("A0001", 1.5, datetime(2026, 4, 2, 9)),
        hours_fact("A0002", 10, datetime(2026, 4, 3, 9), amount=16),  # cap reversal: points back, time stays
    )
    wrong = first.push(hours_fact("A0002", 4, datetime(2026, 5, 1, 9)))[0]
    first.push(points_fact("A0002", -8, "correction", datetime(2026, 5, 1, 10), reverses=wrong, reason="录错"))
    second.push(hours_fact("B0001", 1, datetime(2026, 7, 1, 9)))
    first.push(points_fact("A0001", 2, "lesson", datetime(2026, 4, 2, 10)))  # no service
    rules.catch_up()
    need = post("书画展布展", datetime(2026, 7, 2, 9))
    with write():
        needs.dispatch(need, [m for m in needs.matches(need, None)[0] if m.member.member_no == "A0003"], "staff")
        needs.answer(need, "A0003", True, "staff")
        needs.complete(Need.get_by_id(need.id), {"A0003": 90}, "staff")
    with write():
        team = Organisation.create(key="t1", site=member("A0001").site, kind="team", name="翰墨志愿服务队")
        OrgMember.create(organisation=team, member_no="A0001", since=date(2026, 3, 1))  # joined after January
        OrgMember.create(organisation=team, member_no="A0003")
        club = Organisation.create(key="c1", site=member("A0001").site, kind="club", name="书画社")
        OrgMember.create(organisation=club, member_no="A0002")
    year = (date(2026, 1, 1), date(2026, 12, 31))

    def lines(by, sites=None, span=year):
        return [(x.label, x.minutes, x.services) for x in hours.report(by, *span, sites).lines]

    assert lines("person") == [("李秀英", 600, 1), ("王建华", 210, 2), ("张志强", 90, 1), ("陈国栋", 60, 1)]
    assert lines("team") == [("翰墨志愿服务队", 90 + 90, 2)]  # A0001's April service and A0003's need
    assert lines("site") == [("示范区老干部活动中心", 900, 4), ("第二活动中心", 60, 1)]
    assert lines("quarter") == [("2026年第1季度", 120, 1), ("2026年第2季度", 690, 2), ("2026年第3季度", 150, 2)]
    assert lines("month", span=(date(2026, 4, 1), date(2026, 6, 30))) == [("2026年04月", 690, 2)]
    assert lines("year") == [("2026年", 960, 5)]
    assert lines("person", [member("B0001").site_id]) == [("陈国栋", 60, 1)]
    report = hours.report("site", *year)
    assert (report.minutes, report.services) == (960, 5)
    # The need's service is in the ledger once, linked from its taker.
    taker = NeedTaker.get(NeedTaker.member_no == "A0003")
    assert LedgerEntry.select().where(LedgerEntry.minutes.is_null(False), LedgerEntry.member_no == "A0003").count() == 1
    assert LedgerEntry.get(LedgerEntry.entry_id == taker.entry_id).minutes == 90


def test_a_kiosks_volunteer_hours_keep_their_minutes_and_a_cap_reversal_none(tills):
    first, _ = tills
    first.push(member_fact("A0001", "h1"))
    first.push(hours_fact("A0001", 10, amount=16), hours_fact("A0001", 0.5, amount=1))  # 17 > 16: 1 back
    rules.catch_up()
    rows = [(e.kind, e.amount, e.minutes) for e in LedgerEntry.select().order_by(LedgerEntry.id)]
    assert rows == [("volunteer", 16, 600), ("volunteer", 1, 30), ("reversal", -1, None)]
    # The balances stream carries the time to the member's kiosks (我的积分 shows it), a reversal none.
    published = [json.loads(r.data) for r in StreamRow.select().where(StreamRow.stream == "balances")]
    assert sorted((d["amount"], d.get("minutes")) for d in published) == [(-1, None), (1, 30), (16, 600)]
