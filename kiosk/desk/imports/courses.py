"""A course list from a spreadsheet: the courses of a term with their weekly times, each checked as
terms.check_course checks one, and their lessons generated."""

import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from peewee import chunked

from contract.imports.courses import COURSE_COLUMNS, TIMES, CourseRow, check_course
from kiosk.desk.imports.sheet import (
    BATCH,
    ImportReport,
    Row,
    RowError,
    Sheet,
    cell_text,
    course_key,
    label,
    read_sheet,
    row_error,
    transaction,
)
from kiosk.programme.schedule import format_slots, lesson_times, slots_overlap
from kiosk.staff import audit
from kiosk.staff.access import require
from kiosk.staff.audit import Actor
from kiosk.staff.refused import Refused
from kiosk.store import facts
from kiosk.store.db import db
from kiosk.store.models import Course, Holiday, Lesson, Site, Term

__all__ = ["COURSE_COLUMNS", "import_courses"]


def import_courses(
    actor: Actor, path: str | Path, now: datetime, term_id: int | None = None, dry_run: bool = False
) -> ImportReport:
    """Courses of a term from a course list, with their lessons; nothing if any row is wrong.
    The term is named in a 学期 column, else it is the term `term_id`."""
    require(actor, "admin")
    sheet = read_sheet(path, COURSE_COLUMNS, ("name",))
    if not any(map(sheet.has, TIMES)):
        raise Refused("imports.missing_column", column=COURSE_COLUMNS["schedule"][0], file=sheet.name)
    if not sheet.has("term") and term_id is None:
        raise Refused("imports.term_required")
    report = ImportReport.of("courses", sheet, dry_run)
    order = {p.sheet: i for i, p in enumerate(sheet.parts)}
    with transaction(dry_run):
        term = Term.get_or_none(Term.id == term_id) if term_id is not None else None
        terms = _terms_by_name(actor.site, {cell_text(r.cells.get("term")) for r in sheet.rows} - {""})
        rows = [c for c in (_course_row(r, terms, term, report) for r in sheet.rows) if c]
        new = _check_courses(rows, report)
        report.created = len(new)
        report.unchanged = len(rows) - len(new)
        report.errors.sort(key=lambda e: (order.get(e.sheet, 0), e.row))
        if report.errors:
            return report
        report.lessons = _write_courses(actor, sheet, new, now, dry_run)
    return report


@dataclass
class _Course:
    row: Row | None  # None: a course of the term already
    name: str
    term: Term
    slots: list[dict]
    category: str = "lesson"
    teacher: str = ""
    room: str = ""
    capacity: int = 0


def _course_row(row: Row, terms: dict[str, Term], default: Term | None, report: ImportReport) -> _Course | None:
    """The row checked on its own (contract.imports.courses), with its term."""
    problems: list = []
    checked = check_course(row, problems, terms, default is not None)
    report.errors += [RowError.of(p) for p in problems]
    if checked is None:
        return None
    term = terms[checked.term] if checked.term else default
    assert term is not None  # else a row error above
    return _course(checked, term)


def _course(c: CourseRow, term: Term) -> _Course:
    return _Course(c.row, c.name, term, c.slots, c.category, c.teacher, c.room, c.capacity)


def _check_courses(rows: list[_Course], report: ImportReport) -> list[_Course]:
    """The rows' courses that are new, after the checks against each other and the term's courses:
    a name is unique in its term (an identical course is left as it is), a room holds one course at
    a time."""
    terms = {r.term.id: r.term for r in rows}
    existing: dict[int, list[_Course]] = {}  # the terms' courses, as rows 0
    for c in Course.select().where(Course.term.in_(list(terms))):
        existing.setdefault(c.term_id, []).append(
            _Course(None, c.name, terms[c.term_id], json.loads(c.schedule), c.category, c.teacher, c.room, c.capacity)
        )
    new: list[_Course] = []
    seen: dict[tuple[int, str], str] = {}  # → the row that had it first

    def wrong(r: _Course, column: str, message_key: str, **values) -> None:
        assert r.row is not None  # only the file's rows are checked
        report.errors.append(row_error(r.row, column, message_key, **values))

    for r in rows:
        key = (r.term.id, course_key(r.name))
        if key in seen:
            wrong(r, "name", "imports.duplicate_course", name=r.name, other=seen[key])
            continue
        assert r.row is not None
        seen[key] = label(r.row)
        there = existing.get(r.term.id, [])
        same = next((c for c in there if course_key(c.name) == key[1]), None)
        if same is not None:
            if _fields(same) != _fields(r):
                wrong(r, "name", "imports.course_exists", name=same.name, term=r.term.name)
            continue
        clash = _room_clash(r, there + [n for n in new if n.term.id == r.term.id])
        if clash is not None:
            slot, other = clash
            values = {"room": r.room, "slot": format_slots([slot]), "other": other.name}
            if other.row is None:
                wrong(r, "room", "imports.room_clash", **values)
            else:
                wrong(r, "room", "imports.room_clash_in_file", other_row=label(other.row), **values)
        new.append(r)
    return new


def _fields(c: _Course) -> tuple:
    return c.category, c.teacher, _room_key(c.room), c.capacity, c.slots


def _room_clash(r: _Course, others: list[_Course]) -> tuple[dict, _Course] | None:
    """The first weekly slot of `r` its room is already taken at, and by which course."""
    room = _room_key(r.room)
    if not room:
        return None
    for slot in r.slots:
        for other in others:
            if _room_key(other.room) == room and any(slots_overlap(slot, s) for s in other.slots):
                return slot, other
    return None


def _room_key(room: str) -> str:
    return " ".join(room.split())


def _terms_by_name(site: str, names: set[str]) -> dict[str, Term]:
    """Terms named in the file; where two sites have a term of that name, this kiosk's site's."""
    found = {}
    for term in Term.select(Term, Site).join(Site).where(Term.name.in_(names)).order_by(Term.id):
        if term.name not in found or term.site.code == site:
            found[term.name] = term
    return found


def _write_courses(actor: Actor, sheet: Sheet, new: list[_Course], now: datetime, dry_run: bool) -> int:
    """The new courses and their lessons, with facts and the audit entry; returns how many lessons
    (counted, not written, on a dry run)."""
    holidays: dict[int, set[date]] = {}
    for h in Holiday.select().where(Holiday.term.in_({r.term.id for r in new})):
        holidays.setdefault(h.term_id, set()).add(h.day)
    times = [lesson_times(Course(schedule=json.dumps(r.slots)), r.term, holidays.get(r.term.id, set())) for r in new]
    if dry_run:
        return sum(map(len, times))
    before = db.execute_sql("SELECT coalesce(max(id), 0) FROM course").fetchone()[0]
    for batch in chunked(
        [
            {
                "term": r.term.id,
                "name": r.name,
                "category": r.category,
                "teacher": r.teacher,
                "room": r.room,
                "capacity": r.capacity,
                "schedule": json.dumps(r.slots),
            }
            for r in new
        ],
        BATCH,
    ):
        Course.insert_many(batch).execute()
    course_ids = [i for (i,) in db.execute_sql("SELECT id FROM course WHERE id > ? ORDER BY id", (before,))]
    lessons = [
        {"course": cid, "start": s, "end": e, "room": "", "cancelled": False}
        for cid, course_times in zip(course_ids, times)
        for s, e in course_times
    ]
    before = db.execute_sql("SELECT coalesce(max(id), 0) FROM lesson").fetchone()[0]
    for batch in chunked(lessons, BATCH):
        Lesson.insert_many(batch).execute()
    made: dict[int, list[dict]] = {}
    for lid, cid, start, end in db.execute_sql(
        'SELECT id, course_id, start, "end" FROM lesson WHERE id > ? ORDER BY id', (before,)
    ):
        made.setdefault(cid, []).append({"id": lid, "start": start, "end": end})
    origin = {"at": now.isoformat(), **actor.origin()}
    for cid, r in zip(course_ids, new):
        facts.record(
            "course",
            facts.new_event_id(),
            {
                "course_id": cid,
                "term": r.term.name,
                "name": r.name,
                "category": r.category,
                "teacher": r.teacher,
                "room": r.room,
                "capacity": r.capacity,
                "schedule": r.slots,
                "change": "created",
                **origin,
            },
            now,
        )
        facts.record(
            "lesson",
            facts.new_event_id(),
            {
                "course_id": cid,
                "course": r.name,
                "term": r.term.name,
                "change": "generated",
                "lessons": made.get(cid, []),
                **origin,
            },
            now,
        )
    audit.record(
        actor,
        "import.courses",
        f"file {sheet.name}",
        now,
        file=sheet.name,
        sha256=sheet.sha256,
        rows=len(sheet.rows),
        created=len(new),
        lessons=len(lessons),
    )
    return len(lessons)
