"""Requests for catalogue items (积分兑换, docs/design.md §4.5, §4.9): a senior asks at the kiosk,
staff hand the item over at the desk or cancel the request.

- request: the senior taps 「我要兑换」 on 我的积分.  A `redemption` fact (action request) and an
  open request row; no points move yet (领取时扣分), but the request holds its price, so a senior
  never asks for more than their balance covers counting their open requests.
- hand_over: staff give the item.  The points leave as the ledger's own redemption
  (kiosk.points.ledger.redeem: a redeem entry, its `points` fact and its audit entry), then a
  `redemption` fact (action handover, entry: that points fact's event_id); the stock here goes one
  down (kiosk.points.catalogue).
- cancel: before the handover, a `redemption` fact (action cancel) and an audit entry; after it,
  the ledger's correction of the redeem entry (kiosk.points.ledger.reverse: admins only, an entry
  of the opposite amount, never an edit), a `redemption` cancel whose entry is the correction's
  event_id, and the stock one up again.

Each runs in one IMMEDIATE transaction with its facts and audit entries.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from kiosk.i18n import t
from kiosk.points import catalogue, ledger, passbook
from kiosk.staff import audit
from kiosk.staff.audit import Actor
from kiosk.staff.refused import Refused
from kiosk.store import facts
from kiosk.store.db import db, get_by, insert, write
from kiosk.store.models import CatalogueMove, Member, PointsEntry, RedemptionRequest

# The reasons the staff screen offers for a cancellation (labels redemption.reason.<key>).
CANCEL_REASONS = ("changed_mind", "out_of_stock", "not_collected", "wrong_item")
HANDED_DAYS = 30  # handovers the staff list keeps showing, for taking one back


@dataclass(frozen=True)
class Requested:
    id: int
    event_id: str
    name: str  # the item
    points: int
    spendable: int  # what the senior may still ask for after it


@dataclass(frozen=True)
class RequestView:
    """A row of the staff's 「兑换领取」 list."""

    id: int
    member_no: str
    name: str  # the senior's, in full (staff mode)
    item: str
    points: int
    at: datetime
    status: str  # open, handed
    handed_at: datetime | None


@dataclass(frozen=True)
class Handled:
    """What a handover or cancellation did: the message line's figures."""

    member_no: str
    name: str
    item: str
    points: int
    balance: int  # the member's balance after it
    entry: str | None  # the points fact's event_id (a handover, a cancellation after one)


def request(member_no: str, key: str, now: datetime, kiosk_id: str, site: str) -> Requested:
    """The senior asks for an item: refused when it is not on offer today, none is left, or its
    price is more than the balance less the senior's open requests."""
    with write():
        member = get_by(Member, "member_no", member_no)
        if member is None or not member.active:
            raise Refused("ledger.no_member", member=member_no)
        found = catalogue.item(key)
        if found is None or not catalogue.valid_on(found, now.date()):
            raise Refused("redemption.not_offered")
        left = catalogue.left(key)
        if left is not None and left <= 0:
            raise Refused("redemption.none_left", item=found.name)
        spendable = passbook.balance(member) - catalogue.held(member.id)
        if found.points > spendable:
            raise Refused("redemption.not_enough", points=found.points, spendable=max(spendable, 0))
        event_id = facts.new_event_id()
        row_id = insert(
            RedemptionRequest,
            event_id=event_id,
            member=member.id,
            item_key=key,
            item_name=found.name,
            points=found.points,
            at=now,
            status="open",
        )
        _fact(event_id, member_no, key, event_id, "request", now, found.points, kiosk_id=kiosk_id, site=site)
    return Requested(row_id, event_id, found.name, found.points, spendable - found.points)


def open_requests(today: date) -> list[RequestView]:
    """Open requests, today's first (the seniors still at the centre), then older ones, each part
    oldest first."""
    rows = _views("r.status = 'open'", ())
    start = datetime.combine(today, time.min)
    return [r for r in rows if r.at >= start] + [r for r in rows if r.at < start]


def handed_recently(now: datetime) -> list[RequestView]:
    """Handovers of the last HANDED_DAYS days, newest first: a mistake may still be taken back."""
    since = now - timedelta(days=HANDED_DAYS)
    rows = _views("r.status = 'handed' AND r.handed_at >= ?", (since,))
    return sorted(rows, key=lambda r: (r.handed_at or r.at, r.id), reverse=True)


def count_open() -> int:
    return RedemptionRequest.select().where(RedemptionRequest.status == "open").count()


def hand_over(actor: Actor, request_id: int, now: datetime) -> Handled:
    """Staff give the item: the ledger's redemption entry, then the handover fact and the stock."""
    with write():
        row, member = _request(request_id, "open")
        recorded = ledger.redeem(
            actor, member.member_no, row.points, row.item_name, now, request=row.event_id, item=row.item_key
        )
        RedemptionRequest.update(status="handed", entry=recorded.event_id, handed_at=now).where(
            RedemptionRequest.id == row.id
        ).execute()
        moved = facts.new_event_id()
        _fact(
            moved, member.member_no, row.item_key, row.event_id, "handover", now, row.points, recorded.event_id, actor
        )
        insert(CatalogueMove, item_key=row.item_key, event_id=moved, delta=-1)
    return Handled(member.member_no, member.name, row.item_name, row.points, recorded.balance, recorded.event_id)


def cancel(actor: Actor, request_id: int, reason: str, now: datetime) -> Handled:
    """Cancel a request: an open one simply; a handed one by the ledger's correction of its
    redemption (admins only), the item back in stock."""
    text = t(f"redemption.reason.{reason}") if reason in CANCEL_REASONS else ledger.reason_text(reason)
    if not text:
        raise Refused("ledger.reason_required")
    with write():
        row, member = _request(request_id, "open", "handed")
        cancelled = facts.new_event_id()
        entry = None
        if row.status == "handed":
            redeemed = get_by(PointsEntry, "event_id", row.entry)
            if redeemed is None:
                raise Refused("ledger.no_entry", entry=row.entry)
            entry = ledger.reverse(actor, redeemed.id, text, now, request=row.event_id, item=row.item_key).event_id
            insert(CatalogueMove, item_key=row.item_key, event_id=cancelled, delta=1)
        else:
            audit.record(
                actor,
                "redemption.cancel",
                f"member {member.member_no}",
                now,
                text,
                request=row.event_id,
                item=row.item_key,
                item_name=row.item_name,
                points=row.points,
            )
        RedemptionRequest.update(status="cancelled", cancelled_at=now).where(RedemptionRequest.id == row.id).execute()
        _fact(cancelled, member.member_no, row.item_key, row.event_id, "cancel", now, row.points, entry, actor, text)
        balance = passbook.balance(Member.get_by_id(member.id))
    return Handled(member.member_no, member.name, row.item_name, row.points, balance, entry)


# -- steps --------------------------------------------------------------------------------------


def _request(request_id: int, *states: str) -> tuple[RedemptionRequest, Member]:
    row = RedemptionRequest.get_or_none(RedemptionRequest.id == request_id)
    if row is None:
        raise Refused("redemption.no_request")
    if row.status not in states:
        raise Refused(f"redemption.already_{row.status}")
    return row, Member.get_by_id(row.member_id)


def _fact(
    event_id: str,
    member_no: str,
    item: str,
    request: str,
    action: str,
    now: datetime,
    points: int,
    entry: str | None = None,
    actor: Actor | None = None,
    reason: str = "",
    **origin,
) -> None:
    facts.record(
        "redemption",
        event_id,
        {
            "member_no": member_no,
            "item": item,
            "request": request,
            "action": action,
            "at": now.isoformat(),
            "points": points,
            "entry": entry,
            "reason": reason,
            **(actor.origin() if actor else origin),
        },
        now,
    )


def _views(where: str, params: tuple) -> list[RequestView]:
    when = RedemptionRequest.at.python_value
    sql = f"""SELECT r.id, m.member_no, m.name, r.item_name, r.points, r.at, r.status, r.handed_at
        FROM redemption_request r JOIN member m ON m.id = r.member_id WHERE {where} ORDER BY r.at, r.id"""
    return [
        RequestView(id, no, name, item, points, when(at), status, when(handed) if handed else None)
        for id, no, name, item, points, at, status, handed in db.execute_sql(sql, params)
    ]
