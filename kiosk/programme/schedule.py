"""Lessons and activities in time: what is on today, and lessons generated from a weekly schedule."""

import json
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

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


# A weekly schedule as staff write it in a spreadsheet: 「周二 09:00-11:00；周四 14:00-16:00」.
_DAYS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "日": 7, "天": 7, **{str(n): n for n in range(1, 8)}}
_SLOT = re.compile(
    r"^(?:周|星期|礼拜)?([一二三四五六日天1-7])\s*(\d{1,2}:\d{2})\s*(?:-|–|—|~|～|至|到)\s*(\d{1,2}:\d{2})$"
)
_SEPARATORS = re.compile(r"[；;，,、/\n]+")


class SlotError(ValueError):
    """A weekly schedule that cannot be used; .key names the message, .values fill it in."""

    def __init__(self, key: str, **values):
        super().__init__(key)
        self.key, self.values = key, values


def parse_slots(text: str) -> list[dict]:
    """「周二 09:00-11:00；周四 14:00-16:00」 → [{"weekday": 2, "start": "09:00", "end": "11:00"}, …]."""
    slots = []
    for part in _SEPARATORS.split(text.strip()):
        part = part.strip().replace("：", ":")
        if not part:
            continue
        m = _SLOT.match(part)
        if not m:
            raise SlotError("schedule.unreadable", part=part)
        start, end = _hhmm(m.group(2), part), _hhmm(m.group(3), part)
        slots.append({"weekday": _DAYS[m.group(1)], "start": start, "end": end})
    check_slots(slots)
    return slots


def check_slots(slots: list[dict]) -> None:
    """SlotError unless every slot is a weekday 1-7 with start < end and no two slots overlap."""
    if not slots:
        raise SlotError("schedule.empty")
    for slot in slots:
        if slot["weekday"] not in range(1, 8) or not slot["start"] < slot["end"]:
            raise SlotError("schedule.backwards", slot=format_slots([slot]))
    for i, a in enumerate(slots):
        for b in slots[i + 1 :]:
            if slots_overlap(a, b):
                raise SlotError("schedule.self_overlap", a=format_slots([a]), b=format_slots([b]))


def slots_overlap(a: dict, b: dict) -> bool:
    return a["weekday"] == b["weekday"] and a["start"] < b["end"] and b["start"] < a["end"]


def format_slots(slots: list[dict]) -> str:
    """[{"weekday": 2, …}] → 「周二 09:00-11:00」, the form parse_slots reads."""
    return "；".join(f"周{'一二三四五六日'[s['weekday'] - 1]} {s['start']}-{s['end']}" for s in slots)


def _hhmm(text: str, part: str) -> str:
    try:
        return datetime.strptime(text, "%H:%M").strftime("%H:%M")
    except ValueError:
        raise SlotError("schedule.unreadable", part=part) from None


def hm(text: str) -> time:
    """ "09:30" → time(9, 30)."""
    h, m = text.split(":")
    return time(int(h), int(m))


def coming_up(day: list[Item], now: datetime, late: timedelta) -> list[Item]:
    """What a senior arriving now can still go to, soonest first: not ended, and begun no longer
    ago than the sign-in window allows (`late`, checkin.window_after_min): a lesson running for
    an hour is no news, and must not push the next class off the home screen."""
    return sorted((i for i in day if i.end > now and now <= i.start + late), key=lambda i: (i.start, i.title))
