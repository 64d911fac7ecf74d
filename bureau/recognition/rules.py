"""Who qualifies at term end (docs/recognition.md): 全勤 and 结业 in each course of a term, and the
优秀学员 candidates of a site's term.

**Lessons held.**  A course's lessons are those bureau.programme.classes.lessons derives from its
weekly schedule within its term, holidays skipped; a lesson cancelled (停课) is left out, a moved
one (调课) counts at its new time; only lessons that have ended by `as_of` count, and of those only
lessons at which someone signed in: a lesson nobody signed in to did not take place as far as the
records know (a kiosk out of order all that day, a teacher ill and the lesson never cancelled: a
past lesson can no longer be cancelled in the console), and it must not cost every senior their
全勤.

**A sign-in** is a lesson's when it is an Attendance row of the course's site, of kind lesson, with
the course's title and the lesson's start: that is how a kiosk names a lesson (the course's name
and the lesson's start, the new start of a moved one); Attendance holds member numbers after
merging.

**Who.**  Members enrolled (status enrolled, not waitlisted or dropped) when the list is made,
active and known to the bureau (a certificate needs a name).  Every lesson held counts, those
before a senior's enrolment too: Enrollment.at is when the row last changed (a promotion from the
waitlist keeps the waitlisting time, a kiosk's re-enrolment moves it), so it is no "since" date,
and a 全勤奖 is for the whole term.  A senior who joined in the first weeks can still reach 结业.

- 全勤: signed in to every lesson held (at least one).
- 结业: signed in to at least `share` of the lessons held (DEFAULT_SHARE, 2/3; a field of the
  page).  A senior with 全勤 has 结业 too, and gets both certificates.

**优秀学员 candidates** of a term (a term is one site's): every enrolled member with lessons held
(qualifying for a certificate is not required), ranked by their attendance rate over all their
courses of the term (sign-ins at lessons held / lessons held), then by their volunteer minutes in
the term (bureau.volunteers.hours), both shown; staff pick, nothing is awarded here.

Every figure comes from a few set-based queries a term (its courses, their lesson changes and
holidays, the enrolments, the members, the term's lesson sign-ins, the volunteer minutes), never a
query a member.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from fractions import Fraction

from bureau.models import Attendance, Course, Enrollment, Member, Term
from bureau.programme import classes
from bureau.volunteers import hours

DEFAULT_SHARE = Fraction(2, 3)
KINDS = {"full": "全勤奖", "graduation": "结业证书"}


@dataclass(frozen=True)
class Standing:
    """A member's record in one course."""

    member_no: str
    name: str
    attended: int  # lessons held they signed in to
    held: int  # lessons held (the same for everyone of the course)
    full: bool
    graduated: bool


@dataclass(frozen=True)
class CourseRecord:
    course: Course
    ended: int  # lessons ended by as_of, not cancelled
    held: int  # of those, lessons someone signed in to: what counts
    standings: list[Standing]  # enrolled members, by member number

    def qualifying(self, kind: str) -> list[Standing]:
        """Those who qualify for `kind` (KINDS)."""
        if kind not in KINDS:
            raise ValueError(f"unknown certificate kind {kind!r}")
        return [s for s in self.standings if (s.full if kind == "full" else s.graduated)]


def qualifies(attended: int, held: int, share: Fraction = DEFAULT_SHARE) -> tuple[bool, bool]:
    """(全勤, 结业) of a senior who signed in to `attended` of `held` lessons."""
    if held <= 0:
        return False, False
    return attended >= held, attended * share.denominator >= held * share.numerator


def term_records(
    term: Term, as_of: datetime, share: Fraction = DEFAULT_SHARE, courses: list[Course] | None = None
) -> list[CourseRecord]:
    """Each course of `term` (or `courses` of it), by title: its lessons held by `as_of` and who
    of its enrolled members qualifies for what."""
    if courses is None:
        courses = list(term.courses.where(Course.withdrawn_at.is_null()).order_by(Course.title, Course.id))
    ended = {c.id: _ended(c, as_of) for c in courses}
    signed = _signins(term, courses, ended)
    enrolled = _enrolled(courses)
    records = []
    for course in courses:
        held = {start for start in ended[course.id] if signed.get((course.id, start))}
        came: dict[str, int] = defaultdict(int)
        for start in held:
            for no in signed[course.id, start]:
                came[no] += 1
        standings = []
        for no, name in sorted(enrolled.get(course.id, {}).items()):
            full, graduated = qualifies(came[no], len(held), share)
            standings.append(Standing(no, name, came[no], len(held), full, graduated))
        records.append(CourseRecord(course, len(ended[course.id]), len(held), standings))
    return records


def course_record(course: Course, as_of: datetime, share: Fraction = DEFAULT_SHARE) -> CourseRecord:
    return term_records(course.term, as_of, share, [course])[0]


def _ended(course: Course, as_of: datetime) -> set[datetime]:
    """Starts of the course's lessons that took place by `as_of` (moved: the new start), cancelled
    ones left out."""
    found = set()
    for lesson in classes.lessons(course):
        change = lesson.change
        if change is not None and change.action == "cancel":
            continue
        start, end = lesson.start, lesson.end
        if change is not None and change.action == "move":
            start, end = change.new_start, change.new_end
        if end <= as_of:
            found.add(start)
    return found


def _signins(term: Term, courses: list[Course], ended: dict[int, set[datetime]]) -> dict[tuple, set[str]]:
    """(course id, lesson start) → the member numbers signed in to it, for the lessons `ended`: one
    query of the term's lesson sign-ins at its site (by the (site, business_day, …) index)."""
    starts = [s for found in ended.values() for s in found]
    if not starts:
        return {}
    by_title = {c.title: c.id for c in courses}
    rows = (
        Attendance.select(Attendance.title, Attendance.start, Attendance.member_no)
        .distinct()
        .where(
            (Attendance.site == term.site_id)
            & Attendance.business_day.between(
                min(starts).date() - timedelta(days=1), max(starts).date() + timedelta(days=1)
            )
            & (Attendance.kind == "lesson")
            & Attendance.title.in_(list(by_title))
        )
        .tuples()
    )
    signed: dict[tuple, set[str]] = defaultdict(set)
    for title, start, no in rows:
        start = _moment(start)
        course_id = by_title[title]
        if start in ended[course_id]:
            signed[course_id, start].add(no)
    return signed


def _moment(value) -> datetime:
    if isinstance(value, str):  # SQLite without the column's conversion
        value = Attendance.start.python_value(value)
    return value.replace(microsecond=0, tzinfo=None)


def _enrolled(courses: list[Course]) -> dict[int, dict[str, str]]:
    """course id → {member number: name} of its enrolled members, active and known; a merged
    member's enrolment counts as the member they were merged into (Attendance holds that number)."""
    rows = list(
        Enrollment.select(Enrollment.course, Enrollment.member_no)
        .where(Enrollment.course.in_([c.id for c in courses]) & (Enrollment.status == "enrolled"))
        .tuples()
    )
    members = _members({no for _, no in rows})
    merged = {m.merged_into for m in members.values() if m.merged_into}
    members |= _members(merged - members.keys())
    found: dict[int, dict[str, str]] = defaultdict(dict)
    for course_id, no in rows:
        member = members.get(no)
        if member is not None and member.merged_into:
            member = members.get(member.merged_into)
        if member is not None and member.active and not member.merged_into:
            found[course_id][member.member_no] = member.name
    return found


def _members(numbers: set[str]) -> dict[str, Member]:
    if not numbers:
        return {}
    query = Member.select(Member.member_no, Member.name, Member.active, Member.merged_into)
    return {m.member_no: m for m in query.where(Member.member_no.in_(sorted(numbers)))}


# --- 优秀学员 candidates -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    rank: int  # 1, 1, 3 …: the same rate and minutes share a rank
    member_no: str
    name: str
    courses: int  # their courses of the term with lessons held
    attended: int
    held: int
    minutes: int  # volunteer service in the term

    @property
    def rate(self) -> Fraction:
        return Fraction(self.attended, self.held)

    @property
    def percent(self) -> str:
        return f"{float(self.rate) * 100:.1f}".removesuffix(".0") + "%"

    @property
    def hours(self) -> str:
        return hours.hours_text(self.minutes)


def candidates(term: Term, as_of: datetime, records: list[CourseRecord] | None = None) -> list[Candidate]:
    """The term's enrolled members with lessons held, best first: attendance rate, then volunteer
    minutes in the term (its first day to its last, or to `as_of` while it runs)."""
    if records is None:
        records = term_records(term, as_of)
    totals: dict[str, list[int]] = {}
    names = {}
    for record in records:
        if not record.held:
            continue
        for s in record.standings:
            held = totals.setdefault(s.member_no, [0, 0, 0])
            held[0] += 1
            held[1] += s.attended
            held[2] += s.held
            names[s.member_no] = s.name
    minutes = hours.by_member(sorted(totals), term.start, min(term.end, as_of.date()))
    ranked = sorted(
        totals.items(),
        key=lambda item: (-Fraction(item[1][1], item[1][2]), -minutes.get(item[0], (0, 0))[0], item[0]),
    )
    found: list[Candidate] = []
    for no, (count, attended, held) in ranked:
        spent = minutes.get(no, (0, 0))[0]
        rank = len(found) + 1
        if found and (found[-1].rate, found[-1].minutes) == (Fraction(attended, held), spent):
            rank = found[-1].rank
        found.append(Candidate(rank, no, names[no], count, attended, held, spent))
    return found
