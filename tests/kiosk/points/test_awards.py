"""Points for attending: awards by the bureau's rules or the shared defaults, caps, volunteer hours."""

import json
from datetime import timedelta

import pytest

from contract.points import DEFAULT_RULES
from kiosk.points import awards
from kiosk.points.awards import Rule
from kiosk.store.models import Outbox, PointsEntry, PointsRule
from tests.kiosk.builders import LESSON_START

DAY = timedelta(days=1)
HOUR = timedelta(hours=1)


def row(category: str, points: int, per: str = "attendance", daily_cap: int = 0, once_per_item: bool = True) -> dict:
    return dict(category=category, points=points, per=per, daily_cap=daily_cap, once_per_item=once_per_item)


# Figures unlike the defaults and unlike each other, so each test sees which rule applied.
DISTINCT = [row("lesson", 3), row("activity", 4), row("party", 6), row("volunteer", 7, per="hour")]


def points_fact() -> dict:
    return json.loads(Outbox.get(Outbox.kind == "points").payload)


# -- awards on sign-in ---------------------------------------------------------------------------


def test_a_lesson_earns_the_lesson_rule(world, wang, checkin):
    world.rules(*DISTINCT, version=4)
    r = checkin.handle(world.qr(wang[0]), LESSON_START)
    assert (r.kind, r.points_gained, r.balance) == ("ok", 3, 10 + 3)
    entry = PointsEntry.get()
    assert (entry.kind, entry.rule, entry.amount) == ("lesson", "lesson_attendance", 3)
    assert (points_fact()["kind"], points_fact()["rule_version"]) == ("lesson", 4)


@pytest.mark.parametrize(
    "kind, category, amount",
    [
        ("report", "activity", 4),
        ("performance", "activity", 4),
        ("party_day", "party", 6),
        ("volunteer", "volunteer", 7),
    ],
)
def test_an_activity_earns_by_its_category_rule(world, checkin, kind, category, amount):
    world.rules(*DISTINCT, version=1)
    member = world.member("DM9002", "李秀英")
    world.activity("十月活动", LESSON_START, kind=kind, open=True)
    r = checkin.handle(world.qr(member), LESSON_START)
    assert (r.kind, r.points_gained) == ("ok", amount)
    entry = PointsEntry.get()
    assert (entry.kind, entry.rule, entry.amount) == (category, f"{category}_attendance", amount)
    fact = points_fact()
    assert (fact["kind"], fact["rule"], fact["amount"], fact["rule_version"]) == (
        category,
        f"{category}_attendance",
        amount,
        1,
    )


def test_an_activity_with_its_own_points_overrides_the_rule(world, checkin):
    member = world.member("DM9002", "李秀英")
    party = world.activity("七一主题党日", LESSON_START, kind="party_day", open=True, points=9)
    r = checkin.handle(world.qr(member), LESSON_START)
    assert r.points_gained == 9
    assert (PointsEntry.get().kind, points_fact()["rule_version"]) == ("party", 0)
    assert awards.activity_points(party) == 9
    assert awards.activity_points(world.activity("健步行", LESSON_START + DAY, kind="walk")) == 5


def test_daily_caps_are_per_category(world, wang, checkin):
    world.rules(*[row("lesson", 2, daily_cap=3), row("activity", 5, daily_cap=6)], version=1)
    member, lesson = wang
    world.lesson(lesson.course, LESSON_START + 5 * HOUR)  # 14:00
    for start in (LESSON_START + 3 * HOUR, LESSON_START + 7 * HOUR):  # 12:00, 16:00
        world.activity("报告会", start, open=True)
    gained = [checkin.handle(world.qr(member), LESSON_START + h * HOUR).points_gained for h in (0, 3, 5, 7)]
    assert gained == [2, 5, 1, 1]  # the lessons' 3 leave the activities' 6 whole, and back
    assert [(e.kind, e.amount) for e in PointsEntry.select().order_by(PointsEntry.at)] == [
        ("lesson", 2),
        ("activity", 5),
        ("lesson", 1),
        ("activity", 1),
    ]


def test_no_cap_when_the_rule_has_none(world, wang, checkin):
    world.rules(*[row("lesson", 5, daily_cap=0)], version=1)
    member, lesson = wang
    # Three sittings of one course on a day, with breaks between (lessons that follow on without
    # a break would be one sitting, signed in to once).
    for h in (3, 6):
        world.lesson(lesson.course, LESSON_START + h * HOUR)
    gained = [checkin.handle(world.qr(member), LESSON_START + h * HOUR).points_gained for h in (0, 3, 6)]
    assert gained == [5, 5, 5]


def test_volunteer_hours_recorded_today_count_against_the_volunteer_cap(world, checkin):
    member = world.member("DM9002", "李秀英")
    world.entry(member, 15, "volunteer", LESSON_START - 2 * HOUR, note="志愿服务 7.5 小时")
    world.entry(member, 20, "lesson", LESSON_START - 2 * HOUR)  # another category
    world.entry(member, 16, "volunteer", LESSON_START - DAY)  # another day
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
    later = LESSON_START + DAY  # no cap in the way
    assert awards.award(member.id, kind, item.id, later).amount == 0
    other = world.member("DM9002", "李秀英")
    assert awards.award(other.id, kind, item.id, later).amount == awards.rule(category).points
    world.rules(*[row(category, 3, once_per_item=False)], version=1)
    assert awards.award(member.id, kind, item.id, later).amount == 3


def test_a_category_the_bureau_published_no_rule_for_earns_by_the_shared_default(world, checkin):
    world.rules(row("lesson", 3), row("activity", 4))
    member = world.member("DM9002", "李秀英")
    party = world.activity("主题党日", LESSON_START, kind="party_day", open=True)
    r = checkin.handle(world.qr(member), LESSON_START)
    assert (r.kind, r.points_gained, r.balance) == ("ok", DEFAULT_RULES["party"]["points"], 5)
    assert (PointsEntry.get().kind, points_fact()["rule_version"]) == ("party", 0)
    assert awards.activity_points(party) == 5


# -- the bureau's rules --------------------------------------------------------------------------


def test_without_the_bureaus_rules_the_defaults_both_sides_share_apply(database):
    assert awards.rules() == {
        "lesson": Rule("lesson", 2, "attendance", 10, True, 0, "default"),
        "activity": Rule("activity", 5, "attendance", 10, True, 0, "default"),
        "party": Rule("party", 5, "attendance", 10, True, 0, "default"),
        "volunteer": Rule("volunteer", 2, "hour", 16, False, 0, "default"),
    }
    assert PointsRule.select().count() == 0  # no copy of them in the database to drift


def test_a_published_rule_replaces_the_default_of_its_category(world):
    sent = [row("lesson", 3, daily_cap=9), dict(row("volunteer", 4, per="hour"), expires_days=365)]
    world.rules(*sent, version=7)
    assert awards.rules() == {
        "lesson": Rule("lesson", 3, "attendance", 9, True, 7, "bureau"),
        "activity": Rule("activity", 5, "attendance", 10, True, 0, "default"),
        "party": Rule("party", 5, "attendance", 10, True, 0, "default"),
        "volunteer": Rule("volunteer", 4, "hour", 0, True, 7, "bureau"),
    }
    assert awards.rule("activity").source == "default"


# -- volunteer service ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "hours, expected", [(0, 0), (0.4, 0), (0.5, 1), (3, 6), (2.5, 5), (1.25, 2), (8, 16), (10, 16)]
)
def test_volunteer_points_by_the_hour_rounded_down_and_capped(database, hours, expected):
    assert awards.volunteer_points(hours) == expected  # default: 2 an hour, at most 16 a day


def test_volunteer_points_follow_the_bureau_rule(world):
    world.rules(*[row("volunteer", 15, per="hour", daily_cap=0)], version=1)
    assert awards.volunteer_points(8.2) == 123  # 8.2 * 15 is 122.999… in floats
    assert awards.volunteer_points(12) == 180  # no cap


def test_volunteer_points_of_negative_hours_are_refused(database):
    with pytest.raises(ValueError, match="negative"):
        awards.volunteer_points(-1)
