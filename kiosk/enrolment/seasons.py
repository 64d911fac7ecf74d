"""The season open now and its courses as one senior sees them (docs/design.md §4.8, §8.2)."""

import json
from dataclasses import dataclass
from datetime import date, datetime

from kiosk.enrolment import eligibility
from kiosk.enrolment.eligibility import Applicant
from kiosk.programme.schedule import weekly_slots
from kiosk.store.models import Application, Course, Member, Season, Site, Term

CATEGORIES_OVER = 6  # more courses than this: a first screen of category buttons


@dataclass(frozen=True)
class SeasonView:
    key: str
    title: str
    opens: datetime
    closes: datetime
    draw_at: datetime
    max_courses: int
    members_only: bool
    older_first: int | None = None  # applicants this old on the term's first day draw first


@dataclass(frozen=True)
class CourseCard:
    """A course of the season as a card: what it is, when and where, and where the senior stands."""

    key: str  # the bureau's course key
    title: str
    category: str
    teacher: str
    slots: tuple[tuple[int, str, str], ...]  # (weekday 1..7, start, end)
    room: str
    capacity: int  # 0: no limit
    age_min: int | None
    age_max: int | None
    applied: bool  # this senior has applied (and not withdrawn)
    refusal: str  # why they may not apply (eligibility), "" when they may
    # The season puts older applicants first and the card read carries no birth date (a QR card):
    # the ID card would let them count.
    older_needs_id: bool = False


def view(season: Season) -> SeasonView:
    return SeasonView(
        season.key,
        season.title,
        season.opens,
        season.closes,
        season.draw_at,
        season.max_courses,
        season.members_only,
        season.older_first,
    )


def open_season(now: datetime) -> SeasonView | None:
    """The season seniors may apply in now (opens <= now < closes, not drawn); the one closing
    first when two overlap."""
    found = (
        Season.select()
        .where(Season.opens <= now, Season.closes > now, ~Season.drawn)
        .order_by(Season.closes, Season.key)
        .first()
    )
    return view(found) if found else None


def held(key: str) -> Season | None:
    return Season.get_or_none(Season.key == key)


def course_keys(season: Season) -> list[str]:
    return [str(k) for k in json.loads(season.courses)]


def courses(season: Season) -> list[Course]:
    """The season's courses this kiosk holds, in the season's order, each with its term (one query:
    first_day reads it without another)."""
    keys = course_keys(season)
    found = Course.select(Course, Term).join(Term).where(Course.bureau_key.in_([f"course:{k}" for k in keys]))
    rows = {key_of(c): c for c in found}
    return [rows[k] for k in keys if k in rows]


def key_of(course: Course) -> str:
    """The bureau's key of a course it published ("course:<key>" on the kiosk)."""
    return (course.bureau_key or "").removeprefix("course:")


def first_day(course: Course) -> date:
    """The day a course's age range is reckoned on: its term's first."""
    return course.term.start


def applied(member_no: str, season_key: str) -> set[str]:
    """The course keys the member has applied for in the season (not withdrawn)."""
    rows = Application.select(Application.course).where(
        Application.member_no == member_no, Application.season == season_key, Application.status == "applied"
    )
    return {r.course for r in rows}


def cards(season_key: str, applicant: Applicant, here_site: str) -> list[CourseCard]:
    """The season's courses for this senior, in the season's order."""
    season = held(season_key)
    member = Member.select(Member, Site).join(Site).where(Member.member_no == applicant.member_no).first()
    if season is None or member is None:
        return []
    mine = applied(applicant.member_no, season.key)
    member_site = member.site.code
    out = []
    for course in courses(season):
        key = key_of(course)
        out.append(
            CourseCard(
                key=key,
                title=course.name,
                category=course.category,
                teacher=course.teacher,
                slots=tuple((s["weekday"], s["start"], s["end"]) for s in weekly_slots(course)),
                room=course.room,
                capacity=course.capacity,
                age_min=course.age_min,
                age_max=course.age_max,
                applied=key in mine,
                refusal=eligibility.refusal(
                    members_only=season.members_only,
                    member_site=member_site,
                    here_site=here_site,
                    age_min=course.age_min,
                    age_max=course.age_max,
                    birth=applicant.birth_date,
                    first_day=first_day(course),
                ),
                older_needs_id=season.older_first is not None and applicant.birth_date is None,
            )
        )
    return out


def categories(shown: list[CourseCard]) -> list[str]:
    """The categories of the cards, in the order they first come, when there are so many courses
    that the senior picks a category first; [] otherwise."""
    if len(shown) <= CATEGORIES_OVER:
        return []
    return list(dict.fromkeys(c.category for c in shown))
