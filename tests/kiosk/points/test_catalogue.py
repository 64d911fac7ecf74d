"""The points catalogue at the kiosk: catalogue:<key> items applied (upsert, withdrawn, what the
kiosk cannot read), what a senior can ask for today counting their open requests, and the stock as
the bureau last said less this kiosk's own handovers the bureau does not count yet."""

from datetime import date, datetime

import pytest

from contract import payloads
from kiosk.points import catalogue, redemptions
from kiosk.points.catalogue import Offer
from kiosk.store.models import CatalogueItem, CatalogueMove, Outbox, Pulled, RedemptionRequest
from kiosk.sync.apply import Here
from tests.kiosk.points.test_ledger import desk  # noqa: F401  (the fixture)
from tests.kiosk.sync.test_apply import delete, pull, put

NOW = datetime(2026, 11, 21, 10, 0)
TODAY = NOW.date()


def item(key: str = "towel", name: str = "毛巾", points: int = 20, stock: int | None = 5, **fields) -> dict:
    return {
        "kind": "catalogue",
        "key": key,
        "name": name,
        "points": points,
        "stock": stock,
        "valid_from": None,
        "valid_to": None,
        **fields,
    }


@pytest.fixture
def here(world) -> Here:
    return Here(world.settings.site.code, world.settings.kiosk.id, NOW)


def ask(world, member_no: str, key: str) -> redemptions.Requested:
    return redemptions.request(member_no, key, NOW, world.settings.kiosk.id, world.settings.site.code)


def test_an_item_is_upserted_by_its_key_and_removed_when_withdrawn(world, here):
    assert pull(
        here, "items", put(1, "catalogue:towel", item()), put(2, "catalogue:cup", item("cup", "保温杯", 50))
    ) == [
        True,
        True,
    ]
    towel = CatalogueItem.get(CatalogueItem.key == "towel")
    assert (towel.name, towel.points, towel.stock, towel.valid_from, towel.valid_to) == ("毛巾", 20, 5, None, None)
    dated = item(name="纯棉毛巾", points=25, stock=None, valid_from="2026-11-01", valid_to="2026-12-31")
    assert pull(here, "items", put(3, "catalogue:towel", dated)) == [True]
    towel = CatalogueItem.get(CatalogueItem.key == "towel")
    assert (towel.name, towel.points, towel.stock, towel.valid_from, towel.valid_to) == (
        "纯棉毛巾",
        25,
        None,
        date(2026, 11, 1),
        date(2026, 12, 31),
    )
    assert pull(here, "items", put(2, "catalogue:towel", item())) == [False]  # an older rev
    assert pull(here, "items", delete(4, "catalogue:towel")) == [True]
    assert [i.key for i in CatalogueItem.select()] == ["cup"]
    assert Pulled.get(Pulled.entity_id == "catalogue:towel").deleted


@pytest.mark.parametrize(
    "bad",
    [
        item(points=0),
        item(points=-5),
        item(points="20"),
        item(stock=-1),
        item(valid_to="31.12.2026"),
        {"kind": "catalogue"},
    ],
)
def test_an_item_the_kiosk_cannot_read_is_skipped(world, here, bad):
    assert pull(here, "items", put(1, "catalogue:x", bad)) == [False]
    assert CatalogueItem.select().count() == 0 and Pulled.select().count() == 0


def test_a_senior_is_offered_what_they_can_afford_today_and_the_nearest_they_cannot(world, here):
    world.member("DM0001", "王建华", points_confirmed=60)
    pull(
        here,
        "items",
        put(1, "catalogue:towel", item()),
        put(2, "catalogue:cup", item("cup", "保温杯", 50)),
        put(3, "catalogue:cooker", item("cooker", "电饭煲", 300, stock=None)),
        put(4, "catalogue:old", item("old", "去年的台历", 10, valid_to="2026-11-20")),
        put(5, "catalogue:soon", item("soon", "春联", 10, valid_from="2026-11-22")),
        put(6, "catalogue:gone", item("gone", "雨伞", 10, stock=0)),
    )
    offers = catalogue.offers("DM0001", TODAY)
    assert (offers.balance, offers.held, offers.spendable) == (60, 0, 60)
    assert offers.affordable == (Offer("towel", "毛巾", 20, 5), Offer("cup", "保温杯", 50, 5))
    assert offers.nearest == Offer("cooker", "电饭煲", 300, None, 240)
    # On the last valid day it is offered, the day after it is not.
    assert [o.key for o in catalogue.on_offer(date(2026, 11, 20))] == ["old", "towel", "cup", "cooker"]
    assert [o.key for o in catalogue.on_offer(date(2026, 11, 22))] == ["soon", "towel", "cup", "cooker"]


def test_open_requests_hold_their_points_so_a_senior_never_asks_for_more_than_the_balance(world, here):
    world.member("DM0001", "王建华", points_confirmed=60)
    pull(here, "items", put(1, "catalogue:towel", item()), put(2, "catalogue:cup", item("cup", "保温杯", 50)))
    first = ask(world, "DM0001", "cup")
    assert (first.name, first.points, first.spendable) == ("保温杯", 50, 10)
    offers = catalogue.offers("DM0001", TODAY)
    assert (offers.balance, offers.held, offers.affordable) == (60, 50, ())  # the points stay until the desk
    assert offers.nearest == Offer("towel", "毛巾", 20, 5, 10)
    with pytest.raises(redemptions.Refused) as refused:
        ask(world, "DM0001", "towel")
    assert refused.value.key == "redemption.not_enough" and "10" in refused.value.message()
    assert RedemptionRequest.select().count() == 1
    assert [o.kind for o in Outbox.select()] == ["redemption"]


def test_a_request_is_a_redemption_fact_the_bureau_can_read(world, here):
    world.member("DM0001", "王建华", points_confirmed=60)
    pull(here, "items", put(1, "catalogue:towel", item()))
    done = ask(world, "DM0001", "towel")
    fact = Outbox.get(Outbox.event_id == done.event_id)
    parsed = payloads.parse("redemption", fact.payload)
    assert (parsed.member_no, parsed.item, parsed.request, parsed.action, parsed.points, parsed.entry) == (
        "DM0001",
        "towel",
        done.event_id,
        "request",
        20,
        None,
    )
    assert (parsed.kiosk_id, parsed.site, parsed.at) == (world.settings.kiosk.id, world.settings.site.code, NOW)
    row = RedemptionRequest.get_by_id(done.id)
    assert (row.status, row.item_name, row.points, row.entry) == ("open", "毛巾", 20, None)


def test_an_item_not_on_offer_or_with_none_left_is_refused(world, here):
    world.member("DM0001", "王建华", points_confirmed=100)
    world.member("DM0002", "李秀英", points_confirmed=100)
    pull(here, "items", put(1, "catalogue:last", item("last", "最后一把扇子", 10, stock=1)))
    for key in ("nothing", "last"):
        if key == "last":
            ask(world, "DM0001", "last")  # the one left is promised to DM0001
        with pytest.raises(redemptions.Refused) as refused:
            ask(world, "DM0002", key)
        assert refused.value.key == ("redemption.none_left" if key == "last" else "redemption.not_offered")
    assert catalogue.left("last") == 0 and catalogue.on_offer(TODAY) == []


def test_the_stock_is_the_bureaus_less_this_kiosks_handovers_it_does_not_count_yet(world, here, desk):
    world.member("DM0001", "王建华", points_confirmed=100)
    pull(here, "items", put(1, "catalogue:towel", item(stock=5)))
    first, second = ask(world, "DM0001", "towel"), ask(world, "DM0001", "towel")
    assert catalogue.left("towel") == 3  # two promised
    redemptions.hand_over(desk, first.id, NOW)
    assert catalogue.left("towel") == 3  # one handed over (its move), one promised
    assert [m.delta for m in CatalogueMove.select()] == [-1]
    # The bureau publishes the item again before it has the handover: this kiosk still counts it.
    pull(here, "items", put(2, "catalogue:towel", item(stock=5, name="毛巾（新款）")))
    assert catalogue.left("towel") == 3 and CatalogueMove.select().count() == 1
    # The handover's fact acknowledged, the bureau's next count has it: the move is dropped.
    Outbox.update(state="acked").execute()
    pull(here, "items", put(3, "catalogue:towel", item(stock=4)))
    assert CatalogueMove.select().count() == 0 and catalogue.left("towel") == 3
    redemptions.cancel(desk, second.id, "changed_mind", NOW)
    assert catalogue.left("towel") == 4
