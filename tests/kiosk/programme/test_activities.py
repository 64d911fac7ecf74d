"""Activity sign-up: places, the waitlist and promotion, closed activities, facts, and races."""

import json
import sqlite3
from datetime import timedelta

import pytest

from kiosk.programme import activities
from kiosk.store import facts
from kiosk.store.models import Outbox, Registration
from tests.kiosk.builders import LESSON_START, Boom, fail_on_call, race

NOW = LESSON_START
SOON = NOW + timedelta(days=2)  # the activities' start
KIOSK, SITE = "KIOSK-T1", "TEST-001"


def sign_up(member, activity, at=NOW):
    return activities.sign_up(member.member_no, activity.id, at, KIOSK, SITE)


def cancel(member, activity, at=NOW):
    return activities.cancel(member.member_no, activity.id, at, KIOSK, SITE)


def registration(member, activity) -> Registration:
    return Registration.get(Registration.member == member, Registration.activity == activity)


def seen_by(member, activity) -> activities.ActivityView:
    return next(v for v in activities.upcoming(NOW, member.member_no) if v.id == activity.id)


def registration_facts() -> list[dict]:
    return [json.loads(o.payload) for o in Outbox.select().where(Outbox.kind == "registration").order_by(Outbox.seq)]


@pytest.fixture
def people(world):
    return [world.member(f"DM91{n:02d}", f"学员{n}") for n in range(1, 6)]


@pytest.fixture
def report(world):
    """形势报告会 with two places."""
    return world.activity("形势报告会", SOON, kind="report", place="五楼 报告厅", capacity=2, points=5)


def fill(report, people, minutes=0):
    """Sign people up one minute apart, from NOW + minutes."""
    return [sign_up(p, report, NOW + timedelta(minutes=minutes + i)).outcome for i, p in enumerate(people)]


# -- upcoming -------------------------------------------------------------------------------------


def test_upcoming_lists_the_coming_days_soonest_first(world):
    late = world.activity("文艺汇演", NOW + timedelta(days=30), kind="performance")
    world.activity("太晚了", NOW + timedelta(days=30, seconds=1))
    world.activity("已经开始", NOW - timedelta(seconds=1))
    world.activity("取消了", SOON, cancelled=True)
    starting = world.activity("健步行", NOW, kind="walk", open=True)
    party = world.activity("主题党日", SOON, kind="party_day", capacity=30)
    views = activities.upcoming(NOW)
    assert [v.title for v in views] == ["健步行", "主题党日", "文艺汇演"]
    assert [v.id for v in views] == [starting.id, party.id, late.id]
    assert [v.title for v in activities.upcoming(NOW, days=2)] == ["健步行", "主题党日"]


def test_a_view_has_points_places_and_what_can_be_done(world, people, report):
    walk = world.activity("健步行", SOON, kind="walk", open=True)
    party = world.activity("主题党日", SOON + timedelta(hours=1), kind="party_day")
    sign_up(people[0], report)
    v = seen_by(people[1], report)
    assert (v.title, v.place, v.start, v.end) == ("形势报告会", "五楼 报告厅", SOON, SOON + timedelta(minutes=90))
    assert (v.points, v.capacity, v.places_left, v.open) == (5, 2, 1, False)
    assert (v.status, v.waitlist_position, v.can_change) == ("", None, True)
    w = seen_by(people[1], walk)
    assert (w.open, w.can_change, w.places_left, w.capacity) == (True, False, None, 0)
    assert w.points == 5  # no figure of its own: the 'activity' rule
    assert seen_by(people[1], party).points == 5  # the 'party' rule


def test_without_a_member_nothing_is_the_members(world, people, report):
    sign_up(people[0], report)
    v = next(v for v in activities.upcoming(NOW) if v.id == report.id)
    assert (v.status, v.waitlist_position, v.places_left) == ("", None, 1)


def test_places_left_is_never_negative(world, people, report):
    fill(report, people[:2])
    report.capacity = 1  # lowered after two signed up
    report.save()
    v = seen_by(people[0], report)
    assert v.places_left == 0 and v.status == "registered"


# -- signing up -----------------------------------------------------------------------------------


def test_sign_up_takes_a_place_and_writes_a_fact(world, people, report):
    change = sign_up(people[0], report)
    assert change.outcome == "registered" and change.promoted == ""
    assert (change.view.status, change.view.places_left, change.view.can_change) == ("registered", 1, True)
    row = registration(people[0], report)
    assert (row.status, row.at, row.promoted_at, row.notify) == ("registered", NOW, None, False)
    assert registration_facts() == [
        {
            "member_no": "DM9101",
            "activity_id": report.id,
            "title": "形势报告会",
            "start": SOON.isoformat(),
            "status": "registered",
            "previous": "",
            "promoted": False,
            "at": NOW.isoformat(),
            "kiosk_id": KIOSK,
            "site": SITE,
        }
    ]


def test_signing_up_twice_is_already(world, people, report):
    sign_up(people[0], report)
    change = sign_up(people[0], report, NOW + timedelta(minutes=1))
    assert change.outcome == "already" and change.view.status == "registered"
    assert registration(people[0], report).at == NOW
    assert len(registration_facts()) == 1


def test_full_puts_the_member_on_the_waitlist_in_order(world, people, report):
    assert fill(report, people[:4]) == ["registered", "registered", "waitlisted", "waitlisted"]
    assert [seen_by(p, report).waitlist_position for p in people[:4]] == [None, None, 1, 2]
    third = seen_by(people[2], report)
    assert (third.status, third.places_left, third.can_change) == ("waitlisted", 0, True)
    assert sign_up(people[3], report).outcome == "already"
    assert [f["status"] for f in registration_facts()] == ["registered"] * 2 + ["waitlisted"] * 2


def test_the_waitlist_is_ordered_by_sign_up_time_then_id(world, people, report):
    fill(report, people[:2])
    # Rows from before `at` was kept (NULL) count as the earliest.
    late, early, legacy = (world.register(p, report, "waitlisted") for p in people[2:])
    for row, at in ((late, NOW + timedelta(hours=2)), (early, NOW + timedelta(hours=1))):
        row.at = at
        row.save()
    assert [seen_by(p, report).waitlist_position for p in people[2:]] == [3, 2, 1]


def test_unlimited_activity_never_fills(world, people):
    free = world.activity("书画作品展 讲解", SOON, kind="exhibition", capacity=0)
    assert set(fill(free, people)) == {"registered"}
    assert seen_by(people[0], free).places_left is None


# -- cancelling and moving up ---------------------------------------------------------------------


def test_cancel_promotes_the_first_on_the_waitlist_and_tells_them_once(world, people, report):
    fill(report, people[:4])
    later = NOW + timedelta(hours=1)
    change = cancel(people[0], report, later)
    assert change.outcome == "cancelled" and change.promoted == "DM9103"
    assert (change.view.status, change.view.places_left, change.view.can_change) == ("", 0, True)
    promoted = registration(people[2], report)
    assert (promoted.status, promoted.promoted_at, promoted.notify) == ("registered", later, True)
    assert registration(people[0], report).status == "cancelled"
    assert seen_by(people[3], report).waitlist_position == 1
    cancelled, moved = registration_facts()[-2:]
    assert (cancelled["member_no"], cancelled["status"], cancelled["previous"], cancelled["promoted"]) == (
        "DM9101",
        "cancelled",
        "registered",
        False,
    )
    assert (moved["member_no"], moved["status"], moved["previous"], moved["promoted"]) == (
        "DM9103",
        "registered",
        "waitlisted",
        True,
    )
    assert moved["at"] == later.isoformat() and moved["kiosk_id"] == KIOSK

    assert activities.take_notices(people[2].member_no, later) == [activities.Notice("形势报告会", SOON, "五楼 报告厅")]
    assert activities.take_notices(people[2].member_no, later) == []
    assert registration(people[2], report).notify is False


def test_no_notices_for_those_not_promoted(world, people, report):
    fill(report, people[:3])
    assert activities.take_notices(people[0].member_no, NOW) == []
    assert activities.take_notices(people[2].member_no, NOW) == []


def test_a_notice_of_an_activity_since_cancelled_or_over_is_dropped(world, people, report):
    other = world.activity("健步行", SOON + timedelta(days=1), kind="walk", capacity=1)
    fill(report, people[:3])
    fill(other, people[:2])
    cancel(people[0], report)
    cancel(people[0], other)
    report.cancelled = True
    report.save()
    assert activities.take_notices(people[2].member_no, NOW) == []
    notices = activities.take_notices(people[1].member_no, other.end)  # it is over
    assert notices == [] and not Registration.select().where(Registration.notify).exists()


def test_cancel_without_a_waitlist_promotes_nobody(world, people, report):
    fill(report, people[:2])
    change = cancel(people[1], report)
    assert change.outcome == "cancelled" and change.promoted == "" and change.view.places_left == 1


def test_leaving_the_waitlist_promotes_nobody(world, people, report):
    fill(report, people[:4])
    change = cancel(people[2], report)
    assert change.outcome == "cancelled" and change.promoted == ""
    assert change.view.status == "" and change.view.waitlist_position is None
    assert seen_by(people[3], report).waitlist_position == 1
    assert [registration(p, report).status for p in people[:4]] == [
        "registered",
        "registered",
        "cancelled",
        "waitlisted",
    ]
    assert registration_facts()[-1]["previous"] == "waitlisted"


def test_no_promotion_while_the_capacity_lowered_keeps_it_full(world, people, report):
    fill(report, people[:3])
    report.capacity = 1
    report.save()
    change = cancel(people[0], report)
    assert change.promoted == "" and registration(people[2], report).status == "waitlisted"


def test_signing_up_again_after_a_cancel_goes_to_the_back(world, people, report):
    fill(report, people[:4])
    first_row = registration(people[0], report).id
    cancel(people[0], report, NOW + timedelta(hours=1))  # DM9103 moves up
    change = sign_up(people[0], report, NOW + timedelta(hours=2))
    assert change.outcome == "waitlisted" and change.view.waitlist_position == 2
    row = registration(people[0], report)
    assert row.id == first_row and row.at == NOW + timedelta(hours=2)
    assert Registration.select().count() == 4
    assert registration_facts()[-1]["previous"] == "cancelled"


def test_a_promoted_member_who_cancels_and_comes_back_is_not_notified_again(world, people, report):
    fill(report, people[:3])
    cancel(people[0], report)
    cancel(people[2], report)  # the promoted one gives it up
    assert registration(people[2], report).notify is False
    change = sign_up(people[2], report)
    row = registration(people[2], report)
    assert change.outcome == "registered" and (row.notify, row.promoted_at) == (False, None)


def test_cancel_when_not_signed_up(world, people, report):
    assert cancel(people[0], report).outcome == "not_registered"
    sign_up(people[0], report)
    cancel(people[0], report)
    change = cancel(people[0], report)
    assert change.outcome == "not_registered" and change.view.status == ""


# -- closed and missing ---------------------------------------------------------------------------


@pytest.mark.parametrize("at", [SOON, SOON + timedelta(minutes=5)])
def test_closed_from_the_start(world, people, report, at):
    sign_up(people[0], report)
    assert sign_up(people[1], report, at).outcome == "closed"
    change = cancel(people[0], report, at)
    assert change.outcome == "closed" and change.view.status == "registered" and not change.view.can_change
    assert sign_up(people[1], report, SOON - timedelta(seconds=1)).outcome == "registered"


def test_a_cancelled_activity_is_closed(world, people, report):
    sign_up(people[0], report)
    report.cancelled = True
    report.save()
    assert sign_up(people[1], report).outcome == "closed"
    change = cancel(people[0], report)
    assert change.outcome == "closed" and not change.view.can_change


def test_an_open_activity_needs_no_sign_up(world, people):
    walk = world.activity("健步行", SOON, kind="walk", open=True)
    change = sign_up(people[0], walk)
    assert change.outcome == "closed" and change.view.open and not change.view.can_change
    assert cancel(people[0], walk).outcome == "closed"
    assert Registration.select().count() == 0 and Outbox.select().count() == 0


def test_an_unknown_activity_or_member_is_not_found(world, people):
    assert activities.sign_up(people[0].member_no, 404, NOW, KIOSK, SITE) == activities.Change("not_found", None)
    assert activities.cancel(people[0].member_no, 404, NOW, KIOSK, SITE) == activities.Change("not_found", None)
    report = world.activity("形势报告会", NOW + timedelta(days=1))
    assert activities.sign_up("XX9999", report.id, NOW, KIOSK, SITE).outcome == "not_found"
    assert activities.take_notices("XX9999", NOW) == [] and Outbox.select().count() == 0


# -- one transaction ------------------------------------------------------------------------------


def test_a_failing_fact_leaves_no_sign_up(world, people, report, monkeypatch):
    monkeypatch.setattr(facts, "record", fail_on_call(facts.record, 1))
    with pytest.raises(Boom):
        sign_up(people[0], report)
    assert Registration.select().count() == 0 and Outbox.select().count() == 0


def test_a_failing_promotion_fact_undoes_the_cancel_too(world, people, report, monkeypatch):
    fill(report, people[:3])
    before = [(r.id, r.status, r.notify) for r in Registration.select().order_by(Registration.id)]
    monkeypatch.setattr(facts, "record", fail_on_call(facts.record, 2))  # the promoted member's fact
    with pytest.raises(Boom):
        cancel(people[0], report)
    assert [(r.id, r.status, r.notify) for r in Registration.select().order_by(Registration.id)] == before
    assert Outbox.select().count() == 3
    monkeypatch.undo()
    assert cancel(people[0], report).promoted == "DM9103"
    assert [o.seq for o in Outbox.select().order_by(Outbox.seq)] == [1, 2, 3, 4, 5]  # no gap


def test_a_locked_database_raises_and_changes_nothing(world, people, report, database):
    database.execute_sql("PRAGMA busy_timeout = 0")
    other = sqlite3.connect(str(database.database), isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        with pytest.raises(Exception, match="locked"):
            sign_up(people[0], report)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert Registration.select().count() == 0


# -- races --------------------------------------------------------------------------------------


def test_two_kiosks_racing_for_the_last_place_never_overbook(world, people):
    for round_ in range(20):
        last = world.activity(f"讲座 {round_}", SOON, capacity=2)
        sign_up(people[0], last)
        changes = race(
            [
                lambda p=p: activities.sign_up(p.member_no, last.id, NOW, f"KIOSK-{p.member_no}", SITE)
                for p in people[1:3]
            ]
        )
        assert sorted(c.outcome for c in changes) == ["registered", "waitlisted"], round_
        taken = Registration.select().where(Registration.activity == last, Registration.status == "registered")
        assert taken.count() == 2


def test_cancel_racing_a_sign_up_for_the_place_it_frees(world, people):
    for round_ in range(20):
        last = world.activity(f"讲座 {round_}", SOON, capacity=1)
        fill(last, people[:2])  # DM9102 waits
        later = NOW + timedelta(hours=1)
        race([lambda: cancel(people[0], last, later), lambda: sign_up(people[2], last, later)])
        statuses = {p.member_no: registration(p, last).status for p in people[:3]}
        assert statuses["DM9101"] == "cancelled" and statuses["DM9102"] == "registered", round_
        assert statuses["DM9103"] == "waitlisted", round_
