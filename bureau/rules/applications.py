"""The kiosks' `application` facts (报名季, docs/enrolment.md) filed by a round, set-based: the
seasons, their courses and the members' applications the round's facts name are read in three
queries, the facts applied in order in memory, and the rows written in one multi-row upsert.

A fact for a season or course the bureau does not know, before the season opens or after it
closed (or once its applicant list is frozen), is dead-lettered with the reason; one from a kiosk
of another site than the season's is refused (wrong_site).  An application beyond the season's
courses a person is kept `refused` with TOO_MANY: the senior is told at the next card read.
"""

from dataclasses import dataclass, field
from datetime import datetime

from bureau.models import Application
from bureau.rules import sql
from bureau.rules.fields import BadFact
from bureau.rules.sites import WRONG_SITE, Refused

TOO_MANY = "超过每人限报门数"
# What a row is at a moment: these count towards the season's courses a person.
ACTIVE = ("applied",)
COLUMNS = (  # an Application row as the rules and the draw write it
    "season_id",
    "course_id",
    "member_no",
    "status",
    "priority",
    "rank",
    "age_checked",
    "applied_at",
    "by",
    "reason",
    "refusal",
    "older",
)
_UPDATE = ("status", "age_checked", "applied_at", "by", "reason", "refusal", "older")


@dataclass(slots=True)
class Open:
    """A season as the round needs it."""

    id: int
    site: int
    opens: datetime
    closes: datetime
    frozen: bool
    max_courses: int
    courses: dict[str, int] = field(default_factory=dict)  # course key -> course id


class Applications:
    def __init__(self) -> None:
        self.seasons: dict[str, Open | None] = {}
        self.held: dict[tuple[int, str], dict[int, str]] = {}  # (season, member) -> course id -> status
        self.rows: dict[tuple[int, int, str], tuple] = {}

    def load(self, keys: set[str], members: set[str]) -> None:
        """The seasons named by `keys` with their courses, and the applications `members` hold in them."""
        wanted = sorted(keys - self.seasons.keys())
        for key in wanted:
            self.seasons[key] = None
        for chunk in sql.chunks(wanted, 500):
            for sid, key, site, opens, closes, hashed, most in sql.query(_SEASONS.format(sql.marks(len(chunk))), chunk):
                self.seasons[key] = Open(sid, site, _moment(opens), _moment(closes), bool(hashed), most)
        by_id = {s.id: s for s in self.seasons.values() if s is not None}
        if not by_id:
            return
        ids = sorted(by_id)
        for sid, course_key, course_id in sql.query(_COURSES.format(sql.marks(len(ids))), ids):
            by_id[sid].courses[course_key] = course_id
        numbers = sorted(members)
        for chunk in sql.chunks(numbers, 400):
            for sid, course_id, member, status in sql.query(
                _HELD.format(sql.marks(len(ids)), sql.marks(len(chunk))), (*ids, *chunk)
            ):
                self.held.setdefault((sid, member), {})[course_id] = status

    def file(self, fact_site: int, sites: dict[int, str], member: str, p, at: datetime) -> None:
        """One fact, `member` the canonical member it names, `at` on the bureau's clock."""
        season = self.seasons.get(p.season)
        if season is None:
            raise BadFact(f"season {p.season} is unknown to the bureau")
        if season.site != fact_site:
            raise Refused(
                WRONG_SITE,
                f"season {p.season} is site {sites.get(season.site)}'s, not this kiosk's {sites.get(fact_site)}",
            )
        course = season.courses.get(p.course)
        if course is None:
            raise BadFact(f"course {p.course} is not offered in season {p.season}")
        if p.action not in ("apply", "withdraw"):
            raise BadFact(f"an application's action is apply or withdraw, not {p.action}")
        if season.frozen or at >= season.closes:
            raise BadFact(f"season {p.season} closed at {season.closes:%Y-%m-%d %H:%M}: its applicant list is fixed")
        if at < season.opens:
            raise BadFact(f"season {p.season} opens at {season.opens:%Y-%m-%d %H:%M}")
        held = self.held.setdefault((season.id, member), {})
        if p.action == "withdraw":
            if course not in held:
                raise BadFact(f"member {member} has no application for course {p.course} to withdraw")
            status, refusal = "withdrawn", ""
        else:
            if held.get(course) in ACTIVE:
                status, refusal = held[course], ""  # the same again (a second tap): as it was
            else:
                active = sum(1 for c, s in held.items() if s in ACTIVE and c != course)
                status, refusal = ("refused", TOO_MANY) if active >= season.max_courses else ("applied", "")
        held[course] = status
        self.rows[season.id, course, member] = (
            season.id,
            course,
            member,
            status,
            0,
            None,
            p.age_checked,
            at,
            "",
            p.reason[:500],
            refusal,
            p.older,  # an apply again (with the ID card this time) replaces it, as the other fields
        )

    def flush(self) -> None:
        sql.upsert(Application, COLUMNS, list(self.rows.values()), COLUMNS[:3], _UPDATE)
        self.rows = {}


def _moment(value) -> datetime:
    return Application.applied_at.python_value(value)


_SEASONS = """
    SELECT id, key, site_id, opens, closes, applicants_hash <> '' OR drawn_at IS NOT NULL, max_courses
    FROM season WHERE key IN ({})"""
_COURSES = """
    SELECT sc.season_id, c.key, c.id FROM season_course sc JOIN course c ON c.id = sc.course_id
    WHERE sc.season_id IN ({}) AND c.withdrawn_at IS NULL"""
_HELD = "SELECT season_id, course_id, member_no, status FROM application WHERE season_id IN ({}) AND member_no IN ({})"
