"""The figures of the console's hierarchy and charts (bureau/console/sites.py, charts.py): per site,
summed up the hierarchy, attendance per week beside last year's, courses by fill rate, unmet
demand, and the members' portrait.

Every function takes the ids of the sites to count (the Viewer's choice, already scoped) and
aggregates in SQL, so the work grows with the rows the index reads, never with Python loops over
them: Attendance is always read by (site IN …, business_day BETWEEN …), which its (site,
business_day) index serves, and grouped by day (at most 2 × 371 rows for a year and the one
before it), which is then summed into weeks here.  The same SQL runs on SQLite and PostgreSQL.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from peewee import SQL, fn

from bureau.models import Attendance, Course, Enrollment, Member, Site
from bureau.reports import _date, _roster

ACTIVE_DAYS = 30
# COUNT(*), not COUNT(id): the (site, business_day) index alone answers it (an index-only scan on
# PostgreSQL), where counting a column would read every row of the table too.
COUNT_ROWS = fn.COUNT(SQL("*"))
WEEKS = 52
AGE_BANDS = ("60岁以下", "60–69岁", "70–79岁", "80–89岁", "90岁及以上")
GENDERS = ("男", "女")
UNKNOWN_GENDER = "未填写"


# --- per site, and summed up the tree -------------------------------------------------------------------


@dataclass
class Figures:
    """What the hierarchy page shows of a site, or of all the sites under a region."""

    sites: int = 0
    members: int = 0  # registered, active, merged numbers not counted
    active: int = 0  # of those, signed in within ACTIVE_DAYS (at any site)
    signins: int = 0  # sign-ins at the site this month
    courses: int = 0  # courses not withdrawn
    enrolled: int = 0  # enrolled on courses that have a capacity
    capacity: int = 0  # the places of those courses

    @property
    def fill(self) -> float | None:
        return self.enrolled / self.capacity if self.capacity else None

    def add(self, other: "Figures") -> "Figures":
        return Figures(*(getattr(self, f) + getattr(other, f) for f in _FIELDS))


_FIELDS = ("sites", "members", "active", "signins", "courses", "enrolled", "capacity")


def site_figures(site_ids: Sequence[int], today: date) -> dict[int, Figures]:
    """Figures of each site of `site_ids`, as of `today` (sign-ins: from the 1st of its month)."""
    if not site_ids:
        return {}
    ids = list(site_ids)
    figures = {i: Figures(sites=1) for i in ids}
    for site_id, count in (
        _roster(Member.site, fn.COUNT(Member.id)).where(_members_of(ids)).group_by(Member.site).tuples()
    ):
        figures[site_id].members = count
    for site_id, count in active_members(ids, today).items():
        figures[site_id].active = count
    month = (
        Attendance.select(Attendance.site, COUNT_ROWS)
        .where(Attendance.site.in_(ids) & Attendance.business_day.between(today.replace(day=1), today))
        .group_by(Attendance.site)
    )
    for site_id, count in month.tuples():
        figures[site_id].signins = count
    for course in course_fill(ids):
        f = figures[course.site_id]
        f.courses += 1
        if course.capacity:
            f.enrolled, f.capacity = f.enrolled + course.enrolled, f.capacity + course.capacity
    return figures


def _members_of(site_ids: Sequence[int]):
    """The condition "registered at one of `site_ids`": none when they are every site, which
    spares PostgreSQL comparing each of 50,000 members with 40 site ids."""
    ids = set(site_ids)
    if ids == {i for (i,) in Site.select(Site.id).tuples()}:
        return Member.site.is_null(False)
    return Member.site.in_(list(ids))


def active_members(site_ids: Sequence[int], today: date, days: int = ACTIVE_DAYS) -> dict[int, int]:
    """Per site of registration: members who signed in (at any site) in the `days` days up to today."""
    every_site = [i for (i,) in Site.select(Site.id).tuples()]  # named, so the (site, business_day) index serves
    seen = Attendance.select(Attendance.member_no).where(
        Attendance.site.in_(every_site) & Attendance.business_day.between(today - timedelta(days=days - 1), today)
    )
    query = (
        _roster(Member.site, fn.COUNT(Member.id))
        .where(_members_of(site_ids) & Member.member_no.in_(seen))
        .group_by(Member.site)
    )
    return dict(query.tuples())


def rolled_up(node, figures: dict[int, Figures]) -> dict[str, Figures]:
    """Figures of every node of a hierarchy.tree() (by Node.key), each the sum of what is under it."""
    totals: dict[str, Figures] = {}

    def total(n) -> Figures:
        sum_ = Figures()
        for site in n.sites:
            sum_ = sum_.add(figures.get(site.id, Figures(sites=1)))
        for child in n.children:
            sum_ = sum_.add(total(child))
        totals[n.key] = sum_
        return sum_

    total(node)
    return totals


# --- attendance per week ---------------------------------------------------------------------------------


@dataclass
class Weekly:
    """Sign-ins per week for the WEEKS weeks up to this one, and the same weeks a year before."""

    weeks: list[date]  # each week's Monday
    this_year: list[int]
    last_year: list[int]


def weekly_attendance(site_ids: Sequence[int], today: date, weeks: int = WEEKS) -> Weekly:
    first = today - timedelta(days=today.weekday()) - timedelta(weeks=weeks - 1)
    back = timedelta(weeks=52)  # the same weekdays a year before
    mondays = [first + timedelta(weeks=i) for i in range(weeks)]
    counts = dict.fromkeys(mondays, 0) | {m - back: 0 for m in mondays}
    if site_ids:
        days = (
            Attendance.select(Attendance.business_day, COUNT_ROWS)
            .where(Attendance.site.in_(list(site_ids)) & Attendance.business_day.between(first - back, today))
            .group_by(Attendance.business_day)
        )
        for day, count in days.tuples():
            d = _date(day)
            monday = d - timedelta(days=d.weekday())
            if monday in counts:
                counts[monday] += count
    return Weekly(mondays, [counts[m] for m in mondays], [counts[m - back] for m in mondays])


# --- courses: fill rate and unmet demand -------------------------------------------------------------------


@dataclass
class CourseFill:
    site_id: int
    site: str  # the site's name
    title: str
    capacity: int  # 0: no limit
    enrolled: int
    waitlisted: int

    @property
    def fill(self) -> float | None:
        return self.enrolled / self.capacity if self.capacity else None

    @property
    def full(self) -> bool:
        return bool(self.capacity) and self.enrolled >= self.capacity


def course_fill(site_ids: Sequence[int]) -> list[CourseFill]:
    """The courses (not withdrawn) of the sites, with their enrolled and waitlisted counts; fullest first."""
    if not site_ids:
        return []
    counts: dict[int, dict[str, int]] = {}
    tally = (
        Enrollment.select(Enrollment.course, Enrollment.status, fn.COUNT(Enrollment.id))
        .join(Course)
        .where(Course.site.in_(list(site_ids)) & Course.withdrawn_at.is_null())
        .group_by(Enrollment.course, Enrollment.status)
    )
    for course_id, status, count in tally.tuples():
        counts.setdefault(course_id, {})[status] = count
    courses = (
        Course.select(Course.id, Course.site, Site.name, Course.title, Course.capacity)
        .join(Site)
        .where(Course.site.in_(list(site_ids)) & Course.withdrawn_at.is_null())
        .tuples()
    )
    rows = [
        CourseFill(
            site_id, site, title, capacity, counts.get(i, {}).get("enrolled", 0), counts.get(i, {}).get("waitlisted", 0)
        )
        for i, site_id, site, title, capacity in courses
    ]
    return sorted(rows, key=lambda c: (-(c.fill or 0), -c.enrolled, c.site, c.title))


# --- the members' portrait --------------------------------------------------------------------------------


@dataclass
class Portrait:
    """Members (active, not merged) per age band and gender; those without a birth year apart."""

    bands: dict[str, dict[str, int]] = field(default_factory=lambda: {b: {} for b in AGE_BANDS})
    no_age: int = 0

    def count(self, band: str, gender: str) -> int:
        return self.bands[band].get(gender, 0)

    @property
    def genders(self) -> list[str]:
        seen = {g for counts in self.bands.values() for g in counts}
        return [*GENDERS, *sorted(seen - set(GENDERS))]


def portrait(site_ids: Sequence[int], today: date) -> Portrait:
    result = Portrait()
    if not site_ids:
        return result
    query = (
        _roster(Member.birth_year, Member.gender, fn.COUNT(Member.id))
        .where(_members_of(site_ids))
        .group_by(Member.birth_year, Member.gender)
    )
    for birth_year, gender, count in query.tuples():
        if birth_year is None:
            result.no_age += count
            continue
        band = age_band(today.year - birth_year)
        key = gender if gender in GENDERS else UNKNOWN_GENDER
        result.bands[band][key] = result.bands[band].get(key, 0) + count
    return result


def age_band(age: int) -> str:
    """The band of an age in years (what portrait() counts a birth year into)."""
    return AGE_BANDS[min(max(age // 10 - 5, 0), len(AGE_BANDS) - 1)]
