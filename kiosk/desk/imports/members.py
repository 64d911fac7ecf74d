"""A roster from a spreadsheet: members created or updated (matched by member number, ID number, or
name and phone) and enrolled in the courses it names; every row checked first."""

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from types import SimpleNamespace

from peewee import chunked

from contract.imports.members import MEMBER_COLUMNS, MEMBER_NO, course_names
from kiosk.desk.imports.sheet import (
    BATCH,
    ImportReport,
    Part,
    Row,
    Sheet,
    cell_date,
    cell_text,
    course_key,
    label,
    name_text,
    read_sheet,
    row_error,
    text_problem,
    transaction,
)
from kiosk.i18n import t
from kiosk.identity import ids
from kiosk.people import search, verified
from kiosk.staff import audit
from kiosk.staff.access import require
from kiosk.staff.audit import Actor
from kiosk.store import facts
from kiosk.store.db import db
from kiosk.store.models import Course, Enrollment, Member, Site, Term

_PERSON = ("name", "gender", "birth_date", "birth_year", "phone", "id_hash", "nation", "address")
_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_SCIENTIFIC = re.compile(r"[0-9](\.[0-9]+)?[eE]\+?[0-9]+")  # 1.10105E+17: how Excel shows a long number
_YEAR_MONTH = re.compile(r"(\d{4})\s*(?:[-/.年]\s*(\d{1,2})\s*月?|(\d{2}))")


def import_members(
    actor: Actor,
    path: str | Path,
    now: datetime,
    settings: SimpleNamespace,
    dry_run: bool = False,
    overwrite_verified: bool = False,
) -> ImportReport:
    """Members from a roster, with their courses of the current term; nothing if any row is wrong.
    A name read from an ID card is changed only with `overwrite_verified`; without it the
    report lists those names (report.renames) and nothing is written."""
    require(actor, "admin")
    sheet = read_sheet(path, MEMBER_COLUMNS, ("name",))
    report = ImportReport.of("members", sheet, dry_run, renames_confirmed=overwrite_verified)
    key = bytes.fromhex(settings.security.id_hash_key)
    numbered = _numbered_parts(sheet, report)
    damaged = _damaged_ids(sheet)
    checked = (_member_row(r, now, r.part in numbered, (r.part, r.n) in damaged, report) for r in sheet.rows)
    rows = [m for m in checked if m]
    _hash_numbers(rows, key)
    order = {p.sheet: i for i, p in enumerate(sheet.parts)}
    with transaction(dry_run):
        if _sheets_are_classes(sheet, actor.site, now.date()):
            report.warnings.append(t("imports.sheets_as_courses"))
            for m in rows:
                m.courses = [m.row.part.sheet]
        plan = _MemberPlan(sheet, _merged(rows, report), now, actor.site, report)
        plan.resolve(settings.staff.member_prefix)
        report.errors.sort(key=lambda e: (order.get(e.sheet, 0), e.row))
        if report.errors or dry_run or report.needs_confirm:
            return report
        plan.write(actor, settings)
    return report


@dataclass
class _Member:
    row: Row
    name: str
    member_no: str = ""
    number_column: str = "member_no"  # or "loose_no": 「编号」 holding member numbers
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

    @property
    def person(self) -> tuple:
        """What the row says about the senior, courses and numbering aside."""
        return tuple(getattr(self, name) for name in _PERSON)

    changes: dict = field(default_factory=dict)  # for an existing member: field → new value


def _sheets_are_classes(sheet: Sheet, site: str, today: date) -> bool:
    """A workbook of one sheet a class: several sheets, no 课程 column, and a sheet named for a
    course of the term (then every sheet must be; sheets named otherwise are just parts)."""
    if len(sheet.parts) < 2 or sheet.has("courses"):
        return False
    term = _enrolment_term(site, today)
    names = {course_key(c.name) for c in Course.select(Course.name).where(Course.term == term)}
    return term is not None and any(course_key(p.sheet) in names for p in sheet.parts)


def _numbered_parts(sheet: Sheet, report: ImportReport) -> set[Part]:
    """The tables whose 「编号」 column holds member numbers.  One that holds only 1, 2, 3 … counts
    the rows: it is left out, and staff are told."""
    numbered = set()
    for part in sheet.parts:
        if "loose_no" not in part.letters:
            continue
        values = [cell_text(r.cells.get("loose_no")) for r in sheet.rows if r.part is part]
        if "member_no" in part.letters or all(v.isdigit() for v in values if v):
            report.warnings.append(t("imports.counter_column", column=part.headers["loose_no"]))
        else:
            numbered.add(part)
    return numbered


def _damaged_ids(sheet: Sheet) -> set[tuple[Part, int]]:
    """CSV rows whose ID number a spreadsheet kept as a number: it keeps 15 digits and writes 0 for
    the rest, so such a column's 18-digit numbers end in 000 (a real one does so once in 1,100)."""
    if sheet.typed:
        return set()  # an .xlsx says which cells are numbers
    plain = [(r.part, r.n, ids.normalize(cell_text(r.cells.get("id_number")))) for r in sheet.rows]
    plain = [(p, n, text) for p, n, text in plain if len(text) == 18 and text.isdigit()]
    zeros = {(p, n) for p, n, text in plain if text.endswith("000")}
    return zeros if len(zeros) * 2 > len(plain) else set()


def _member_row(row: Row, now: datetime, numbered: bool, damaged: bool, report: ImportReport) -> _Member | None:
    """One row's values, checked on their own; None (and its errors reported) when any is wrong."""
    before = len(report.errors)
    cells = row.cells

    def wrong(column: str, message_key: str, **values) -> None:
        report.errors.append(row_error(row, column, message_key, **values))

    m = _Member(row, name_text(cells.get("name")))
    problem = text_problem(m.name)
    if not m.name:
        wrong("name", "imports.required")
    elif problem:
        wrong("name", problem, value=m.name)
    number_column = "loose_no" if numbered and not cell_text(cells.get("member_no")) else "member_no"
    m.member_no, m.number_column = cell_text(cells.get(number_column)).upper(), number_column
    if m.member_no and not MEMBER_NO.fullmatch(m.member_no):
        wrong(number_column, "imports.bad_member_no", value=m.member_no)
    gender = cell_text(cells.get("gender")).removesuffix("性")
    if gender and gender not in ("男", "女"):
        wrong("gender", "imports.bad_gender", value=gender)
    m.gender = gender
    if cell_text(cells.get("birth_date")):
        try:
            m.birth_date = cell_date(cells["birth_date"], now.date())
        except ValueError:
            wrong("birth_date", "imports.bad_date", value=cell_text(cells["birth_date"]))
    month = None
    if cell_text(cells.get("birth_month")):
        try:
            month = _year_month(cells["birth_month"], now.date())
        except ValueError:
            wrong("birth_month", "imports.bad_month", value=cell_text(cells["birth_month"]))
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
    raw = cells.get("id_number")
    number = ids.normalize(cell_text(raw))
    if number and (damaged or isinstance(raw, (int, float)) or _SCIENTIFIC.fullmatch(number)):
        # Even a damaged number that passes the check character is someone else's.
        wrong("id_number", "imports.id_as_number")
    elif number:
        problem = ids.id_problem(number)
        if problem:
            wrong("id_number", problem)
        else:
            m.id_number, m.id_last4 = number, ids.last4(number)
            _agree_with_id(m, number, month, wrong)
    if month and not m.birth_year:
        m.birth_year = month[0]
    if m.birth_date:
        m.birth_year = m.birth_date.year
    m.nation, m.address = cell_text(cells.get("nation")), cell_text(cells.get("address"))
    m.courses = course_names(cell_text(cells.get("courses")))
    return m if len(report.errors) == before else None


def _hash_numbers(rows: list[_Member], key: bytes) -> None:
    """Each row's id_hash, derived on all cores (~10 ms of CPU each, contract.idhash)."""
    numbered = [m for m in rows if m.id_number]
    for m, id_hash in zip(numbered, ids.id_hashes((m.id_number for m in numbered), key)):
        m.id_hash, m.id_number = id_hash, ""


def _agree_with_id(m: _Member, number: str, month: tuple[int, int] | None, wrong) -> None:
    """The birth date and gender the ID number holds: a typed one that says otherwise is wrong
    (the number or the cell was mistyped, and which one only the card tells)."""
    born, gender = _from_id(number)
    if born is not None:
        if m.birth_date and m.birth_date != born:
            wrong("birth_date", "imports.id_other_date", typed=m.birth_date.isoformat(), card=born.isoformat())
        if m.birth_year and m.birth_year != born.year:
            wrong("birth_year", "imports.id_other_date", typed=m.birth_year, card=born.isoformat())
        if month and month != (born.year, born.month):
            wrong("birth_month", "imports.id_other_date", typed=f"{month[0]}-{month[1]:02d}", card=born.isoformat())
        m.birth_date = born
    if gender:
        if m.gender and m.gender != gender:
            wrong("gender", "imports.id_other_gender", typed=m.gender, card=gender)
        m.gender = gender


def _year_month(value, today: date) -> tuple[int, int]:
    """A 出生年月 cell: 1948-03, 1948.3, 1948年3月, 194803, or a date (its day means nothing)."""
    if isinstance(value, float) and not value.is_integer():
        raise ValueError(value)  # 1948.10 typed into a number cell is 1948.1: October or January?
    if isinstance(value, (date, datetime)):
        year, month = value.year, value.month
    else:
        text = cell_text(value)
        m = _YEAR_MONTH.fullmatch(text)
        if m is None:
            day = cell_date(text, today)
            year, month = day.year, day.month
        else:
            year, month = int(m.group(1)), int(m.group(2) or m.group(3))
    if not (1 <= month <= 12 and date(1900, 1, 1) <= date(year, month, 1) <= today):
        raise ValueError(value)
    return year, month


def _merged(rows: list[_Member], report: ImportReport) -> list[_Member]:
    """Rows of one senior on several sheets (a workbook of one sheet a class) as one row with all
    their courses.  Two rows are one senior when they share a member number, an ID number, or a
    name and phone, and say the same about them; a name alone does not tell, and is refused."""
    kept: list[_Member] = []
    first: dict[tuple, _Member] = {}
    for m in rows:
        keys = [("no", m.member_no), ("id", m.id_hash), ("phone", m.name, m.phone)]
        keys = [k for k in keys if all(k[1:])]
        other = next((first[k] for k in keys if k in first), None)
        if other is not None and other.row.part is not m.row.part and other.person == m.person:
            other.courses += [c for c in m.courses if c not in other.courses]
            continue
        bare = ("name", m.name)
        if not keys and bare in first and first[bare].row.part is not m.row.part:
            report.errors.append(row_error(m.row, "name", "imports.same_name_elsewhere", other=label(first[bare].row)))
            continue
        for k in keys or [bare]:
            first.setdefault(k, m)
        kept.append(m)
    return kept


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
        self.report.errors.append(row_error(m.row, column, message_key, **values))

    def resolve(self, prefix: str) -> None:
        by_no = _members_where("member_no", [m.member_no for m in self.rows if m.member_no])
        by_hash = _members_where("id_hash", [m.id_hash for m in self.rows if m.id_hash])
        by_phone = _members_where(
            "phone",
            [m.phone for m in self.rows if m.phone and not m.member_no and not m.id_hash],
            key=lambda x: (x.name, x.phone),
        )
        by_name = _members_without_id(self.site, [m.name for m in self.rows if m.id_hash and not m.member_no])
        seen_no: dict[str, str] = {}  # → the row that had it first
        seen_hash: dict[str, str] = {}
        seen_member: dict[int, str] = {}
        for m in self.rows:
            if m.member_no in seen_no:
                self.wrong(m, m.number_column, "imports.duplicate_no", value=m.member_no, other=seen_no[m.member_no])
                continue
            if m.id_hash in seen_hash:
                self.wrong(m, "id_number", "imports.duplicate_id", last4=m.id_last4, other=seen_hash[m.id_hash])
                continue
            if m.member_no.isdigit() and m.member_no not in by_no:  # 1, 2, 3: a row counter
                self.wrong(m, m.number_column, "imports.not_member_no", value=m.member_no)
                continue
            if m.member_no:
                seen_no[m.member_no] = label(m.row)
            if m.id_hash:
                seen_hash[m.id_hash] = label(m.row)
            holder = by_hash.get(m.id_hash)
            if m.member_no:
                m.existing = by_no.get(m.member_no)
            elif m.id_hash:
                m.existing = holder or self._known_without_id(m, by_name)
            else:
                m.existing = by_phone.get((m.name, m.phone))
            if holder is not None and holder != m.existing:
                self.wrong(m, "id_number", "imports.id_taken", last4=m.id_last4, member_no=holder.member_no)
            elif m.existing is not None and m.id_hash and m.existing.id_hash not in (None, m.id_hash):
                self.wrong(m, "id_number", "imports.id_differs", member_no=m.existing.member_no)
            if m.existing is not None:
                if m.existing.id in seen_member:
                    self.wrong(m, "name", "imports.duplicate_member", other=seen_member[m.existing.id])
                seen_member[m.existing.id] = label(m.row)
                m.changes = _changes(m)
        self._renames()
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

    def _known_without_id(self, m: _Member, by_name: dict[str, list[Member]]) -> Member | None:
        """The member a row with a new ID number is, when a class list without ID numbers brought
        them in earlier: the one member of that name without an ID number whom nothing in the
        row contradicts.  Two such members: the row must say which (its member number)."""
        found = [x for x in by_name.get(m.name, []) if _compatible(x, m)]
        if len(found) > 1:
            numbers = "、".join(x.member_no for x in found)
            self.wrong(m, "name", "imports.namesakes_without_id", name=m.name, numbers=numbers)
            return None
        if found:
            self.report.warnings.append(
                t("imports.matched_by_name", row=label(m.row), name=m.name, member_no=found[0].member_no)
            )
        return found[0] if found else None

    def _renames(self) -> None:
        """The names the import would change that were read from the member's ID card."""
        renamed = [m for m in self.rows if m.existing is not None and "name" in m.changes]
        card = verified.card_names([m.existing.member_no for m in renamed if m.existing])
        for m in renamed:
            assert m.existing is not None
            old, no = m.existing.name, m.existing.member_no
            if old in card.get(no, set()) and not verified.only_fills_in(old, m.name):
                self.report.renames.append(t("imports.rename", row=label(m.row), member_no=no, old=old, new=m.name))

    def _namesakes(self) -> None:
        """New members nothing but the name identifies, where a member of that name exists: the
        same senior, perhaps, imported again from a file without numbers, ID numbers or phones."""
        bare = [m for m in self.rows if m.existing is None and not (m.member_no or m.id_hash or m.phone)]
        known = _members_where("name", [m.name for m in bare]) if bare else {}
        for m in bare:
            if m.name in known:
                self.report.warnings.append(
                    t("imports.namesake", row=label(m.row), name=m.name, member_no=known[m.name].member_no)
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
                    self.report.warnings.append(
                        t("imports.waitlisted", row=label(m.row), name=m.name, course=course["name"])
                    )
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


def _members_without_id(site: str, names: list[str]) -> dict[str, list[Member]]:
    """This site's members of these names that have no ID number, by name."""
    found: dict[str, list[Member]] = {}
    for batch in chunked(sorted(set(names)), 500):
        query = Member.select().join(Site).where(Site.code == site, Member.name.in_(batch), Member.id_hash.is_null())
        for member in query.order_by(Member.id):
            found.setdefault(member.name, []).append(member)
    return found


def _compatible(member: Member, m: _Member) -> bool:
    """Nothing the row says about the senior differs from what is known of the member."""
    pairs = ((member.phone, m.phone), (member.gender, m.gender))  # no birth year is kept (§9.1)
    return all(not a or not b or a == b for a, b in pairs)


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
