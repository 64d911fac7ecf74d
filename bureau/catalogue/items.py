"""The catalogue's items: made, changed and withdrawn in the console (audited), each published as
item catalogue:<key> of the "items" stream for its site's kiosks, or every kiosk:

    {"kind": "catalogue", "key": K, "name": "毛巾", "points": 50, "stock": 12 | null,
     "valid_from": "2027-01-01" | null, "valid_to": "2027-03-31" | null}

Withdrawing one deletes the item (a tombstone).  Its stock is what is left: the rules take one off
for each handover and put it back for a handover cancelled (redemptions.py), and publish the item
again each time, so a kiosk shows what the bureau last counted.
"""

import uuid
from dataclasses import asdict, dataclass
from datetime import date, datetime

from bureau import audit, streams
from bureau.catalogue import CatalogueError
from bureau.models import CatalogueItem, Site
from bureau.programme.notices import scope

NAME_MAX = 40  # characters: read on a kiosk's card in large type
POINTS_MAX = 100_000
STOCK_MAX = 100_000


@dataclass(frozen=True)
class Fields:
    """What the console's form sets of an item."""

    name: str
    points: int
    stock: int | None  # None: no limit
    valid_from: date | None = None
    valid_to: date | None = None


def check(fields: Fields) -> Fields:
    """`fields` as an item may hold them, or CatalogueError saying what to fix."""
    name = fields.name.strip()
    if not name:
        raise CatalogueError("请填写物品名称。")
    if len(name) > NAME_MAX:
        raise CatalogueError(f"物品名称太长了：最多 {NAME_MAX} 个字。")
    if not 1 <= fields.points <= POINTS_MAX:
        raise CatalogueError(f"所需积分应为 1 到 {POINTS_MAX} 之间的整数。")
    if fields.stock is not None and not 0 <= fields.stock <= STOCK_MAX:
        raise CatalogueError(f"库存应为 0 到 {STOCK_MAX} 之间的整数，或留空表示不限。")
    if fields.valid_from and fields.valid_to and fields.valid_to < fields.valid_from:
        raise CatalogueError("有效期的结束日期不能早于开始日期。")
    return Fields(name, fields.points, fields.stock, fields.valid_from, fields.valid_to)


def create(site: Site | None, fields: Fields, username: str) -> CatalogueItem:
    """A new item for `site`'s kiosks (None: every site's), published and audited.  Call inside
    store.write()."""
    fields = check(fields)
    row = CatalogueItem.create(key=uuid.uuid4().hex, site=site, created_by=username, **asdict(fields))
    publish(row)
    audit.record(username, "catalogue.create", fields.name, site, {"key": row.key, **asdict(fields)})
    return row


def edit(row: CatalogueItem, fields: Fields, stock_was: int | None, username: str) -> CatalogueItem:
    """The item changed to `fields`, published and audited.  `stock_was` is the stock the form
    showed: the rules may have taken one off since, and then the change is refused rather than
    counting a handed-over item again.  Call inside store.write()."""
    if row.withdrawn_at is not None:
        raise CatalogueError("这件物品已撤下，不能再修改。")
    fields = check(fields)
    same_stock = CatalogueItem.stock.is_null() if stock_was is None else CatalogueItem.stock == stock_was
    if not CatalogueItem.update(**asdict(fields)).where(CatalogueItem.id == row.id, same_stock).execute():
        raise CatalogueError("库存刚刚有了变动（有人领取或取消了兑换），请刷新页面后再修改。")
    before = {k: _plain(getattr(row, k)) for k in asdict(fields)}
    row = CatalogueItem.get_by_id(row.id)
    publish(row)
    audit.record(username, "catalogue.edit", row.name, row.site, {"key": row.key, "before": before, **asdict(fields)})
    return row


def withdraw(row: CatalogueItem, username: str, at: datetime, reason: str) -> None:
    """The kiosks drop the item; requests already made stay to be handed over or cancelled.  Call
    inside store.write()."""
    CatalogueItem.update(withdrawn_at=at).where(CatalogueItem.id == row.id).execute()
    streams.publish("items", f"catalogue:{row.key}", None, scope(row.site))
    audit.record(username, "catalogue.withdraw", row.name, row.site, {"key": row.key}, reason)


def publish(row: CatalogueItem) -> None:
    """The item as the kiosks get it, published again (after any change, its stock's too)."""
    streams.publish("items", f"catalogue:{row.key}", item(row), scope(row.site))


def item(row: CatalogueItem) -> dict:
    return {
        "kind": "catalogue",
        "key": row.key,
        "name": row.name,
        "points": row.points,
        "stock": row.stock,
        "valid_from": _plain(row.valid_from),
        "valid_to": _plain(row.valid_to),
    }


def _plain(value):
    return value.isoformat() if isinstance(value, date) else value
