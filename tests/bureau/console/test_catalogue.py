"""The console's points catalogue (bureau/console/catalogue.py) over HTTP against a real `python -m
bureau serve`: items made, changed and withdrawn as the kiosks get them, who may change which, the
list's stock and requests waiting per site from kiosks' facts through the real ingest and rules,
flagged handovers checked, and the report of a period as .xlsx."""

import io
from datetime import date, datetime, timedelta

import pytest
from openpyxl import load_workbook
from uuid6 import uuid7

from bureau import admin, rules, streams
from bureau.catalogue import items
from bureau.models import AuditEntry, CatalogueItem, Redemption
from bureau.store import write
from tests.bureau.test_rules import Till, member_fact, points_fact

from .signed_in import SignedIn, account, reason_of_last

A, B = "DEMO-001", "DEMO-002"
NOW = datetime.now().replace(second=0, microsecond=0)


@pytest.fixture
def world(store):
    a = admin.add_site(A, "示范区老干部活动中心", prefix="A")
    b = admin.add_site(B, "东城街道长者服务站", prefix="B")
    account("staff-a", "staff", a)
    account("staff-b", "staff", b)
    account("boss", "admin")
    return a, b


def item_of(key: str) -> tuple[str, dict | None]:
    row = streams.current("items", f"catalogue:{key}")
    return row.scope, streams.data(row)


def test_staff_add_change_and_withdraw_their_sites_item_as_the_kiosks_get_it(server, world):
    staff = SignedIn(server.url, "staff-a")
    made = staff.post("/web/catalogue", {"name": "保温杯", "points": "120", "stock": "10", "valid_to": "2030-12-31"})
    assert made.status_code == 303
    cup = CatalogueItem.get()
    assert made.headers["location"] == f"/web/catalogue/{cup.key}"
    assert (cup.site.code, cup.created_by) == (A, "staff-a")
    assert item_of(cup.key) == (
        f"site:{A}",
        {"kind": "catalogue", "key": cup.key, "name": "保温杯", "points": 120, "stock": 10, "valid_from": None,
         "valid_to": "2030-12-31"},
    )  # fmt: skip

    changed = {"name": "保温杯", "points": "150", "stock": "20", "stock_was": "10"}
    assert staff.post(f"/web/catalogue/{cup.key}", changed).status_code == 303
    assert item_of(cup.key)[1]["stock"] == 20 and item_of(cup.key)[1]["points"] == 150
    stale = staff.post(f"/web/catalogue/{cup.key}", {**changed, "stock": "30", "stock_was": "10"})
    assert stale.status_code == 400 and "库存刚刚有了变动" in stale.text
    assert CatalogueItem.get().stock == 20

    other = SignedIn(server.url, "staff-b")
    assert other.get(f"/web/catalogue/{cup.key}").status_code == 404
    assert other.post(f"/web/catalogue/{cup.key}/withdraw", {"reason": "x"}).status_code == 404

    gone = staff.post(f"/web/catalogue/{cup.key}/withdraw", {"reason": "不再提供"})
    assert gone.status_code == 303 and item_of(cup.key)[1] is None
    assert reason_of_last("catalogue.withdraw") == ("staff-a", "保温杯", "不再提供")
    assert "已撤下" in staff.get(f"/web/catalogue/{cup.key}").text
    assert [e.action for e in AuditEntry.select().order_by(AuditEntry.id)][-3:] == [
        "catalogue.create",
        "catalogue.edit",
        "catalogue.withdraw",
    ]
    staff.close()
    other.close()


def test_an_admins_item_for_every_site_is_changed_by_the_bureau_only(server, world):
    boss = SignedIn(server.url, "boss")
    assert boss.post("/web/catalogue", {"name": "台历", "points": "30", "site": ""}).status_code == 303
    calendar = CatalogueItem.get()
    assert calendar.site is None and item_of(calendar.key)[0] == ""
    staff = SignedIn(server.url, "staff-b")
    assert "台历" in staff.get("/web/catalogue").text
    refused = staff.post(f"/web/catalogue/{calendar.key}", {"name": "台历", "points": "1", "stock_was": ""})
    assert refused.status_code == 403 and CatalogueItem.get().points == 30
    boss.close()
    staff.close()


def redeem(till: Till, item: CatalogueItem, member_no: str, at: datetime, hand_over: bool = True) -> str:
    """A senior's request at `till` and, if `hand_over`, staff handing the item over: the kiosk's facts."""
    request, entry = str(uuid7()), str(uuid7())
    base = {"member_no": member_no, "item": item.key, "request": request, "points": item.points}
    facts = [("redemption", {**base, "action": "request", "at": at.isoformat(), "_id": request})]
    if hand_over:
        later = at + timedelta(minutes=5)
        facts += [
            ("points", {**points_fact(member_no, -item.points, "redeem", later)[1], "_id": entry}),
            ("redemption", {**base, "action": "handover", "at": later.isoformat(), "entry": entry}),
        ]
    till.push(*facts)
    return request


def test_the_list_counts_stock_and_waiting_per_site_and_staff_check_a_handover_past_the_stock(server, world):
    a, b = world
    front, hall, other = Till(A), Till(A), Till(B)
    front.push(member_fact("A0001", "hash-a1"), member_fact("A0002", "hash-a2", name="李秀英"))
    other.push(member_fact("B0001", "hash-b1", name="赵淑兰"))
    with write():
        towel = items.create(None, items.Fields("毛巾", 50, 1), "boss")
    redeem(front, towel, "A0001", NOW)
    over = redeem(hall, towel, "A0002", NOW)  # the hall's kiosk, offline, handed over the last one too
    redeem(front, towel, "A0001", NOW, hand_over=False)
    redeem(other, towel, "B0001", NOW, hand_over=False)
    rules.catch_up()
    assert CatalogueItem.get().stock == 0 and Redemption.get(Redemption.request == over).over_stock

    boss = SignedIn(server.url, "boss")
    listing = boss.get("/web/catalogue").text
    assert 'data-k="waiting-DEMO-001"><span class="warn">1<' in listing
    assert 'data-k="waiting-DEMO-002"><span class="warn">1<' in listing
    assert "0（已兑完）" in listing and "超出库存的领取（1）" in listing

    staff_b = SignedIn(server.url, "staff-b")
    theirs = staff_b.get("/web/catalogue").text
    assert "超出库存的领取" not in theirs and "waiting-DEMO-001" not in theirs
    assert staff_b.post(f"/web/catalogue/{towel.key}/checked", {"request": over}).status_code == 404

    staff_a = SignedIn(server.url, "staff-a")
    page = staff_a.get(f"/web/catalogue/{towel.key}").text
    assert page.count("data-request=") == 3 and "赵淑兰" not in page  # site B's request is not theirs
    assert '<td class="num">-50</td>' in page  # the redeem entry the ledger holds
    checked = staff_a.post(f"/web/catalogue/{towel.key}/checked", {"request": over, "reason": "点过了，补货1条"})
    assert checked.status_code == 303
    assert Redemption.get(Redemption.request == over).checked_by == "staff-a"
    assert reason_of_last("catalogue.checked") == ("staff-a", "毛巾", "点过了，补货1条")
    assert "超出库存的领取" not in staff_a.get("/web/catalogue").text
    for http in (boss, staff_a, staff_b):
        http.close()


def test_the_report_of_a_site_and_period_downloads_as_xlsx(server, world):
    front, other = Till(A), Till(B)
    front.push(member_fact("A0001", "hash-a1", name="王建华"))
    other.push(member_fact("B0001", "hash-b1", name="赵淑兰"))
    with write():
        towel = items.create(None, items.Fields("毛巾", 50, None), "boss")
    redeem(front, towel, "A0001", NOW)
    redeem(front, towel, "A0001", NOW - timedelta(days=40))  # before the period
    redeem(other, towel, "B0001", NOW)
    rules.catch_up()
    boss = SignedIn(server.url, "boss")
    start = (date.today() - timedelta(days=7)).isoformat()
    reply = boss.get(
        "/web/catalogue/report", site=A, **{"from": start, "to": date.today().isoformat(), "format": "xlsx"}
    )
    assert reply.status_code == 200 and "attachment" in reply.headers["content-disposition"]
    book = load_workbook(io.BytesIO(reply.content), read_only=True)
    details = list(book["明细"].iter_rows(values_only=True))
    assert details[0][:7] == ("申请时间", "站点", "学号", "姓名", "物品", "积分", "状态")
    assert [(r[2], r[3], r[4], r[5], r[6], r[9]) for r in details[1:]] == [
        ("A0001", "王建华", "毛巾", 50, "已领取", -50)
    ]
    summary = list(book["汇总"].iter_rows(values_only=True))
    assert summary[1] == ("示范区老干部活动中心", "毛巾", 1, 50, 0)
    page = boss.get("/web/catalogue/report", **{"from": start}).text
    assert "王建华" in page and "赵淑兰" in page  # every site's for the bureau
    assert boss.get("/web/catalogue/report", **{"from": "2030-01-01", "to": "2029-01-01"}).status_code == 400
    boss.close()
