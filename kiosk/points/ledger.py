"""Points entries staff make: volunteer hours, redemptions and corrections (docs/design.md §4.9, §4.5).

The ledger is append-only.  A mistake is put right by a correction that reverses the entry, never
by editing it; only an admin may do that.  Each entry commits with its "points" fact and one audit
entry in one IMMEDIATE transaction, and balances and caps are read inside it, so two kiosks cannot
both spend the same points.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from kiosk.i18n import t
from kiosk.points import awards, passbook
from kiosk.staff import access, audit
from kiosk.staff.audit import Actor
from kiosk.staff.refused import Refused
from kiosk.store import facts
from kiosk.store.db import db, get_by, insert, write
from kiosk.store.models import Member, PointsEntry

# The reasons the staff screen offers as buttons (no Chinese typing on the kiosk); labels are
# ledger.reason.<key>.  Each function also takes free text, from the command line or an import.
VOLUNTEER_REASONS = ("library", "reception", "class_helper", "event_helper", "visiting", "teaching")
REDEEM_REASONS = ("gift", "daily_goods", "service", "book")
REVERSE_REASONS = ("wrong_member", "wrong_amount", "duplicate", "not_held")

MAX_HOURS = 12
# The amounts the staff screen offers as buttons; any other whole amount up to the balance is
# typed on a number pad.
REDEEM_AMOUNTS = (5, 10, 20, 30, 50, 100, 200)


@dataclass(frozen=True)
class Redeemable:
    balance: int
    amounts: tuple[int, ...]  # the usual amounts the balance covers: the only ones to offer


@dataclass(frozen=True)
class Recorded:
    entry_id: int
    event_id: str
    amount: int  # as entered in the ledger: negative for a redemption
    balance: int  # the member's balance after it
    capped: bool = False  # volunteer hours: the daily cap held points back ...
    held_back: int = 0  # ... this many


def reason_text(reason: str) -> str:
    """The words for a reason: the label of a key of the reason lists, else the text itself."""
    reason = reason.strip()
    if reason in VOLUNTEER_REASONS + REDEEM_REASONS + REVERSE_REASONS:
        return t(f"ledger.reason.{reason}")
    return reason


def volunteer(actor: Actor, member_no: str, hours: float, reason: str, now: datetime) -> Recorded:
    """Points for hours of volunteer service today, at the volunteer rule's rate, within its
    daily cap counting what the member already earned as a volunteer today."""
    if not _half_hours(hours):
        raise Refused("ledger.bad_hours", hours=hours, most=MAX_HOURS)
    text = _reason(reason)
    with write():
        member = _member(member_no)
        rule = awards.rule("volunteer")
        wanted = awards.volunteer_points(hours)
        amount = wanted
        if rule.daily_cap:
            earned = db.execute_sql(_VOLUNTEER_ON, (member.id, *_day(now.date()))).fetchone()[0]
            amount = max(0, min(wanted, rule.daily_cap - earned))
        note = t("ledger.volunteer_note", reason=text, hours=f"{hours:g}")
        recorded = _enter(
            actor,
            member,
            amount,
            "volunteer",
            "volunteer_hour",
            note,
            now,
            text,
            minutes=round(hours * 60),
            rule_version=rule.version,
            hours=hours,
        )
        audit.record(
            actor,
            "points.volunteer",
            _target(member),
            now,
            text,
            entry=recorded.event_id,
            hours=hours,
            amount=amount,
            held_back=wanted - amount,
        )
    return Recorded(recorded.entry_id, recorded.event_id, amount, recorded.balance, amount < wanted, wanted - amount)


def redeemable(member_no: str) -> Redeemable:
    """What a member can spend now: the balance, and which usual amounts it covers (none when the
    balance is below the smallest), so staff are never offered an amount that would be refused."""
    balance = passbook.balance(_member(member_no))
    return Redeemable(balance, tuple(n for n in REDEEM_AMOUNTS if n <= balance))


def redeem(actor: Actor, member_no: str, amount: int, reason: str, now: datetime, **detail) -> Recorded:
    """Spend `amount` points (a gift, a service): never more than the balance.  `detail` joins
    the audit entry's (a catalogue request's handover names the request and the item)."""
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise Refused("ledger.bad_amount", amount=amount)
    text = _reason(reason)
    with write():
        member = _member(member_no)
        balance = passbook.balance(member)
        if amount > balance:
            raise Refused("ledger.not_enough", amount=amount, balance=balance)
        recorded = _enter(actor, member, -amount, "redeem", "", text, now, text)
        audit.record(
            actor,
            "points.redeem",
            _target(member),
            now,
            text,
            entry=recorded.event_id,
            amount=-amount,
            balance_before=balance,
            **detail,
        )
    return recorded


def reverse(actor: Actor, entry_id: int, reason: str, now: datetime, **detail) -> Recorded:
    """Put a wrong entry right with a correction of the opposite amount (admins only).  `detail`
    joins the audit entry's (a catalogue handover taken back names the request)."""
    access.require(actor, "admin")
    text = _reason(reason)
    with write():
        entry = PointsEntry.get_or_none(PointsEntry.id == entry_id)
        if entry is None:
            raise Refused("ledger.no_entry", entry=entry_id)
        if passbook.is_correction(entry.kind, entry.reverses_id):
            raise Refused("ledger.is_correction")
        if db.execute_sql(_REVERSED, (entry.member_id, entry.id)).fetchone():
            raise Refused("ledger.already_reversed")
        member = entry.member
        recorded = _enter(actor, member, -entry.amount, "correction", entry.rule, text, now, text, reverses=entry)
        audit.record(
            actor,
            "points.reverse",
            _target(member),
            now,
            text,
            entry=recorded.event_id,
            reverses=entry.event_id,
            kind=entry.kind,
            amount=-entry.amount,
            at=entry.at.isoformat(),
            **detail,
        )
    return recorded


# -- steps --------------------------------------------------------------------------------------


def _half_hours(hours) -> bool:
    # Ranges first: NaN and infinity fail them before int() could choke on them.
    return (
        isinstance(hours, int | float)
        and not isinstance(hours, bool)
        and 0 < hours <= MAX_HOURS
        and hours * 2 == int(hours * 2)
    )


def _reason(reason: str) -> str:
    text = reason_text(reason)
    if not text:
        raise Refused("ledger.reason_required")
    return text


def _enter(
    actor: Actor,
    member: Member,
    amount: int,
    kind: str,
    rule: str,
    note: str,
    now: datetime,
    reason: str,
    reverses: PointsEntry | None = None,
    minutes: int | None = None,
    **extra,
) -> Recorded:
    """The entry and its fact (`extra` goes into the fact only); inside the write transaction."""
    event_id = facts.new_event_id()
    entry_id = insert(
        PointsEntry,
        event_id=event_id,
        member=member.id,
        amount=amount,
        kind=kind,
        rule=rule,
        at=now,
        note=note,
        staff=actor.staff_id,
        reverses=reverses.id if reverses else None,
        minutes=minutes,
    )
    facts.record(
        "points",
        event_id,
        {
            "member_no": member.member_no,
            "amount": amount,
            "kind": kind,
            "rule": rule,
            "reason": reason,
            "reverses": reverses.event_id if reverses else None,
            "at": now.isoformat(),
            **extra,
            **actor.origin(),
        },
        now,
    )
    return Recorded(entry_id, event_id, amount, passbook.balance(Member.get_by_id(member.id)))


def _member(member_no: str) -> Member:
    member = get_by(Member, "member_no", member_no)
    if member is None or not member.active:
        raise Refused("ledger.no_member", member=member_no)
    return member


def _target(member: Member) -> str:
    return f"member {member.member_no}"


def _day(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min)
    return start, start + timedelta(days=1)


# points_entry has no index on reverses_id: each lookup keeps to the member's own entries
# (points_entry_member_id_at).
_REVERSED = "SELECT 1 FROM points_entry WHERE member_id = ? AND reverses_id = ? LIMIT 1"
# What the member earned as a volunteer on a day (sign-ins to volunteer activities and hours
# entered by staff), less what corrections took back.
_VOLUNTEER_ON = """
    SELECT coalesce(sum(p.amount), 0) FROM points_entry p
    WHERE p.member_id = ? AND p.kind = 'volunteer' AND p.at >= ? AND p.at < ?
      AND NOT EXISTS (SELECT 1 FROM points_entry c WHERE c.member_id = p.member_id AND c.reverses_id = p.id)"""
