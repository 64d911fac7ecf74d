"""The points catalogue at the kiosk (积分兑换, docs/design.md §4.5): what a senior's points can
buy today, as 我的积分 shows it under 「我的积分能换什么」.

The bureau publishes each item (catalogue:<key>: name, price, stock, valid dates; applied in
kiosk.sync.apply._catalogue) and publishes it again whenever its stock changes.  The stock here is
the bureau's count less this kiosk's own handovers (plus those taken back) it does not count yet:
CatalogueMove rows, dropped when the bureau publishes the item again after it has their facts.

What a senior can spend is their balance less the points of their open requests (asked for, not
yet handed over): the points leave only at the desk, but no senior can ask for more than they hold.
"""

from dataclasses import dataclass
from datetime import date

from kiosk.points import passbook
from kiosk.store.db import db, get_by
from kiosk.store.models import CatalogueItem, Member


@dataclass(frozen=True)
class Offer:
    key: str
    name: str
    points: int  # the price
    left: int | None  # what this kiosk may still promise (None: no limit)
    short: int = 0  # the points the senior still lacks (0: they can ask for it)


@dataclass(frozen=True)
class Offers:
    balance: int
    held: int  # the points of the senior's open requests
    affordable: tuple[Offer, ...]  # cheapest first
    nearest: Offer | None  # the cheapest one they cannot afford yet (short > 0)
    any_valid: bool  # anything at all is on offer today (the screen's 「能换什么」 button)

    @property
    def spendable(self) -> int:
        return self.balance - self.held


def held(member_id: int) -> int:
    """The points a member's open requests hold."""
    return db.execute_sql(_HELD, (member_id,)).fetchone()[0]


def offers(member_no: str, today: date) -> Offers:
    """What the member can ask for today, and the nearest item they cannot yet."""
    member = get_by(Member, "member_no", member_no)
    if member is None:
        raise KeyError(member_no)
    balance, holding = passbook.balance(member), held(member.id)
    spendable = balance - holding
    items = on_offer(today)
    affordable = tuple(o for o in items if o.points <= spendable)
    dearer = [o for o in items if o.points > spendable]
    nearest = None
    if dearer:
        first = dearer[0]
        nearest = Offer(first.key, first.name, first.points, first.left, first.points - spendable)
    return Offers(balance, holding, affordable, nearest, bool(items))


def on_offer(today: date) -> list[Offer]:
    """The items valid today with any left to promise, cheapest first."""
    day = today.isoformat()
    return [Offer(*row) for row in db.execute_sql(_ON_OFFER, (day, day))]


def item(key: str) -> CatalogueItem | None:
    return get_by(CatalogueItem, "key", key)


def left(key: str) -> int | None:
    """What this kiosk may still promise of an item: the bureau's stock, less its own handovers the
    bureau does not count yet, less its open requests (None: no limit or no such item)."""
    row = db.execute_sql(_LEFT + " WHERE i.key = ?", (key,)).fetchone()
    return None if row is None else row[0]


def valid_on(found: CatalogueItem, today: date) -> bool:
    return (found.valid_from is None or found.valid_from <= today) and (
        found.valid_to is None or today <= found.valid_to
    )


_HELD = "SELECT coalesce(sum(points), 0) FROM redemption_request WHERE member_id = ? AND status = 'open'"
# An item's stock as this kiosk sees it (NULL: no limit).
_LEFT_OF = """CASE WHEN i.stock IS NULL THEN NULL ELSE i.stock
    + (SELECT coalesce(sum(m.delta), 0) FROM catalogue_move m WHERE m.item_key = i.key)
    - (SELECT count(*) FROM redemption_request r WHERE r.item_key = i.key AND r.status = 'open') END"""
_LEFT = f"SELECT {_LEFT_OF} FROM catalogue_item i"
_ON_OFFER = f"""
    SELECT key, name, points, left FROM (
        SELECT i.key, i.name, i.points, {_LEFT_OF} AS left FROM catalogue_item i
        WHERE (i.valid_from IS NULL OR i.valid_from <= ?) AND (i.valid_to IS NULL OR i.valid_to >= ?))
    WHERE left IS NULL OR left > 0
    ORDER BY points, name, key"""
