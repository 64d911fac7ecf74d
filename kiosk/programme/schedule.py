"""Lessons and activities in time: what is on today, and lessons generated from a weekly schedule."""

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

# The weekly times' syntax is the contract's (the bureau's console reads course lists too).
from contract.imports.slots import SlotError as SlotError
from contract.imports.slots import check_slots as check_slots
from contract.imports.slots import format_slots as format_slots
from contract.imports.slots import parse_slots as parse_slots
from contract.imports.slots import slots_overlap as slots_overlap
from kiosk.store.models import Activity, Course, Holiday, Lesson, Term

# The widest sign-in window an activity may have of its own, in minutes either side of its start (the
# bureau's console allows no more): the check-in looks this far for activities that may be due.
WINDOW_MAX = 12 * 60


@dataclass(frozen=True)
class Item:
    """Something a senior can sign in to: one lesson of a course, or an activity."""

    kind: str  # "lesson" or "activity"
    id: int
    title: str
    place: str
    start: datetime
    end: datetime


def lesson_item(lesson: Lesson) -> Item:
    course = lesson.course
    return Item("lesson", lesson.id, course.name, lesson.room or course.room, lesson.start, lesson.end)


def activity_item(activity: Activity) -> Item:
    return Item("activity", activity.id, activity.title, activity.place, activity.start, activity.end)


def today(now: datetime) -> list[Item]:
    """Every lesson and activity of the day, in order of start."""
    day_start = datetime.combine(now.date(), time.min)
    day_end = day_start + timedelta(days=1)
    lessons = (
        Lesson.select(Lesson, Course)
        .join(Course)
        .where(Lesson.start >= day_start, Lesson.start < day_end, ~Lesson.cancelled)
    )
    activities = Activity.select().where(Activity.start >= day_start, Activity.start < day_end, ~Activity.cancelled)
    items = [lesson_item(x) for x in lessons] + [activity_item(a) for a in activities]
    return sorted(items, key=lambda i: (i.start, i.title))


def weekly_slots(course: Course) -> list[dict]:
    """The course's schedule: [{"weekday": 1..7 (Monday = 1), "start": "HH:MM", "end": "HH:MM"}]."""
    return json.loads(course.schedule)


def lesson_times(course: Course, term: Term, holidays: set[date]) -> list[tuple[datetime, datetime]]:
    """Start and end of every lesson the weekly schedule gives in the term, skipping holidays."""
    times = []
    day = term.start
    while day <= term.end:
        if day not in holidays:
            for slot in weekly_slots(course):
                if slot["weekday"] == day.isoweekday():
                    times.append((datetime.combine(day, hm(slot["start"])), datetime.combine(day, hm(slot["end"]))))
        day += timedelta(days=1)
    return times


def generate_lessons(course: Course) -> int:
    """Create the course's lessons for its term (existing ones are kept); returns how many are new."""
    term = course.term
    holidays = {h.day for h in Holiday.select().where(Holiday.term == term)}
    rows = [
        {"course": course.id, "start": s, "end": e, "room": "", "cancelled": False}
        for s, e in lesson_times(course, term, holidays)
    ]
    before = course.lessons.count()
    if rows:
        Lesson.insert_many(rows).on_conflict_ignore().execute()
    return course.lessons.count() - before


def hm(text: str) -> time:
    """ "09:30" → time(9, 30)."""
    h, m = text.split(":")
    return time(int(h), int(m))


def coming_up(day: list[Item], now: datetime, late: timedelta) -> list[Item]:
    """What a senior arriving now can still go to, soonest first: not ended, and begun no longer
    ago than the sign-in window allows (`late`, checkin.window_after_min): a lesson running for
    an hour is no news, and must not push the next class off the home screen."""
    return sorted((i for i in day if i.end > now and now <= i.start + late), key=lambda i: (i.start, i.title))
