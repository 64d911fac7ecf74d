"""Activity sign-up (活动报名): places, the waitlist, and moving up when a place frees.

Every change commits with its outbox fact in one IMMEDIATE transaction, and the places are counted
inside it: two kiosks (or two taps) racing for the last place cannot both get it.  Database errors
are raised; the screen catches them and shows an error.
"""

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from kiosk.points.awards import activity_points
from kiosk.programme.waitlist import ACTIVITIES
from kiosk.store import facts
from kiosk.store.db import db, get_by, write
from kiosk.store.models import Activity, Member, Registration


@dataclass(frozen=True)
class ActivityView:
    id: int
    title: str
    place: str
    start: datetime
    end: datetime
    points: int  # what attending earns (activity_points)
    capacity: int  # 0 = no limit
    places_left: int | None  # None = no limit; 0 = full (signing up joins the waitlist)
    open: bool  # anyone may come without signing up
    status: str  # for the member asked about: "", "registered" or "waitlisted"
    waitlist_position: int | None  # 1-based, when waitlisted
    can_change: bool  # sign-up/cancel still possible (not open, not cancelled, before start)
    waitlist: bool = True  # a full one takes seniors onto its waitlist
    cancelled: bool = False
    # The next activity of an organisation the member belongs to (upcoming() puts it first): the
    # organisation's kind (branch, temp_branch, team, club) and name; "" for any other.
    org_kind: str = ""
    org_name: str = ""


@dataclass(frozen=True)
class Change:
    # sign_up: "registered", "waitlisted", "already", "full" (no waitlist), "closed" (started, cancelled
    # or open), "not_found"
    # cancel: "cancelled", "not_registered", "closed", "not_found"
    outcome: str
    view: ActivityView | None  # the activity as the member now sees it
    promoted: str = ""  # cancel only: member_no of the senior moved up from the waitlist


@dataclass(frozen=True)
class Notice:
    """News to tell the senior when they next identify: a place they got from the waitlist, or
    (cancelled) an activity they registered for that the bureau cancelled, with its reason."""

    title: str
    start: datetime
    place: str
    cancelled: bool = False
    reason: str = ""


@dataclass(frozen=True)
class _Origin:
    kiosk_id: str
    site: str


def upcoming(
    now: datetime, member_no: str | None = None, days: int = 30, cancelled: bool = False
) -> list[ActivityView]:
    """Activities starting in [now, now + days], soonest first, as the member sees them; the
    cancelled ones too when asked (the attract screen shows them as cancelled).  For a member of
    party branches or volunteer teams, the next activity of each of their organisations comes
    first (soonest first), marked with the organisation; a member of none sees the plain order."""
    member = get_by(Member, "member_no", member_no) if member_no else None
    where = _UPCOMING if cancelled else _UPCOMING + _NOT_CANCELLED
    rows = list(Activity.raw(_VIEWS + where + _SOONEST, member.id if member else None, now, now + timedelta(days=days)))
    views = [_view_of(a, now) for a in rows]
    mine = _organisations(member.member_no) if member else {}
    if not mine:
        return views
    first: dict[str, ActivityView] = {}
    for a, view in zip(rows, views, strict=True):
        if a.org_key in mine and a.org_key not in first and not view.cancelled:
            kind, name = mine[a.org_key]
            first[a.org_key] = replace(view, org_kind=kind, org_name=name)
    lifted = {v.id for v in first.values()}
    return [*first.values(), *(v for v in views if v.id not in lifted)]


def _organisations(member_no: str) -> dict[str, tuple[str, str]]:
    """The organisations the member belongs to: key → (kind, name)."""
    return {key: (kind, name) for key, kind, name in db.execute_sql(_MINE, (member_no,))}


def sign_up(member_no: str, activity_id: int, now: datetime, kiosk_id: str, site: str) -> Change:
    """Take a place, or join the back of the waitlist when the activity is full."""
    with write():
        member = get_by(Member, "member_no", member_no)
        activity = Activity.get_or_none(Activity.id == activity_id)
        if activity is None or member is None:
            return Change("not_found", None)
        reg = _registration(member, activity)
        if not _changeable(activity, now):
            outcome = "closed"
        elif reg is not None and reg.status in ACTIVITIES.active:
            outcome = "already"
        else:
            outcome = _join(member, activity, reg, now, _Origin(kiosk_id, site))
        return Change(outcome, _view(activity_id, now, member))


def cancel(member_no: str, activity_id: int, now: datetime, kiosk_id: str, site: str) -> Change:
    """Give up a place (the first on the waitlist moves up) or leave the waitlist."""
    with write():
        member = get_by(Member, "member_no", member_no)
        activity = Activity.get_or_none(Activity.id == activity_id)
        if activity is None or member is None:
            return Change("not_found", None)
        reg = _registration(member, activity)
        promoted = ""
        if not _changeable(activity, now):
            outcome = "closed"
        elif reg is None or reg.status not in ACTIVITIES.active:
            outcome = "not_registered"
        else:
            origin = _Origin(kiosk_id, site)
            reg.notify = False  # a place given up needs no notice
            previous = _set_status(reg, member, activity, "cancelled", now, origin)
            if previous == "registered":
                promoted = _promote(activity, now, origin)
            outcome = "cancelled"
        return Change(outcome, _view(activity_id, now, member), promoted)


def take_notices(member_no: str, now: datetime) -> list[Notice]:
    """Promotions from the waitlist and cancellations the senior has not been told of, once: the
    flags are cleared.  A promotion to an activity since cancelled, ended or given up is cleared
    without a notice; a cancellation is told until the activity would have ended."""
    member = get_by(Member, "member_no", member_no)
    if member is None or not _untold(member).exists():  # the usual case: no write lock for every read
        return []
    with write():
        rows = list(_untold(member))
        ids = [r.id for r in rows]
        Registration.update(notify=False, cancel_notify=False).where(Registration.id.in_(ids)).execute()
    news = []
    for r in rows:
        a = r.activity
        if r.cancel_notify and a.cancelled and a.end > now:
            news.append(Notice(a.title, a.start, a.place, cancelled=True, reason=a.cancel_reason))
        elif r.notify and r.status == "registered" and not a.cancelled and a.end > now:
            news.append(Notice(a.title, a.start, a.place))
    return news


# -- steps --------------------------------------------------------------------------------------


def _untold(member: Member):
    return (
        Registration.select(Registration, Activity)
        .join(Activity)
        .where(Registration.member == member, Registration.notify | Registration.cancel_notify)
        .order_by(Activity.start)
    )


def _changeable(activity: Activity, now: datetime) -> bool:
    return not activity.open and not activity.cancelled and now < activity.start


def _registration(member: Member, activity: Activity) -> Registration | None:
    return Registration.get_or_none(Registration.member == member, Registration.activity == activity)


def _join(member: Member, activity: Activity, reg: Registration | None, now: datetime, origin: _Origin) -> str:
    status = ACTIVITIES.joining(activity)
    if status == "waitlisted" and not activity.waitlist:
        return "full"  # no waitlist: a full activity takes no one more
    if reg is None:
        reg = Registration(member=member, activity=activity, status="")
    # A new sign-up, or one after a cancel, goes to the back of the queue: `at` orders the waitlist.
    reg.at, reg.promoted_at, reg.notify = now, None, False
    _set_status(reg, member, activity, status, now, origin)
    return status


def _promote(activity: Activity, now: datetime, origin: _Origin) -> str:
    first = ACTIVITIES.next_up(activity)
    if first is None:
        return ""
    first.promoted_at, first.notify = now, True
    _set_status(first, first.member, activity, "registered", now, origin, promoted=True)
    return first.member.member_no


def _set_status(
    reg: Registration,
    member: Member,
    activity: Activity,
    status: str,
    now: datetime,
    origin: _Origin,
    promoted: bool = False,
) -> str:
    """Save the registration with its new status and its fact; returns the previous status."""
    previous = reg.status
    reg.status = status
    reg.save()
    # The bureau's own key, for an activity it published: the console ties the registration to it.
    key = {"key": activity.bureau_key.removeprefix("activity:")} if activity.bureau_key else {}
    facts.record(
        "registration",
        facts.new_event_id(),
        {
            "member_no": member.member_no,
            "activity_id": activity.id,
            "title": activity.title,
            "start": activity.start.isoformat(),
            "status": status,
            "previous": previous,
            "promoted": promoted,
            "at": now.isoformat(),
            "kiosk_id": origin.kiosk_id,
            "site": origin.site,
            **key,
        },
        now,
    )
    return previous


def _view(activity_id: int, now: datetime, member: Member | None) -> ActivityView:
    return _view_of(Activity.raw(_VIEWS + _ONE, member.id if member else None, activity_id)[0], now)


def _view_of(a: Any, now: datetime) -> ActivityView:
    """`a`: an Activity row of _VIEWS, with its places taken and the member's own status and place."""
    status = a.mine if a.mine in ACTIVITIES.active else ""
    left = max(0, a.capacity - a.taken) if a.capacity else None
    return ActivityView(
        a.id,
        a.title,
        a.place,
        a.start,
        a.end,
        activity_points(a),
        a.capacity,
        left,
        a.open,
        status,
        a.position if status == "waitlisted" else None,
        _changeable(a, now),
        bool(a.waitlist),
        bool(a.cancelled),
    )


# Places taken, and the member's own registration with its place in the queue, per activity
# (registration_activity_id_status and registration_member_id_activity_id).  Waitlist order is
# `at`, then id; rows from before `at` existed (NULL) come first, as they signed up earlier.
_VIEWS = """
    SELECT a.*,
      (SELECT count(*) FROM registration r WHERE r.activity_id = a.id AND r.status = 'registered') AS taken,
      coalesce(m.status, '') AS mine,
      (SELECT count(*) FROM registration w WHERE w.activity_id = a.id AND w.status = 'waitlisted'
         AND (coalesce(w.at, ''), w.id) <= (coalesce(m.at, ''), m.id)) AS position
    FROM activity a LEFT JOIN registration m ON m.activity_id = a.id AND m.member_id = ?"""
_UPCOMING = """
    WHERE a.start BETWEEN ? AND ?"""
_NOT_CANCELLED = " AND NOT a.cancelled"
_SOONEST = " ORDER BY a.start, a.id"
_ONE = """
    WHERE a.id = ?"""
# A member's organisations (org_member_member_no).
_MINE = """
    SELECT o.key, o.kind, o.name FROM org_member m JOIN organisation o ON o.id = m.organisation_id
    WHERE m.member_no = ?"""
