"""The catalogue's items: published as catalogue:<key> to their site's kiosks (or every kiosk),
changed, withdrawn (a tombstone), each change audited, and a change of the stock refused when the
rules took one off since the form was shown."""

from datetime import date, datetime

import pytest

from bureau import admin, streams
from bureau.catalogue import CatalogueError, items
from bureau.models import AuditEntry, CatalogueItem
from bureau.store import write


@pytest.fixture
def site(store):
    admin.add_site("DEMO-001", "第一活动中心", prefix="A")
    return admin.add_site("DEMO-002", "第二活动中心", prefix="B")


def pulled(site_code: str) -> dict[str, dict | None]:
    """A kiosk of the site's copy of the catalogue items (None: deleted)."""
    found = streams.pull("items", 0, None, 100, site_code, "K")["items"]
    return {i["id"]: i["data"] for i in found if i["id"].startswith("catalogue:")}


def test_an_item_reaches_its_sites_kiosks_only_and_a_withdrawal_deletes_it(site):
    fields = items.Fields("  保温杯 ", 120, 10, date(2027, 1, 1), date(2027, 3, 31))
    with write():
        cup = items.create(site, fields, "staff-b")
        towel = items.create(None, items.Fields("毛巾", 50, None), "boss")
    assert pulled("DEMO-002")[f"catalogue:{cup.key}"] == {
        "kind": "catalogue",
        "key": cup.key,
        "name": "保温杯",
        "points": 120,
        "stock": 10,
        "valid_from": "2027-01-01",
        "valid_to": "2027-03-31",
    }
    assert set(pulled("DEMO-001")) == {f"catalogue:{towel.key}"}  # the other site gets only every site's
    assert pulled("DEMO-001")[f"catalogue:{towel.key}"]["stock"] is None
    with write():
        items.withdraw(cup, "staff-b", datetime(2027, 2, 1, 9), "不再提供")
    assert pulled("DEMO-002")[f"catalogue:{cup.key}"] is None
    actions = [(a.action, a.username) for a in AuditEntry.select().order_by(AuditEntry.id)]
    assert actions[-3:] == [
        ("catalogue.create", "staff-b"),
        ("catalogue.create", "boss"),
        ("catalogue.withdraw", "staff-b"),
    ]


def test_an_edit_is_published_and_refused_when_the_stock_moved_since_the_form(site):
    with write():
        cup = items.create(site, items.Fields("保温杯", 120, 10), "staff-b")
        items.edit(cup, items.Fields("保温杯（大）", 150, 20), 10, "staff-b")
    assert pulled("DEMO-002")[f"catalogue:{cup.key}"]["stock"] == 20
    CatalogueItem.update(stock=19).where(CatalogueItem.id == cup.id).execute()  # the rules took one
    with pytest.raises(CatalogueError, match="库存刚刚有了变动"), write():
        items.edit(CatalogueItem.get_by_id(cup.id), items.Fields("保温杯", 150, 25), 20, "staff-b")
    assert CatalogueItem.get_by_id(cup.id).stock == 19
    edit = AuditEntry.select().where(AuditEntry.action == "catalogue.edit").get()
    assert '"before": {' in edit.detail and '"points": 120' in edit.detail


@pytest.mark.parametrize(
    "fields, message",
    [
        (items.Fields(" ", 10, None), "请填写物品名称"),
        (items.Fields("毛" * 41, 10, None), "太长"),
        (items.Fields("毛巾", 0, None), "所需积分"),
        (items.Fields("毛巾", 10, -1), "库存"),
        (items.Fields("毛巾", 10, None, date(2027, 2, 1), date(2027, 1, 31)), "有效期"),
    ],
)
def test_fields_an_item_cannot_hold_are_refused(fields, message):
    with pytest.raises(CatalogueError, match=message):
        items.check(fields)
