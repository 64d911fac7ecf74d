"""The care lists at their edges, on SQLite and PostgreSQL (bureau/care/lists.py): 29 February,
turned 90 today, 90 days since the last visit, a festival's window, hospital, and a visit taking a
member off the list it meets and off no other."""

from datetime import date, datetime, timedelta

import pytest

from bureau import admin
from bureau.care import festivals, lists
from bureau.models import Member, Site, Situation, Visit

from ..conftest import SITE
from .signins import signin

OTHER = "UNI-002"
TODAY = date(2026, 12, 7)


@pytest.fixture
def sites(store, kiosk):
    admin.add_site(OTHER, "老年大学", prefix="LD")
    return kiosk, {s.code: s for s in Site.select()}


def person(site: Site, no: str, joined: date = date(2020, 1, 1), birth_year: int | None = None, **situation) -> str:
    Member.create(member_no=no, name=f"长者{no}", site=site, joined=joined, birth_year=birth_year, phone_last4="6688")
    if situation:
        Situation.create(member_no=no, site=site, **situation)
    return no


def signed_in(kiosk, no: str, day: date) -> None:
    signin(no, kiosk, datetime.combine(day, datetime.min.time()).replace(hour=9))


def visited(no: str, day: date, kind: str = "visit", reason: str = "") -> None:
    site = Member.get(Member.member_no == no).site
    Visit.create(member_no=no, site=site, day=day, kind=kind, visitor="王芳", reason=reason, recorded_by="staffa")


def listed(kind: str, site: Site, as_of: date = TODAY) -> dict[str, lists.Row]:
    return {r.member_no: r for r in lists.rows(kind, [site], as_of)}


def test_the_lunar_festivals_fall_on_their_published_days():
    new_year = {2020: (1, 25), 2021: (2, 12), 2022: (2, 1), 2023: (1, 22), 2024: (2, 10), 2025: (1, 29), 2026: (2, 17)}
    double_ninth = {2022: (10, 4), 2023: (10, 23), 2024: (10, 11), 2025: (10, 29), 2026: (10, 18)}
    for year, (m, d) in new_year.items():
        assert festivals.of_year(year)[1] == festivals.Festival("春节", date(year, m, d))
    for year, (m, d) in double_ninth.items():
        assert festivals.of_year(year)[2] == festivals.Festival("重阳", date(year, m, d))
    # 春节 2028 is on 26 January: its window opens 27 December, 元旦's 2 December; both on 1 January.
    assert [f.name for f in festivals.current(date(2028, 1, 1))] == ["元旦", "春节"]
    assert [f.name for f in festivals.current(date(2027, 1, 1))] == ["元旦"]
    assert festivals.current(date(2026, 12, 1)) == []


def test_stopped_coming_is_the_old_rule_less_hospital_and_visits(sites):
    kiosk, by_code = sites
    site = by_code[SITE]
    gone = person(site, "XC0001")
    signed_in(kiosk, gone, TODAY - timedelta(weeks=5))
    away = person(site, "XC0002", in_hospital_since=TODAY - timedelta(days=20))
    signed_in(kiosk, away, TODAY - timedelta(weeks=6))
    back = person(site, "XC0003", in_hospital_since=date(2026, 9, 1), back_from_hospital=date(2026, 10, 1))
    signed_in(kiosk, back, TODAY - timedelta(weeks=8))
    here = person(site, "XC0004")
    signed_in(kiosk, here, TODAY - timedelta(days=3))
    found = listed("absent", site)
    assert set(found) == {gone, back}  # in hospital: not on it; back from hospital: on it again
    row = found[gone]
    assert row.reason == "已 5 周未来"
    assert row.due == TODAY - timedelta(weeks=5) + timedelta(weeks=4, days=1)
    assert row.last_signin == TODAY - timedelta(weeks=5) and row.name == "长者XC0001" and row.phone == "尾号 6688"
    assert not row.overdue and found[back].overdue  # due 6 days ago; due 4 weeks ago
    # A visit before they became due does not count; one after does; a sign-in again does too.
    visited(gone, row.due - timedelta(days=1))
    assert gone in listed("absent", site)
    visited(gone, row.due, kind="call")
    assert gone not in listed("absent", site)
    signed_in(kiosk, back, TODAY)
    assert listed("absent", site) == {}


@pytest.mark.parametrize("year, day", [(2026, 28), (2028, 29)])
def test_born_on_29_february_is_a_birthday_on_the_28th_in_a_common_year(sites, year, day):
    _, by_code = sites
    site = by_code[SITE]
    leap = person(site, "XC0001", birth_date=date(1940, 2, 29))
    (row,) = listed("birthday", site, date(year, 2, 3)).values()
    assert (row.member_no, row.due, row.reason) == (leap, date(year, 2, day), f"本月 {day} 日生日（{year - 1940} 岁）")
    assert listed("birthday", site, date(year, 3, 1)) == {}
    assert not row.overdue and listed("birthday", site, date(year, 2, day))[leap].overdue is False
    # A visit in the month for another reason leaves them on it; one for the birthday does not.
    visited(leap, date(year, 2, 2), reason="festival")
    assert leap in listed("birthday", site, date(year, 2, 3))
    visited(leap, date(year, 2, 1), kind="call", reason="birthday")
    assert listed("birthday", site, date(year, 2, 3)) == {}


def test_turned_90_today_is_on_the_list_turns_90_tomorrow_is_not(sites):
    _, by_code = sites
    site = by_code[SITE]
    today = person(site, "XC0001", birth_date=date(1936, 12, 7))
    person(site, "XC0002", birth_date=date(1936, 12, 8))
    leap = person(site, "XC0003", birth_date=date(1936, 2, 29))
    by_year = person(site, "XC0004", birth_year=1936)
    person(site, "XC0005", birth_year=1937)
    found = listed("ninety", site)
    assert set(found) == {today, leap, by_year}
    assert found[today].reason == "今天满 90 岁" and found[today].due == TODAY
    assert found[leap].reason == "90 岁" and found[leap].due == date(2026, 10, 1)  # the quarter's first day
    assert found[by_year].reason == "约 90 岁（按出生年）"
    assert listed("ninety", site, date(2026, 2, 28))[leap].reason == "今天满 90 岁"  # a common year
    assert leap not in listed("ninety", site, date(2026, 2, 27))
    # A call is no visit; a visit this quarter is; one last quarter is not.
    visited(today, TODAY, kind="call")
    visited(leap, date(2026, 9, 30))
    visited(by_year, date(2026, 10, 1))
    assert set(listed("ninety", site)) == {today, leap}


def test_four_visits_a_year_last_visit_exactly_90_days_ago_is_due_89_is_not(sites):
    _, by_code = sites
    site = by_code[SITE]
    due = person(site, "XC0001", lives_alone=True)
    visited(due, TODAY - timedelta(days=90))
    fresh = person(site, "XC0002", hardship="重病,空巢")
    visited(fresh, TODAY - timedelta(days=89), kind="call")
    never = person(site, "XC0003", hardship="失能")
    person(site, "XC0004", party_member=True)  # neither alone nor in hardship
    found = listed("alone", site)
    assert set(found) == {due, never}
    assert found[due].reason == f"独居，上次走访 {TODAY - timedelta(days=90)}" and found[due].due == TODAY
    assert found[never].reason == "失能，从未走访" and found[never].due is None and found[never].overdue
    assert not found[due].overdue and found[due].last_visit == TODAY - timedelta(days=90)
    assert (
        listed("alone", site, TODAY + timedelta(days=1))[fresh].reason
        == f"重病、空巢，上次走访 {TODAY - timedelta(days=89)}"
    )
    assert listed("alone", site, TODAY + timedelta(days=14))[due].overdue is False
    assert listed("alone", site, TODAY + timedelta(days=15))[due].overdue is True


def test_a_festival_list_from_its_window_s_first_day_to_the_festival(sites):
    _, by_code = sites
    site = by_code[SITE]
    cadre = person(site, "XC0001", retired="离休")
    old = person(site, "XC0002", birth_year=1945)  # 81 this year, by birth year
    person(site, "XC0003", retired="退休", birth_date=date(1950, 1, 1))  # 76, none of the reasons
    alone = person(site, "XC0004", lives_alone=True, party_member=True)
    double_ninth = date(2026, 10, 18)
    assert listed("festival", site, double_ninth - timedelta(days=31)) == {}
    first = listed("festival", site, double_ninth - timedelta(days=30))
    assert set(first) == {cadre, old, alone}
    assert first[cadre].reason == "重阳走访（10月18日）：离休" and first[cadre].due == date(2026, 9, 18)
    assert first[old].reason == "重阳走访（10月18日）：约 81 岁"
    assert first[alone].reason == "重阳走访（10月18日）：独居、党员"
    assert set(listed("festival", site, double_ninth)) == {cadre, old, alone}
    assert listed("festival", site, double_ninth + timedelta(days=1)) == {}
    # A visit in the window takes the member off (a call does not; one before the window neither).
    visited(cadre, date(2026, 9, 18))
    visited(old, date(2026, 9, 17))
    visited(alone, date(2026, 10, 1), kind="call")
    assert set(listed("festival", site, double_ninth)) == {old, alone}


def test_back_from_hospital_until_visited_overdue_after_7_days(sites):
    _, by_code = sites
    site = by_code[SITE]
    back = person(site, "XC0001", in_hospital_since=date(2026, 11, 1), back_from_hospital=date(2026, 11, 30))
    again = person(site, "XC0002", in_hospital_since=date(2026, 12, 1), back_from_hospital=date(2026, 11, 20))
    visited(back, date(2026, 11, 29))  # before they came back: no answer
    (row,) = listed("hospital", site).values()
    assert (row.member_no, row.reason, row.due, row.overdue) == (back, "2026-11-30 出院", date(2026, 11, 30), False)
    assert listed("hospital", site, date(2026, 12, 8))[back].overdue
    assert again not in listed("hospital", site)  # in hospital again
    visited(back, TODAY, kind="call")
    assert listed("hospital", site) == {}


def test_a_visit_takes_a_member_off_the_lists_it_meets_only(sites):
    kiosk, by_code = sites
    site = by_code[SITE]
    no = person(
        site,
        "XC0001",
        birth_date=date(1930, 12, 20),
        lives_alone=True,
        in_hospital_since=date(2026, 10, 1),
        back_from_hospital=date(2026, 10, 20),
    )
    signed_in(kiosk, no, date(2026, 9, 1))
    before = {k for k in lists.LISTS if no in listed(k, site)}
    assert before == {"absent", "birthday", "ninety", "festival", "alone", "hospital"}  # 元旦's window is open
    visited(no, TODAY, kind="call")  # a call, for no list in particular
    assert {k for k in lists.LISTS if no in listed(k, site)} == {"birthday", "ninety", "festival"}
    visited(no, TODAY, kind="visit")
    assert {k for k in lists.LISTS if no in listed(k, site)} == {"birthday"}


def test_the_bureau_s_counts_are_the_sites_lists_counted(sites):
    kiosk, by_code = sites
    a, b = by_code[SITE], by_code[OTHER]
    for n in range(6):
        no = person(a, f"XC{n:04d}", lives_alone=n % 2 == 0, birth_date=date(1936, 12, n + 1) if n < 4 else None)
        signed_in(kiosk, no, TODAY - timedelta(weeks=4 + n * 2))
        if n == 3:
            visited(no, TODAY - timedelta(days=3))
    person(a, "XC0100", in_hospital_since=TODAY - timedelta(days=30))
    person(b, "LD0001", joined=date(2026, 1, 5), back_from_hospital=date(2026, 12, 1))
    person(b, "LD0002", joined=None)
    person(b, "LD0003", birth_year=1930)  # 90岁及以上 and 节日走访 (元旦) by birth year, no situation
    person(b, "LD0004", birth_year=1944)  # 节日走访 only, visited in the window: on none
    visited("LD0004", TODAY - timedelta(days=2))
    counted = lists.counts([a, b], TODAY)
    for site in (a, b):
        assert counted[site.code] == lists.site_counts(site, TODAY)
        assert counted[site.code] == {
            k: (len(rs := lists.rows(k, [site], TODAY)), sum(r.overdue for r in rs)) for k in lists.LISTS
        }
    assert counted[a.code]["absent"][0] == 4 and counted[b.code]["absent"] == (3, 3)
    people = {r.member_no for k in lists.LISTS for s in (a, b) for r in lists.rows(k, [s], TODAY)}
    late = {r.member_no for k in lists.LISTS for s in (a, b) for r in lists.rows(k, [s], TODAY) if r.overdue}
    assert lists.totals([a, b], TODAY) == (len(people), len(late))


def test_born_by_is_the_last_birth_date_of_that_age():
    day = date(2027, 1, 1)
    while day < date(2029, 3, 5):  # 2028 is a leap year, 1936, 1948 and 1940 too
        for years in (80, 90, 92):
            last = lists.born_by(day, years)
            assert lists.age(last, day) >= years > lists.age(last + timedelta(days=1), day), (day, years)
        day += timedelta(days=1)


@pytest.mark.parametrize("as_of", [TODAY, date(2027, 2, 28), date(2028, 2, 29), date(2026, 10, 15), date(2026, 10, 16)])
def test_the_bureau_s_counts_at_every_edge_of_the_rules(sites, as_of):
    """The counts (decided in SQL) against the lists (decided in Python) with members on both sides
    of each rule's edge on `as_of`: the cut-offs of 未来签到 and its overdue day, a visit on the day
    due, birthdays 14 and 15 days ago and on 29 February, 90 and 80 today or tomorrow, by birth date
    and by birth year, 四必访's 90 and 104 days, 出院回访's 7 days, the quarter's and windows' first days."""
    kiosk, by_code = sites
    a, b = by_code[SITE], by_code[OTHER]
    serial = iter(range(10_000))

    def someone(site: Site = a, **kw) -> str:
        return person(site, f"{'XC' if site == a else 'LD'}{next(serial):04d}", **kw)

    def ago(n: int) -> date:
        return as_of - timedelta(days=n)

    for n in (27, 28, 29, 42, 43, 44):  # the last sign-in
        signed_in(kiosk, someone(), ago(n))
        no = someone(b)
        signed_in(kiosk, no, ago(n))
        visited(no, ago(n) + timedelta(days=29))  # on the day due: off the list
        no = someone()
        signed_in(kiosk, no, ago(n))
        visited(no, ago(n) + timedelta(days=28), kind="call")  # the day before: still on it
        someone(joined=ago(n))  # never signed in
        signed_in(kiosk, someone(joined=ago(n)), ago(n + 1))
    someone(joined=None)
    someone(in_hospital_since=ago(8), back_from_hospital=ago(57))  # gone, in hospital: not absent
    for back in (ago(0), ago(7), ago(8), as_of + timedelta(days=1)):
        someone(b, back_from_hospital=back)
    no = someone(back_from_hospital=ago(8))
    visited(no, ago(8), kind="call")
    for years in (80, 90):
        for on in (as_of, as_of - timedelta(days=14), as_of - timedelta(days=15)):
            last = lists.born_by(on, years)
            someone(birth_date=last, party_member=True)
            someone(b, birth_date=last + timedelta(days=1), lives_alone=True)
        someone(birth_year=as_of.year - years)  # by birth year, no situation
        someone(birth_year=as_of.year - years + 1)
        someone(b, birth_year=as_of.year - years, retired="离休")  # a situation without a birth date
    for born in (date(1936, 2, 29), date(1940, 2, 29), date(1950, as_of.month, 1)):
        someone(birth_date=born)
    for n in (14, 15):
        if ago(n).month == as_of.month:
            someone(birth_date=ago(n).replace(year=1950))
    no = someone(birth_date=date(1950, as_of.month, 2))
    visited(no, as_of.replace(day=1), kind="call", reason="birthday")
    no = someone(birth_date=date(1951, as_of.month, 2))
    visited(no, as_of.replace(day=1) - timedelta(days=1), reason="birthday")
    first = [lists.quarter_start(as_of), *(f.opens for f in festivals.current(as_of))]
    for day in first:  # a visit in person on, and the day before, each window's first day
        for when, kind in ((day, "visit"), (day - timedelta(days=1), "visit"), (day, "call")):
            visited(someone(birth_date=date(1930, 1, 1)), when, kind=kind)
    for n in (89, 90, 104, 105):
        for kw in ({"lives_alone": True}, {"hardship": "重病,失能"}):
            no = someone(**kw)
            visited(no, ago(n), kind="call")
    someone(b, lives_alone=True)
    counted = lists.counts([a, b], as_of)
    for site in (a, b):
        expected = {k: (len(rs := lists.rows(k, [site], as_of)), sum(r.overdue for r in rs)) for k in lists.LISTS}
        assert counted[site.code] == expected, site.code
    found = [r for k in lists.LISTS for s in (a, b) for r in lists.rows(k, [s], as_of)]
    assert lists.totals([a, b], as_of) == (
        len({r.member_no for r in found}),
        len({r.member_no for r in found if r.overdue}),
    )
    assert lists.totals([a], as_of) == (
        len({r.member_no for r in found if r.site == a.code}),
        len({r.member_no for r in found if r.site == a.code and r.overdue}),
    )
    open_lists = [k for k in lists.LISTS if k != "festival" or festivals.current(as_of)]
    assert all(counted[SITE][k][0] + counted[OTHER][k][0] for k in open_lists)  # every list has rows
