"""Reports for staff and the bureau: attendance, sign-ups, points, and the care list.

Each is a Table of plain values (kiosk.desk.exports writes them to Excel or CSV; a screen can show
them).  Each is computed with a fixed handful of SQL statements whatever its size, aggregated in
SQL or in one pass over the rows: a term's 300 courses take four statements, not one a cell.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from kiosk.i18n import t
from kiosk.store.db import db
from kiosk.store.models import Course, Lesson, Member, Term

CHECK = "✓"
_when = Lesson.start.python_value  # DATETIME text → datetime


@dataclass(frozen=True)
class Table:
    title: str
    columns: list[str]
    rows: list[list]  # plain values: str, int, or None for an empty cell


# -- attendance ---------------------------------------------------------------------------------


def course_attendance(course: Course) -> Table:
    """Members × lessons: ✓ where the member signed in, with totals per member and per lesson."""
    return _attendance("c.id = ?", (course.id,))[0]


def term_attendance(term: Term) -> list[Table]:
    """course_attendance for every course of the term, by course name."""
    return _attendance("c.term_id = ?", (term.id,))


def _attendance(where: str, params: tuple) -> list[Table]:
    courses = db.execute_sql(_COURSES.format(where=where), params).fetchall()
    lessons, people, signed = defaultdict(list), defaultdict(list), set()
    for lesson_id, course_id, start, cancelled in db.execute_sql(_LESSONS.format(where=where), params):
        lessons[course_id].append((lesson_id, _when(start), cancelled))
    for course_id, member_id, no, name in db.execute_sql(_PEOPLE.format(where=where), params * 2):
        people[course_id].append((member_id, no, name))
    signed.update(db.execute_sql(_SIGNED.format(where=where), params))
    return [_matrix(name, lessons[course_id], people[course_id], signed) for course_id, name in courses]


def _matrix(title: str, lessons: list[tuple], people: list[tuple], signed: set[tuple[int, int]]) -> Table:
    days = [start.date() for _, start, _ in lessons]
    labels = []
    for _, start, cancelled in lessons:
        label = f"{start:%m-%d}" if days.count(start.date()) == 1 else f"{start:%m-%d %H:%M}"
        labels.append(label + t("reports.cancelled_mark") if cancelled else label)
    per_lesson = [0] * len(lessons)
    rows = []
    for member_id, no, name in people:
        marks = [CHECK if (member_id, lesson_id) in signed else "" for lesson_id, _, _ in lessons]
        for i, mark in enumerate(marks):
            per_lesson[i] += mark == CHECK
        rows.append([no, name, *marks, marks.count(CHECK)])
    rows.append([t("reports.total"), "", *per_lesson, sum(per_lesson)])
    return Table(title, [t("reports.member_no"), t("reports.name"), *labels, t("reports.attended")], rows)


def member_attendance(member: Member, term: Term) -> Table:
    """One senior's term: every lesson of their courses and every activity they signed up for or
    came to, with when they signed in."""
    start, end = datetime.combine(term.start, time.min), datetime.combine(term.end, time.min) + timedelta(days=1)
    rows, came = [], 0
    for kind, begin, finish, title, place, cancelled, at in db.execute_sql(
        _MEMBER, {"member": member.id, "term": term.id, "start": start, "end": end}
    ):
        begin, finish = _when(begin), _when(finish)
        if at:
            came += 1
            mark = f"{CHECK} {_when(at):%H:%M}"
        else:
            mark = t(f"reports.cancelled_{kind}") if cancelled else ""
        rows.append([f"{begin:%Y-%m-%d}", _hours(begin, finish), t(f"reports.kind_{kind}"), title, place, mark])
    rows.append([t("reports.total"), "", "", "", "", came])
    columns = [
        t("reports.date"),
        t("reports.time"),
        t("reports.kind"),
        t("reports.item"),
        t("reports.place"),
        t("reports.signed_at"),
    ]
    return Table(t("reports.member_title", name=member.name, member_no=member.member_no), columns, rows)


def day_attendance(day: date) -> Table:
    """Each lesson and activity of the day: how many were expected, how many came, who is missing."""
    bounds = (datetime.combine(day, time.min), datetime.combine(day, time.min) + timedelta(days=1))
    rows = []
    for kind in ("lesson", "activity"):
        expected, signed = defaultdict(list), defaultdict(set)
        for item_id, member_id, name in db.execute_sql(_EXPECTED[kind], bounds):
            expected[item_id].append((member_id, name))
        for item_id, member_id in db.execute_sql(_CAME[kind], bounds):
            signed[item_id].add(member_id)
        for item_id, start, end, title, place, cancelled in db.execute_sql(_ITEMS[kind], bounds):
            start, end = _when(start), _when(end)
            row = [_hours(start, end), t(f"reports.kind_{kind}"), title, place]
            if cancelled:
                rows.append((start, row + [t(f"reports.cancelled_{kind}"), "", "", ""]))
                continue
            missing = [name for member_id, name in expected[item_id] if member_id not in signed[item_id]]
            rows.append((start, row + [len(expected[item_id]), len(signed[item_id]), len(missing), "、".join(missing)]))
    rows.sort(key=lambda r: (r[0], r[1][2]))
    columns = [
        t("reports.time"),
        t("reports.kind"),
        t("reports.item"),
        t("reports.place"),
        t("reports.expected"),
        t("reports.came"),
        t("reports.missing"),
        t("reports.missing_names"),
    ]
    return Table(t("reports.day_title", day=day.isoformat()), columns, [r for _, r in rows])


def activity_signups(start: date, end: date) -> Table:
    """Activities from `start` to `end` (both included): places, sign-ups, waitlist, who came."""
    rows = []
    for begin, finish, title, place, capacity, open_, cancelled, registered, waitlisted, came in db.execute_sql(
        _SIGNUPS, _days(start, end)
    ):
        begin, finish = _when(begin), _when(finish)
        note = t("reports.cancelled_activity") if cancelled else t("reports.open") if open_ else ""
        rows.append(
            [
                f"{begin:%Y-%m-%d}",
                _hours(begin, finish),
                title,
                place,
                capacity or t("reports.no_limit"),
                registered,
                waitlisted,
                came,
                note,
            ]
        )
    columns = [
        t("reports.date"),
        t("reports.time"),
        t("reports.activity"),
        t("reports.place"),
        t("reports.capacity"),
        t("reports.registered"),
        t("reports.waitlisted"),
        t("reports.came"),
        t("reports.note"),
    ]
    return Table(t("reports.signups_title", start=start.isoformat(), end=end.isoformat()), columns, rows)


# -- points -------------------------------------------------------------------------------------

POINT_KINDS = ("lesson", "activity", "party", "volunteer")


def points_report(start: date, end: date) -> Table:
    """Per member with ledger entries from `start` to `end` (both included): points earned by kind,
    redeemed, corrected, the period's total, and the balance now."""
    rows = [list(r) for r in db.execute_sql(_POINTS, _days(start, end))]
    totals = [sum(r[i] for r in rows) for i in range(2, 10)]
    rows.append([t("reports.total"), "", *totals])
    columns = [
        t("reports.member_no"),
        t("reports.name"),
        *(t(f"points.kind.{k}") for k in POINT_KINDS),
        t("reports.redeemed"),
        t("reports.corrections"),
        t("reports.period_total"),
        t("reports.balance"),
    ]
    return Table(t("reports.points_title", start=start.isoformat(), end=end.isoformat()), columns, rows)


# -- care ---------------------------------------------------------------------------------------


def care_list(now: datetime, missed_in_row: int, absent_weeks: int) -> Table:
    """Seniors to call: those who missed their last `missed_in_row` lessons of a course they are
    enrolled in this term, and those enrolled in a course under way who have not signed in for
    more than `absent_weeks` weeks (or not at all since their courses began).  0 turns a test off."""
    cutoff = now - timedelta(weeks=absent_weeks)
    people: dict[int, dict] = {}
    for member_id, no, name, phone, course, missed, first_held, last_seen in db.execute_sql(
        _CARE, {"now": now, "today": now.date()}
    ):
        p = people.setdefault(
            member_id,
            {
                "row": [no, name, phone],
                "courses": [],
                "missed": [],
                "first": None,
                "last": _when(last_seen) if last_seen else None,
            },
        )
        p["courses"].append(course)
        if missed_in_row and missed >= missed_in_row:
            p["missed"].append((course, missed))
        if first_held:
            p["first"] = min(filter(None, (p["first"], _when(first_held))))
    rows = []
    for p in people.values():
        reasons = [t("reports.care_missed", course=c, count=n) for c, n in p["missed"]]
        since = p["last"] or p["first"]
        if absent_weeks and since is not None and since < cutoff:
            reasons.append(
                t("reports.care_absent", weeks=(now - since).days // 7) if p["last"] else t("reports.care_never")
            )
        if reasons:
            courses = [c for c, _ in p["missed"]] or p["courses"]
            seen = f"{p['last']:%Y-%m-%d}" if p["last"] else t("reports.never")
            rows.append((p["last"] or datetime.min, [*p["row"], "、".join(courses), seen, "；".join(reasons)]))
    rows.sort(key=lambda r: (r[0], r[1][0]))
    columns = [
        t("reports.member_no"),
        t("reports.name"),
        t("reports.phone"),
        t("reports.course"),
        t("reports.last_seen"),
        t("reports.reason"),
    ]
    return Table(t("reports.care_title"), columns, [r for _, r in rows])


# -- helpers ------------------------------------------------------------------------------------


def _days(start: date, end: date) -> tuple[datetime, datetime]:
    return datetime.combine(start, time.min), datetime.combine(end, time.min) + timedelta(days=1)


def _hours(start: datetime, end: datetime) -> str:
    return f"{start:%H:%M}-{end:%H:%M}"


# Each statement uses indexes (course_term_id, lesson_course_id, enrollment_course_id_status,
# sign_in_lesson_id / _activity_id, lesson_start, activity_start, points_entry_member_id_status).
_COURSES = "SELECT c.id, c.name FROM course c WHERE {where} ORDER BY c.name, c.id"
_LESSONS = """
    SELECT l.id, l.course_id, l.start, l.cancelled FROM lesson l JOIN course c ON c.id = l.course_id
    WHERE {where} ORDER BY l.start, l.id"""
# The enrolled, and anyone else who came (withdrawn since, or signed in by staff).
_PEOPLE = """
    SELECT x.course_id, m.id, m.member_no, m.name FROM (
        SELECT e.course_id, e.member_id FROM enrollment e JOIN course c ON c.id = e.course_id
        WHERE {where} AND e.status = 'enrolled'
        UNION
        SELECT l.course_id, s.member_id FROM sign_in s JOIN lesson l ON l.id = s.lesson_id
        JOIN course c ON c.id = l.course_id WHERE {where}) x
    JOIN member m ON m.id = x.member_id ORDER BY m.member_no"""
_SIGNED = """
    SELECT s.member_id, s.lesson_id FROM sign_in s JOIN lesson l ON l.id = s.lesson_id
    JOIN course c ON c.id = l.course_id WHERE {where}"""
_MEMBER = """
    SELECT 'lesson', l.start, l."end", c.name, coalesce(nullif(l.room, ''), c.room), l.cancelled, s.at
    FROM lesson l JOIN course c ON c.id = l.course_id
    LEFT JOIN sign_in s ON s.lesson_id = l.id AND s.member_id = :member
    WHERE c.term_id = :term AND (s.id IS NOT NULL OR c.id IN (
        SELECT course_id FROM enrollment WHERE member_id = :member AND status = 'enrolled'))
    UNION ALL
    SELECT 'activity', a.start, a."end", a.title, a.place, a.cancelled, s.at
    FROM activity a LEFT JOIN sign_in s ON s.activity_id = a.id AND s.member_id = :member
    WHERE a.start >= :start AND a.start < :end AND (s.id IS NOT NULL OR a.id IN (
        SELECT activity_id FROM registration WHERE member_id = :member AND status = 'registered'))
    ORDER BY 2, 4"""
_ITEMS = {
    "lesson": """
        SELECT l.id, l.start, l."end", c.name, coalesce(nullif(l.room, ''), c.room), l.cancelled
        FROM lesson l JOIN course c ON c.id = l.course_id WHERE l.start >= ? AND l.start < ?""",
    "activity": """
        SELECT id, start, "end", title, place, cancelled FROM activity WHERE start >= ? AND start < ?""",
}
_EXPECTED = {
    "lesson": """
        SELECT l.id, m.id, m.name FROM lesson l
        JOIN enrollment e ON e.course_id = l.course_id AND e.status = 'enrolled'
        JOIN member m ON m.id = e.member_id
        WHERE l.start >= ? AND l.start < ? ORDER BY m.member_no""",
    "activity": """
        SELECT a.id, m.id, m.name FROM activity a
        JOIN registration r ON r.activity_id = a.id AND r.status = 'registered'
        JOIN member m ON m.id = r.member_id
        WHERE a.start >= ? AND a.start < ? ORDER BY m.member_no""",
}
_CAME = {
    "lesson": """
        SELECT s.lesson_id, s.member_id FROM lesson l JOIN sign_in s ON s.lesson_id = l.id
        WHERE l.start >= ? AND l.start < ?""",
    "activity": """
        SELECT s.activity_id, s.member_id FROM activity a JOIN sign_in s ON s.activity_id = a.id
        WHERE a.start >= ? AND a.start < ?""",
}
_SIGNUPS = """
    SELECT a.start, a."end", a.title, a.place, a.capacity, a.open, a.cancelled,
      (SELECT count(*) FROM registration r WHERE r.activity_id = a.id AND r.status = 'registered'),
      (SELECT count(*) FROM registration r WHERE r.activity_id = a.id AND r.status = 'waitlisted'),
      (SELECT count(*) FROM sign_in s WHERE s.activity_id = a.id)
    FROM activity a WHERE a.start >= ? AND a.start < ? ORDER BY a.start, a.id"""
_POINTS = """
    SELECT m.member_no, m.name,
      sum(CASE WHEN p.kind = 'lesson' THEN p.amount ELSE 0 END),
      sum(CASE WHEN p.kind = 'activity' THEN p.amount ELSE 0 END),
      sum(CASE WHEN p.kind = 'party' THEN p.amount ELSE 0 END),
      sum(CASE WHEN p.kind = 'volunteer' THEN p.amount ELSE 0 END),
      sum(CASE WHEN p.kind = 'redeem' THEN p.amount ELSE 0 END),
      sum(CASE WHEN p.kind IN ('correction', 'reversal') THEN p.amount ELSE 0 END),
      sum(p.amount),
      m.points_confirmed + (SELECT coalesce(sum(q.amount), 0) FROM points_entry q
                            WHERE q.member_id = m.id AND q.status = 'provisional')
    FROM points_entry p JOIN member m ON m.id = p.member_id
    WHERE p.at >= ? AND p.at < ? GROUP BY m.id ORDER BY m.member_no"""
# Per member and enrolled course of a term under way (courses with a weekly schedule: nobody is
# expected at a drop-in class): the held lessons missed since the last one they came to, the first
# held lesson, and the member's latest sign-in of all.  Held = started, not cancelled, not on a
# holiday: the same rule as 「我的课程」 (kiosk/programme/my_courses.py).
_CARE = """
WITH enrolled AS (
    SELECT e.member_id, c.id AS course_id, c.name, c.term_id
    FROM enrollment e JOIN course c ON c.id = e.course_id JOIN term t ON t.id = c.term_id
    WHERE e.status = 'enrolled' AND t.start <= :today AND t."end" >= :today AND c.schedule != '[]'),
held AS (
    SELECT cur.member_id, cur.course_id, l.start, s.id IS NOT NULL AS came
    FROM enrolled cur JOIN lesson l ON l.course_id = cur.course_id
    LEFT JOIN sign_in s ON s.member_id = cur.member_id AND s.lesson_id = l.id
    WHERE NOT l.cancelled AND l.start < :now
      AND NOT EXISTS (SELECT 1 FROM holiday h WHERE h.term_id = cur.term_id AND h.day = date(l.start))),
stats AS (
    SELECT member_id, course_id, min(start) AS first, max(CASE WHEN came THEN start END) AS last_came
    FROM held GROUP BY member_id, course_id),
missed AS (
    SELECT held.member_id, held.course_id, count(*) AS n
    FROM held JOIN stats ON stats.member_id = held.member_id AND stats.course_id = held.course_id
    WHERE stats.last_came IS NULL OR held.start > stats.last_came
    GROUP BY held.member_id, held.course_id),
seen AS (
    SELECT member_id, max(at) AS last FROM sign_in
    WHERE member_id IN (SELECT member_id FROM enrolled) GROUP BY member_id)
SELECT m.id, m.member_no, m.name, m.phone, cur.name, coalesce(missed.n, 0), stats.first, seen.last
FROM enrolled cur JOIN member m ON m.id = cur.member_id
LEFT JOIN stats ON stats.member_id = cur.member_id AND stats.course_id = cur.course_id
LEFT JOIN missed ON missed.member_id = cur.member_id AND missed.course_id = cur.course_id
LEFT JOIN seen ON seen.member_id = cur.member_id
WHERE m.active
ORDER BY m.member_no, cur.name"""
