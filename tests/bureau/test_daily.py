"""The sign-ins per site and day (bureau/daily.py) on both stores: kept by the rules as they insert
sign-ins (a late one into its own day, one applied again not twice, a merge changing nothing),
and filled by migration 0008 from the sign-ins a store held before it."""

import uuid
from datetime import date, datetime, timedelta

import pytest
from peewee import SQL, fn

from bureau import admin, daily, migrations, rules
from bureau.models import Attendance, DailyAttendance, Member, RuleCursor, Site
from bureau.reports import _date
from bureau.schema import open_store
from bureau.store import close_store, write

from .conftest import SITE
from .test_rules import DAY, OTHER_SITE, Till, member_fact, signin_fact


def days() -> dict[tuple[str, date], int]:
    """The summary as the charts read it: {(site code, day): sign-ins}."""
    return {(r.site.code, _date(r.day)): r.signins for r in DailyAttendance.select()}


def counted() -> dict[tuple[str, date], int]:
    """The same, counted from the sign-ins themselves."""
    rows = (
        Attendance.select(Site.code, Attendance.business_day, fn.COUNT(SQL("*")))
        .join(Site)
        .group_by(Site.code, Attendance.business_day)
        .tuples()
    )
    return {(code, _date(day)): n for code, day, n in rows}


@pytest.fixture
def tills(store) -> tuple[Till, Till]:
    admin.add_site(SITE, "第一活动中心", prefix="A")
    admin.add_site(OTHER_SITE, "第二活动中心", prefix="B")
    return Till(SITE), Till(OTHER_SITE)


def sign_in(till: Till, member_no: str, at: datetime) -> None:
    kind, payload = signin_fact(member_no, "太极拳", at.replace(minute=0), at)
    till.push((kind, payload))


def test_the_rules_count_each_signin_into_its_site_and_day(tills):
    first, second = tills
    first.push(member_fact("A0001", "hash-wang"), member_fact("A0002", "hash-li", name="李秀英"))
    sign_in(first, "A0001", DAY)
    sign_in(first, "A0002", DAY + timedelta(minutes=5))
    sign_in(second, "A0001", DAY + timedelta(days=1))  # a visit to the other site, the next day
    rules.catch_up()
    assert days() == {(SITE, DAY.date()): 2, (OTHER_SITE, DAY.date() + timedelta(days=1)): 1}

    sign_in(first, "A0001", DAY + timedelta(hours=6))  # a later round adds to the day
    rules.catch_up()
    assert days() == counted() == {(SITE, DAY.date()): 3, (OTHER_SITE, DAY.date() + timedelta(days=1)): 1}


def test_a_late_signin_counts_into_its_own_past_day(tills):
    first, _ = tills
    sign_in(first, "A0001", DAY)
    rules.catch_up()
    # A kiosk offline for three weeks pushes what it recorded then: those days, not today's.
    weeks_ago = DAY - timedelta(weeks=3)
    sign_in(first, "A0001", weeks_ago)
    sign_in(first, "A0002", weeks_ago + timedelta(minutes=1))
    sign_in(first, "A0002", DAY + timedelta(minutes=1))
    rules.catch_up()
    assert days() == counted() == {(SITE, DAY.date()): 2, (SITE, weeks_ago.date()): 2}


def test_signins_applied_again_are_not_counted_twice(tills):
    first, second = tills
    sign_in(first, "A0001", DAY)
    sign_in(second, "A0001", DAY)
    rules.catch_up()
    before = days()
    with write():
        RuleCursor.delete().execute()  # the rules' cursors set back: every fact applied again
    assert rules.catch_up() > 0
    assert Attendance.select().count() == 2
    assert days() == counted() == before == {(SITE, DAY.date()): 1, (OTHER_SITE, DAY.date()): 1}


def test_a_merged_member_keeps_the_sites_and_days_counts(tills):
    first, second = tills
    first.push(member_fact("A0001", "hash-wang"))
    second.push(member_fact("B0001", None, name="王建华"))
    sign_in(first, "A0001", DAY)
    sign_in(second, "B0001", DAY)
    sign_in(second, "B0001", DAY + timedelta(days=1))
    rules.catch_up()
    before = days()
    # The second site learns B0001's ID number: the same person as A0001, merged into it.
    second.push(member_fact("B0001", "hash-wang", name="王建华"))
    rules.catch_up()
    assert Member.get(Member.member_no == "B0001").merged_into == "A0001"
    assert {a.member_no for a in Attendance.select()} == {"A0001"}
    assert days() == counted() == before
    next_day = DAY.date() + timedelta(days=1)
    assert before == {(SITE, DAY.date()): 1, (OTHER_SITE, DAY.date()): 1, (OTHER_SITE, next_day): 1}


def test_recount_makes_the_days_of_signins_stored_around_the_rules(tills):
    first, _ = tills
    sign_in(first, "A0001", DAY)
    rules.catch_up()
    with write():
        _stored_directly(first, DAY - timedelta(days=400), 3)
        daily.recount()
    assert days() == counted() == {(SITE, DAY.date()): 1, (SITE, (DAY - timedelta(days=400)).date()): 3}


def test_migration_0008_fills_the_days_from_the_signins_stored_before(store_url, monkeypatch):
    real = migrations.scripts
    monkeypatch.setattr(migrations, "scripts", lambda dialect: [s for s in real(dialect) if s[0] < 8])
    open_store(store_url)
    try:
        admin.add_site(SITE, "第一活动中心", prefix="A")
        admin.add_site(OTHER_SITE, "第二活动中心", prefix="B")
        here, there = Till(SITE), Till(OTHER_SITE)
        with write():
            _stored_directly(here, DAY, 4)
            _stored_directly(here, DAY - timedelta(days=1), 1)
            _stored_directly(there, DAY, 2)
        assert "daily_attendance" not in store_tables()
    finally:
        close_store()
    monkeypatch.setattr(migrations, "scripts", real)
    open_store(store_url)
    try:
        assert (
            days()
            == counted()
            == {
                (SITE, DAY.date()): 4,
                (SITE, DAY.date() - timedelta(days=1)): 1,
                (OTHER_SITE, DAY.date()): 2,
            }
        )
        # And the rules go on from there.
        sign_in(here, "A0001", DAY)
        rules.catch_up()
        assert days()[(SITE, DAY.date())] == 5
    finally:
        close_store()


def store_tables() -> list[str]:
    return DailyAttendance._meta.database.get_tables()


def _stored_directly(till: Till, at: datetime, n: int) -> None:
    """`n` sign-ins at `till`'s site on `at`'s day, inserted as rows (as a bulk load does)."""
    for i in range(n):
        Attendance.create(
            event_id=str(uuid.uuid4()),
            member_no=f"X{i}",
            site=till.kiosk.site_id,
            kiosk=till.kiosk.id,
            kind="lesson",
            title="太极拳",
            start=at,
            at=at,
            business_day=at.date(),
            method="qr",
        )
