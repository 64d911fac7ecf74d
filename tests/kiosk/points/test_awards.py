"""Points: awards by the rules table, the bureau replacing the rules, volunteer hours, the passbook."""
import json
import logging
from datetime import timedelta

import pytest

from kiosk.points import awards as points
from kiosk.store.models import Outbox, PointsEntry, PointsRule
from kiosk.points.awards import Entry, Passbook, Rule

from tests.kiosk.builders import LESSON_START

DAY = timedelta(days=1)
HOUR = timedelta(hours=1)


def row(category: str, points: int, per: str = "attendance", daily_cap: int = 0,
        once_per_item: bool = True) -> dict:
    return dict(category=category, points=points, per=per, daily_cap=daily_cap, once_per_item=once_per_item)


# Figures unlike the defaults and unlike each other, so each test sees which rule applied.
DISTINCT = [row("lesson", 3), row("activity", 4), row("party", 6), row("volunteer", 7, per="hour")]


def points_fact() -> dict:
    return json.loads(Outbox.get(Outbox.kind == "points").payload)


# -- awards on sign-in ---------------------------------------------------------------------------

def test_a_lesson_earns_the_lesson_rule(world, wang, checkin):
    points.replace_rules(DISTINCT, 4, LESSON_START)
    r = checkin.handle(world.qr(wang[0]), LESSON_START)
    assert (r.kind, r.points_gained, r.balance) == ("ok", 3, 10 + 3)
    entry = PointsEntry.get()
    assert (entry.kind, entry.rule, entry.amount) == ("lesson", "lesson_attendance", 3)
    assert (points_fact()["kind"], points_fact()["rule_version"]) == ("lesson", 4)


@pytest.mark.parametrize("kind, category, amount", [
    ("report", "activity", 4),
    ("performance", "activity", 4),
    ("party_day", "party", 6),
    ("volunteer", "volunteer", 7),
])
def test_an_activity_earns_by_its_category_rule(world, checkin, kind, category, amount):
    points.replace_rules(DISTINCT, 1, LESSON_START)
    member = world.member("DM9002", "李秀英")
    world.activity("十月活动", LESSON_START, kind=kind, open=True)
    r = checkin.handle(world.qr(member), LESSON_START)
    assert (r.kind, r.points_gained) == ("ok", amount)
    entry = PointsEntry.get()
    assert (entry.kind, entry.rule, entry.amount) == (category, f"{category}_attendance", amount)
    fact = points_fact()
    assert (fact["kind"], fact["rule"], fact["amount"], fact["rule_version"]) == (
        category, f"{category}_attendance", amount, 1)


def test_an_activity_with_its_own_points_overrides_the_rule(world, checkin):
    member = world.member("DM9002", "李秀英")
    party = world.activity("七一主题党日", LESSON_START, kind="party_day", open=True, points=9)
    r = checkin.handle(world.qr(member), LESSON_START)
    assert r.points_gained == 9
    assert (PointsEntry.get().kind, points_fact()["rule_version"]) == ("party", 0)
    assert points.activity_points(party) == 9
    assert points.activity_points(world.activity("健步行", LESSON_START + DAY, kind="walk")) == 5


def test_daily_caps_are_per_category(world, wang, checkin):
    points.replace_rules([row("lesson", 2, daily_cap=3), row("activity", 5, daily_cap=6)], 1, LESSON_START)
    member, lesson = wang
    world.lesson(lesson.course, LESSON_START + 5 * HOUR)                        # 14:00
    for start in (LESSON_START + 3 * HOUR, LESSON_START + 7 * HOUR):          # 12:00, 16:00
        world.activity("报告会", start, open=True)
    gained = [checkin.handle(world.qr(member), LESSON_START + h * HOUR).points_gained for h in (0, 3, 5, 7)]
    assert gained == [2, 5, 1, 1]       # the lessons' 3 leave the activities' 6 whole, and back
    assert [(e.kind, e.amount) for e in PointsEntry.select().order_by(PointsEntry.at)] == [
        ("lesson", 2), ("activity", 5), ("lesson", 1), ("activity", 1)]


def test_no_cap_when_the_rule_has_none(world, wang, checkin):
    points.replace_rules([row("lesson", 5, daily_cap=0)], 1, LESSON_START)
    member, lesson = wang
    for h in (2, 4):
        world.lesson(lesson.course, LESSON_START + h * HOUR)
    gained = [checkin.handle(world.qr(member), LESSON_START + h * HOUR).points_gained for h in (0, 2, 4)]
    assert gained == [5, 5, 5]


def test_volunteer_hours_recorded_today_count_against_the_volunteer_cap(world, checkin):
    member = world.member("DM9002", "李秀英")
    world.entry(member, 15, "volunteer", LESSON_START - 2 * HOUR, note="志愿服务 7.5 小时")
    world.entry(member, 20, "lesson", LESSON_START - 2 * HOUR)             # another category
    world.entry(member, 16, "volunteer", LESSON_START - DAY)                # another day
    world.activity("社区志愿服务", LESSON_START, kind="volunteer", open=True)
    assert checkin.handle(world.qr(member), LESSON_START).points_gained == 16 - 15


@pytest.mark.parametrize("kind", ["lesson", "activity"])
def test_once_per_item_no_second_award_for_the_same_item(world, wang, kind):
    # A kiosk never signs in twice to one item (a second read is "already"), so this guards the
    # other ways a sign-in comes about, such as staff redoing one they reversed.
    member, lesson = wang
    item = lesson if kind == "lesson" else world.activity("形势报告会", LESSON_START, kind="report")
    category = "lesson" if kind == "lesson" else "activity"
    first = world.sign_in(member, LESSON_START, **{kind: item})
    world.entry(member, 2, category, LESSON_START, signin=first)
    later = LESSON_START + DAY                                              # no cap in the way
    assert points.award(member.id, kind, item.id, later).amount == 0
    other = world.member("DM9002", "李秀英")
    assert points.award(other.id, kind, item.id, later).amount == points.rule(category).points
    points.replace_rules([row(category, 3, once_per_item=False)], 1, LESSON_START)
    assert points.award(member.id, kind, item.id, later).amount == 3


def test_a_category_without_a_rule_earns_nothing_and_says_so(world, checkin, caplog):
    points.replace_rules([row("lesson", 2), row("activity", 5)], 1, LESSON_START)
    member = world.member("DM9002", "李秀英")
    party = world.activity("主题党日", LESSON_START, kind="party_day", open=True)
    with caplog.at_level(logging.WARNING, logger="kiosk.points.awards"):
        r = checkin.handle(world.qr(member), LESSON_START)
    assert (r.kind, r.points_gained, r.balance) == ("ok", 0, 0)
    assert PointsEntry.select().count() == 0
    assert [o.kind for o in Outbox.select()] == ["signin"]
    assert "no points rule for party" in caplog.text
    assert points.activity_points(party) == 0


# -- the bureau's rules --------------------------------------------------------------------------

def test_the_migration_gives_the_default_rules(database):
    assert points.rules() == {
        "lesson": Rule("lesson", 2, "attendance", 10, True, 0, "default"),
        "activity": Rule("activity", 5, "attendance", 10, True, 0, "default"),
        "party": Rule("party", 5, "attendance", 10, True, 0, "default"),
        "volunteer": Rule("volunteer", 2, "hour", 16, False, 0, "default"),
    }


def test_a_newer_version_replaces_every_rule(database):
    now = LESSON_START
    sent = [row("lesson", 3, daily_cap=9), dict(row("volunteer", 4, per="hour"), expires_days=365)]
    assert points.replace_rules(sent, 7, now)
    assert points.rules() == {"lesson": Rule("lesson", 3, "attendance", 9, True, 7, "bureau"),
                              "volunteer": Rule("volunteer", 4, "hour", 0, True, 7, "bureau")}
    assert points.rule("activity") is None
    assert {r.updated_at for r in PointsRule.select()} == {now}


@pytest.mark.parametrize("version", [7, 6, 0])
def test_a_version_not_newer_is_ignored(database, version):
    points.replace_rules(DISTINCT, 7, LESSON_START)
    before = points.rules()
    assert points.replace_rules([row("lesson", 1)], version, LESSON_START + DAY) is False
    assert points.rules() == before


def test_defaults_give_way_to_the_first_bureau_version(database):
    assert points.replace_rules([row("lesson", 1)], 0, LESSON_START) is False
    assert points.replace_rules([row("lesson", 1)], 1, LESSON_START) is True


@pytest.mark.parametrize("rows, version, message", [
    ([row("lesson", 2), row("dance", 2)], 1, r"rule 2 \('dance'\): unknown category"),
    ([row("lesson", -1)], 1, "points must be a whole number"),
    ([row("lesson", 2.5)], 1, "points must be a whole number"),
    ([row("lesson", True)], 1, "points must be a whole number"),
    ([row("lesson", "2")], 1, "points must be a whole number"),
    ([row("lesson", 2, daily_cap=-3)], 1, "daily_cap must be a whole number"),
    ([row("lesson", 2, per="day")], 1, "per must be attendance or hour"),
    ([row("lesson", 2, once_per_item="yes")], 1, "once_per_item must be true or false"),
    ([row("lesson", 2), row("lesson", 3)], 1, r"rule 2 \('lesson'\): category given twice"),
    ([{"category": "lesson", "points": 2}], 1, "missing per, daily_cap, once_per_item"),
    (["lesson"], 1, "points rule 1: expected the fields"),
    ([], 1, "no points rules given"),
    ([row("lesson", 2)], -1, "version must be a whole number"),
    ([row("lesson", 2)], "2", "version must be a whole number"),
])
def test_a_bad_row_changes_nothing(database, rows, version, message):
    before = points.rules()
    with pytest.raises(ValueError, match=message):
        points.replace_rules(rows, version, LESSON_START)
    assert points.rules() == before


# -- volunteer service ---------------------------------------------------------------------------

@pytest.mark.parametrize("hours, expected", [
    (0, 0), (0.4, 0), (0.5, 1), (3, 6), (2.5, 5), (1.25, 2), (8, 16), (10, 16)])
def test_volunteer_points_by_the_hour_rounded_down_and_capped(database, hours, expected):
    assert points.volunteer_points(hours) == expected          # default: 2 an hour, at most 16 a day


def test_volunteer_points_follow_the_bureau_rule(database):
    points.replace_rules([row("volunteer", 15, per="hour", daily_cap=0)], 1, LESSON_START)
    assert points.volunteer_points(8.2) == 123                 # 8.2 * 15 is 122.999… in floats
    assert points.volunteer_points(12) == 180                  # no cap


def test_volunteer_points_without_a_rule_or_with_negative_hours(database):
    with pytest.raises(ValueError, match="negative"):
        points.volunteer_points(-1)
    points.replace_rules([row("lesson", 2)], 1, LESSON_START)
    assert points.volunteer_points(3) == 0


# -- the passbook --------------------------------------------------------------------------------

@pytest.fixture
def ledger(world, wang):
    """王建华's ledger (confirmed balance 10), oldest first, and another member's entry."""
    member, lesson = wang
    report = world.activity("形势报告会", LESSON_START + DAY, kind="report")
    later = world.lesson(lesson.course, LESSON_START + 4 * DAY)
    at = [LESSON_START + d * DAY for d in range(5)]
    award = world.entry(member, 2, "lesson", at[0], status="confirmed",
                        signin=world.sign_in(member, at[0], lesson=lesson))
    world.entry(member, 5, "activity", at[1], status="confirmed",
                signin=world.sign_in(member, at[1], activity=report))
    world.entry(member, 6, "volunteer", at[2], status="confirmed", note="志愿服务 3 小时")
    world.entry(member, -8, "redeem", at[3], note="兑换 保温杯")
    world.entry(member, -2, "correction", at[3], reverses=award, note="更正：重复计分")
    world.entry(member, 2, "lesson", at[4], signin=world.sign_in(member, at[4], lesson=later))
    world.entry(world.member("DM9002", "李秀英"), 99, "volunteer", at[4], note="志愿服务 50 小时")
    return member, at


def test_passbook_newest_first_with_what_each_entry_was_for(ledger):
    member, at = ledger
    book = points.passbook(member)
    assert book == Passbook(balance=10 - 8 - 2 + 2, page=0, pages=2, total=6, entries=(
        Entry(at[4], "lesson", "太极拳（一）班", 2, True),
        Entry(at[3], "correction", "更正：重复计分", -2, True),   # same time: the later entry first
        Entry(at[3], "redeem", "兑换 保温杯", -8, True),
        Entry(at[2], "volunteer", "志愿服务 3 小时", 6, False),
        Entry(at[1], "activity", "形势报告会", 5, False),
    ))
    oldest = Entry(at[0], "lesson", "太极拳（一）班", 2, False)
    assert points.passbook(member, page=1).entries == (oldest,)
    assert book.balance == points.balance(member)


@pytest.mark.parametrize("page, shown", [(0, 0), (1, 1), (2, 1), (99, 1), (-3, 0)])
def test_passbook_pages_are_clamped(ledger, page, shown):
    member, _ = ledger
    book = points.passbook(member, page=page, per_page=4)
    assert (book.page, book.pages, book.total) == (shown, 2, 6)
    assert len(book.entries) == (4 if shown == 0 else 2)


def test_passbook_pages_in_turn_show_each_entry_once_in_order(ledger):
    member, _ = ledger
    whole = points.passbook(member, per_page=6).entries
    assert sum((points.passbook(member, page=p, per_page=2).entries for p in range(3)), ()) == whole


def test_passbook_of_an_empty_ledger(world):
    member = world.member("DM9003", points_confirmed=7)
    assert points.passbook(member, page=2) == Passbook(balance=7, entries=(), page=0, pages=1, total=0)


def test_passbook_needs_a_page_size(ledger):
    with pytest.raises(ValueError, match="per_page"):
        points.passbook(ledger[0], per_page=0)


def test_passbook_and_awards_read_through_indexes(ledger, database):
    # On a 10-year database a scan of points_entry or sign_in would miss the screen's 100 ms.
    member, at = ledger
    statements = []
    database.connection().set_trace_callback(statements.append)
    try:
        points.passbook(member, page=1, per_page=2)
        points.award(member.id, "lesson", 1, at[4])
        points.award(member.id, "activity", 1, at[4])
    finally:
        database.connection().set_trace_callback(None)
    assert len(statements) >= 6
    for sql in statements:
        plan = [step for *_, step in database.execute_sql("EXPLAIN QUERY PLAN " + sql)]
        scans = [s for s in plan if s.startswith("SCAN") and s not in ("SCAN page", "SCAN CONSTANT ROW")]
        assert scans == [], (sql, plan)
