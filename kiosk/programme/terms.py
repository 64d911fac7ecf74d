"""Terms, holidays, courses and their lessons, as an admin sets them up (学期、节假日、课程、课次).

Every change commits its rows, its facts ("term", "course", one "lesson" fact per lesson added,
changed or deleted) and one audit entry in one IMMEDIATE transaction.  The rules are checked inside
it, so a refusal rolls everything back.  Facts name things by what the bureau also knows them by:
a term by name and site, a course by name and term, a lesson by course and start.

A lesson that took place (has sign-ins) is never deleted, moved or cancelled; nor is one that has
begun: its time is past, whoever came.  A moved lesson keeps
its original time in its note (「调课：原 3月10日 09:00」), so the weekly schedule never brings the
original back when lessons are generated again.
"""

import json
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from kiosk.collation import pinyin_key
from kiosk.programme import enrollments
from kiosk.programme.schedule import SlotError, check_slots, format_slots, lesson_times, slots_overlap, weekly_slots
from kiosk.staff import audit
from kiosk.staff.access import require
from kiosk.staff.audit import Actor
from kiosk.staff.refused import Refused
from kiosk.store import facts
from kiosk.store.db import db, write
from kiosk.store.models import Course, Holiday, Lesson, SignIn, Site, Term

COURSE_FIELDS = ("name", "teacher", "room", "capacity", "slots", "category")

_MOVED = re.compile(r"调课：原 (\d{1,2})月(\d{1,2})日 (\d{2}:\d{2})")
_SEP = "；"
_NUMERALS = "一二三四五六七八九十"
_CLASS_NUMBER = re.compile(f"（([{_NUMERALS}])）")


@dataclass(frozen=True)
class TermView:
    id: int
    name: str
    start: date
    end: date


@dataclass(frozen=True)
class HolidayView:
    id: int
    term_id: int
    day: date
    name: str


@dataclass(frozen=True)
class CourseView:
    id: int
    term_id: int
    name: str
    teacher: str
    room: str
    capacity: int  # 0 = no limit
    category: str
    slots: str  # 「周二 09:00-11:00；周四 14:00-16:00」
    schedule: tuple[dict, ...]  # the same as {weekday, start, end}, for editing it
    enrolled: int
    waitlisted: int
    lessons: int  # not cancelled


@dataclass(frozen=True)
class LessonView:
    id: int
    start: datetime
    end: datetime
    room: str  # where it is: its own room, else the course's
    cancelled: bool
    note: str  # why it was cancelled or moved
    signed: int  # sign-ins


# -- terms ----------------------------------------------------------------------------------------


def create_term(actor: Actor, name: str, start: date, end: date, now: datetime) -> TermView:
    """A term of the actor's site, overlapping none of its others: a day's lessons belong to one term."""
    require(actor, "admin")
    name = name.strip()
    with write():
        site = Site.get_or_none(Site.code == actor.site)
        if site is None:
            raise Refused("terms.no_site", site=actor.site)
        _check_term(site, name, start, end)
        term = Term.create(site=site, name=name, start=start, end=end)
        _term_fact(actor, term, "create", now)
        audit.record(actor, "term.create", f"term {name}", now, start=start, end=end)
        return _term_view(term)


def terms(site: str) -> list[TermView]:
    """The site's terms (by site code), in order of time."""
    return [_term_view(x) for x in Term.select().join(Site).where(Site.code == site).order_by(Term.start)]


def current_term(site: str, today: date) -> TermView | None:
    """The site's term containing `today`."""
    term = Term.select().join(Site).where(Site.code == site, Term.start <= today, Term.end >= today).first()
    return _term_view(term) if term else None


def holidays(term_id: int) -> list[HolidayView]:
    """The term's holidays in order of the day."""
    return [_holiday_view(h) for h in Holiday.select().where(Holiday.term == term_id).order_by(Holiday.day)]


def _term_view(term: Term) -> TermView:
    return TermView(term.id, term.name, term.start, term.end)


def _holiday_view(holiday: Holiday) -> HolidayView:
    return HolidayView(holiday.id, holiday.term_id, holiday.day, holiday.name)


def _get(model, row_id: int, missing: str):
    """The row of `model` by id, or Refused with the message key `missing` (gone since the page showed it)."""
    row = model.get_or_none(model.id == row_id)
    if row is None:
        raise Refused(missing)
    return row


def _check_term(site: Site, name: str, start: date, end: date, exclude: Term | None = None) -> None:
    if not name:
        raise Refused("terms.name_empty")
    if end < start:
        raise Refused("terms.backwards", start=_day(start), end=_day(end))
    others = Term.select().where(Term.site == site)
    if exclude is not None:
        others = others.where(Term.id != exclude.id)
    if others.where(Term.name == name).exists():
        raise Refused("terms.name_taken", name=name)
    other = others.where(Term.start <= end, Term.end >= start).first()
    if other is not None:
        raise Refused("terms.overlap", other=other.name, start=_day(other.start), end=_day(other.end))


# -- holidays -------------------------------------------------------------------------------------


def add_holiday(actor: Actor, term_id: int, day: date, name: str, now: datetime) -> HolidayView:
    """A day without lessons: the lessons that day are cancelled, noted 「节假日：<name>」."""
    require(actor, "admin")
    name = name.strip()
    with write():
        term = _get(Term, term_id, "terms.gone")
        if not name:
            raise Refused("terms.holiday_name_empty")
        if not term.start <= day <= term.end:
            raise Refused("terms.holiday_outside", day=_day(day), term=term.name)
        if term.holidays.where(Holiday.day == day).exists():
            raise Refused("terms.holiday_exists", day=_day(day))
        that_day = list(_on_day(_term_lessons(term), day))
        for lesson in that_day:
            if _signed(lesson):
                raise Refused("terms.holiday_has_signins", course=lesson.course.name, day=_day(day))
        holiday = Holiday.create(term=term, day=day, name=name)
        cancelled = [x for x in that_day if not x.cancelled]
        for lesson in cancelled:
            _change_lesson(actor, lesson, "cancel", now, cancelled=True, note=_note(lesson, _holiday_note(holiday)))
        _term_fact(actor, term, "holiday_add", now, day=day.isoformat(), holiday=name)
        audit.record(
            actor, "holiday.add", f"term {term.name}", now, day=day, name=name, lessons_cancelled=len(cancelled)
        )
        return _holiday_view(holiday)


def remove_holiday(actor: Actor, holiday_id: int, now: datetime) -> int:
    """Lessons come back on the day: those the holiday cancelled are restored, missing ones are
    generated.  Returns how many lessons take place again."""
    require(actor, "admin")
    with write():
        holiday = _get(Holiday, holiday_id, "terms.gone")
        term, day = holiday.term, holiday.day
        holiday.delete_instance()
        restored = [
            x for x in _on_day(_term_lessons(term), day) if x.cancelled and x.note.endswith(_holiday_note(holiday))
        ]
        for lesson in restored:
            _change_lesson(actor, lesson, "restore", now, cancelled=False, note=_moved_note(lesson.note))
        added = sum(len(_fill(actor, c, term, now, lambda s: s.date() == day)) for c in term.courses)
        _term_fact(actor, term, "holiday_remove", now, day=day.isoformat(), holiday=holiday.name)
        audit.record(
            actor,
            "holiday.remove",
            f"term {term.name}",
            now,
            day=day,
            name=holiday.name,
            lessons_restored=len(restored),
            lessons_added=added,
        )
        return len(restored) + added


def _holiday_note(holiday: Holiday) -> str:
    return f"节假日：{holiday.name}"


# -- courses --------------------------------------------------------------------------------------


def check_course(
    term: Term, name: str, slots: list[dict], room: str, capacity: int, exclude: Course | None = None
) -> None:
    """Refused unless the course could be saved in the term: a name of its own, a capacity of 0
    (no limit) or more, a weekly schedule that reads, and no other course of the term in the same
    room at an overlapping time.  Writes nothing: the Excel import checks rows with it."""
    name, room = name.strip(), room.strip()
    if not name:
        raise Refused("terms.course_name_empty")
    others = Course.select().where(Course.term == term)
    if exclude is not None:
        others = others.where(Course.id != exclude.id)
    if others.where(Course.name == name).exists():
        raise Refused("terms.course_name_taken", name=name, term=term.name)
    if not isinstance(capacity, int) or capacity < 0:
        raise Refused("terms.capacity_negative", capacity=capacity)
    try:
        check_slots(slots)
    except SlotError as e:
        raise Refused(e.key, **e.values) from None
    if room:
        for other in others.where(Course.room == room):
            for slot in slots:
                if any(slots_overlap(slot, theirs) for theirs in weekly_slots(other)):
                    raise Refused("terms.room_clash", course=other.name, slot=format_slots([slot]), room=room)


@dataclass(frozen=True)
class RoomClash:
    slot: dict  # the wanted weekly time
    course: str  # the course of the term in the room then


def room_clashes(term_id: int, room: str, slots: list[dict]) -> list[RoomClash]:
    """Each wanted weekly time at which another course of the term is in `room` (as check_course
    would refuse it), so that a new class's room and times are checked before it is made."""
    room = room.strip()
    if not room:
        return []
    others = Course.select().where(Course.term == term_id, Course.room == room).order_by(Course.name)
    return [
        RoomClash(slot, other.name)
        for slot in slots
        for other in others
        if any(slots_overlap(slot, theirs) for theirs in weekly_slots(other))
    ]


def rooms(site: str) -> list[str]:
    """The rooms the site's courses have been held in, every term, in full-pinyin order."""
    found = Course.select(Course.room).join(Term).join(Site).where(Site.code == site, Course.room != "").distinct()
    return sorted({c.room for c in found}, key=pinyin_key)


def create_course(
    actor: Actor,
    term_id: int,
    name: str,
    slots: list[dict],
    now: datetime,
    teacher: str = "",
    room: str = "",
    capacity: int = 0,
    category: str = "lesson",
) -> CourseView:
    """A course and its lessons for the whole term (holidays skipped)."""
    require(actor, "admin")
    with write():
        term = _get(Term, term_id, "terms.gone")
        check_course(term, name, slots, room, capacity)
        course = Course.create(
            term=term,
            name=name.strip(),
            teacher=teacher.strip(),
            room=room.strip(),
            capacity=capacity,
            category=category,
            schedule=_schedule(slots),
        )
        added = _fill(actor, course, term, now)
        _course_fact(actor, course, "create", now)
        audit.record(
            actor,
            "course.create",
            f"course {course.name}",
            now,
            term=term.name,
            **_fields(course),
            lessons_added=len(added),
        )
        return _view(course.id)


def edit_course(actor: Actor, course_id: int, now: datetime, reason: str = "", **changes) -> CourseView:
    """Change any of COURSE_FIELDS.  A new schedule replaces the lessons after `now` that nobody
    signed in to (those still on the schedule stay as they are).  A new room needs no new lessons:
    those without a room of their own are in the course's.  A raised capacity lets the waitlist
    move up."""
    require(actor, "admin")
    unknown = set(changes) - set(COURSE_FIELDS)
    if unknown:
        raise TypeError(f"edit_course() got unexpected fields {sorted(unknown)}")
    with write():
        course = _get(Course, course_id, "terms.gone")
        before = _fields(course)
        after = {**before, **{k: v.strip() if isinstance(v, str) else v for k, v in changes.items()}}
        check_course(course.term, after["name"], after["slots"], after["room"], after["capacity"], exclude=course)
        course.name, course.teacher, course.room = after["name"], after["teacher"], after["room"]
        course.capacity, course.category = after["capacity"], after["category"]
        course.schedule = _schedule(after["slots"])
        course.save()
        deleted = added = 0
        if weekly_slots(course) != before["slots"]:
            deleted, added = _reschedule(actor, course, now)
        promoted = []
        if before["capacity"] and (not after["capacity"] or after["capacity"] > before["capacity"]):
            promoted = enrollments.promote(course.id, now, actor)
        _course_fact(actor, course, "edit", now, previous=before["name"])
        changed = {k: [before[k], after[k]] for k in COURSE_FIELDS if before[k] != after[k]}
        audit.record(
            actor,
            "course.edit",
            f"course {course.name}",
            now,
            reason,
            term=course.term.name,
            changed=changed,
            lessons_deleted=deleted,
            lessons_added=added,
            promoted=promoted,
        )
        return _view(course.id)


def generate_lessons(actor: Actor, course_id: int, now: datetime) -> int:
    """Lessons for the rest of the course's term from its weekly schedule, skipping holidays and
    keeping the lessons there are (and the original times of moved ones); returns how many are new."""
    require(actor, "admin")
    with write():
        course = _get(Course, course_id, "terms.gone")
        added = _fill(actor, course, course.term, now)
        if added:
            audit.record(
                actor, "lessons.generate", f"course {course.name}", now, term=course.term.name, count=len(added)
            )
        return len(added)


def courses(term_id: int) -> list[CourseView]:
    """The term's courses in full-pinyin order of their names (八段锦, 国画, 京剧, 书法 — the
    order staff look a course up in; the classes of a course stay together), with their places
    and lessons, for the staff screens."""
    rows = [_course_row(*row) for row in db.execute_sql(_COURSES + _OF_TERM, (term_id,))]
    return sorted(rows, key=lambda c: (pinyin_key(_CLASS_NUMBER.sub(_class_number, c.name)), c.id))


def _class_number(m: re.Match) -> str:
    """「（二）」 → 「（02）」: classes in the order of their numbers, not of the numbers' pinyin."""
    return f"（{_NUMERALS.index(m.group(1)) + 1:02d}）"


def course_view(course_id: int) -> CourseView | None:
    """One course as courses() shows it; None once it is gone."""
    row = db.execute_sql(_COURSES + _ONE, (course_id,)).fetchone()
    return _course_row(*row) if row else None


def _view(course_id: int) -> CourseView:
    view = course_view(course_id)
    assert view is not None  # written in the same transaction
    return view


def _course_row(
    course_id: int,
    term_id: int,
    name: str,
    teacher: str,
    room: str,
    capacity: int,
    category: str,
    schedule: str,
    enrolled: int,
    waitlisted: int,
    lessons_held: int,
) -> CourseView:
    slots = tuple(json.loads(schedule))
    return CourseView(
        course_id,
        term_id,
        name,
        teacher,
        room,
        capacity,
        category,
        format_slots(list(slots)),
        slots,
        enrolled,
        waitlisted,
        lessons_held,
    )


def _reschedule(actor: Actor, course: Course, now: datetime) -> tuple[int, int]:
    """Lessons after `now` follow the new schedule: deleted unless still on it (or signed in to)."""
    holidays = {h.day for h in course.term.holidays}
    wanted = dict(lesson_times(course, course.term, holidays))
    deleted = 0
    for lesson in course.lessons.where(Lesson.start > now):
        keep = wanted.get(lesson.start) == lesson.end and not _moved_note(lesson.note)
        if not keep and not _signed(lesson):
            _delete_lesson(actor, lesson, now)
            deleted += 1
    return deleted, len(_fill(actor, course, course.term, now))


def _fields(course: Course) -> dict:
    return {
        "name": course.name,
        "teacher": course.teacher,
        "room": course.room,
        "capacity": course.capacity,
        "slots": weekly_slots(course),
        "category": course.category,
    }


def _schedule(slots: list[dict]) -> str:
    return json.dumps([{"weekday": s["weekday"], "start": s["start"], "end": s["end"]} for s in slots])


# -- lessons --------------------------------------------------------------------------------------


def cancel_lesson(actor: Actor, lesson_id: int, reason: str, now: datetime) -> LessonView:
    """停课: the lesson stays in the list, cancelled, with the reason as its note."""
    require(actor, "admin")
    reason = reason.strip()
    with write():
        lesson = _get(Lesson, lesson_id, "terms.gone")
        if not reason:
            raise Refused("terms.reason_required")
        if lesson.cancelled:
            raise Refused("terms.lesson_already_cancelled", when=_when(lesson.start))
        _check_not_begun(lesson, now)
        if _signed(lesson):
            raise Refused("terms.lesson_has_signins", when=_when(lesson.start), count=_signed(lesson))
        _change_lesson(actor, lesson, "cancel", now, reason, cancelled=True, note=_note(lesson, f"停课：{reason}"))
        audit.record(
            actor, "lesson.cancel", f"lesson {lesson.id}", now, reason, course=lesson.course.name, start=lesson.start
        )
        return lesson_view(lesson.id)


def restore_lesson(actor: Actor, lesson_id: int, now: datetime) -> LessonView:
    """Undo a cancellation; not on a holiday (remove the holiday instead)."""
    require(actor, "admin")
    with write():
        lesson = _get(Lesson, lesson_id, "terms.gone")
        term = lesson.course.term
        if not lesson.cancelled:
            raise Refused("terms.lesson_not_cancelled", when=_when(lesson.start))
        _check_not_begun(lesson, now)
        holiday = term.holidays.where(Holiday.day == lesson.start.date()).first()
        if holiday is not None:
            raise Refused("terms.restore_holiday", day=_day(holiday.day), holiday=holiday.name)
        clash = _clash(lesson, lesson.start, lesson.end, _room(lesson))
        if clash is not None:
            raise Refused("terms.restore_clash", **clash)
        _change_lesson(actor, lesson, "restore", now, cancelled=False, note=_moved_note(lesson.note))
        audit.record(actor, "lesson.restore", f"lesson {lesson.id}", now, course=lesson.course.name, start=lesson.start)
        return lesson_view(lesson.id)


def move_lesson(
    actor: Actor, lesson_id: int, start: datetime, end: datetime, now: datetime, reason: str, room: str | None = None
) -> LessonView:
    """调课: to another time in the term (and another room, "" = the course's).  A lesson cancelled
    (for a holiday, say) takes place at its new time."""
    require(actor, "admin")
    reason = reason.strip()
    with write():
        lesson = _get(Lesson, lesson_id, "terms.gone")
        course, term = lesson.course, lesson.course.term
        room = lesson.room if room is None else room.strip()
        if not reason:
            raise Refused("terms.reason_required")
        _check_not_begun(lesson, now)
        if _signed(lesson):
            raise Refused("terms.lesson_has_signins", when=_when(lesson.start), count=_signed(lesson))
        if end <= start:
            raise Refused("terms.move_backwards", start=_when(start), end=_when(end))
        if start < now:
            raise Refused("terms.move_past", when=_when(start))
        if not term.start <= start.date() <= term.end or end.date() != start.date():
            raise Refused(
                "terms.move_outside", when=_when(start), term=term.name, start=_day(term.start), end=_day(term.end)
            )
        holiday = term.holidays.where(Holiday.day == start.date()).first()
        if holiday is not None:
            raise Refused("terms.move_holiday", day=_day(holiday.day), holiday=holiday.name)
        clash = _clash(lesson, start, end, room or course.room)
        if clash is not None:
            raise Refused("terms.move_clash", **clash)
        previous = lesson.start
        original = _moved_from(lesson, term) or previous
        note = "" if original == start else f"调课：原 {_when(original)}"
        _change_lesson(
            actor,
            lesson,
            "move",
            now,
            reason,
            start=start,
            end=end,
            room=room,
            cancelled=False,
            note=note,
            previous_start=previous.isoformat(),
        )
        audit.record(
            actor,
            "lesson.move",
            f"lesson {lesson.id}",
            now,
            reason,
            course=course.name,
            before=previous,
            after=start,
            end=end,
            room=room,
        )
        return lesson_view(lesson.id)


def lessons(course_id: int) -> list[LessonView]:
    """The course's lessons in order of time, with how many signed in to each."""
    return [_lesson_row(*row) for row in db.execute_sql(_LESSONS + _OF_COURSE, (course_id,))]


def lesson_view(lesson_id: int) -> LessonView:
    return _lesson_row(*db.execute_sql(_LESSONS + _LESSON, (lesson_id,)).fetchone())


def _lesson_row(lesson_id: int, start, end, room: str, cancelled, note: str, signed: int) -> LessonView:
    when = Lesson.start.python_value
    return LessonView(lesson_id, when(start), when(end), room, bool(cancelled), note, signed)


def _check_not_begun(lesson: Lesson, now: datetime) -> None:
    """A lesson that has begun is history: it is not cancelled, restored or moved afterwards."""
    if lesson.start <= now:
        raise Refused("terms.lesson_begun", when=_when(lesson.start))


def begun(lesson: LessonView, now: datetime) -> bool:
    """Whether the lesson has begun, so that 停课, 恢复 and 调课 are no longer offered for it."""
    return lesson.start <= now


def _clash(lesson: Lesson, start: datetime, end: datetime, room: str) -> dict | None:
    """What the lesson would meet at [start, end): another lesson of its course (any at the same
    start, as there is one lesson per course and start), or another lesson in the same room."""
    site = lesson.course.term.site
    overlapping = (
        Lesson.select(Lesson, Course)
        .join(Course)
        .join(Term)
        .where(Term.site == site, Lesson.id != lesson.id, Lesson.start < end, Lesson.end > start)
    )
    same_course = (Lesson.course == lesson.course) & ((Lesson.start == start) | ~Lesson.cancelled)
    other = overlapping.where(same_course).first()
    if other is None and room:
        rooms = overlapping.where(~Lesson.cancelled, Lesson.course != lesson.course)
        other = next((x for x in rooms if _room(x) == room), None)
    if other is None:
        return None
    return {"course": other.course.name, "when": _when(other.start), "room": _room(other)}


def _room(lesson: Lesson) -> str:
    return lesson.room or lesson.course.room


# -- lesson rows and their facts ----------------------------------------------------------------


def _fill(actor: Actor, course: Course, term: Term, now: datetime, wanted=lambda start: True) -> list[Lesson]:
    """Create the schedule's missing lessons after `now` whose start is `wanted`, skipping holidays
    and the original times of moved lessons, each with its fact.  Never in the past: a lesson
    nobody could come to would count as missed in attendance and on the care list."""
    holidays = {h.day for h in term.holidays}
    existing = list(course.lessons)
    taken = {x.start for x in existing} | {s for s in (_moved_from(x, term) for x in existing) if s}
    added = []
    for start, end in lesson_times(course, term, holidays):
        if start > now and start not in taken and wanted(start):
            lesson = Lesson.create(course=course, start=start, end=end, room="", cancelled=False)
            _lesson_fact(actor, lesson, "add", now)
            added.append(lesson)
    return added


def _change_lesson(
    actor: Actor, lesson: Lesson, action: str, now: datetime, reason: str = "", previous_start: str = "", **values
) -> None:
    for field, value in values.items():
        setattr(lesson, field, value)
    lesson.save()
    _lesson_fact(actor, lesson, action, now, reason=reason, previous_start=previous_start)


def _delete_lesson(actor: Actor, lesson: Lesson, now: datetime) -> None:
    _lesson_fact(actor, lesson, "delete", now)
    lesson.delete_instance()


def _lesson_fact(actor: Actor, lesson: Lesson, action: str, now: datetime, **extra) -> None:
    course = lesson.course
    facts.record(
        "lesson",
        facts.new_event_id(),
        {
            "action": action,
            "course": course.name,
            "term": course.term.name,
            "start": lesson.start.isoformat(),
            "end": lesson.end.isoformat(),
            "room": lesson.room,
            "cancelled": lesson.cancelled,
            "note": lesson.note,
            "at": now.isoformat(),
            **{k: v for k, v in extra.items() if v},
            **actor.origin(),
        },
        now,
    )


def _term_fact(actor: Actor, term: Term, action: str, now: datetime, **extra) -> None:
    facts.record(
        "term",
        facts.new_event_id(),
        {
            "action": action,
            "name": term.name,
            "start": term.start.isoformat(),
            "end": term.end.isoformat(),
            "at": now.isoformat(),
            **extra,
            **actor.origin(),
        },
        now,
    )


def _course_fact(actor: Actor, course: Course, action: str, now: datetime, **extra) -> None:
    facts.record(
        "course",
        facts.new_event_id(),
        {
            "action": action,
            **_fields(course),
            "term": course.term.name,
            "at": now.isoformat(),
            **extra,
            **actor.origin(),
        },
        now,
    )


# -- notes --------------------------------------------------------------------------------------


def _note(lesson: Lesson, why: str) -> str:
    """A cancellation note that keeps the lesson's move note, if it was moved."""
    return _SEP.join(x for x in (_moved_note(lesson.note), why) if x)


def _moved_note(note: str) -> str:
    m = _MOVED.search(note)
    return m.group(0) if m else ""


def _moved_from(lesson: Lesson, term: Term) -> datetime | None:
    """The original time of a moved lesson, from its note: the note has no year, the term does."""
    m = _MOVED.search(lesson.note)
    if m is None:
        return None
    month, day, hhmm = int(m.group(1)), int(m.group(2)), m.group(3)
    for year in range(term.start.year, term.end.year + 1):
        try:
            when = date(year, month, day)
        except ValueError:
            continue
        if term.start <= when <= term.end:
            return datetime.combine(when, time.fromisoformat(hhmm))
    return None


# -- helpers --------------------------------------------------------------------------------------


def _term_lessons(term: Term):
    return Lesson.select(Lesson, Course).join(Course).where(Course.term == term)


def _on_day(query, day: date):
    return query.where(Lesson.start >= _midnight(day), Lesson.start < _midnight(day + timedelta(days=1)))


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min)


def _signed(lesson: Lesson) -> int:
    return SignIn.select().where(SignIn.lesson == lesson).count()


def _day(day: date) -> str:
    return f"{day.month}月{day.day}日"


def _when(at: datetime) -> str:
    return f"{at.month}月{at.day}日 {at:%H:%M}"


_COURSES = """
    SELECT c.id, c.term_id, c.name, c.teacher, c.room, c.capacity, c.category, c.schedule,
      (SELECT count(*) FROM enrollment e WHERE e.course_id = c.id AND e.status = 'enrolled'),
      (SELECT count(*) FROM enrollment e WHERE e.course_id = c.id AND e.status = 'waitlisted'),
      (SELECT count(*) FROM lesson l WHERE l.course_id = c.id AND NOT l.cancelled)
    FROM course c"""
_OF_TERM = " WHERE c.term_id = ? ORDER BY c.name, c.id"
_ONE = " WHERE c.id = ?"

_LESSONS = """
    SELECT l.id, l.start, l."end", coalesce(nullif(l.room, ''), c.room), l.cancelled, l.note,
      (SELECT count(*) FROM sign_in s WHERE s.lesson_id = l.id)
    FROM lesson l JOIN course c ON c.id = l.course_id"""
_OF_COURSE = " WHERE l.course_id = ? ORDER BY l.start"
_LESSON = " WHERE l.id = ?"
