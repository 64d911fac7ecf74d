"""Rosters and course lists from the spreadsheets centers keep: .xlsx, or .csv as Excel saves it
(UTF-8 with or without a BOM, or GB18030 on Chinese Windows).

All or nothing.  Every row is checked first and every problem is reported with its row and column,
so staff fix the whole file in one go; a file with any problem writes nothing.  A clean file goes
in with ONE write(): its rows by insert_many (a 3,000-member roster in a few seconds, issue 5), a
fact for each member, enrolment and course, and one audit entry naming the file and its SHA-256.
Importing the same file again changes nothing: known members are matched by member number, ID
number, or name and phone, and their enrolments are not doubled.
"""
import csv
import hashlib
import io
import json
import re
import zipfile
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from types import SimpleNamespace

from peewee import chunked

from kiosk.staff import audit
from kiosk.store import facts
from kiosk.identity import ids
from kiosk.people import search
from kiosk.staff.audit import Actor
from kiosk.store.db import db, write
from kiosk.i18n import t
from kiosk.store.models import Course, Enrollment, Holiday, Lesson, Member, Site, Term
from kiosk.staff.refused import Refused
from kiosk.programme.schedule import SlotError, format_slots, lesson_times, parse_slots, slots_overlap

# The headers each column goes by in the spreadsheets centers keep; the first is the one asked for.
MEMBER_COLUMNS = {
    "member_no": ("学员编号", "编号", "会员号"),
    "name": ("姓名", "学员姓名"),
    "gender": ("性别",),
    "birth_date": ("出生日期",),
    "birth_year": ("出生年份",),
    "phone": ("手机号", "手机", "电话", "联系电话"),
    "id_number": ("身份证号", "身份证号码"),
    "nation": ("民族",),
    "address": ("住址", "地址", "家庭住址"),
    "courses": ("课程", "所选课程", "报名课程"),
}
COURSE_COLUMNS = {
    "name": ("课程名称", "课程", "班级"),
    "category": ("类别",),
    "teacher": ("教师", "老师"),
    "room": ("教室", "地点"),
    "capacity": ("容量", "人数"),
    "schedule": ("上课时间",),
    "term": ("学期",),
}
HEADER_ROWS = 10            # a title row or two may come before the header
_BATCH = 200                # rows per INSERT: well under SQLite's 32,766 parameters

_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_MEMBER_NO = re.compile(r"[0-9A-Za-z-]{1,32}")
_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_COURSE_LIST = re.compile(r"[、；;，,\n]+")
_HEADER_NOISE = re.compile(r"[（(][^）)]*[）)]|[\s*＊:：]")


@dataclass(frozen=True)
class RowError:
    row: int          # the spreadsheet's own row number, as Excel shows it
    column: str       # the column's header as the file has it
    message: str

    def __str__(self) -> str:
        return t("imports.row_error", row=self.row, column=self.column, message=self.message)


@dataclass
class ImportReport:
    kind: str                  # "members" or "courses"
    file: str
    dry_run: bool
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    enrolled: int = 0          # new places (members)
    waitlisted: int = 0        # new enrolments on a waitlist: the course was full (members)
    lessons: int = 0           # lessons generated (courses)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        key = "imports.summary_members" if self.kind == "members" else "imports.summary_courses"
        text = t(key, file=self.file, created=self.created, updated=self.updated, unchanged=self.unchanged,
                 enrolled=self.enrolled, waitlisted=self.waitlisted, lessons=self.lessons)
        return text + (t("imports.dry_run") if self.dry_run else "")


# -- members ------------------------------------------------------------------------------------

def import_members(actor: Actor, path: str | Path, now: datetime, settings: SimpleNamespace,
                   dry_run: bool = False) -> ImportReport:
    """Members from a roster, with their courses of the current term; nothing if any row is wrong."""
    _require_admin(actor)
    sheet = _read(path, MEMBER_COLUMNS, ("name",))
    report = ImportReport("members", sheet.name, dry_run, warnings=sheet.warnings())
    key = bytes.fromhex(settings.security.id_hash_key)
    rows = [r for r in (_member_row(sheet, n, cells, key, now, report) for n, cells in sheet.rows) if r]
    with _transaction(dry_run):
        plan = _MemberPlan(sheet, rows, now, actor.site, report)
        plan.resolve(settings.staff.member_prefix)
        report.errors.sort(key=lambda e: e.row)
        if report.errors or dry_run:
            return report
        plan.write(actor, settings)
    return report


@dataclass
class _Member:
    row: int
    name: str
    member_no: str = ""
    gender: str = ""
    birth_date: date | None = None
    birth_year: int | None = None
    phone: str = ""
    id_hash: str | None = None
    id_last4: str = ""
    nation: str = ""
    address: str = ""
    courses: list[str] = field(default_factory=list)
    existing: Member | None = None
    changes: dict = field(default_factory=dict)      # for an existing member: field → new value


def _member_row(sheet: "_Sheet", n: int, cells: dict, key: bytes, now: datetime,
                report: ImportReport) -> _Member | None:
    """One row's values, checked on their own; None (and its errors reported) when any is wrong."""
    before = len(report.errors)

    def wrong(column: str, message_key: str, **values) -> None:
        report.errors.append(RowError(n, sheet.headers[column], t(message_key, **values)))

    m = _Member(n, _text(cells.get("name")))
    if not m.name:
        wrong("name", "imports.required")
    m.member_no = _text(cells.get("member_no")).upper()
    if m.member_no and not _MEMBER_NO.fullmatch(m.member_no):
        wrong("member_no", "imports.bad_member_no", value=m.member_no)
    gender = _text(cells.get("gender")).removesuffix("性")
    if gender and gender not in ("男", "女"):
        wrong("gender", "imports.bad_gender", value=gender)
    m.gender = gender
    if _text(cells.get("birth_date")):
        try:
            m.birth_date = _date(cells["birth_date"], now.date())
        except ValueError:
            wrong("birth_date", "imports.bad_date", value=_text(cells["birth_date"]))
    year = _text(cells.get("birth_year")).removesuffix("年")
    if year:
        if year.isascii() and year.isdigit() and 1900 <= int(year) <= now.year:
            m.birth_year = int(year)
        else:
            wrong("birth_year", "imports.bad_year", value=year)
    phone = re.sub(r"[\s-]", "", _text(cells.get("phone"))).removeprefix("+86")
    if phone and not _MOBILE.fullmatch(phone):
        wrong("phone", "imports.bad_phone", value=_text(cells.get("phone")))
    m.phone = phone
    number = ids.normalize(_text(cells.get("id_number")))
    if number:
        problem = ids.id_problem(number)
        if problem:
            wrong("id_number", problem)
        else:
            m.id_hash, m.id_last4 = ids.id_hash(number, key), ids.last4(number)
            born, gender = _from_id(number)
            m.birth_date = m.birth_date or (None if m.birth_year else born)
            m.gender = m.gender or gender
    if m.birth_date:
        m.birth_year = m.birth_date.year
    m.nation, m.address = _text(cells.get("nation")), _text(cells.get("address"))
    m.courses = list(dict.fromkeys(c.strip() for c in _COURSE_LIST.split(_text(cells.get("courses")))
                                   if c.strip()))
    return m if len(report.errors) == before else None


def _from_id(number: str) -> tuple[date | None, str]:
    """Birth date and gender from a resident (or Hong Kong, Macao, Taiwan) ID number."""
    if len(number) != 18 or number[0] == "9":    # a foreigner's 'Y' number holds no birth date there
        return None, ""
    born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    return born, "男" if int(number[16]) % 2 else "女"


class _MemberPlan:
    """The rows matched against the database: who is new, who changes, and which places they take."""

    def __init__(self, sheet: "_Sheet", rows: list[_Member], now: datetime, site: str, report: ImportReport):
        self.sheet, self.rows, self.now, self.site, self.report = sheet, rows, now, site, report
        self.term: Term | None = None
        self.places: list[tuple[_Member, dict, str, str]] = []   # (row, course, status, previous)

    def wrong(self, m: _Member, column: str, message_key: str, **values) -> None:
        self.report.errors.append(RowError(m.row, self.sheet.headers[column], t(message_key, **values)))

    def resolve(self, prefix: str) -> None:
        by_no = _members_where("member_no", [m.member_no for m in self.rows if m.member_no])
        by_hash = _members_where("id_hash", [m.id_hash for m in self.rows if m.id_hash])
        by_phone = _members_where("phone", [m.phone for m in self.rows if m.phone and not m.member_no
                                            and not m.id_hash], key=lambda x: (x.name, x.phone))
        seen_no, seen_hash, seen_member = {}, {}, {}
        for m in self.rows:
            if m.member_no in seen_no:
                self.wrong(m, "member_no", "imports.duplicate_no", value=m.member_no, other=seen_no[m.member_no])
                continue
            if m.id_hash in seen_hash:
                self.wrong(m, "id_number", "imports.duplicate_id", last4=m.id_last4, other=seen_hash[m.id_hash])
                continue
            if m.member_no:
                seen_no[m.member_no] = m.row
            if m.id_hash:
                seen_hash[m.id_hash] = m.row
            holder = by_hash.get(m.id_hash)
            m.existing = by_no.get(m.member_no) if m.member_no else holder or by_phone.get((m.name, m.phone))
            if holder is not None and holder != m.existing:
                self.wrong(m, "id_number", "imports.id_taken", last4=m.id_last4, member_no=holder.member_no)
            elif m.existing is not None and m.id_hash and m.existing.id_hash not in (None, m.id_hash):
                self.wrong(m, "id_number", "imports.id_differs", member_no=m.existing.member_no,
                           last4=m.existing.id_last4)
            if m.existing is not None:
                if m.existing.id in seen_member:
                    self.wrong(m, "name", "imports.duplicate_member", other=seen_member[m.existing.id])
                seen_member[m.existing.id] = m.row
                m.changes = _changes(m)
        self._namesakes()
        self._number(prefix)
        self._enrol()
        for m in self.rows:
            if m.existing is None:
                self.report.created += 1
            elif m.changes:
                self.report.updated += 1
            else:
                self.report.unchanged += 1

    def _namesakes(self) -> None:
        """New members nothing but the name identifies, where a member of that name exists: the
        same senior, perhaps, imported again from a file without numbers, ID numbers or phones."""
        bare = [m for m in self.rows if m.existing is None and not (m.member_no or m.id_hash or m.phone)]
        known = _members_where("name", [m.name for m in bare]) if bare else {}
        for m in bare:
            if m.name in known:
                self.report.warnings.append(t("imports.namesake", row=m.row, name=m.name,
                                              member_no=known[m.name].member_no))

    def _number(self, prefix: str) -> None:
        """Numbers for new members without one: the prefix and the next free number."""
        pattern = re.compile(re.escape(prefix) + r"([0-9]+)")
        taken = [no for (no,) in db.execute_sql("SELECT member_no FROM member WHERE member_no GLOB ?",
                                                 (_glob_escape(prefix) + "[0-9]*",))]
        taken += [m.member_no for m in self.rows if m.member_no]
        last = max((int(x.group(1)) for x in map(pattern.fullmatch, taken) if x), default=0)
        for m in self.rows:
            if not m.member_no:
                m.member_no = m.existing.member_no if m.existing else f"{prefix}{last + 1:04d}"
                last += m.existing is None

    def _enrol(self) -> None:
        wanted = [m for m in self.rows if m.courses]
        if not wanted:
            return
        self.term = _enrolment_term(self.site, self.now.date())
        if self.term is None:
            for m in wanted:
                self.wrong(m, "courses", "imports.no_term")
            return
        courses = {_course_key(name): {"id": i, "name": name, "capacity": capacity}
                   for i, name, capacity in db.execute_sql(
                       "SELECT id, name, capacity FROM course WHERE term_id = ?", (self.term.id,))}
        taken = dict(db.execute_sql(
            "SELECT e.course_id, count(*) FROM enrollment e JOIN course c ON c.id = e.course_id"
            " WHERE c.term_id = ? AND e.status = 'enrolled' GROUP BY e.course_id", (self.term.id,)).fetchall())
        had = _enrolments([m.existing.id for m in wanted if m.existing], self.term.id)
        for m in wanted:
            chosen = set()
            for name in m.courses:
                course = courses.get(_course_key(name))
                if course is None:
                    self.wrong(m, "courses", "imports.unknown_course", name=name, term=self.term.name)
                    continue
                if course["id"] in chosen:      # named twice, once with other brackets, say
                    continue
                chosen.add(course["id"])
                previous = had.get((m.existing.id, course["id"]), "") if m.existing else ""
                if previous in ("enrolled", "waitlisted"):
                    continue
                full = course["capacity"] and taken.get(course["id"], 0) >= course["capacity"]
                status = "waitlisted" if full else "enrolled"
                if full:
                    self.report.warnings.append(t("imports.waitlisted", row=m.row, name=m.name,
                                                  course=course["name"]))
                else:
                    taken[course["id"]] = taken.get(course["id"], 0) + 1
                self.places.append((m, course, status, previous))
        self.report.enrolled = sum(p[2] == "enrolled" for p in self.places)
        self.report.waitlisted = len(self.places) - self.report.enrolled

    def write(self, actor: Actor, settings: SimpleNamespace) -> None:
        """Everything in the caller's write(): rows, facts and the audit entry."""
        site_id = _site_id(self.site, settings.site.name)
        before = db.execute_sql("SELECT coalesce(max(id), 0) FROM member").fetchone()[0]
        new = [m for m in self.rows if m.existing is None]
        fresh = [{"member_no": m.member_no, "name": m.name, "initials": search.initials(m.name),
                  "gender": m.gender, "birth_date": m.birth_date, "birth_year": m.birth_year,
                  "phone": m.phone, "phone_last4": m.phone[-4:], "id_hash": m.id_hash,
                  "id_last4": m.id_last4, "nation": m.nation, "address": m.address, "site": site_id,
                  "joined": self.now.date()} for m in new]
        for batch in chunked(fresh, _BATCH):
            Member.insert_many(batch).execute()
        member_ids = dict(db.execute_sql("SELECT member_no, id FROM member WHERE id > ?", (before,)).fetchall())
        for m in self.rows:
            if m.existing is not None and m.changes:
                Member.update(m.changes).where(Member.id == m.existing.id).execute()
        for m in self.rows:
            if m.existing is None or m.changes:
                self._member_fact(m, actor)
        places = [{"member": member_ids[m.member_no] if m.existing is None else m.existing.id,
                   "course": course["id"], "status": status, "at": self.now}
                  for m, course, status, previous in self.places if not previous]
        for batch in chunked(places, _BATCH):
            Enrollment.insert_many(batch).execute()
        for m, course, status, previous in self.places:
            if previous:     # withdrawn earlier: back on the course, at the back of any waitlist
                (Enrollment.update(status=status, at=self.now)
                 .where(Enrollment.member == m.existing.id, Enrollment.course == course["id"]).execute())
            facts.record("enrollment", facts.new_event_id(), {
                "member_no": m.member_no, "course": course["name"], "term": self.term.name,
                "status": status, "previous": previous, "promoted": False, "at": self.now.isoformat(),
                **actor.origin()}, self.now)
        r, sheet = self.report, self.sheet
        audit.record(actor, "import.members", f"file {sheet.name}", self.now, file=sheet.name,
                     sha256=sheet.sha256, rows=len(self.rows), created=r.created, updated=r.updated,
                     unchanged=r.unchanged, enrolled=r.enrolled, waitlisted=r.waitlisted)

    def _member_fact(self, m: _Member, actor: Actor) -> None:
        e = m.existing
        value = (lambda name: m.changes.get(name, getattr(e, name))) if e else (lambda name: getattr(m, name))
        facts.record("member", facts.new_event_id(), {
            "member_no": m.member_no, "name": value("name"), "gender": value("gender"),
            "birth_year": value("birth_year"), "id_hash": value("id_hash"), "id_last4": value("id_last4"),
            "phone_last4": value("phone")[-4:], "joined": _iso(e.joined if e else self.now.date()),
            "active": e.active if e else True, "change": "updated" if e else "created",
            "at": self.now.isoformat(), **actor.origin()}, self.now)


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _changes(m: _Member) -> dict:
    """What the row changes on its existing member: blank cells keep what is there."""
    e, changes = m.existing, {}
    for name in ("name", "gender", "birth_date", "birth_year", "phone", "nation", "address"):
        value = getattr(m, name)
        if value not in ("", None) and value != getattr(e, name):
            changes[name] = value
    if "name" in changes:
        changes["initials"] = search.initials(m.name)
    if "phone" in changes:
        changes["phone_last4"] = m.phone[-4:]
    if m.id_hash and e.id_hash is None:
        changes["id_hash"], changes["id_last4"] = m.id_hash, m.id_last4
    return changes


def _members_where(column: str, values: list[str], key=None) -> dict:
    """The members whose `column` is one of `values`, by that value (or by key(member))."""
    found = {}
    for batch in chunked(sorted(set(values)), 500):
        for member in Member.select().where(getattr(Member, column).in_(batch)):
            found[key(member) if key else getattr(member, column)] = member
    return found


def _enrolments(member_ids: list[int], term_id: int) -> dict[tuple[int, int], str]:
    found = {}
    for batch in chunked(member_ids, 500):
        found.update({(m, c): s for m, c, s in db.execute_sql(
            f"SELECT e.member_id, e.course_id, e.status FROM enrollment e JOIN course c ON c.id = e.course_id"
            f" WHERE c.term_id = ? AND e.member_id IN ({', '.join('?' * len(batch))})", (term_id, *batch))})
    return found


def _enrolment_term(site: str, today: date) -> Term | None:
    """The term courses in a roster belong to: the one under way, else the next one."""
    return (Term.select().join(Site).where(Site.code == site, Term.end >= today)
            .order_by(Term.start).first())


def _site_id(code: str, name: str) -> int:
    """This kiosk's site; made on a kiosk whose site has not come down from the bureau yet."""
    site = Site.get_or_none(Site.code == code)
    return site.id if site else Site.create(code=code, name=name).id


def _course_key(name: str) -> str:
    """The same course whether written with full- or half-width brackets, or with spaces."""
    return re.sub(r"\s", "", name).replace("(", "（").replace(")", "）")


def _glob_escape(text: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", text)


# -- courses ------------------------------------------------------------------------------------

def import_courses(actor: Actor, path: str | Path, now: datetime, term: Term | None = None,
                   dry_run: bool = False) -> ImportReport:
    """Courses of a term from a course list, with their lessons; nothing if any row is wrong.
    The term is named in a 学期 column, else it is `term`."""
    _require_admin(actor)
    sheet = _read(path, COURSE_COLUMNS, ("name", "schedule"))
    if "term" not in sheet.present and term is None:
        raise Refused("imports.term_required")
    report = ImportReport("courses", sheet.name, dry_run, warnings=sheet.warnings())
    with _transaction(dry_run):
        terms = _terms_by_name(actor.site, {_text(c.get("term")) for _, c in sheet.rows} - {""})
        rows = [r for r in (_course_row(sheet, n, cells, terms, term, report) for n, cells in sheet.rows) if r]
        new = _check_courses(sheet, rows, report)
        report.created = len(new)
        report.unchanged = len(rows) - len(new)
        report.errors.sort(key=lambda e: e.row)
        if report.errors:
            return report
        report.lessons = _write_courses(actor, sheet, new, now, dry_run)
    return report


@dataclass
class _Course:
    row: int
    name: str
    term: Term
    slots: list[dict]
    category: str = "lesson"
    teacher: str = ""
    room: str = ""
    capacity: int = 0


def _course_row(sheet: "_Sheet", n: int, cells: dict, terms: dict[str, Term], default: Term | None,
                report: ImportReport) -> _Course | None:
    before = len(report.errors)

    def wrong(column: str, message_key: str, **values) -> None:
        report.errors.append(RowError(n, sheet.headers[column], t(message_key, **values)))

    name = _text(cells.get("name"))
    if not name:
        wrong("name", "imports.required")
    term_name = _text(cells.get("term"))
    term = terms.get(term_name) if term_name else default
    if term is None and term_name:
        wrong("term", "imports.unknown_term", name=term_name)
    elif term is None:
        wrong("term", "imports.required")
    slots = []
    try:
        slots = parse_slots(_text(cells.get("schedule")))
    except SlotError as e:
        wrong("schedule", e.key, **e.values)
    capacity = _text(cells.get("capacity")).removesuffix("人") or "0"
    if not (capacity.isascii() and capacity.isdigit()):
        wrong("capacity", "imports.bad_capacity", value=_text(cells.get("capacity")))
    if len(report.errors) > before:
        return None
    return _Course(n, name, term, slots, _text(cells.get("category")) or "lesson", _text(cells.get("teacher")),
                   _text(cells.get("room")), int(capacity))


def _check_courses(sheet: "_Sheet", rows: list[_Course], report: ImportReport) -> list[_Course]:
    """The rows' courses that are new, after the checks against each other and the term's courses:
    a name is unique in its term (an identical course is left as it is), a room holds one course at
    a time."""
    terms = {r.term.id: r.term for r in rows}
    existing: dict[int, list[_Course]] = {}     # the terms' courses, as rows 0
    for c in Course.select().where(Course.term.in_(list(terms))):
        existing.setdefault(c.term_id, []).append(_Course(0, c.name, terms[c.term_id], json.loads(c.schedule),
                                                          c.category, c.teacher, c.room, c.capacity))
    new, seen = [], {}

    def wrong(r: _Course, column: str, message_key: str, **values) -> None:
        report.errors.append(RowError(r.row, sheet.headers[column], t(message_key, **values)))

    for r in rows:
        key = (r.term.id, _course_key(r.name))
        if key in seen:
            wrong(r, "name", "imports.duplicate_course", name=r.name, other=seen[key])
            continue
        seen[key] = r.row
        there = existing.get(r.term.id, [])
        same = next((c for c in there if _course_key(c.name) == key[1]), None)
        if same is not None:
            if _fields(same) != _fields(r):
                wrong(r, "name", "imports.course_exists", name=same.name, term=r.term.name)
            continue
        clash = _room_clash(r, there + [n for n in new if n.term.id == r.term.id])
        if clash is not None:
            slot, other = clash
            values = {"room": r.room, "slot": format_slots([slot]), "other": other.name, "other_row": other.row}
            wrong(r, "room", "imports.room_clash_in_file" if other.row else "imports.room_clash", **values)
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


def _write_courses(actor: Actor, sheet: "_Sheet", new: list[_Course], now: datetime, dry_run: bool) -> int:
    """The new courses and their lessons, with facts and the audit entry; returns how many lessons
    (counted, not written, on a dry run)."""
    holidays: dict[int, set[date]] = {}
    for h in Holiday.select().where(Holiday.term.in_({r.term.id for r in new})):
        holidays.setdefault(h.term_id, set()).add(h.day)
    times = [lesson_times(Course(schedule=json.dumps(r.slots)), r.term, holidays.get(r.term.id, set()))
             for r in new]
    if dry_run:
        return sum(map(len, times))
    before = db.execute_sql("SELECT coalesce(max(id), 0) FROM course").fetchone()[0]
    for batch in chunked([{"term": r.term.id, "name": r.name, "category": r.category, "teacher": r.teacher,
                           "room": r.room, "capacity": r.capacity, "schedule": json.dumps(r.slots)}
                          for r in new], _BATCH):
        Course.insert_many(batch).execute()
    course_ids = [i for (i,) in db.execute_sql("SELECT id FROM course WHERE id > ? ORDER BY id", (before,))]
    lessons = [{"course": cid, "start": s, "end": e, "room": "", "cancelled": False}
               for cid, course_times in zip(course_ids, times) for s, e in course_times]
    before = db.execute_sql("SELECT coalesce(max(id), 0) FROM lesson").fetchone()[0]
    for batch in chunked(lessons, _BATCH):
        Lesson.insert_many(batch).execute()
    made: dict[int, list[dict]] = {}
    for lid, cid, start, end in db.execute_sql(
            'SELECT id, course_id, start, "end" FROM lesson WHERE id > ? ORDER BY id', (before,)):
        made.setdefault(cid, []).append({"id": lid, "start": start, "end": end})
    origin = {"at": now.isoformat(), **actor.origin()}
    for cid, r in zip(course_ids, new):
        facts.record("course", facts.new_event_id(), {
            "course_id": cid, "term": r.term.name, "name": r.name, "category": r.category,
            "teacher": r.teacher, "room": r.room, "capacity": r.capacity, "schedule": r.slots,
            "change": "created", **origin}, now)
        facts.record("lesson", facts.new_event_id(), {
            "course_id": cid, "course": r.name, "term": r.term.name, "change": "generated",
            "lessons": made.get(cid, []), **origin}, now)
    audit.record(actor, "import.courses", f"file {sheet.name}", now, file=sheet.name, sha256=sheet.sha256,
                 rows=len(sheet.rows), created=len(new), lessons=len(lessons))
    return len(lessons)


# -- reading the file ---------------------------------------------------------------------------

@dataclass
class _Sheet:
    name: str                       # the file's name, for messages and the audit trail
    sha256: str
    headers: dict[str, str]         # field → its header as the file has it (or as asked for, if absent)
    present: set[str]               # the fields the file has a column for
    rows: list[tuple[int, dict]]    # (row number, field → cell value), blank rows left out
    unknown: list[str]              # headers not recognised: ignored

    def warnings(self) -> list[str]:
        if not self.unknown:
            return []
        return [t("imports.unknown_columns", columns="、".join(f"「{h}」" for h in self.unknown))]


def _read(path: str | Path, columns: dict[str, tuple[str, ...]], required: tuple[str, ...]) -> _Sheet:
    """The file's header and rows, or Refused when it cannot be read or lacks a required column."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise Refused("imports.not_found", file=path) from None
    except OSError:
        raise Refused("imports.unreadable", file=path.name) from None
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        rows = _xlsx_rows(data, path.name)
    elif suffix == ".csv":
        rows = _csv_rows(data, path.name)
    else:
        raise Refused("imports.unsupported", file=path.name)
    rows = [(n, values) for n, values in rows if any(_text(v) for v in values)]
    if not rows:
        raise Refused("imports.no_rows", file=path.name)
    aliases = {_header(a): name for name, names in columns.items() for a in names}
    at = next((i for i, (_, values) in enumerate(rows[:HEADER_ROWS])
               if set(required) <= {aliases.get(_header(v)) for v in values}), 0)
    header = rows[at][1]
    positions, headers, unknown = {}, {}, []
    for i, value in enumerate(header):
        text = _text(value)
        name = aliases.get(_header(value))
        if name is None:
            if text:
                unknown.append(text)
        elif name in headers:
            raise Refused("imports.duplicate_column", a=headers[name], b=text)
        else:
            positions[name], headers[name] = i, text
    missing = [columns[name][0] for name in required if name not in headers]
    if missing:
        raise Refused("imports.missing_column", column="、".join(missing), file=path.name)
    body = [(n, {name: values[i] if i < len(values) else None for name, i in positions.items()})
            for n, values in rows[at + 1:]]
    if not body:
        raise Refused("imports.no_rows", file=path.name)
    present = set(headers)
    headers.update({name: names[0] for name, names in columns.items() if name not in headers})
    return _Sheet(path.name, hashlib.sha256(data).hexdigest(), headers, present, body, unknown)


def _xlsx_rows(data: bytes, name: str) -> list[tuple[int, tuple]]:
    """The first sheet's rows with Excel's row numbers."""
    from openpyxl import load_workbook      # here: loading it takes 0.1 s, which every command would pay
    from openpyxl.utils.exceptions import InvalidFileException
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError):
        raise Refused("imports.unreadable", file=name) from None
    try:
        sheet = book.worksheets[0]
        sheet.reset_dimensions()     # some programs write a wrong size, which would cut rows off
        return list(enumerate(sheet.iter_rows(min_row=1, values_only=True), 1))
    finally:
        book.close()


def _csv_rows(data: bytes, name: str) -> list[tuple[int, tuple]]:
    """Rows of a CSV as Excel writes it: UTF-8 (with or without a BOM), else GB18030."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise Refused("imports.unreadable", file=name)
    try:
        return [(n, tuple(values)) for n, values in enumerate(csv.reader(io.StringIO(text, newline="")), 1)]
    except csv.Error:
        raise Refused("imports.unreadable", file=name) from None


def _header(value) -> str:
    """A header as written, without spaces, asterisks marking it required, or notes in brackets."""
    return _HEADER_NOISE.sub("", _text(value))


def _text(value) -> str:
    """A cell as text: whole numbers without ".0" (a phone number Excel keeps as a number), dates ISO."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date() if value.time() == datetime.min.time() else value
    if isinstance(value, date):
        return value.isoformat()
    return str(value).replace("\u3000", " ").strip()


def _date(value, today: date) -> date:
    """A date cell, or text as people type dates: 1948-03-02, 1948/3/2, 1948年3月2日, 19480302."""
    if isinstance(value, datetime):
        value = value.date()
    if not isinstance(value, date):
        text = _text(value)
        m = _DATE.fullmatch(text) or re.fullmatch(r"(\d{4})(\d{2})(\d{2})", text)
        if not m:
            raise ValueError(text)
        value = date(*map(int, m.groups()))
    if not date(1900, 1, 1) <= value <= today:
        raise ValueError(value)
    return value


# -- shared -------------------------------------------------------------------------------------

def _require_admin(actor: Actor) -> None:
    """Imports are for an administrator (or the operator at the command line)."""
    if actor.staff is not None and actor.staff.role != "admin":
        raise Refused("access.admin_only")


def _transaction(dry_run: bool) -> AbstractContextManager:
    # The checks and the writes see the same database: nobody takes a member number or a place
    # in between.  A dry run only reads.
    return db.atomic() if dry_run else write()
