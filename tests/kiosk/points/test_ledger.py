"""Points entries staff make: volunteer hours within the daily cap, redemptions within the balance,
and corrections that reverse an entry (admins only).  Every refusal leaves the database as it was."""

import json
from datetime import datetime, timedelta

import pytest

from kiosk.i18n import t
from kiosk.points import ledger, passbook
from kiosk.points.ledger import Recorded
from kiosk.staff.audit import Actor
from kiosk.staff.refused import Refused
from kiosk.store.models import Audit, Member, Outbox, PointsEntry, Staff
from tests.kiosk.builders import LESSON_START

NOW = datetime(2026, 11, 21, 15, 0)
HOUR = timedelta(hours=1)


@pytest.fixture
def desk(world) -> Actor:
    return Actor.of(Staff.create(name="李红", pin_hash="-", role="staff", site=world.site), world.settings)


@pytest.fixture
def admin(world) -> Actor:
    return Actor.of(Staff.create(name="张主任", pin_hash="-", role="admin", site=world.site), world.settings)


@pytest.fixture
def command_line(world) -> Actor:
    return Actor.of(None, world.settings)


@pytest.fixture
def member(world) -> Member:
    return world.member("DM0001", "王建华", points_confirmed=10)


def counts() -> dict:
    return {m.__name__: m.select().count() for m in (PointsEntry, Outbox, Audit)}


def points_facts() -> list[dict]:
    return [json.loads(o.payload) for o in Outbox.select().where(Outbox.kind == "points").order_by(Outbox.seq)]


def refused(key: str, call, *args) -> Refused:
    """The call is refused with `key` and a real message, and nothing in the database changed."""
    before = counts()
    with pytest.raises(Refused) as e:
        call(*args)
    assert e.value.key == key
    assert "{" not in e.value.message() and e.value.message() != key
    assert counts() == before
    return e.value


# -- volunteer hours -----------------------------------------------------------------------------


def test_volunteer_hours_earn_the_rules_points_per_hour(world, desk, member):
    done = ledger.volunteer(desk, member.member_no, 2, "library", NOW)
    assert done == Recorded(done.entry_id, done.event_id, 4, 14, False, 0)  # 2 points an hour
    entry = PointsEntry.get_by_id(done.entry_id)
    assert (entry.kind, entry.rule, entry.amount, entry.staff_id, entry.note, entry.at) == (
        "volunteer",
        "volunteer_hour",
        4,
        desk.staff.id,
        "图书室值班 2 小时",
        NOW,
    )
    (fact,) = points_facts()
    assert fact == {
        "member_no": "DM0001",
        "amount": 4,
        "kind": "volunteer",
        "rule": "volunteer_hour",
        "rule_version": 0,
        "hours": 2,
        "reason": "图书室值班",
        "reverses": None,
        "at": NOW.isoformat(),
        "kiosk_id": desk.kiosk_id,
        "site": desk.site,
        "staff": "李红",
        "staff_id": desk.staff.id,
    }
    audit = Audit.get()
    assert (audit.action, audit.target, audit.reason, audit.staff_name) == (
        "points.volunteer",
        "member DM0001",
        "图书室值班",
        "李红",
    )
    assert json.loads(audit.detail) == {
        "entry": done.event_id,
        "hours": 2,
        "amount": 4,
        "held_back": 0,
        "name": "王建华",
    }


def test_volunteer_half_hours_and_free_text(world, command_line, member):
    done = ledger.volunteer(command_line, member.member_no, 1.5, "  协助社区防疫宣传  ", NOW)
    entry = PointsEntry.get_by_id(done.entry_id)
    assert (done.amount, entry.note, entry.staff_id) == (3, "协助社区防疫宣传 1.5 小时", None)
    assert points_facts()[0]["staff"] == "命令行"


@pytest.mark.parametrize("hours", [0, -1, 0.25, 1.2, 12.5, 13, float("nan"), float("inf"), True, "2"])
def test_volunteer_refuses_hours_out_of_half_hour_steps_or_range(desk, member, hours):
    e = refused("ledger.bad_hours", ledger.volunteer, desk, member.member_no, hours, "library", NOW)
    assert "12" in e.message()


def test_twelve_hours_is_the_most(desk, member):
    assert ledger.volunteer(desk, member.member_no, 12, "event_helper", NOW).amount == 16  # the daily cap


def test_volunteer_points_stop_at_the_daily_cap(world, desk, member):
    first = ledger.volunteer(desk, member.member_no, 5, "library", NOW)
    second = ledger.volunteer(desk, member.member_no, 5, "reception", NOW + HOUR)
    third = ledger.volunteer(desk, member.member_no, 1, "reception", NOW + 2 * HOUR)
    assert [(r.amount, r.capped, r.held_back) for r in (first, second, third)] == [
        (10, False, 0),
        (6, True, 4),
        (0, True, 2),
    ]
    assert points_facts()[2]["amount"] == 0  # the hours are on record all the same
    assert PointsEntry.get_by_id(third.entry_id).note == "服务台接待 1 小时"
    tomorrow = ledger.volunteer(desk, member.member_no, 1, "library", NOW + timedelta(days=1))
    assert (tomorrow.amount, tomorrow.capped) == (2, False)


def test_volunteer_sign_ins_count_against_the_cap_and_reversed_entries_do_not(world, desk, admin, member):
    world.entry(member, 12, "volunteer", NOW - 5 * HOUR, rule="volunteer_attendance")
    wrong = ledger.volunteer(desk, member.member_no, 1, "library", NOW - HOUR)
    assert (wrong.amount, wrong.held_back) == (2, 0)
    ledger.reverse(admin, wrong.entry_id, "wrong_member", NOW - HOUR)
    done = ledger.volunteer(desk, member.member_no, 3, "library", NOW)
    assert (done.amount, done.capped, done.held_back) == (4, True, 2)  # 16 - 12


def test_volunteer_without_a_cap(world, desk, member):
    world.rules(dict(category="volunteer", points=3, per="hour", daily_cap=0, once_per_item=False), version=5)
    assert [ledger.volunteer(desk, member.member_no, 8, "library", NOW).amount for _ in range(2)] == [24, 24]
    assert points_facts()[0]["rule_version"] == 5


# -- redemptions ---------------------------------------------------------------------------------


def test_redeem_spends_points(world, desk, member):
    world.entry(member, 6, "lesson", NOW - HOUR)
    done = ledger.redeem(desk, member.member_no, 16, "gift", NOW)
    assert (done.amount, done.balance, passbook.balance(member)) == (-16, 0, 0)
    entry = PointsEntry.get_by_id(done.entry_id)
    assert (entry.kind, entry.amount, entry.note, entry.staff_id, entry.rule) == (
        "redeem",
        -16,
        "兑换纪念品",
        desk.staff.id,
        "",
    )
    fact = points_facts()[0]
    assert (fact["kind"], fact["amount"], fact["reason"], fact["staff"]) == ("redeem", -16, "兑换纪念品", "李红")
    audit = Audit.get()
    assert (audit.action, json.loads(audit.detail)) == (
        "points.redeem",
        {"entry": done.event_id, "amount": -16, "balance_before": 16, "name": "王建华"},
    )


def test_redeem_refuses_more_than_the_balance(world, desk, member):
    world.entry(member, 5, "lesson", NOW - HOUR)
    e = refused("ledger.not_enough", ledger.redeem, desk, member.member_no, 16, "gift", NOW)
    assert e.values["balance"] == 15 and "15" in e.message() and "16" in e.message()


def test_only_the_amounts_the_balance_covers_are_offered(world, desk, member):
    world.entry(member, 28, "lesson", NOW - HOUR)
    offer = ledger.redeemable(member.member_no)
    assert offer == ledger.Redeemable(38, (5, 10, 20, 30))
    ledger.redeem(desk, member.member_no, 34, "gift", NOW)  # a free amount, up to the balance
    assert ledger.redeemable(member.member_no) == ledger.Redeemable(4, ())


def test_redeemable_asks_for_an_active_member(desk):
    refused("ledger.no_member", ledger.redeemable, "DM9999")


@pytest.mark.parametrize("amount", [0, -3, 2.5, True, "5"])
def test_redeem_refuses_an_amount_that_is_not_a_positive_whole_number(desk, member, amount):
    refused("ledger.bad_amount", ledger.redeem, desk, member.member_no, amount, "gift", NOW)


@pytest.mark.parametrize(
    "call, args",
    [
        (ledger.volunteer, (1,)),
        (ledger.redeem, (1,)),
    ],
)
@pytest.mark.parametrize("reason", ["", "   "])
def test_staff_entries_need_a_reason(desk, member, call, args, reason):
    refused("ledger.reason_required", call, desk, member, *args, reason, NOW)


# -- corrections ---------------------------------------------------------------------------------


def test_an_admin_reverses_an_entry_with_a_correction(world, desk, admin, member):
    wrong = ledger.volunteer(desk, member.member_no, 3, "library", NOW)
    done = ledger.reverse(admin, wrong.entry_id, "wrong_member", NOW + HOUR)
    assert (done.amount, done.balance) == (-6, 10)
    original = PointsEntry.get_by_id(wrong.entry_id)
    assert (original.amount, original.kind) == (6, "volunteer")  # never edited
    c = PointsEntry.get_by_id(done.entry_id)
    assert (c.kind, c.amount, c.reverses_id, c.staff_id, c.note) == (
        "correction",
        -6,
        wrong.entry_id,
        admin.staff.id,
        "记错了人",
    )
    fact = points_facts()[1]
    assert (fact["kind"], fact["amount"], fact["reverses"], fact["reason"], fact["staff"]) == (
        "correction",
        -6,
        wrong.event_id,
        "记错了人",
        "张主任",
    )
    audit = Audit.get(Audit.action == "points.reverse")
    assert (audit.reason, json.loads(audit.detail)) == (
        "记错了人",
        {
            "entry": done.event_id,
            "reverses": wrong.event_id,
            "kind": "volunteer",
            "amount": -6,
            "at": NOW.isoformat(),
            "name": "王建华",
        },
    )


def test_reversing_a_redemption_gives_the_points_back(world, desk, command_line, member):
    spent = ledger.redeem(desk, member.member_no, 4, "book", NOW)
    done = ledger.reverse(command_line, spent.entry_id, "输错了数", NOW)
    assert (done.amount, done.balance) == (4, 10)


def test_an_entry_is_reversed_once_and_a_correction_never(world, desk, admin, member):
    wrong = PointsEntry.get_by_id(ledger.volunteer(desk, member.member_no, 1, "library", NOW).entry_id)
    correction = PointsEntry.get_by_id(ledger.reverse(admin, wrong.id, "duplicate", NOW).entry_id)
    refused("ledger.already_reversed", ledger.reverse, admin, wrong.id, "duplicate", NOW)
    refused("ledger.is_correction", ledger.reverse, admin, correction.id, "duplicate", NOW)


def test_a_correction_the_bureau_made_is_final_and_shown_so(world, admin, member):
    bureau = world.entry(member, 2, "correction", NOW)  # no entry of this ledger it reverses
    assert not passbook.passbook(member.member_no).entries[0].reversible
    refused("ledger.is_correction", ledger.reverse, admin, bureau.id, "duplicate", NOW)


def test_plain_staff_cannot_reverse(world, desk, member):
    entry = world.entry(member, 2, "lesson", NOW)
    refused("access.admin_only", ledger.reverse, desk, entry.id, "duplicate", NOW)


def test_reversing_needs_a_reason(world, admin, member):
    refused("ledger.reason_required", ledger.reverse, admin, world.entry(member, 2, "lesson", NOW).id, " ", NOW)


def test_an_entry_or_member_that_is_not_there_is_refused_with_a_reason(world, admin, desk):
    refused("ledger.no_entry", ledger.reverse, admin, 999, "duplicate", NOW)
    refused("ledger.no_member", ledger.volunteer, desk, "XX9999", 1, "library", NOW)
    refused("ledger.no_member", ledger.redeem, desk, "XX9999", 1, "gift", NOW)


# -- the staff's view of the ledger --------------------------------------------------------------


def test_entries_newest_first_with_who_and_whether_reversed(world, wang, desk, admin, command_line, checkin):
    member, _ = wang
    assert checkin.handle(world.qr(member), LESSON_START).kind == "ok"
    served = ledger.volunteer(desk, member.member_no, 1, "library", LESSON_START + HOUR)
    spent = ledger.redeem(command_line, member.member_no, 3, "gift", LESSON_START + 2 * HOUR)
    fixed = ledger.reverse(admin, spent.entry_id, "wrong_amount", LESSON_START + 3 * HOUR)
    rows = passbook.passbook(member.member_no, 0, 10).entries
    shown = [
        (r.kind, t(f"points.kind.{r.kind}"), r.amount, r.title, r.staff, r.reversed, r.correction, r.reversible)
        for r in rows
    ]
    assert shown == [
        ("correction", "积分更正", 3, "分数记错", "张主任", False, True, False),
        ("redeem", "积分兑换", -3, "兑换纪念品", "", True, False, False),
        ("volunteer", "志愿服务", 2, "图书室值班 1 小时", "李红", False, False, True),
        ("lesson", "上课签到", 2, "太极拳（一）班", "", False, False, True),
    ]
    assert [r.id for r in rows] == [fixed.entry_id, spent.entry_id, served.entry_id, rows[3].id]
    assert rows[0].at == LESSON_START + 3 * HOUR and all(r.provisional for r in rows)
    assert [r.id for r in passbook.passbook(member.member_no, 1, 3).entries] == [rows[3].id]
    past_the_end = passbook.passbook(member.member_no, 2, 3)
    assert (past_the_end.page, past_the_end.pages, past_the_end.total) == (1, 2, 4)


def test_reason_keys_have_labels_and_free_text_stays(world):
    keys = ledger.VOLUNTEER_REASONS + ledger.REDEEM_REASONS + ledger.REVERSE_REASONS
    assert len(set(keys)) == len(keys)
    labels = [ledger.reason_text(k) for k in keys]
    assert all(label != k and label for label, k in zip(labels, keys))
    assert ledger.reason_text(" 帮忙搬桌椅 ") == "帮忙搬桌椅"
