"""The seniors' requests for catalogue items, as the kiosks' `redemption` facts tell them, and what
the console reads of them (docs/points.md).

A request's life: a senior asks at a kiosk (request), staff hand the item over in staff mode
(handover, with the kiosk's redeem `points` fact beside it: the ledger is the points rule's), or
either cancels (cancel; after a handover the kiosk writes the points' correction too).  The rules
file each fact here in their round (bureau/rules/rounds.py `_redemption`): one Redemption row per
request, keyed by the request fact's event_id.

Facts of one request may come from several kiosks and arrive in any order (a handover pushed
before the request it concerns): a fact for a request not yet filed makes its row, and the row's
state is decided by the times the facts carry, never by the order they arrive in: cancelled if a
cancel came at or after the handover (or there was no handover), handed if it was handed over and
not cancelled since, else requested.  A handover takes one off the item's stock and a cancel of it
puts that one back; a handover when the bureau counted none left (a kiosk offline may hand over the
last towel twice) is filed all the same, the stock stays 0, and the row is flagged over_stock for
staff until one of them marks it checked.  Each change of the stock publishes the item again.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from peewee import JOIN, fn

from bureau import audit
from bureau.catalogue import CatalogueError, items
from bureau.models import CatalogueItem, LedgerEntry, Member, Redemption, Site
from contract import payloads

ACTIONS = ("request", "handover", "cancel")
STATE_NAMES = {"requested": "待领取", "handed": "已领取", "cancelled": "已取消"}


class NotHere(CatalogueError):
    """A fact about another site's catalogue item: the rules refuse it (wrong_site)."""


def file(site: int, member_no: str, p: payloads.Redemption, at: datetime) -> None:
    """File a kiosk's redemption fact of `site` for `member_no` (the member it counts as) at `at`
    (the kiosk's local time, corrected).  CatalogueError: the fact cannot be used (it is
    dead-lettered); NotHere: it names another site's item.  Call in the rules' transaction."""
    if p.action not in ACTIONS:
        raise CatalogueError(f"a redemption's action is one of {', '.join(ACTIONS)}, not {p.action!r}")
    item = CatalogueItem.get_or_none(CatalogueItem.key == p.item)
    if item is None:
        raise CatalogueError(f"no catalogue item {p.item}")
    if item.site_id is not None and item.site_id != site:
        raise NotHere(f"catalogue item {p.item} is another site's")
    request, entry = p.request.lower(), p.entry.lower() if p.entry else None  # as the ledger keeps event ids
    row = Redemption.get_or_none(Redemption.request == request)
    if row is None:  # the request itself, or a later fact of it that arrived first
        row = Redemption(request=request, member_no=member_no, item=item, site=site, points=p.points, requested_at=at)
    elif row.item_id != item.id or row.member_no != member_no or row.site_id != site:
        raise CatalogueError(f"request {p.request} was for another item, member or site")
    was = row.state if row.id else "requested"
    if p.action == "request":
        row.requested_at, row.points = at, p.points or row.points
    elif p.action == "handover":
        if row.handed_at is not None:
            raise CatalogueError(f"request {p.request} was handed over already")
        row.handed_at, row.entry = at, entry
        row.points = row.points or p.points
    elif row.cancelled_at is None or at > row.cancelled_at:
        row.cancelled_at = at
    row.state = state(row.handed_at, row.cancelled_at)
    _count_stock(row, item, was)
    row.save()


def state(handed_at: datetime | None, cancelled_at: datetime | None) -> str:
    """Where a request stands from the times of its handover and latest cancel."""
    if cancelled_at is not None and (handed_at is None or cancelled_at >= handed_at):
        return "cancelled"
    return "handed" if handed_at is not None else "requested"


def _count_stock(row: Redemption, item: CatalogueItem, was: str) -> None:
    """One off the item's stock for a handover, back for a handover undone; the item published again."""
    if item.stock is None or (was == "handed") == (row.state == "handed"):
        return
    if row.state == "handed":
        took = (
            CatalogueItem.update(stock=CatalogueItem.stock - 1)
            .where(CatalogueItem.id == item.id, CatalogueItem.stock > 0)
            .execute()
        )
        row.over_stock = not took
        if not took:
            return
    elif row.over_stock:  # it never took one: there is none to put back
        return
    else:
        CatalogueItem.update(stock=CatalogueItem.stock + 1).where(CatalogueItem.id == item.id).execute()
    items.publish(CatalogueItem.get_by_id(item.id))


# --- what the console reads ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One request as the console lists it."""

    id: int
    request: str
    member_no: str
    name: str  # the member's name ("" if the bureau has no member of that number)
    item_key: str
    item_name: str
    site_id: int
    site: str  # the site's name
    state: str
    points: int
    requested_at: datetime
    handed_at: datetime | None
    cancelled_at: datetime | None
    entry: str | None
    entry_amount: int | None  # what the ledger holds of the redeem entry (None: not there yet)
    over_stock: bool
    checked_by: str

    @property
    def state_name(self) -> str:
        return STATE_NAMES.get(self.state, self.state)

    @property
    def flagged(self) -> bool:
        """Handed over past the stock, and no one has checked it yet."""
        return self.over_stock and self.state == "handed" and not self.checked_by


def lines(*where, limit: int | None = None) -> list[Line]:
    """Requests matching `where` (peewee expressions on Redemption), newest first."""
    query = (
        Redemption.select(
            Redemption.id,
            Redemption.request,
            Redemption.member_no,
            fn.COALESCE(Member.name, "").alias("name"),
            CatalogueItem.key.alias("item_key"),
            CatalogueItem.name.alias("item_name"),
            Redemption.site.alias("site_id"),
            Site.name.alias("site"),
            Redemption.state,
            Redemption.points,
            Redemption.requested_at,
            Redemption.handed_at,
            Redemption.cancelled_at,
            Redemption.entry,
            LedgerEntry.amount.alias("entry_amount"),
            Redemption.over_stock,
            Redemption.checked_by,
        )
        .join(CatalogueItem)
        .switch(Redemption)
        .join(Site)
        .switch(Redemption)
        .join(Member, JOIN.LEFT_OUTER, on=Member.member_no == Redemption.member_no)
        .switch(Redemption)
        .join(LedgerEntry, JOIN.LEFT_OUTER, on=LedgerEntry.entry_id == Redemption.entry)
        .where(*where)
        .order_by(Redemption.requested_at.desc(), Redemption.id.desc())
        .limit(limit)
        .dicts()
    )
    return [Line(**{**r, "over_stock": bool(r["over_stock"])}) for r in query]


def waiting(site_ids: list[int]) -> dict[int, dict[int, int]]:
    """item id -> site id -> requests waiting to be handed over, at `site_ids`."""
    found: dict[int, dict[int, int]] = {}
    query = (
        Redemption.select(Redemption.item, Redemption.site, fn.COUNT(Redemption.id))
        .where(Redemption.state == "requested", Redemption.site.in_(site_ids))
        .group_by(Redemption.item, Redemption.site)
        .tuples()
    )
    for item_id, site_id, count in query:
        found.setdefault(item_id, {})[site_id] = count
    return found


def flagged(site_ids: list[int]) -> list[Line]:
    """Handovers past the stock at `site_ids` that no one has checked yet."""
    return lines(
        Redemption.over_stock == True,  # noqa: E712 (a peewee expression)
        Redemption.state == "handed",
        Redemption.checked_by == "",
        Redemption.site.in_(site_ids),
    )


def in_period(site_ids: list[int], start: date, end: date) -> list[Line]:
    """Requests at `site_ids` asked for, handed over or cancelled from `start` to `end` (days, both in)."""
    low, high = (
        datetime.combine(start, datetime.min.time()),
        datetime.combine(end + timedelta(days=1), datetime.min.time()),
    )

    def within(field):
        return (field >= low) & (field < high)

    return lines(
        Redemption.site.in_(site_ids),
        within(Redemption.requested_at) | within(Redemption.handed_at) | within(Redemption.cancelled_at),
    )


def check(row: Redemption, username: str, note: str) -> None:
    """Staff have looked into a handover past the stock (counted the shelf, set the stock): it
    leaves the flagged list.  Audited.  Call inside store.write()."""
    Redemption.update(checked_by=username).where(Redemption.id == row.id).execute()
    audit.record(
        username,
        "catalogue.checked",
        row.item.name,
        row.site,
        {"request": row.request, "member_no": row.member_no},
        note,
    )
