"""「我的课程」: the senior's courses this term, how often they came, and when the next lesson is."""

import json
from dataclasses import dataclass, replace
from datetime import datetime

from kiosk.programme.schedule import Item
from kiosk.store.db import db, get_by
from kiosk.store.models import Lesson, Member


@dataclass(frozen=True)
class MyCourse:
    id: int
    name: str
    teacher: str
    room: str
    status: str  # "enrolled" or "waitlisted"
    next_lesson: Item | None  # the next lesson still to come: not begun, not signed in to, not cancelled
    attended: int  # lessons held so far with a sign-in by the member
    held: int  # lessons held so far: started before now, not cancelled, not on a holiday
    missed_in_a_row: int  # held lessons without a sign-in, counting back from the latest held one
    under_way: Item | None = None  # with no next lesson: one going on now (its last, for the term)


def my_courses(member_no: str, now: datetime) -> list[MyCourse]:
    """The member's enrolled or waitlisted courses in the term(s) containing today, by name."""
    member = get_by(Member, "member_no", member_no)
    if member is None:
        return []
    rows = db.execute_sql(_MY_COURSES, {"member": member.id, "now": now, "today": now.date()})
    views = [_view(*row) for row in rows]
    return [v if v.next_lesson else replace(v, under_way=_under_way(v, now)) for v in views]


def _under_way(view: MyCourse, now: datetime) -> Item | None:
    # Rare (a course's last lesson, being held now), so a query of its own rather than in _MY_COURSES:
    # without it 我的课程 would say 「本学期的课已经上完了」 while the senior sits in the lesson.
    lesson = (
        Lesson.select()
        .where(Lesson.course == view.id, Lesson.start <= now, Lesson.end > now, ~Lesson.cancelled)
        .order_by(Lesson.start)
        .first()
    )
    if lesson is None:
        return None
    return Item("lesson", lesson.id, view.name, lesson.room or view.room, lesson.start, lesson.end)


def _view(
    course_id: int,
    name: str,
    teacher: str,
    room: str,
    status: str,
    schedule: str,
    held: int,
    attended: int,
    missed: int,
    next_id: int | None,
    next_place: str,
    next_start: str,
    next_end: str,
) -> MyCourse:
    when = Lesson.start.python_value
    following = (
        Item("lesson", next_id, name, next_place, when(next_start), when(next_end)) if next_id is not None else None
    )
    if not json.loads(schedule):
        # A drop-in class (no weekly schedule, like the demo's 体验课堂, which gets a lesson whenever
        # the demo has nothing due): nobody is expected at its lessons, so only those the member
        # came to count as held, and there is no missed streak.
        held, missed = attended, 0
    return MyCourse(course_id, name, teacher, room, status, following, attended, held, missed)


# One statement, every step on an index (EXPLAIN QUERY PLAN): enrollment_member_id, course and term
# by id, lesson_course_id_start, holiday_term_id_day and sign_in_member_id_lesson_id.  A course has
# a few dozen lessons a term, so the work does not grow with years of history.
_MY_COURSES = """
WITH mine AS (
    SELECT c.id, c.name, c.teacher, c.room, e.status, c.schedule, c.term_id
    FROM enrollment e JOIN course c ON c.id = e.course_id JOIN term t ON t.id = c.term_id
    WHERE e.member_id = :member AND e.status IN ('enrolled', 'waitlisted')
      AND t.start <= :today AND t."end" >= :today),
lessons AS (   -- the lessons that take place: not cancelled, not on a holiday of the term
    SELECT l.id, l.course_id, l.start, l."end", l.room
    FROM mine JOIN lesson l ON l.course_id = mine.id
    WHERE NOT l.cancelled
      AND NOT EXISTS (SELECT 1 FROM holiday h WHERE h.term_id = mine.term_id AND h.day = date(l.start))),
held AS (
    SELECT lessons.course_id, lessons.start, s.id IS NOT NULL AS came
    FROM lessons LEFT JOIN sign_in s ON s.member_id = :member AND s.lesson_id = lessons.id
    WHERE lessons.start < :now),
stats AS (
    SELECT course_id, count(*) AS held, sum(came) AS attended,
           max(CASE WHEN came THEN start END) AS last_came
    FROM held GROUP BY course_id),
missed AS (    -- held lessons after the latest one the member came to (all of them if none)
    SELECT held.course_id, count(*) AS in_a_row
    FROM held JOIN stats ON stats.course_id = held.course_id
    WHERE stats.last_came IS NULL OR held.start > stats.last_came
    GROUP BY held.course_id),
next AS (      -- still to come: not begun, not signed in to early (with a lone min(), SQLite
               -- takes the bare columns from the row holding it)
    SELECT course_id, min(start) AS start, id, room, "end"
    FROM lessons
    WHERE start > :now
      AND NOT EXISTS (SELECT 1 FROM sign_in s WHERE s.member_id = :member AND s.lesson_id = lessons.id)
    GROUP BY course_id)
SELECT mine.id, mine.name, mine.teacher, mine.room, mine.status, mine.schedule,
       coalesce(stats.held, 0), coalesce(stats.attended, 0), coalesce(missed.in_a_row, 0),
       next.id, coalesce(nullif(next.room, ''), mine.room), next.start, next."end"
FROM mine
LEFT JOIN stats ON stats.course_id = mine.id
LEFT JOIN missed ON missed.course_id = mine.id
LEFT JOIN next ON next.course_id = mine.id
ORDER BY mine.name, mine.id"""
