"""Requests for catalogue items handled by staff: a handover is the ledger's redemption entry (its
points fact and audit entry) plus a redemption fact naming it; a cancellation before the handover
is a fact and an audit entry, after it the ledger's correction (admins only: a new entry, never an
edit) plus a fact, the item back in stock.  The list staff see: open requests, today's first."""

import json
from datetime import timedelta

import pytest

from contract import payloads
from kiosk.points import catalogue, passbook, redemptions
from kiosk.staff import audit
from kiosk.staff.refused import Refused
from kiosk.store.models import Audit, Outbox, PointsEntry, RedemptionRequest
from kiosk.sync.apply import Here
from tests.kiosk.points.test_catalogue import NOW, ask, item
from tests.kiosk.points.test_ledger import admin, desk  # noqa: F401  (fixtures)
from tests.kiosk.sync.test_apply import pull, put


@pytest.fixture
def towel(world):
    world.member("DM0001", "王建华", points_confirmed=60)
    pull(Here(world.settings.site.code, world.settings.kiosk.id, NOW), "items", put(1, "catalogue:towel", item()))
    return ask(world, "DM0001", "towel")


def facts(kind: str) -> list[dict]:
    return [json.loads(o.payload) for o in Outbox.select().where(Outbox.kind == kind).order_by(Outbox.seq)]


def test_a_handover_is_the_ledgers_redemption_and_a_fact_naming_it(world, desk, towel):
    done = redemptions.hand_over(desk, towel.id, NOW + timedelta(minutes=5))
    assert (done.member_no, done.item, done.points, done.balance) == ("DM0001", "毛巾", 20, 40)
    entry = PointsEntry.get(PointsEntry.event_id == done.entry)
    assert (entry.kind, entry.amount, entry.note, entry.staff_id) == ("redeem", -20, "毛巾", desk.staff_id)
    [points_fact] = facts("points")
    assert (points_fact["kind"], points_fact["amount"], points_fact["staff"]) == ("redeem", -20, "李红")
    request, handover = facts("redemption")
    assert (handover["action"], handover["request"], handover["entry"], handover["points"]) == (
        "handover",
        towel.event_id,
        done.entry,
        20,
    )
    assert payloads.parse("redemption", json.dumps(handover)).staff == "李红"
    row = RedemptionRequest.get_by_id(towel.id)
    assert (row.status, row.entry, row.handed_at) == ("handed", done.entry, NOW + timedelta(minutes=5))
    [line] = audit.recent()
    assert (line.action, line.detail["request"], line.detail["item"]) == ("points.redeem", towel.event_id, "towel")
    assert line.detail_text.startswith("兑换 20 分：毛巾")
    assert passbook.balance(row.member) == 40 and catalogue.offers("DM0001", NOW.date()).held == 0
    with pytest.raises(Refused) as again:
        redemptions.hand_over(desk, towel.id, NOW)
    assert again.value.key == "redemption.already_handed"


def test_a_request_cancelled_before_the_handover_moves_no_points(world, desk, towel):
    done = redemptions.cancel(desk, towel.id, "changed_mind", NOW)
    assert (done.balance, done.entry) == (60, None)
    assert PointsEntry.select().count() == 0
    cancel = facts("redemption")[-1]
    assert (cancel["action"], cancel["request"], cancel["entry"], cancel["reason"]) == (
        "cancel",
        towel.event_id,
        None,
        "老人不换了",
    )
    [line] = audit.recent()
    assert (line.action, line.reason, line.action_text) == ("redemption.cancel", "老人不换了", "取消兑换")
    assert "毛巾" in line.detail_text
    assert catalogue.offers("DM0001", NOW.date()).held == 0
    with pytest.raises(Refused) as again:
        redemptions.cancel(desk, towel.id, "changed_mind", NOW)
    assert again.value.key == "redemption.already_cancelled"


def test_a_handover_taken_back_is_a_correction_by_an_admin_never_an_edit(world, desk, admin, towel):
    handed = redemptions.hand_over(desk, towel.id, NOW)
    before = Audit.select().count(), Outbox.select().count()
    with pytest.raises(Refused) as plain_staff:
        redemptions.cancel(desk, towel.id, "wrong_item", NOW)
    assert plain_staff.value.key.startswith("access.")
    assert (Audit.select().count(), Outbox.select().count()) == before
    assert RedemptionRequest.get_by_id(towel.id).status == "handed"

    done = redemptions.cancel(admin, towel.id, "wrong_item", NOW + timedelta(minutes=1))
    redeemed, correction = PointsEntry.select().order_by(PointsEntry.id)
    assert (redeemed.event_id, redeemed.amount, redeemed.kind) == (handed.entry, -20, "redeem")  # as it was
    assert (correction.amount, correction.kind, correction.reverses_id) == (20, "correction", redeemed.id)
    assert done.entry == correction.event_id and done.balance == 60
    cancel = facts("redemption")[-1]
    assert (cancel["action"], cancel["entry"], cancel["staff"]) == ("cancel", correction.event_id, "张主任")
    assert [p["kind"] for p in facts("points")] == ["redeem", "correction"]
    assert audit.recent()[0].action == "points.reverse"
    assert RedemptionRequest.get_by_id(towel.id).status == "cancelled"


def test_the_staff_list_shows_open_requests_todays_first_and_recent_handovers(world, desk):
    world.member("DM0001", "王建华", points_confirmed=200)
    world.member("DM0002", "李秀英", points_confirmed=200)
    pull(Here(world.settings.site.code, world.settings.kiosk.id, NOW), "items", put(1, "catalogue:towel", item()))
    yesterday = redemptions.request("DM0002", "towel", NOW - timedelta(days=1), "k", "DM")
    early = redemptions.request("DM0001", "towel", NOW - timedelta(hours=1), "k", "DM")
    late = redemptions.request("DM0002", "towel", NOW, "k", "DM")
    gone = redemptions.request("DM0001", "towel", NOW, "k", "DM")
    redemptions.hand_over(desk, gone.id, NOW)
    listed = redemptions.open_requests(NOW.date())
    assert [r.id for r in listed] == [early.id, late.id, yesterday.id]
    assert (listed[0].name, listed[0].item, listed[0].points, listed[0].status) == ("王建华", "毛巾", 20, "open")
    assert redemptions.count_open() == 3
    assert [r.id for r in redemptions.handed_recently(NOW)] == [gone.id]
    assert redemptions.handed_recently(NOW + timedelta(days=31)) == []


def test_a_failed_handover_leaves_everything_as_it_was(world, desk, towel):
    # The balance fell below the price since the request (a correction at the bureau).
    RedemptionRequest.update(points=100).where(RedemptionRequest.id == towel.id).execute()
    before = [m.select().count() for m in (PointsEntry, Outbox, Audit)]
    with pytest.raises(Refused) as refused:
        redemptions.hand_over(desk, towel.id, NOW)
    assert refused.value.key == "ledger.not_enough"
    assert [m.select().count() for m in (PointsEntry, Outbox, Audit)] == before
    assert RedemptionRequest.get_by_id(towel.id).status == "open"
