"""The figures of the console's hierarchy and charts (bureau/console/sites.py, charts.py): per site,
summed up the hierarchy, attendance per week beside last year's, courses by fill rate, unmet
demand, and the members' portrait.

A Tally holds the figures of one set of sites (the Viewer's choice, already scoped) as of one day,
each computed by one grouped query when first asked for: a page, its tables and their .xlsx share
them, and a download of one table computes only what that table shows.  Sign-ins are summed from
DailyAttendance (bureau/daily.py: a row a site and day), never counted from Attendance, except the
active seniors (distinct members over 30 days, which no daily sum gives): those read Attendance's
(site, business_day, member_no) index alone.  The same SQL runs on SQLite and PostgreSQL.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property

from peewee import JOIN, Case, fn

from bureau.models import Attendance, Course, DailyAttendance, Enrollment, Member, Site, Term
from bureau.reports import _date, _roster

ACTIVE_DAYS = 30
WEEKS = 52
AGE_BANDS = ("60岁以下", "60–69岁", "70–79岁", "80–89岁", "90岁及以上")
GENDERS = ("男", "女")
UNKNOWN_GENDER = "未填写"


# --- one set of sites, as of one day -----------------------------------------------------------------------


class Tally:
    """The figures of the sites `site_ids` as of `today`, each computed once, when first used."""

    def __init__(self, site_ids: Sequence[int], today: date):
        self.ids = list(dict.fromkeys(site_ids))
        self.today = today

    @cached_property
    def every_site(self) -> list[int]:
        return [i for (i,) in Site.select(Site.id).tuples()]

    def _members_of(self):
        """The condition "registered at one of the sites": none when they are every site, which
        spares PostgreSQL comparing each of 50,000 members with 40 site ids."""
        if set(self.ids) == set(self.every_site):
            return Member.site.is_null(False)
        return Member.site.in_(self.ids)

    @cached_property
    def roster(self) -> dict[tuple[int, int | None, str], tuple[int, int]]:
        """Members (active, not merged) per (site, birth year, gender), and how many of them signed
        in (at any site) in the ACTIVE_DAYS days up to today: one pass over the members gives the
        hierarchy's counts, the active seniors and the portrait."""
        if not self.ids:
            return {}
        # Every site named, so that the (site, business_day, member_no) index alone serves.
        seen = Attendance.select(Attendance.member_no).where(
            Attendance.site.in_(self.every_site)
            & Attendance.business_day.between(self.today - timedelta(days=ACTIVE_DAYS - 1), self.today)
        )
        active = fn.SUM(Case(None, [(Member.member_no.in_(seen), 1)], 0))
        query = (
            _roster(Member.site, Member.birth_year, Member.gender, fn.COUNT(Member.id), active)
            .where(self._members_of())
            .group_by(Member.site, Member.birth_year, Member.gender)
        )
        return {(site, year, gender): (n, int(a or 0)) for site, year, gender, n, a in query.tuples()}

    @cached_property
    def members(self) -> dict[int, int]:
        """Members registered at each site (those with none left out)."""
        return self._per_site(0)

    @cached_property
    def active(self) -> dict[int, int]:
        """Per site of registration: members who signed in (at any site) in the ACTIVE_DAYS days up to today."""
        return {site: n for site, n in self._per_site(1).items() if n}

    def _per_site(self, column: int) -> dict[int, int]:
        counts: dict[int, int] = {}
        for (site, _, _), values in self.roster.items():
            counts[site] = counts.get(site, 0) + values[column]
        return counts

    @cached_property
    def signins_this_month(self) -> dict[int, int]:
        """Sign-ins at each site from the 1st of today's month."""
        if not self.ids:
            return {}
        query = (
            DailyAttendance.select(DailyAttendance.site, fn.SUM(DailyAttendance.signins))
            .where(
                DailyAttendance.site.in_(self.ids) & DailyAttendance.day.between(self.today.replace(day=1), self.today)
            )
            .group_by(DailyAttendance.site)
        )
        return {site: int(n) for site, n in query.tuples()}

    @cached_property
    def courses(self) -> list["CourseFill"]:
        return course_fill(self.ids, self.today)

    @cached_property
    def weekly(self) -> "Weekly":
        return weekly_attendance(self.ids, self.today)

    @cached_property
    def portrait(self) -> "Portrait":
        result = Portrait()
        for (_, birth_year, gender), (count, _) in self.roster.items():
            if birth_year is None:
                result.no_age += count
                continue
            band = age_band(self.today.year - birth_year)
            key = gender if gender in GENDERS else UNKNOWN_GENDER
            result.bands[band][key] = result.bands[band].get(key, 0) + count
        return result

    @cached_property
    def per_site(self) -> dict[int, "Figures"]:
        """The hierarchy's figures of each site."""
        figures = {i: Figures(sites=1) for i in self.ids}
        for site_id, count in self.members.items():
            figures[site_id].members = count
        for site_id, count in self.active.items():
            figures[site_id].active = count
        for site_id, count in self.signins_this_month.items():
            figures[site_id].signins = count
        for course in self.courses:
            f = figures[course.site_id]
            f.courses += 1
            if course.capacity:
                f.enrolled, f.capacity = f.enrolled + course.enrolled, f.capacity + course.capacity
        return figures


# --- per site, and summed up the tree -------------------------------------------------------------------


@dataclass
class Figures:
    """What the hierarchy page shows of a site, or of all the sites under a region."""

    sites: int = 0
    members: int = 0  # registered, active, merged numbers not counted
    active: int = 0  # of those, signed in within ACTIVE_DAYS (at any site)
    signins: int = 0  # sign-ins at the site this month
    courses: int = 0  # courses of terms not over, not withdrawn
    enrolled: int = 0  # enrolled on those of them that have a capacity
    capacity: int = 0  # the places of those courses

    @property
    def fill(self) -> float | None:
        return self.enrolled / self.capacity if self.capacity else None

    def add(self, other: "Figures") -> "Figures":
        return Figures(*(getattr(self, f) + getattr(other, f) for f in _FIELDS))


_FIELDS = ("sites", "members", "active", "signins", "courses", "enrolled", "capacity")


def site_figures(site_ids: Sequence[int], today: date) -> dict[int, Figures]:
    """Figures of each site of `site_ids`, as of `today` (sign-ins: from the 1st of its month)."""
    return Tally(site_ids, today).per_site


def active_members(site_ids: Sequence[int], today: date) -> dict[int, int]:
    """Per site of registration: members who signed in (at any site) in the ACTIVE_DAYS days up to today."""
    return Tally(site_ids, today).active


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
    """Summed from the sites' daily counts: at most 2 × 371 days a site, grouped by day in SQL."""
    first = today - timedelta(days=today.weekday()) - timedelta(weeks=weeks - 1)
    back = timedelta(weeks=52)  # the same weekdays a year before
    mondays = [first + timedelta(weeks=i) for i in range(weeks)]
    counts = dict.fromkeys(mondays, 0) | {m - back: 0 for m in mondays}
    if site_ids:
        days = (
            DailyAttendance.select(DailyAttendance.day, fn.SUM(DailyAttendance.signins))
            .where(DailyAttendance.site.in_(list(site_ids)) & DailyAttendance.day.between(first - back, today))
            .group_by(DailyAttendance.day)
        )
        for day, count in days.tuples():
            d = _date(day)
            monday = d - timedelta(days=d.weekday())
            if monday in counts:
                counts[monday] += int(count)
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


def course_fill(site_ids: Sequence[int], today: date | None = None) -> list[CourseFill]:
    """The courses of the sites (not withdrawn) whose term is not over by `today` (the running
    term and those set up ahead: ten years of past terms would bury them), with their enrolled
    and waitlisted counts, in one grouped query; fullest first."""
    if not site_ids:
        return []
    today = today or date.today()
    enrolled = fn.SUM(Case(None, [(Enrollment.status == "enrolled", 1)], 0))
    waitlisted = fn.SUM(Case(None, [(Enrollment.status == "waitlisted", 1)], 0))
    query = (
        Course.select(Course.site, Site.name, Course.title, Course.capacity, enrolled, waitlisted)
        .join(Site)
        .switch(Course)
        .join(Term)
        .switch(Course)
        .join(Enrollment, JOIN.LEFT_OUTER)
        .where(Course.site.in_(list(site_ids)) & Course.withdrawn_at.is_null() & (Term.end >= today))
        .group_by(Course.id, Course.site, Site.name, Course.title, Course.capacity)
    )
    rows = [
        CourseFill(site_id, site, title, capacity, int(n or 0), int(w or 0))
        for site_id, site, title, capacity, n, w in query.tuples()
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
    return Tally(site_ids, today).portrait


def age_band(age: int) -> str:
    """The band of an age in years (what portrait() counts a birth year into)."""
    return AGE_BANDS[min(max(age // 10 - 5, 0), len(AGE_BANDS) - 1)]
