"""Enrolment in courses (选课): places, the waitlist, and moving up when a place frees.

The places and the queue are kiosk.programme.waitlist's, counted inside the IMMEDIATE write, so
two staff members enrolling seniors into the last place at once cannot both get it, and the first
on the waitlist moves up in the same transaction that frees a place.  Every change writes its
"enrollment" fact and an audit entry with it.
"""

from dataclasses import dataclass
from datetime import datetime

from kiosk.i18n import t
from kiosk.programme.schedule import format_slots, weekly_slots
from kiosk.programme.waitlist import COURSES
from kiosk.staff import audit
from kiosk.staff.audit import Actor
from kiosk.staff.refused import Refused
from kiosk.store import facts
from kiosk.store.db import get_by, write
from kiosk.store.models import Course, Enrollment, Member


@dataclass(frozen=True)
class Change:
    outcome: str  # enrol: "enrolled" or "waitlisted"; withdraw: "withdrawn"
    position: int | None = None  # 1-based place on the waitlist, when waitlisted
    promoted: str = ""  # withdraw: member_no of the senior moved up from the waitlist


@dataclass(frozen=True)
class RosterRow:
    member_no: str
    name: str
    phone_last4: str
    status: str  # "enrolled" or "waitlisted"
    position: int | None  # 1-based place on the waitlist, when waitlisted
    enrolled_at: datetime | None  # when they signed up (or joined the waitlist)


@dataclass(frozen=True)
class MemberCourse:
    """One of a member's courses in a term, for the member's page."""

    course_id: int
    name: str
    teacher: str
    room: str
    slots: str  # 「周二 09:00-11:00」
    status: str  # "enrolled" or "waitlisted"
    position: int | None


def enrol(actor: Actor, member_no: str, course_id: int, now: datetime) -> Change:
    """Take a place in the course, or the back of its waitlist when it is full.  A withdrawn
    enrolment comes back to life (at the back of the queue)."""
    with write():
        member, course = _member(member_no), _course(course_id)
        term = course.term
        if not member.active:
            raise Refused("enrol.inactive", name=member.name)
        if now.date() > term.end:
            raise Refused("enrol.term_over", course=course.name, term=term.name)
        row = _enrollment(member, course)
        if row is not None and row.status in COURSES.active:
            raise Refused("enrol.already", name=member.name, course=course.name, status=t(f"enrol.status_{row.status}"))
        if row is None:
            row = Enrollment(member=member, course=course, status="")
        # A new enrolment, or one after a withdrawal, goes to the back: `at` orders the waitlist.
        row.at = now
        status = COURSES.joining(course)
        previous = _set_status(actor, row, member, course, status, now)
        position = COURSES.position(row)
        audit.record(
            actor,
            "enrol.add",
            f"member {member.member_no}",
            now,
            course=course.name,
            term=term.name,
            status=status,
            previous=previous,
            position=position,
        )
        return Change(status, position)


def withdraw(actor: Actor, member_no: str, course_id: int, reason: str, now: datetime) -> Change:
    """Give up a place (the first on the waitlist moves up) or leave the waitlist."""
    with write():
        member, course = _member(member_no), _course(course_id)
        row = _enrollment(member, course)
        if row is None or row.status not in COURSES.active:
            raise Refused("enrol.not_enrolled", name=member.name, course=course.name)
        previous = _set_status(actor, row, member, course, "withdrawn", now)
        promoted = _promote_first(actor, course, now) if previous == "enrolled" else ""
        audit.record(
            actor,
            "enrol.withdraw",
            f"member {member.member_no}",
            now,
            reason,
            course=course.name,
            term=course.term.name,
            previous=previous,
            promoted=promoted,
        )
        return Change("withdrawn", None, promoted)


def promote(course_id: int, now: datetime, actor: Actor) -> list[str]:
    """Move seniors up from the waitlist, first come first, while there are places (after the
    capacity was raised); their member numbers in order."""
    with write():
        course = _course(course_id)
        promoted = []
        while member_no := _promote_first(actor, course, now):
            promoted.append(member_no)
        return promoted


def roster(course_id: int) -> list[RosterRow]:
    """Who is in the course: the enrolled in order of signing up, then the waitlist in its order."""
    rows = (
        Enrollment.select(Enrollment, Member)
        .join(Member)
        .where(Enrollment.course == course_id, Enrollment.status.in_(COURSES.active))
        .order_by(Enrollment.status == "waitlisted", Enrollment.at, Enrollment.id)
    )
    out, waiting = [], 0
    for e in rows:
        waiting += e.status == "waitlisted"
        out.append(
            RosterRow(
                e.member.member_no,
                e.member.name,
                e.member.phone_last4,
                e.status,
                waiting if e.status == "waitlisted" else None,
                e.at,
            )
        )
    return out


def member_courses(member_no: str, term_id: int) -> list[MemberCourse]:
    """The member's enrolled or waitlisted courses in the term, by name."""
    rows = (
        Enrollment.select(Enrollment, Course)
        .join(Course)
        .switch(Enrollment)
        .join(Member)
        .where(Member.member_no == member_no, Course.term == term_id, Enrollment.status.in_(COURSES.active))
        .order_by(Course.name, Course.id)
    )
    return [
        MemberCourse(
            e.course.id,
            e.course.name,
            e.course.teacher,
            e.course.room,
            format_slots(weekly_slots(e.course)),
            e.status,
            COURSES.position(e),
        )
        for e in rows
    ]


# -- steps --------------------------------------------------------------------------------------


def _member(member_no: str) -> Member:
    member = get_by(Member, "member_no", member_no)
    if member is None:
        raise Refused("enrol.no_member", member=member_no)
    return member


def _course(course_id: int) -> Course:
    course = Course.get_or_none(Course.id == course_id)
    if course is None:
        raise Refused("enrol.no_course", course=course_id)
    return course


def _enrollment(member: Member, course: Course) -> Enrollment | None:
    return Enrollment.get_or_none(Enrollment.member == member, Enrollment.course == course)


def _promote_first(actor: Actor, course: Course, now: datetime) -> str:
    first = COURSES.next_up(course)
    if first is None:
        return ""
    _set_status(actor, first, first.member, course, "enrolled", now, promoted=True)
    audit.record(
        actor, "enrol.promote", f"member {first.member.member_no}", now, course=course.name, term=course.term.name
    )
    return first.member.member_no


def _set_status(
    actor: Actor, row: Enrollment, member: Member, course: Course, status: str, now: datetime, promoted: bool = False
) -> str:
    """Save the enrolment with its new status and its fact; returns the previous status."""
    previous = row.status
    row.status = status
    row.save()
    facts.record(
        "enrollment",
        facts.new_event_id(),
        {
            "member_no": member.member_no,
            "course": course.name,
            "term": course.term.name,
            "status": status,
            "previous": previous,
            "promoted": promoted,
            "at": now.isoformat(),
            **actor.origin(),
        },
        now,
    )
    return previous
