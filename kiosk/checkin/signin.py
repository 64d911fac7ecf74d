"""Check-in: a credential and the time in, a Result out (docs/design.md §4.1–§4.4).

Find the member, find what is due for them now, and sign in when exactly one thing is due.  The
SignIn, its PointsEntry and both outbox facts commit in one IMMEDIATE transaction.

One sign-in a sitting: lessons of one course whose times overlap (or follow on without a break)
are one sitting, so a senior signed in to one of them is "already" for the others, and gets
their points once.  Nothing is signed in silently: when one due item is signed and another is
not, the Result is "already" for the first and asks about the others (Result.options).
"""

import logging
import sqlite3
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from types import SimpleNamespace

from peewee import IntegrityError, OperationalError

from kiosk import causes
from kiosk.i18n import t
from kiosk.identity import ids, tokens
from kiosk.identity.credentials import Credential
from kiosk.people import newcomers
from kiosk.points import awards, passbook
from kiosk.programme.schedule import WINDOW_MAX, Item, activity_item, lesson_item
from kiosk.store import facts
from kiosk.store.db import db, get_by, insert, write
from kiosk.store.models import Activity, Course, Lesson, Member, PointsEntry, SignIn

log = logging.getLogger(__name__)
_DERIVE = ThreadPoolExecutor(1, thread_name_prefix="id-hash")  # one card at a time

FULL = causes.FULL  # Result.detail of a sign-in the full disk refused
NO_WINDOW: tuple[int | None, int | None] = (None, None)  # the kiosk's own checkin.window_*_min
KINDS = ("ok", "already", "choose", "not_due", "not_enrolled", "unknown_card", "invalid_card", "expired_card", "error")


@dataclass(frozen=True)
class Result:
    kind: str  # one of KINDS
    member_no: str = ""
    display_name: str = ""  # masked unless display.mask_names is false
    item: Item | None = None  # what was (or already had been) signed in to
    points_gained: int = 0
    balance: int | None = None
    first_time: datetime | None = None  # with "already": when the first sign-in was
    options: tuple[Item, ...] = ()  # with "choose"; with "already": what else is due, to ask about
    today: tuple[Item, ...] = ()  # with "not_due": the member's day
    detail: str = ""  # message key or text for staff and the log
    repeat: bool = False  # a repeated read of the same card: nothing new happened
    method: str = ""  # how the card was read: "qr" or "idcard"


@dataclass(frozen=True)
class Signed:
    at: datetime  # when the member signed in
    item: Item  # to what: the item itself, or another lesson of its sitting


class CheckIn:
    """The check-in rules for one kiosk, with its settings and its memory of recent reads."""

    def __init__(self, settings: SimpleNamespace):
        self.kiosk_id = settings.kiosk.id
        self.site_code = settings.site.code
        self.rules = settings.checkin
        self.mask = settings.display.mask_names
        self.id_key = bytes.fromhex(settings.security.id_hash_key)
        self.card_key = bytes.fromhex(settings.security.card_key)
        self._recent: dict[str, tuple[datetime, Result]] = {}
        self._last_hash: tuple[str, Future[str]] = ("", Future())  # the last ID card's key and its id_hash

    # -- entry points -----------------------------------------------------------------------

    def handle(self, cred: Credential, now: datetime) -> Result:
        """Decide and record what a read means.  Never raises: a failure is an "error" Result."""
        repeat = self._repeat(cred, now)
        if repeat:
            return repeat
        try:
            result = replace(self._handle(cred, now), method=cred.method)
        except (OperationalError, sqlite3.OperationalError) as e:
            # A full disk shows as "cannot rollback": SQLite rolled back itself.  Say the real cause.
            detail = FULL if causes.is_full(e) else str(causes.chain(e)[-1])
            log.error("check-in failed on the database: %s", t(detail))
            result = Result("error", detail=detail, method=cred.method)
        except Exception:
            log.exception("check-in failed")
            result = Result("error", detail="internal error", method=cred.method)
        if result.kind == "unknown_card" and cred.method == "idcard":
            self._keep_newcomer(cred, now)
        if result.kind != "error":  # after a failure the senior may simply try again
            self._recent[cred.key()] = (now, result)
        log.info("check-in %s via %s: %s %s", result.member_no or "-", cred.method, result.kind, t(result.detail))
        return result

    def choose(self, member_no: str, item: Item, method: str, now: datetime) -> Result:
        """Sign in to the item the senior picked on the choice screen."""
        try:
            member = get_by(Member, "member_no", member_no)
            if member is None:
                return Result("unknown_card")
            if item not in self._due(member, now):
                return self._nothing_due(member, now)
            return self._sign_in(member, item, method, now)
        except Exception:
            log.exception("check-in (choice) failed")
            return Result("error", detail="internal error")

    def identify(self, cred: Credential, now: datetime) -> Member | Result:
        """Whose card this is, without signing in (the self-service screens): the member, or the
        Result saying why not.  An unregistered ID card is kept for staff, as at a sign-in."""
        found = self._identify(cred, now)
        if isinstance(found, Result):
            if found.kind == "unknown_card" and cred.method == "idcard":
                self._keep_newcomer(cred, now)
            log.info("identified - via %s: %s", cred.method, found.kind)
        else:
            log.info("identified %s via %s: ok", found.member_no, cred.method)
        return found

    def _keep_newcomer(self, cred: Credential, now: datetime) -> None:
        # For staff to register them; a failure here must not change what the senior sees.
        try:
            newcomers.remember(cred, self._id_hash(cred), now)
        except Exception:
            log.exception("could not keep an unregistered card")

    # -- steps --------------------------------------------------------------------------------

    def _repeat(self, cred: Credential, now: datetime) -> Result | None:
        window = timedelta(seconds=self.rules.repeat_window_s)
        self._recent = {k: v for k, v in self._recent.items() if now - v[0] < window}
        seen = self._recent.get(cred.key())
        return replace(seen[1], repeat=True) if seen else None

    def _handle(self, cred: Credential, now: datetime) -> Result:
        member = self._identify(cred, now)
        if isinstance(member, Result):
            return member
        due = self._due(member, now)
        if not due:
            return self._nothing_due(member, now)
        signed = self._signed_in(member, due)
        pending = tuple(i for i in due if i not in signed)
        if signed:
            # Never sign the other item in on a second read: say "already" and ask about the rest.
            return self._already(member, signed, options=pending)
        if len(pending) > 1:
            return self._result("choose", member, options=pending)
        return self._sign_in(member, pending[0], cred.method, now)

    def _identify(self, cred: Credential, now: datetime) -> Member | Result:
        if cred.method == "qr":
            try:
                member_no, issue = tokens.read(cred.text, self.card_key)
            except tokens.TokenError as e:
                return Result("invalid_card", detail=e.reason)
            member = get_by(Member, "member_no", member_no)
            if member is not None and member.merged_into and issue == member.card_issue:
                # A second registration the bureau merged: its card still finds the senior.
                member = get_by(Member, "member_no", member.merged_into)
            if member is None or not member.active:
                return Result("unknown_card", detail=f"member {member_no} not on this kiosk")
            if issue != member.card_issue and member.member_no == member_no:
                return Result("invalid_card", member_no=member_no, detail="card.revoked")
            return member
        problem = ids.id_problem(cred.id_number, cred.card_type or "resident")
        if problem:
            return Result("invalid_card", detail=problem)
        if cred.valid_from and cred.valid_from > now.date():
            return Result("invalid_card", detail="card.id_not_yet_valid")
        if not cred.long_term and cred.valid_to and cred.valid_to < now.date():
            return Result("expired_card", detail=f"valid to {cred.valid_to}")
        member = get_by(Member, "id_hash", self._id_hash(cred))
        if member is None or not member.active:
            # No part of the number in the log: beside a newcomer's row it would narrow a search.
            return Result("unknown_card", detail="ID card not registered")
        return member

    def prepare(self, cred: Credential) -> None:
        """Start deriving an ID card's id_hash (~10 ms of CPU, contract.idhash) on another thread
        while the screen acknowledges the read: scrypt releases the GIL, so it is ready, or nearly,
        when the read is decided a frame later.  Once a read: the same card again reuses it."""
        if cred.method == "idcard" and self._last_hash[0] != cred.key():
            self._last_hash = (cred.key(), _DERIVE.submit(ids.id_hash, cred.id_number, self.id_key))

    def _id_hash(self, cred: Credential) -> str:
        self.prepare(cred)
        return self._last_hash[1].result()

    def _window(self, now: datetime) -> tuple[datetime, datetime]:
        # Due when start - before <= now <= start + after.
        return (
            now - timedelta(minutes=self.rules.window_after_min),
            now + timedelta(minutes=self.rules.window_before_min),
        )

    def _due(self, member: Member, now: datetime) -> list[Item]:
        """What the member may sign in to now: lessons within the kiosk's window, activities within
        their own (the console's window_before/after_min) or else the kiosk's."""
        lo, hi = self._window(now)
        wide = timedelta(minutes=WINDOW_MAX)
        found = member_items(member, min(lo, now - wide), max(hi, now + wide))
        windows = _activity_windows([i.id for i in found if i.kind == "activity"])
        due = [
            i for i in found if self._open(i, windows.get(i.id, NO_WINDOW) if i.kind == "activity" else NO_WINDOW, now)
        ]
        return one_a_sitting(due, now)

    def _open(self, item: Item, window: tuple[int | None, int | None], now: datetime) -> bool:
        """Whether `item` is due now: start - before <= now <= start + after."""
        before, after = window
        before = self.rules.window_before_min if before is None else before
        after = self.rules.window_after_min if after is None else after
        return item.start - timedelta(minutes=before) <= now <= item.start + timedelta(minutes=after)

    def _signed_in(self, member: Member, items: list[Item]) -> dict[Item, Signed]:
        """Which of `items` the member is signed in to: an activity itself, a lesson by any
        lesson of its sitting (docstring above)."""
        signed: dict[Item, Signed] = {}
        lesson_ids = [i.id for i in items if i.kind == "lesson"]
        if lesson_ids:
            when = Lesson.start.python_value
            rows = db.execute_sql(_LESSON_SITTING_SIGNED.format(lessons=_marks(lesson_ids)), (member.id, *lesson_ids))
            by_lesson: dict[int, Signed] = {}
            for due_id, at, i, title, place, start, end in rows:
                found = Signed(SignIn.at.python_value(at), Item("lesson", i, title, place, when(start), when(end)))
                if due_id not in by_lesson or found.at < by_lesson[due_id].at:
                    by_lesson[due_id] = found
            signed |= {i: by_lesson[i.id] for i in items if i.kind == "lesson" and i.id in by_lesson}
        activities = {i.id: i for i in items if i.kind == "activity"}
        if activities:
            reads = db.execute_sql(
                _ACTIVITY_SIGNED.format(activities=_marks(list(activities))), (member.id, *activities)
            )
            signed |= {activities[a]: Signed(SignIn.at.python_value(at), activities[a]) for a, at in reads}
        return signed

    def _already(self, member: Member, signed: dict[Item, Signed], options: tuple[Item, ...] = ()) -> Result:
        first = min(signed.values(), key=lambda s: s.at)
        return self._result("already", member, item=first.item, first_time=first.at, options=options)

    def _nothing_due(self, member: Member, now: datetime) -> Result:
        # Something else signing in now that the member did not enrol or register for.
        lo, hi = self._window(now)
        lesson = (
            Lesson.select(Lesson, Course)
            .join(Course)
            .where(Lesson.start.between(lo, hi), ~Lesson.cancelled)
            .order_by(Lesson.start)
            .first()
        )
        if lesson is not None:
            return self._result("not_enrolled", member, item=lesson_item(lesson))
        activity = (
            Activity.select()
            .where(Activity.start.between(lo, hi), ~Activity.cancelled, ~Activity.open)
            .order_by(Activity.start)
            .first()
        )
        if activity is not None:
            return self._result("not_enrolled", member, item=activity_item(activity))
        return self._result("not_due", member, today=tuple(self._member_day(member, now.date())))

    def _member_day(self, member: Member, day: date) -> list[Item]:
        start = datetime.combine(day, time.min)
        return member_items(member, start, start + timedelta(days=1, microseconds=-1))

    def _sign_in(self, member: Member, item: Item, method: str, now: datetime) -> Result:
        try:
            with write():
                # Checked inside the write lock: another kiosk may just have signed this sitting.
                signed = self._signed_in(member, [item])
                if signed:
                    return self._already(member, signed)
                gained = self._record(member, item, method, now)
        except IntegrityError:
            # Another read won the race for the same lesson: report the first sign-in.
            return self._already(member, self._signed_in(member, [item]))
        return self._result("ok", member, item=item, points_gained=gained)

    def _record(self, member: Member, item: Item, method: str, now: datetime) -> int:
        return record_sign_in(member, item, method, now, self.kiosk_id, self.site_code)

    def _result(self, kind: str, member: Member, **fields) -> Result:
        name = ids.mask_name(member.name) if self.mask else member.name
        return Result(kind, member_no=member.member_no, display_name=name, balance=passbook.balance(member), **fields)


def record_sign_in(
    member: Member,
    item: Item,
    method: str,
    now: datetime,
    kiosk_id: str,
    site: str,
    staff_id: int | None = None,
    reason: str = "",
) -> int:
    """The SignIn, its points by rule, and both facts; call inside db.write().  Returns the points
    gained.  `staff_id` and `reason` mark a sign-in staff made by hand (补签)."""
    event_id = facts.new_event_id()
    target = {"lesson": item.id} if item.kind == "lesson" else {"activity": item.id}
    by_hand = {"staff": staff_id, "reason": reason} if staff_id is not None or reason else {}
    signin = insert(
        SignIn, event_id=event_id, member=member, at=now, method=method, kiosk_id=kiosk_id, **target, **by_hand
    )
    signin_fact(event_id, member, item, now, method, kiosk_id, site, now, **by_hand)
    award = awards.award(member.id, item.kind, item.id, now)
    if award.amount:
        entry_id, rule = facts.new_event_id(), f"{award.category}_attendance"
        insert(
            PointsEntry,
            event_id=entry_id,
            member=member,
            amount=award.amount,
            kind=award.category,
            rule=rule,
            signin=signin,
            at=now,
        )
        facts.record(
            "points",
            entry_id,
            {
                "member_no": member.member_no,
                "amount": award.amount,
                "kind": award.category,
                "rule": rule,
                "rule_version": award.rule.version,
                "signin": event_id,
                "at": now.isoformat(),
                "kiosk_id": kiosk_id,
                "site": site,
            },
            now,
        )
    return award.amount


def signin_fact(
    event_id: str,
    member: Member,
    item: Item,
    at: datetime,
    method: str,
    kiosk_id: str,
    site: str,
    now: datetime,
    **by_hand,
) -> None:
    """A sign-in's "signin" fact, as the bureau takes it: the check-in's, 补签's (`by_hand`: staff
    and reason) and the demo history's."""
    facts.record(
        "signin",
        event_id,
        {
            "member_no": member.member_no,
            "kind": item.kind,
            "item_id": item.id,
            "title": item.title,
            "start": item.start.isoformat(),
            "at": at.isoformat(),
            "method": method,
            "kiosk_id": kiosk_id,
            "site": site,
            **by_hand,
        },
        now,
    )


def one_a_sitting(items: list[Item], now: datetime) -> list[Item]:
    """`items` with one lesson a sitting: of lessons of one course that overlap or follow on, the
    one starting nearest `now`.  Activities are kept as they are."""
    courses = _courses_of([i.id for i in items if i.kind == "lesson"])
    kept: list[Item] = []
    for item in sorted(items, key=lambda i: abs(i.start - now)):
        if item.kind == "activity" or not any(
            k.kind == "lesson" and courses[k.id] == courses[item.id] and _touch(k, item) for k in kept
        ):
            kept.append(item)
    return sorted(kept, key=lambda i: (i.start, i.title))


def _touch(a: Item, b: Item) -> bool:
    return a.start <= b.end and b.start <= a.end


def _courses_of(lesson_ids: list[int]) -> dict[int, int]:
    if len(lesson_ids) < 2:
        return dict.fromkeys(lesson_ids, 0)
    return dict(db.execute_sql(f"SELECT id, course_id FROM lesson WHERE id IN ({_marks(lesson_ids)})", lesson_ids))


def member_items(member: Member, lo: datetime, hi: datetime) -> list[Item]:
    """The member's lessons (enrolled courses) and activities (registered or open) starting in [lo, hi]."""
    when = Lesson.start.python_value
    items = [
        Item("lesson", i, title, place, when(start), when(end))
        for i, title, place, start, end in db.execute_sql(_LESSONS_IN, (member.id, lo, hi))
    ]
    items += [
        Item("activity", i, title, place, when(start), when(end))
        for i, title, place, start, end in db.execute_sql(_ACTIVITIES_IN, (lo, hi, member.id))
    ]
    return sorted(items, key=lambda i: (i.start, i.title))


# The check-in's reads are SQL text: building a query with peewee's expressions costs 0.2-0.5 ms
# of CPU on a 2-core machine, 10-40 times running it, and made the sign-in miss its 5 ms target
# on the 10-year database (bench/signin.py).  Each uses an index (EXPLAIN QUERY PLAN).
_LESSONS_IN = """
    SELECT l.id, c.name, coalesce(nullif(l.room, ''), c.room), l.start, l."end"
    FROM enrollment e JOIN course c ON c.id = e.course_id JOIN lesson l ON l.course_id = c.id
    WHERE e.member_id = ? AND e.status = 'enrolled' AND l.start BETWEEN ? AND ? AND NOT l.cancelled"""
_ACTIVITIES_IN = """
    SELECT id, title, place, start, "end" FROM activity
    WHERE start BETWEEN ? AND ? AND NOT cancelled
      AND (open OR id IN (SELECT activity_id FROM registration
                          WHERE member_id = ? AND status = 'registered'))"""
# The member's sign-ins to any lesson of the sitting of each given lesson (its course, times that
# overlap or touch), with what they signed in to.
_ACTIVITY_SIGNED = """
    SELECT activity_id, at FROM sign_in WHERE member_id = ? AND activity_id IN ({activities})"""
_LESSON_SITTING_SIGNED = """
    SELECT l.id, s.at, o.id, c.name, coalesce(nullif(o.room, ''), c.room), o.start, o."end"
    FROM lesson l
    JOIN lesson o ON o.course_id = l.course_id AND o.start <= l."end" AND o."end" >= l.start
    JOIN sign_in s ON s.lesson_id = o.id AND s.member_id = ?
    JOIN course c ON c.id = o.course_id
    WHERE l.id IN ({lessons})"""


def _activity_windows(ids: list[int]) -> dict[int, tuple[int | None, int | None]]:
    """The activities' own sign-in windows (minutes before, after), where the bureau set them."""
    if not ids:
        return {}
    sql = f"SELECT id, window_before_min, window_after_min FROM activity WHERE id IN ({_marks(ids)})"
    return {i: (before, after) for i, before, after in db.execute_sql(sql, ids)}


def _marks(values: list) -> str:
    return ", ".join(["?"] * len(values))
