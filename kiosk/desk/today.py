"""The staff's Today page: each lesson and activity of the day with who came and who did not, and
the sign-in staff make by hand (补签) for a senior who forgot the card."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from kiosk.checkin.signin import record_sign_in
from kiosk.collation import pinyin_key
from kiosk.i18n import t
from kiosk.programme.schedule import Item, activity_item, lesson_item
from kiosk.staff import audit
from kiosk.staff.audit import Actor
from kiosk.staff.refused import Refused
from kiosk.store.db import db, write
from kiosk.store.models import Activity, Course, Enrollment, Lesson, Member, Registration, SignIn

# Why staff signed a senior in by hand; the labels are today.reason.<reason> in the catalog.
REASONS = ("forgot_card", "card_damaged", "reader_fault", "staff_entry", "other")


@dataclass(frozen=True)
class DayItem:
    item: Item
    cancelled: bool
    expected: int | None  # enrolled (lesson) or registered (activity); None: open, nobody registered
    signed: int  # sign-ins so far


@dataclass(frozen=True)
class Person:
    member_no: str
    name: str  # in full: staff see full names
    phone_last4: str


@dataclass(frozen=True)
class Present(Person):
    at: datetime
    method: str  # qr, idcard, staff


@dataclass(frozen=True)
class ManualSignIn:
    points: int  # gained by the sign-in
    at: datetime


def day(now: datetime) -> list[DayItem]:
    """Every lesson and activity of now's date, cancelled ones too (flagged), in order of start:
    two queries, counts included."""
    start = datetime.combine(now.date(), time.min)
    bounds = (start, start + timedelta(days=1))
    when = Lesson.start.python_value
    items = [
        DayItem(Item("lesson", id, title, place, when(begin), when(end)), bool(cancelled), expected, signed)
        for id, title, place, begin, end, cancelled, expected, signed in db.execute_sql(_LESSONS, bounds)
    ]
    items += [
        DayItem(
            Item("activity", id, title, place, when(begin), when(end)),
            bool(cancelled),
            None if is_open and not expected else expected,
            signed,
        )
        for id, title, place, begin, end, cancelled, is_open, expected, signed in db.execute_sql(_ACTIVITIES, bounds)
    ]
    return sorted(items, key=lambda d: (d.item.start, d.item.title, d.item.kind, d.item.id))


def missing(item: Item) -> list[Person]:
    """Who was expected (enrolled, or registered) and has not signed in, in full-pinyin order (白翠花,
    白守信, 蔡翠花, 蔡桂兰, 程福生): the order staff look a name up in."""
    people = [Person(*row) for row in db.execute_sql(_MISSING[item.kind], (item.id, item.id))]
    return sorted(people, key=lambda p: (pinyin_key(p.name), p.member_no))


def present(item: Item) -> list[Present]:
    """Who signed in, in the order they came."""
    when = SignIn.at.python_value
    return [
        Present(no, name, phone, when(at), method)
        for no, name, phone, at, method in db.execute_sql(_PRESENT[item.kind], (item.id,))
    ]


def manual_sign_in(actor: Actor, member_no: str, item: Item, reason: str, now: datetime) -> ManualSignIn:
    """Sign a senior in by hand (补签) to a lesson or activity of today, even after its sign-in
    window: the points follow the same rules as at the reader, and the audit trail says who and why."""
    if reason not in REASONS:
        raise Refused("today.bad_reason", reason=reason)
    said = t(f"today.reason.{reason}")  # kept in words, as every other audit reason is
    with write():
        row, current = _current(item, now.date())
        member = Member.get_or_none(Member.member_no == member_no, Member.active)
        if member is None:
            raise Refused("today.no_member")
        _check_expected(member, row, current)
        first = _signed(member, current)
        if first is not None:
            raise Refused("today.already", time=first.at.strftime("%H:%M"))
        points = record_sign_in(
            member, current, "staff", now, actor.kiosk_id, actor.site, staff_id=actor.staff_id, reason=said
        )
        audit.record(
            actor,
            "signin.manual",
            f"member {member.member_no}",
            now,
            reason=said,
            kind=current.kind,
            item_id=current.id,
            title=current.title,
            start=current.start.isoformat(),
            points=points,
        )
    return ManualSignIn(points, now)


def _current(item: Item, today: date) -> tuple[Lesson | Activity, Item]:
    # The lesson or activity as it is now, inside the write: it may have been cancelled since
    # the page was drawn.
    if item.kind == "lesson":
        row = Lesson.select(Lesson, Course).join(Course).where(Lesson.id == item.id).first()
        current = lesson_item(row) if row else None
    else:
        row = Activity.get_or_none(Activity.id == item.id)
        current = activity_item(row) if row else None
    if current is None or current.start.date() != today:
        raise Refused("today.not_today", title=item.title)
    if row.cancelled:
        raise Refused("today.cancelled", title=current.title)
    return row, current


def _check_expected(member: Member, row: Lesson | Activity, item: Item) -> None:
    if isinstance(row, Lesson):
        if (
            not Enrollment.select()
            .where(Enrollment.member == member, Enrollment.course == row.course_id, Enrollment.status == "enrolled")
            .exists()
        ):
            raise Refused("today.not_enrolled", title=item.title)
    elif not row.open and not (
        Registration.select()
        .where(Registration.member == member, Registration.activity == row, Registration.status == "registered")
        .exists()
    ):
        raise Refused("today.not_registered", title=item.title)


def _signed(member: Member, item: Item) -> SignIn | None:
    field = SignIn.lesson if item.kind == "lesson" else SignIn.activity
    return SignIn.get_or_none(SignIn.member == member, field == item.id)


# Counted in the index (enrollment_course_id_status, registration_activity_id_status,
# sign_in_lesson_id, sign_in_activity_id), one row per lesson or activity.
_LESSONS = """
    SELECT l.id, c.name, coalesce(nullif(l.room, ''), c.room), l.start, l."end", l.cancelled,
      (SELECT count(*) FROM enrollment e JOIN member m ON m.id = e.member_id
       WHERE e.course_id = l.course_id AND e.status = 'enrolled' AND m.active),
      (SELECT count(*) FROM sign_in s WHERE s.lesson_id = l.id)
    FROM lesson l JOIN course c ON c.id = l.course_id
    WHERE l.start >= ? AND l.start < ?"""
_ACTIVITIES = """
    SELECT a.id, a.title, a.place, a.start, a."end", a.cancelled, a.open,
      (SELECT count(*) FROM registration r JOIN member m ON m.id = r.member_id
       WHERE r.activity_id = a.id AND r.status = 'registered' AND m.active),
      (SELECT count(*) FROM sign_in s WHERE s.activity_id = a.id)
    FROM activity a
    WHERE a.start >= ? AND a.start < ?"""
_MISSING = {
    "lesson": """
        SELECT m.member_no, m.name, m.phone_last4
        FROM lesson l JOIN enrollment e ON e.course_id = l.course_id JOIN member m ON m.id = e.member_id
        WHERE l.id = ? AND e.status = 'enrolled' AND m.active
          AND NOT EXISTS (SELECT 1 FROM sign_in s WHERE s.member_id = m.id AND s.lesson_id = ?)""",
    "activity": """
        SELECT m.member_no, m.name, m.phone_last4
        FROM registration r JOIN member m ON m.id = r.member_id
        WHERE r.activity_id = ? AND r.status = 'registered' AND m.active
          AND NOT EXISTS (SELECT 1 FROM sign_in s WHERE s.member_id = m.id AND s.activity_id = ?)""",
}
_PRESENT = {
    kind: f"""
    SELECT m.member_no, m.name, m.phone_last4, s.at, s.method
    FROM sign_in s JOIN member m ON m.id = s.member_id
    WHERE s.{kind}_id = ?
    ORDER BY s.at, s.id"""
    for kind in ("lesson", "activity")
}
