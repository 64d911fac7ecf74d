"""Terms, holidays, courses, lesson changes and enrolment: the rules of a site's classes.

A course is item course:<key> of the "items" stream, for its site's kiosks (kiosk/sync/apply.py
`_course`): its term, weekly schedule, the term's holidays (no lesson those days) and its lesson
changes (one lesson cancelled or moved).  A member on its roster is item
enrollment:<course key>:<member_no> (status enrolled, waitlisted or dropped), so a senior the
console enrolled signs in at the kiosk.

Every function that changes something is called inside store.write() and records its audit entry
there: no change without its entry.  Times are local and naive, as the kiosks keep them.
"""

import json
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from peewee import fn

from bureau import audit, streams
from bureau.models import Course, Enrollment, Holiday, LessonChange, Member, Site, Term
from bureau.programme import notices

HHMM = re.compile(r"([01]\d|2[0-3]):[0-5]\d")
WEEKLY = re.compile(r"([1-7]) (\d\d:\d\d)-(\d\d:\d\d)")
WEEKDAYS = {1: "周一", 2: "周二", 3: "周三", 4: "周四", 5: "周五", 6: "周六", 7: "周日"}
STATUSES = {"enrolled": "已报名", "waitlisted": "候补", "dropped": "已退课"}
ACTIONS = {"cancel": "停课", "move": "调课"}
TERM_DAYS_MAX = 400  # a term is a semester; a longer one is a typo of the year


class ClassError(ValueError):
    """A change the rules refuse (the message says why, in Chinese, for the staff member)."""


# --- terms and holidays ------------------------------------------------------------------------------


def save_term(site: Site, name: str, start: date, end: date, username: str, term: Term | None = None) -> Term:
    """A new term of `site`, or `term` changed; its courses are published again (their dates)."""
    name = name.strip()
    if not name:
        raise ClassError("请填写学期名称。")
    if end < start:
        raise ClassError(f"学期结束日期 {end} 早于开始日期 {start}。")
    if (end - start).days > TERM_DAYS_MAX:
        raise ClassError(f"学期太长了：{start} 到 {end} 超过 {TERM_DAYS_MAX} 天，请检查年份。")
    same = Term.select().where(Term.site == site, Term.name == name)
    if term is not None:
        same = same.where(Term.id != term.id)
    if same.exists():
        raise ClassError(f"本站点已有学期「{name}」。")
    if term is None:
        term = Term.create(site=site, name=name, start=start, end=end)
        audit.record(username, "term.create", name, site, {"start": start, "end": end})
        return term
    Term.update(name=name, start=start, end=end).where(Term.id == term.id).execute()
    term = Term.get_by_id(term.id)
    audit.record(username, "term.update", name, site, {"start": start, "end": end})
    publish_term(term)
    return term


def add_holiday(term: Term, day: date, name: str, username: str) -> Holiday:
    """No lesson of the term's courses on `day`; the courses are published again."""
    if not term.start <= day <= term.end:
        raise ClassError(f"{day} 不在学期 {term.start} 至 {term.end} 之内。")
    if Holiday.select().where(Holiday.term == term, Holiday.day == day).exists():
        raise ClassError(f"{day} 已经是假日了。")
    holiday = Holiday.create(term=term, day=day, name=name.strip())
    audit.record(username, "holiday.add", f"{term.name} {day}", term.site, {"name": holiday.name})
    publish_term(term)
    return holiday


def remove_holiday(term: Term, day: date, username: str) -> None:
    if Holiday.delete().where(Holiday.term == term, Holiday.day == day).execute() == 0:
        raise ClassError(f"{day} 不是这个学期的假日。")
    audit.record(username, "holiday.remove", f"{term.name} {day}", term.site)
    publish_term(term)


def holidays(term: Term) -> set[date]:
    return {h.day for h in Holiday.select(Holiday.day).where(Holiday.term == term)}


def publish_term(term: Term) -> None:
    """Every course of the term published again: its dates or holidays changed."""
    for course in Course.select().where(Course.term == term, Course.withdrawn_at.is_null()):
        publish_course(course)


# --- courses -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CourseFields:
    """What staff fill in for a course."""

    title: str
    category: str = "lesson"
    teacher: str = ""
    room: str = ""
    capacity: int = 0
    schedule: tuple[dict, ...] = ()


def slot(text: str) -> dict:
    """ "1 09:00-11:00" (Monday 9 to 11) as a schedule entry."""
    match = WEEKLY.fullmatch(text.strip())
    if not match:
        raise ClassError(f"上课时间「{text}」的格式不对，应为「1 09:00-11:00」（星期几 开始-结束）。")
    return checked_slot(int(match[1]), match[2], match[3])


def checked_slot(weekday: int, start: str, end: str) -> dict:
    if weekday not in WEEKDAYS:
        raise ClassError(f"星期应为 1 到 7，不是 {weekday}。")
    if not HHMM.fullmatch(start) or not HHMM.fullmatch(end):
        raise ClassError(f"上课时间 {start}-{end} 的格式不对，应为 09:00。")
    if end <= start:
        raise ClassError(f"{WEEKDAYS[weekday]} 的下课时间 {end} 要晚于上课时间 {start}。")
    return {"weekday": weekday, "start": start, "end": end}


def save_course(
    site: Site, term: Term, fields: CourseFields, username: str, course: Course | None = None, key: str | None = None
) -> Course:
    """A new course of `term` (key: the bureau's own, else a new one), or `course` changed; published."""
    title = fields.title.strip()
    if not title:
        raise ClassError("请填写课程名称。")
    if term.site_id != site.id:
        raise ClassError("学期不属于这个站点。")
    if not fields.schedule:
        raise ClassError("请至少填写一个每周上课时间。")
    if fields.capacity < 0:
        raise ClassError("人数上限不能是负数（0 表示不限）。")
    same = Course.select().where(Course.term == term, Course.title == title, Course.withdrawn_at.is_null())
    if course is not None:
        same = same.where(Course.id != course.id)
    if same.exists():
        raise ClassError(f"学期「{term.name}」已有课程「{title}」。")
    values = {
        "title": title,
        "category": fields.category.strip() or "lesson",
        "teacher": fields.teacher.strip(),
        "room": fields.room.strip(),
        "capacity": fields.capacity,
        "schedule": json.dumps(list(fields.schedule), ensure_ascii=False),
    }
    if course is None:
        course = Course.create(key=key or uuid.uuid4().hex, site=site, term=term, created_by=username, **values)
        action = "course.create"
    else:
        Course.update(term=term, **values).where(Course.id == course.id).execute()
        course = Course.get_by_id(course.id)
        action = "course.update"
    audit.record(username, action, title, site, {"key": course.key, **values})
    publish_course(course)
    if course.capacity:
        promote(course, username)  # a larger capacity frees places for the waitlist
    return course


def withdraw_course(course: Course, username: str, at: datetime) -> None:
    """The kiosks drop the course's future lessons (a tombstone)."""
    Course.update(withdrawn_at=at).where(Course.id == course.id).execute()
    streams.publish("items", f"course:{course.key}", None, notices.scope(course.site))
    audit.record(username, "course.withdraw", course.title, course.site, {"key": course.key})


def schedule(course: Course) -> list[dict]:
    return json.loads(course.schedule)


def schedule_text(course: Course) -> str:
    return "，".join(f"{WEEKDAYS[s['weekday']]} {s['start']}-{s['end']}" for s in schedule(course))


def item(course: Course) -> dict:
    """The course as its site's kiosks get it."""
    term = course.term
    return {
        "kind": "course",
        "key": course.key,
        "title": course.title,
        "category": course.category,
        "teacher": course.teacher,
        "room": course.room,
        "capacity": course.capacity,
        "age_min": course.age_min,  # ages on the term's first day who may apply (None: no bound)
        "age_max": course.age_max,
        "term": {"name": term.name, "start": term.start.isoformat(), "end": term.end.isoformat()},
        "schedule": schedule(course),
        "holidays": sorted(d.isoformat() for d in holidays(term)),
        "changes": [_change_item(c) for c in course.changes.order_by(LessonChange.day)],
    }


def publish_course(course: Course) -> None:
    streams.publish("items", f"course:{course.key}", item(course), notices.scope(course.site))


def _change_item(change: LessonChange) -> dict:
    moved = change.action == "move"
    return {
        "day": change.day.isoformat(),
        "action": change.action,
        "start": change.new_start.isoformat() if moved else None,
        "end": change.new_end.isoformat() if moved else None,
        "room": change.room,
        "reason": change.reason,
    }


# --- lessons: the schedule in time ---------------------------------------------------------------------


@dataclass(frozen=True)
class Lesson:
    """One lesson of a course as its schedule gives it, with the change made to it if any."""

    course: Course
    start: datetime
    end: datetime
    change: LessonChange | None = None

    @property
    def day(self) -> date:
        return self.start.date()


def lessons(course: Course, first: date | None = None, last: date | None = None) -> list[Lesson]:
    """The course's lessons in its term (between `first` and `last` when given), holidays skipped."""
    term = course.term
    off = holidays(term)
    changes = {c.day: c for c in course.changes}
    slots = schedule(course)
    found, day = [], max(term.start, first or term.start)
    end = min(term.end, last or term.end)
    while day <= end:
        if day not in off:
            for s in (s for s in slots if s["weekday"] == day.isoweekday()):
                begins, ends = datetime.combine(day, _hm(s["start"])), datetime.combine(day, _hm(s["end"]))
                found.append(Lesson(course, begins, ends, changes.get(day)))
        day += timedelta(days=1)
    return sorted(found, key=lambda x: x.start)


def lesson_on(course: Course, day: date) -> Lesson:
    """The course's (first) lesson on `day`, or ClassError."""
    found = lessons(course, day, day)
    if not found:
        raise ClassError(f"{course.title} 在 {day:%Y-%m-%d} 没有课（不是上课日，或是假日）。")
    return found[0]


def _hm(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


# --- lesson changes: 停课 and 调课, each with its notice --------------------------------------------------


def cancel_lesson(course: Course, day: date, reason: str, username: str, now: datetime) -> LessonChange:
    """停课: the lesson of `day` is cancelled, and a notice says so until its end."""
    lesson = _changeable(course, day, now)
    title = f"{course.title} {day.month}月{day.day}日停课"
    body = f"原定 {_when(lesson.start, lesson.end)} 的课停课。" + _because(reason)
    return _change(course, lesson, "cancel", None, None, "", reason, title, body, username, now)


def move_lesson(
    course: Course, day: date, start: datetime, end: datetime, room: str, reason: str, username: str, now: datetime
) -> LessonChange:
    """调课: the lesson of `day` takes place at `start`-`end` (in `room`, "" the course's own)."""
    lesson = _changeable(course, day, now)
    if end <= start:
        raise ClassError("调课后的下课时间要晚于上课时间。")
    if start <= now:
        raise ClassError("调课后的时间已经过去了，请选一个以后的时间。")
    others = {x.start for x in lessons(course) if x.day != day}
    if start in others:
        raise ClassError(f"{start:%m月%d日 %H:%M} 这门课本来就有一节课。")
    title = f"{course.title} {day.month}月{day.day}日调课"
    place = f"，地点 {room.strip()}" if room.strip() else ""
    body = f"原定 {_when(lesson.start, lesson.end)} 的课调至 {_when(start, end)}{place}。" + _because(reason)
    return _change(course, lesson, "move", start, end, room.strip(), reason, title, body, username, now)


def undo_change(change: LessonChange, username: str, now: datetime) -> None:
    """The lesson as its schedule has it again; the change's notice is withdrawn."""
    course = change.course
    notice = change.notice
    change.delete_instance()
    if notice is not None and notice.withdrawn_at is None:
        notices.withdraw(notice, username, now, "撤销停课/调课")
    audit.record(username, f"lesson.{change.action}.undo", f"{course.title} {change.day}", course.site)
    publish_course(course)


def _changeable(course: Course, day: date, now: datetime) -> Lesson:
    lesson = lesson_on(course, day)
    if lesson.end <= now:
        raise ClassError(f"{day:%Y-%m-%d} 这节课已经结束，不能再停课或调课。")
    if lesson.change is not None:
        raise ClassError(f"{day:%Y-%m-%d} 这节课已经{ACTIONS[lesson.change.action]}了；要改，请先撤销。")
    return lesson


def _change(
    course: Course,
    lesson: Lesson,
    action: str,
    start: datetime | None,
    end: datetime | None,
    room: str,
    reason: str,
    title: str,
    body: str,
    username: str,
    now: datetime,
) -> LessonChange:
    reason = reason.strip()
    if not reason:
        raise ClassError(f"请填写{ACTIONS[action]}的原因，学员会在签到机上看到。")
    try:
        notice = notices.publish(
            course.site,
            "suspend" if action == "cancel" else "move",
            title,
            body,
            now,
            lesson.end,
            username,
            source=f"lesson:{course.key}:{lesson.day.isoformat()}",
        )
    except notices.NoticeError as e:
        raise ClassError(str(e)) from None
    change = LessonChange.create(
        course=course, day=lesson.day, action=action, new_start=start, new_end=end, room=room, reason=reason
    )
    LessonChange.update(notice=notice).where(LessonChange.id == change.id).execute()
    audit.record(username, f"lesson.{action}", title, course.site, _change_item(change), reason)
    publish_course(course)
    return LessonChange.get_by_id(change.id)


def _when(start: datetime, end: datetime) -> str:
    return f"{start.month}月{start.day}日 {start:%H:%M}-{end:%H:%M}"


def _because(reason: str) -> str:
    return f"原因：{reason.strip()}" if reason.strip() else ""


# --- enrolment and the roster ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    """A member on a course's roster."""

    enrollment: Enrollment
    member: Member | None  # None: a number the bureau has no member of (yet)


def roster(course: Course, with_dropped: bool = False) -> list[Place]:
    """Enrolled first, then the waitlist in its order (the earliest first)."""
    query = Enrollment.select().where(Enrollment.course == course)
    if not with_dropped:
        query = query.where(Enrollment.status != "dropped")
    rows = sorted(query, key=lambda e: (_ORDER[e.status], e.at, e.id))
    members = {m.member_no: m for m in Member.select().where(Member.member_no.in_([e.member_no for e in rows]))}
    return [Place(e, members.get(e.member_no)) for e in rows]


_ORDER = {"enrolled": 0, "waitlisted": 1, "dropped": 2}


def course_counts(terms: Iterable[Term]) -> dict[int, int]:
    """Courses of each of `terms` by term id (withdrawn ones too), in one grouped query."""
    ids = [t.id for t in terms]
    if not ids:
        return {}
    counts = Course.select(Course.term, fn.COUNT(Course.id)).where(Course.term.in_(ids)).group_by(Course.term)
    return dict.fromkeys(ids, 0) | dict(counts.tuples())


def enrolled_count(course: Course) -> int:
    return Enrollment.select().where(Enrollment.course == course, Enrollment.status == "enrolled").count()


def enroll(course: Course, member: Member, username: str, at: datetime) -> Enrollment:
    """`member` on the roster: enrolled while there is a place, else on the waitlist."""
    if member.merged_into:
        raise ClassError(f"学员 {member.member_no} 已合并到 {member.merged_into}，请报名那个学号。")
    if not member.active:
        raise ClassError(f"学员 {member.member_no} {member.name} 已停用。")
    found = Enrollment.get_or_none(Enrollment.course == course, Enrollment.member_no == member.member_no)
    if found is not None and found.status != "dropped":
        raise ClassError(f"{member.name}（{member.member_no}）已经{STATUSES[found.status]}了。")
    full = course.capacity and enrolled_count(course) >= course.capacity
    status = "waitlisted" if full else "enrolled"
    if found is None:
        row = Enrollment.create(course=course, member_no=member.member_no, status=status, at=at)
    else:
        Enrollment.update(status=status, at=at).where(Enrollment.id == found.id).execute()
        row = Enrollment.get_by_id(found.id)
    audit.record(username, f"enrollment.{status}", f"{course.title} {member.member_no}", course.site)
    publish_enrollment(course, row)
    return row


def drop(course: Course, member_no: str, username: str, reason: str = "") -> list[Enrollment]:
    """`member_no` off the roster; the place they leave goes to the first on the waitlist.
    Returns those promoted."""
    row = Enrollment.get_or_none(Enrollment.course == course, Enrollment.member_no == member_no)
    if row is None or row.status == "dropped":
        raise ClassError(f"学员 {member_no} 不在这门课的名单上。")
    Enrollment.update(status="dropped").where(Enrollment.id == row.id).execute()
    audit.record(username, "enrollment.drop", f"{course.title} {member_no}", course.site, reason=reason)
    publish_enrollment(course, Enrollment.get_by_id(row.id))
    return promote(course, username)


def promote(course: Course, username: str) -> list[Enrollment]:
    """The waitlist, in its order, into the places free (every one when there is no limit)."""
    waiting = list(
        Enrollment.select()
        .where(Enrollment.course == course, Enrollment.status == "waitlisted")
        .order_by(Enrollment.at, Enrollment.id)
    )
    free = len(waiting) if not course.capacity else max(0, course.capacity - enrolled_count(course))
    promoted = []
    for row in waiting[:free]:
        Enrollment.update(status="enrolled").where(Enrollment.id == row.id).execute()
        audit.record(username, "enrollment.promote", f"{course.title} {row.member_no}", course.site)
        promoted.append(Enrollment.get_by_id(row.id))
        publish_enrollment(course, promoted[-1])
    return promoted


def publish_enrollment(course: Course, row: Enrollment) -> None:
    data = enrollment_item(course.key, row.member_no, row.status, row.at)
    streams.publish("items", f"enrollment:{course.key}:{row.member_no}", data, notices.scope(course.site))


def enrollment_item(course_key: str, member_no: str, status: str, at: datetime) -> dict:
    """A place on a roster as its site's kiosks get it (item enrollment:<course>:<member_no>)."""
    return {
        "kind": "enrollment",
        "course": course_key,
        "member_no": member_no,
        "status": status,
        "at": at.replace(microsecond=0).isoformat(),
    }


def courses_of(member_no: str) -> list[Place]:
    """A member's courses (any status), newest term first."""
    rows = Enrollment.select(Enrollment, Course, Term).join(Course).join(Term).where(Enrollment.member_no == member_no)
    return [Place(e, None) for e in sorted(rows, key=lambda e: (e.course.term.start, e.course.title), reverse=True)]


# --- the timetable -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    course: Course
    start: str
    end: str


def timetable(courses: Iterable[Course]) -> dict[int, list[Cell]]:
    """A week of the courses: weekday (1-7) → its lessons in order of start."""
    week: dict[int, list[Cell]] = {d: [] for d in WEEKDAYS}
    for course in courses:
        for s in schedule(course):
            week[s["weekday"]].append(Cell(course, s["start"], s["end"]))
    for cells in week.values():
        cells.sort(key=lambda c: (c.start, c.course.title))
    return week
