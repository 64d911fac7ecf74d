"""The kiosks' redemption facts through the real ingest and rules, on both stores: a request, its
handover with the redeem points entry beside it, a cancel putting the stock back while the ledger
reverses, facts arriving in any order across kiosks and pushes, a handover past the stock flagged,
and the facts a kiosk may not write dead-lettered."""

from datetime import timedelta

import pytest
from uuid6 import uuid7

from bureau import rules
from bureau.catalogue import items, redemptions
from bureau.models import CatalogueItem, EventReject, LedgerEntry, Member, Redemption, Site
from bureau.store import write

from ..test_rules import DAY, OTHER_SITE, SITE, Till, ledger_sums, member_fact, points_fact, published, sites  # noqa: F401

PRICE = 50


@pytest.fixture
def tills(sites) -> tuple[Till, Till, Till]:
    """Two kiosks of site A (front desk, hall) and one of site B, a member at each site with 100 points."""
    front, hall, other = Till(SITE), Till(SITE), Till(OTHER_SITE)
    front.push(member_fact("A0001", "hash-wang"), points_fact("A0001", 100, "correction", reason="开户"))
    other.push(member_fact("B0001", "hash-li", name="李秀英"))
    rules.catch_up()
    return front, hall, other


def make_item(site: str | None = SITE, stock: int | None = 2, name: str = "毛巾") -> CatalogueItem:
    with write():
        return items.create(Site.get(Site.code == site) if site else None, items.Fields(name, PRICE, stock), "staff")


def fact(action: str, item: CatalogueItem, request: str, at=DAY, member_no: str = "A0001", **more) -> tuple[str, dict]:
    body = {"member_no": member_no, "item": item.key, "request": request, "action": action, "at": at.isoformat()}
    return "redemption", {"points": PRICE, **body, **more}


def asked(till: Till, item: CatalogueItem, at=DAY, member_no: str = "A0001") -> str:
    """A request as a kiosk writes it: its `request` is its own event_id."""
    request = str(uuid7())
    till.push(("redemption", {**fact("request", item, request, at, member_no)[1], "_id": request}))
    return request


def handed(till: Till, item: CatalogueItem, request: str, at=DAY + timedelta(hours=1)) -> str:
    """Staff hand it over: the redeem points fact and the handover naming it, in one push."""
    entry = str(uuid7())
    till.push(
        ("points", {**points_fact("A0001", -PRICE, "redeem", at, reason="兑换毛巾")[1], "_id": entry}),
        fact("handover", item, request, at, entry=entry),
    )
    return entry


def stock(item: CatalogueItem) -> int | None:
    return CatalogueItem.get_by_id(item.id).stock


def row(request: str) -> Redemption:
    return Redemption.get(Redemption.request == request)


def test_a_request_handed_over_takes_the_points_and_one_off_the_stock_and_a_cancel_reverses_both(tills):
    front, _, _ = tills
    item = make_item(stock=2)
    request = asked(front, item)
    rules.catch_up()
    assert (row(request).state, row(request).points, row(request).site.code) == ("requested", PRICE, SITE)
    assert stock(item) == 2

    entry = handed(front, item, request)
    rules.catch_up()
    done = row(request)
    assert (done.state, done.entry, done.handed_at, done.over_stock) == (
        "handed",
        entry,
        DAY + timedelta(hours=1),
        False,
    )
    assert stock(item) == 1
    assert published("items")[f"catalogue:{item.key}"]["stock"] == 1  # the kiosks see what is left
    assert Member.get(Member.member_no == "A0001").balance == 100 - PRICE
    (line,) = redemptions.lines(Redemption.id == done.id)
    assert (line.entry_amount, line.name, line.item_name, line.state_name) == (-PRICE, "王建华", "毛巾", "已领取")

    # Cancelled after the handover: the kiosk writes the points' correction and the cancel.
    later = DAY + timedelta(hours=2)
    front.push(
        points_fact("A0001", PRICE, "correction", later, reverses=entry, reason="取消兑换"),
        fact("cancel", item, request, later, reason="拿错了"),
    )
    rules.catch_up()
    assert (row(request).state, row(request).cancelled_at) == ("cancelled", later)
    assert stock(item) == 2 and published("items")[f"catalogue:{item.key}"]["stock"] == 2
    assert Member.get(Member.member_no == "A0001").balance == 100
    assert [e.kind for e in LedgerEntry.select().order_by(LedgerEntry.id)] == ["correction", "redeem", "correction"]
    ledger_sums()


def test_a_handover_pushed_by_another_kiosk_before_its_request_is_filed_once(tills):
    front, hall, _ = tills
    item = make_item(stock=5)
    request = str(uuid7())
    entry = handed(hall, item, request)  # the hall's kiosk pushes first
    rules.catch_up()
    assert (row(request).state, stock(item)) == ("handed", 4)
    front.push(("redemption", {**fact("request", item, request, DAY)[1], "_id": request}))
    rules.catch_up()
    done = row(request)
    assert (done.state, done.requested_at, done.entry, stock(item)) == ("handed", DAY, entry, 4)
    assert Redemption.select().count() == 1


def test_a_cancel_before_the_handover_in_time_leaves_it_handed_whatever_arrives_first(tills):
    # The front desk cancelled at 10:00 offline; the hall handed it over at 11:00.
    front, hall, _ = tills
    item = make_item(stock=3)
    request = asked(front, item)
    handed(hall, item, request, at=DAY + timedelta(hours=2))
    rules.catch_up()
    front.push(fact("cancel", item, request, DAY + timedelta(hours=1)))
    rules.catch_up()
    assert (row(request).state, stock(item)) == ("handed", 2)


def test_a_handover_past_the_stock_is_filed_and_flagged_and_its_cancel_puts_nothing_back(tills):
    front, hall, _ = tills
    item = make_item(stock=1)
    first, second = asked(front, item), asked(hall, item)
    handed(front, item, first)
    handed(hall, item, second)  # offline, the hall handed over the last one too
    rules.catch_up()
    assert stock(item) == 0
    assert (row(first).over_stock, row(second).over_stock) == (False, True)
    site = Site.get(Site.code == SITE)
    assert [line.request for line in redemptions.flagged([site.id])] == [second]
    hall.push(fact("cancel", item, second, DAY + timedelta(hours=3)))
    rules.catch_up()
    assert stock(item) == 0 and redemptions.flagged([site.id]) == []


def test_an_unlimited_item_keeps_no_count(tills):
    front, _, _ = tills
    item = make_item(stock=None)
    handed(front, item, asked(front, item))
    rules.catch_up()
    assert stock(item) is None and Redemption.get().state == "handed"


def test_facts_a_kiosk_may_not_write_are_dead_lettered_and_the_rest_filed(tills):
    front, _, other = tills
    mine, theirs, everyone = make_item(), make_item(OTHER_SITE, name="雨伞"), make_item(None, name="台历")
    front.push(("redemption", {**fact("request", mine, "r1")[1], "item": "no-such-item"}))
    front.push(fact("request", mine, "r2", member_no="B0001"))  # another site's member
    front.push(fact("request", theirs, "r3"))  # another site's item
    front.push(fact("request", everyone, "r4"))
    other.push(fact("request", everyone, "r5", member_no="B0001"))
    front.push(fact("request", mine, "r4"))  # a request id taken by another item's request
    rules.catch_up()
    refused = {r.reason: r.code for r in EventReject.select()}
    assert sorted(refused.values()) == ["unusable", "unusable", "wrong_site", "wrong_site"]
    assert any("no catalogue item no-such-item" in reason for reason in refused)
    assert {r.request: r.site.code for r in Redemption.select()} == {"r4": SITE, "r5": OTHER_SITE}
