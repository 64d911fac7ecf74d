"""A roster from a spreadsheet: members created or updated (matched by member number, ID number, or
name and phone) and enrolled in the courses it names; every row checked first."""

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from types import SimpleNamespace

from peewee import chunked

from kiosk.desk.imports.sheet import (
    BATCH,
    ImportReport,
    RowError,
    Sheet,
    cell_date,
    cell_text,
    course_key,
    read_sheet,
    transaction,
)
from kiosk.i18n import t
from kiosk.identity import ids
from kiosk.people import search
from kiosk.staff import audit
from kiosk.staff.access import require
from kiosk.staff.audit import Actor
from kiosk.store import facts
from kiosk.store.db import db
from kiosk.store.models import Enrollment, Member, Site, Term

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
_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_MEMBER_NO = re.compile(r"[0-9A-Za-z-]{1,32}")
_COURSE_LIST = re.compile(r"[、；;，,\n]+")


def import_members(
    actor: Actor, path: str | Path, now: datetime, settings: SimpleNamespace, dry_run: bool = False
) -> ImportReport:
    """Members from a roster, with their courses of the current term; nothing if any row is wrong."""
    require(actor, "admin")
    sheet = read_sheet(path, MEMBER_COLUMNS, ("name",))
    report = ImportReport("members", sheet.name, dry_run, warnings=sheet.warnings())
    key = bytes.fromhex(settings.security.id_hash_key)
    rows = [r for r in (_member_row(sheet, n, cells, now, report) for n, cells in sheet.rows) if r]
    _hash_numbers(rows, key)
    with transaction(dry_run):
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
    id_number: str = ""  # until _hash_numbers() replaces it with its id_hash; never stored
    id_hash: str | None = None
    id_last4: str = ""  # for the messages of this import only
    nation: str = ""
    address: str = ""
    courses: list[str] = field(default_factory=list)
    existing: Member | None = None

    @property
    def existing_id(self) -> int | None:
        return self.existing.id if self.existing else None

    changes: dict = field(default_factory=dict)  # for an existing member: field → new value


def _member_row(sheet: Sheet, n: int, cells: dict, now: datetime, report: ImportReport) -> _Member | None:
    """One row's values, checked on their own; None (and its errors reported) when any is wrong."""
    before = len(report.errors)

    def wrong(column: str, message_key: str, **values) -> None:
        report.errors.append(RowError(n, sheet.headers[column], t(message_key, **values)))

    m = _Member(n, cell_text(cells.get("name")))
    if not m.name:
        wrong("name", "imports.required")
    m.member_no = cell_text(cells.get("member_no")).upper()
    if m.member_no and not _MEMBER_NO.fullmatch(m.member_no):
        wrong("member_no", "imports.bad_member_no", value=m.member_no)
    gender = cell_text(cells.get("gender")).removesuffix("性")
    if gender and gender not in ("男", "女"):
        wrong("gender", "imports.bad_gender", value=gender)
    m.gender = gender
    if cell_text(cells.get("birth_date")):
        try:
            m.birth_date = cell_date(cells["birth_date"], now.date())
        except ValueError:
            wrong("birth_date", "imports.bad_date", value=cell_text(cells["birth_date"]))
    year = cell_text(cells.get("birth_year")).removesuffix("年")
    if year:
        if year.isascii() and year.isdigit() and 1900 <= int(year) <= now.year:
            m.birth_year = int(year)
        else:
            wrong("birth_year", "imports.bad_year", value=year)
    phone = re.sub(r"[\s-]", "", cell_text(cells.get("phone"))).removeprefix("+86")
    if phone and not _MOBILE.fullmatch(phone):
        wrong("phone", "imports.bad_phone", value=cell_text(cells.get("phone")))
    m.phone = phone
    number = ids.normalize(cell_text(cells.get("id_number")))
    if number:
        problem = ids.id_problem(number)
        if problem:
            wrong("id_number", problem)
        else:
            m.id_number, m.id_last4 = number, ids.last4(number)
            born, gender = _from_id(number)
            m.birth_date = m.birth_date or (None if m.birth_year else born)
            m.gender = m.gender or gender
    if m.birth_date:
        m.birth_year = m.birth_date.year
    m.nation, m.address = cell_text(cells.get("nation")), cell_text(cells.get("address"))
    m.courses = list(dict.fromkeys(c.strip() for c in _COURSE_LIST.split(cell_text(cells.get("courses"))) if c.strip()))
    return m if len(report.errors) == before else None


def _hash_numbers(rows: list[_Member], key: bytes) -> None:
    """Each row's id_hash, derived on all cores (~10 ms of CPU each, contract.idhash)."""
    numbered = [m for m in rows if m.id_number]
    for m, id_hash in zip(numbered, ids.id_hashes((m.id_number for m in numbered), key)):
        m.id_hash, m.id_number = id_hash, ""


def _from_id(number: str) -> tuple[date | None, str]:
    """Birth date and gender from a resident (or Hong Kong, Macao, Taiwan) ID number."""
    if len(number) != 18 or number[0] == "9":  # a foreigner's 'Y' number holds no birth date there
        return None, ""
    born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    return born, "男" if int(number[16]) % 2 else "女"


class _MemberPlan:
    """The rows matched against the database: who is new, who changes, and which places they take."""

    def __init__(self, sheet: Sheet, rows: list[_Member], now: datetime, site: str, report: ImportReport):
        self.sheet, self.rows, self.now, self.site, self.report = sheet, rows, now, site, report
        self.term: Term | None = None
        self.places: list[tuple[_Member, dict, str, str]] = []  # (row, course, status, previous)

    def wrong(self, m: _Member, column: str, message_key: str, **values) -> None:
        self.report.errors.append(RowError(m.row, self.sheet.headers[column], t(message_key, **values)))

    def resolve(self, prefix: str) -> None:
        by_no = _members_where("member_no", [m.member_no for m in self.rows if m.member_no])
        by_hash = _members_where("id_hash", [m.id_hash for m in self.rows if m.id_hash])
        by_phone = _members_where(
            "phone",
            [m.phone for m in self.rows if m.phone and not m.member_no and not m.id_hash],
            key=lambda x: (x.name, x.phone),
        )
        seen_no: dict[str, int] = {}  # → the row that had it first
        seen_hash: dict[str, int] = {}
        seen_member: dict[int, int] = {}
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
                self.wrong(m, "id_number", "imports.id_differs", member_no=m.existing.member_no)
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
                self.report.warnings.append(
                    t("imports.namesake", row=m.row, name=m.name, member_no=known[m.name].member_no)
                )

    def _number(self, prefix: str) -> None:
        """Numbers for new members without one: the prefix and the next free number."""
        pattern = re.compile(re.escape(prefix) + r"([0-9]+)")
        taken = [
            no
            for (no,) in db.execute_sql(
                "SELECT member_no FROM member WHERE member_no GLOB ?", (_glob_escape(prefix) + "[0-9]*",)
            )
        ]
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
        courses = {
            course_key(name): {"id": i, "name": name, "capacity": capacity}
            for i, name, capacity in db.execute_sql(
                "SELECT id, name, capacity FROM course WHERE term_id = ?", (self.term.id,)
            )
        }
        taken = dict(
            db.execute_sql(
                "SELECT e.course_id, count(*) FROM enrollment e JOIN course c ON c.id = e.course_id"
                " WHERE c.term_id = ? AND e.status = 'enrolled' GROUP BY e.course_id",
                (self.term.id,),
            ).fetchall()
        )
        had = _enrolments([m.existing.id for m in wanted if m.existing], self.term.id)
        for m in wanted:
            chosen = set()
            for name in m.courses:
                course = courses.get(course_key(name))
                if course is None:
                    self.wrong(m, "courses", "imports.unknown_course", name=name, term=self.term.name)
                    continue
                if course["id"] in chosen:  # named twice, once with other brackets, say
                    continue
                chosen.add(course["id"])
                previous = had.get((m.existing.id, course["id"]), "") if m.existing else ""
                if previous in ("enrolled", "waitlisted"):
                    continue
                full = course["capacity"] and taken.get(course["id"], 0) >= course["capacity"]
                status = "waitlisted" if full else "enrolled"
                if full:
                    self.report.warnings.append(t("imports.waitlisted", row=m.row, name=m.name, course=course["name"]))
                else:
                    taken[course["id"]] = taken.get(course["id"], 0) + 1
                self.places.append((m, course, status, previous))
        self.report.enrolled = sum(p[2] == "enrolled" for p in self.places)
        self.report.waitlisted = len(self.places) - self.report.enrolled

    def write(self, actor: Actor, settings: SimpleNamespace) -> None:
        """Everything in the caller's write(): rows, facts and the audit entry."""
        term = self.term
        site_id = _site_id(self.site, settings.site.name)
        before = db.execute_sql("SELECT coalesce(max(id), 0) FROM member").fetchone()[0]
        new = [m for m in self.rows if m.existing is None]
        fresh = [
            {
                "member_no": m.member_no,
                "name": m.name,
                "initials": search.initials(m.name),
                "gender": m.gender,
                "phone": m.phone,
                "phone_last4": m.phone[-4:],
                "id_hash": m.id_hash,
                "nation": m.nation,
                "site": site_id,
                "joined": self.now.date(),
            }
            for m in new
        ]
        for batch in chunked(fresh, BATCH):
            Member.insert_many(batch).execute()
        member_ids = dict(db.execute_sql("SELECT member_no, id FROM member WHERE id > ?", (before,)).fetchall())
        for m in self.rows:
            if m.existing is not None and m.changes:
                Member.update(m.changes).where(Member.id == m.existing.id).execute()
        for m in self.rows:
            if m.existing is None or m.changes:
                self._member_fact(m, actor)
        places = [
            {
                "member": member_ids[m.member_no] if m.existing is None else m.existing.id,
                "course": course["id"],
                "status": status,
                "at": self.now,
            }
            for m, course, status, previous in self.places
            if not previous
        ]
        for batch in chunked(places, BATCH):
            Enrollment.insert_many(batch).execute()
        for m, course, status, previous in self.places:
            if previous:  # withdrawn earlier: back on the course, at the back of any waitlist
                (
                    Enrollment.update(status=status, at=self.now)
                    .where(Enrollment.member == m.existing_id, Enrollment.course == course["id"])
                    .execute()
                )
            facts.record(
                "enrollment",
                facts.new_event_id(),
                {
                    "member_no": m.member_no,
                    "course": course["name"],
                    "term": term.name if term else "",
                    "status": status,
                    "previous": previous,
                    "promoted": False,
                    "at": self.now.isoformat(),
                    **actor.origin(),
                },
                self.now,
            )
        r, sheet = self.report, self.sheet
        audit.record(
            actor,
            "import.members",
            f"file {sheet.name}",
            self.now,
            file=sheet.name,
            sha256=sheet.sha256,
            rows=len(self.rows),
            created=r.created,
            updated=r.updated,
            unchanged=r.unchanged,
            enrolled=r.enrolled,
            waitlisted=r.waitlisted,
        )

    def _member_fact(self, m: _Member, actor: Actor) -> None:
        e = m.existing
        value = (lambda name: m.changes.get(name, getattr(e, name))) if e else (lambda name: getattr(m, name))
        facts.record(
            "member",
            facts.new_event_id(),
            {
                "member_no": m.member_no,
                "name": value("name"),
                "gender": value("gender"),
                "id_hash": value("id_hash"),
                "phone_last4": value("phone")[-4:],
                "joined": _iso(e.joined if e else self.now.date()),
                "active": e.active if e else True,
                "change": "updated" if e else "created",
                "at": self.now.isoformat(),
                **actor.origin(),
            },
            self.now,
        )


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _changes(m: _Member) -> dict:
    """What the row changes on its existing member: blank cells keep what is there."""
    e, changes = m.existing, {}
    assert e is not None  # only a row matched to a member has changes
    # Not the birth date or the address: beside the id_hash they would narrow a search for the number.
    for name in ("name", "gender", "phone", "nation"):
        value = getattr(m, name)
        if value not in ("", None) and value != getattr(e, name):
            changes[name] = value
    if "name" in changes:
        changes["initials"] = search.initials(m.name)
    if "phone" in changes:
        changes["phone_last4"] = m.phone[-4:]
    if m.id_hash and e.id_hash is None:
        changes["id_hash"] = m.id_hash
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
        found.update(
            {
                (m, c): s
                for m, c, s in db.execute_sql(
                    f"SELECT e.member_id, e.course_id, e.status FROM enrollment e JOIN course c ON c.id = e.course_id"
                    f" WHERE c.term_id = ? AND e.member_id IN ({', '.join('?' * len(batch))})",
                    (term_id, *batch),
                )
            }
        )
    return found


def _enrolment_term(site: str, today: date) -> Term | None:
    """The term courses in a roster belong to: the one under way, else the next one."""
    return Term.select().join(Site).where(Site.code == site, Term.end >= today).order_by(Term.start).first()


def _site_id(code: str, name: str) -> int:
    """This kiosk's site; made on a kiosk whose site has not come down from the bureau yet."""
    site = Site.get_or_none(Site.code == code)
    return site.id if site else Site.create(code=code, name=name).id


def _glob_escape(text: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", text)
