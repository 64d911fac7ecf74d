"""Enrolment seasons (报名季): staff open one for a term of their site, choose its courses with each
one's places and age range, and withdraw it before its draw (docs/enrolment.md).

A season is item season:<key> of the "items" stream for its site's kiosks; its courses' items
(course:<key>) carry "age_min"/"age_max".  Every change is called inside store.write() and records
its audit entry there.  Times are local and naive, as the kiosks keep them.
"""

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from bureau import audit, streams
from bureau.models import Application, Course, Season, SeasonCourse, Site, Term
from bureau.programme import classes, notices

AGE_MAX = 120
OLDER_FIRST = (50, AGE_MAX)  # the ages a season's older-first group may start at


class SeasonError(ValueError):
    """A change the rules refuse (the message says why, in Chinese, for the staff member)."""


@dataclass(frozen=True)
class Fields:
    """What staff fill in for a season."""

    title: str
    opens: datetime
    closes: datetime
    draw_at: datetime
    max_courses: int = 2
    members_only: bool = True
    returning_first: bool = True
    older_first: int | None = None  # applicants at least this old on the term's first day draw first


@dataclass(frozen=True)
class Offer:
    """A course offered in a season, with the places and ages staff set for it."""

    course: Course
    capacity: int
    age_min: int | None
    age_max: int | None


def state(season: Season, now: datetime) -> str:
    """drawn, frozen (the list is fixed and its hash published), closed, open or coming."""
    if season.drawn_at is not None:
        return "drawn"
    if season.applicants_hash:
        return "frozen"
    if now >= season.closes:
        return "closed"
    return "open" if now >= season.opens else "coming"


STATES = {"coming": "未开始", "open": "报名中", "closed": "已截止", "frozen": "名单已公布", "drawn": "已摇号"}


def _checked(fields: Fields) -> Fields:
    title = fields.title.strip()
    if not title:
        raise SeasonError("请填写报名季名称。")
    if fields.closes <= fields.opens:
        raise SeasonError("截止时间要晚于开始时间。")
    if fields.draw_at < fields.closes:
        raise SeasonError("摇号时间不能早于报名截止时间。")
    if not 1 <= fields.max_courses <= 20:
        raise SeasonError("每人限报门数应为 1 到 20。")
    low, high = OLDER_FIRST
    if fields.older_first is not None and not low <= fields.older_first <= high:
        raise SeasonError(f"优先的年龄应为 {low} 到 {high} 岁，或不填（不按年龄优先）。")
    return Fields(
        title,
        fields.opens,
        fields.closes,
        fields.draw_at,
        fields.max_courses,
        fields.members_only,
        fields.returning_first,
        fields.older_first,
    )


def open_season(site: Site, term: Term, fields: Fields, username: str, now: datetime) -> Season:
    """A new season of `term` (of `site`), published to its kiosks with no course yet."""
    if term.site_id != site.id:
        raise SeasonError("学期不属于这个站点。")
    fields = _checked(fields)
    if fields.closes <= now:
        raise SeasonError("截止时间已经过去了。")
    season = Season.create(key=uuid.uuid4().hex[:16], site=site, term=term, created_by=username, **vars(fields))
    audit.record(username, "season.open", fields.title, site, {"key": season.key, "term": term.name, **vars(fields)})
    publish(season)
    return season


def edit(season: Season, fields: Fields, username: str, now: datetime) -> Season:
    """The season's dates and rules changed while its list is not fixed yet."""
    _not_fixed(season, now, "修改")
    fields = _checked(fields)
    if fields.older_first != season.older_first and now >= season.opens:
        # Applications say only whether their applicant was old enough for the age set when they came.
        raise SeasonError("报名开始后不能再修改按年龄优先的年龄。")
    Season.update(**vars(fields)).where(Season.id == season.id).execute()
    season = Season.get_by_id(season.id)
    audit.record(username, "season.update", fields.title, season.site, {"key": season.key, **vars(fields)})
    publish(season)
    return season


def offer(
    season: Season,
    course: Course,
    capacity: int,
    age_min: int | None,
    age_max: int | None,
    username: str,
    now: datetime,
) -> None:
    """`course` offered in the season (or its places and ages changed): the course is published again."""
    _not_fixed(season, now, "修改课程")
    if course.term_id != season.term_id or course.withdrawn_at is not None:
        raise SeasonError("只能选本学期仍在开设的课程。")
    if capacity < 0:
        raise SeasonError("名额不能是负数（0 表示不限）。")
    for age in (age_min, age_max):
        if age is not None and not 0 <= age <= AGE_MAX:
            raise SeasonError(f"年龄应为 0 到 {AGE_MAX}。")
    if age_min is not None and age_max is not None and age_max < age_min:
        raise SeasonError("最大年龄不能小于最小年龄。")
    SeasonCourse.insert(season=season, course=course).on_conflict_ignore().execute()
    Course.update(capacity=capacity, age_min=age_min, age_max=age_max).where(Course.id == course.id).execute()
    course = Course.get_by_id(course.id)
    detail = {"season": season.key, "course": course.key, "capacity": capacity, "age_min": age_min, "age_max": age_max}
    audit.record(username, "season.offer", f"{season.title} {course.title}", season.site, detail)
    classes.publish_course(course)
    publish(season)


def take_back(season: Season, course: Course, username: str, now: datetime) -> None:
    """`course` no longer offered; its applications go with it."""
    _not_fixed(season, now, "修改课程")
    Application.delete().where(Application.season == season, Application.course == course).execute()
    SeasonCourse.delete().where(SeasonCourse.season == season, SeasonCourse.course == course).execute()
    audit.record(username, "season.take_back", f"{season.title} {course.title}", season.site, {"course": course.key})
    publish(season)


def withdraw(season: Season, username: str, reason: str, now: datetime) -> None:
    """The season withdrawn before its draw: its applications deleted, its item too (a delete)."""
    if season.drawn_at is not None:
        raise SeasonError("已经摇号的报名季不能撤销。")
    applied = season.applications.count()
    title, site = season.title, season.site
    Application.delete().where(Application.season == season).execute()
    SeasonCourse.delete().where(SeasonCourse.season == season).execute()
    streams.publish("items", f"season:{season.key}", None, notices.scope(site))
    Season.delete().where(Season.id == season.id).execute()
    audit.record(username, "season.withdraw", title, site, {"key": season.key, "applications": applied}, reason)


def _not_fixed(season: Season, now: datetime, what: str) -> None:
    if season.drawn_at is not None or season.applicants_hash:
        raise SeasonError(f"报名名单已经公布，不能再{what}。")


def offers(season: Season) -> list[Offer]:
    """The season's courses by title."""
    rows = (
        Course.select()
        .join(SeasonCourse)
        .where(SeasonCourse.season == season, Course.withdrawn_at.is_null())
        .order_by(Course.title, Course.key)
    )
    return [Offer(c, c.capacity, c.age_min, c.age_max) for c in rows]


def item(season: Season) -> dict:
    """The season as its site's kiosks get it (the agreed format, docs/sync-protocol.md)."""
    return {
        "kind": "season",
        "key": season.key,
        "title": season.title,
        "term": season.term.name,
        "opens": season.opens.replace(microsecond=0).isoformat(),
        "closes": season.closes.replace(microsecond=0).isoformat(),
        "draw_at": season.draw_at.replace(microsecond=0).isoformat(),
        "max_courses": season.max_courses,
        "members_only": bool(season.members_only),
        "returning_first": bool(season.returning_first),
        "older_first": season.older_first,
        "drawn": season.drawn_at is not None,
        "courses": sorted(o.course.key for o in offers(season)),
    }


def publish(season: Season) -> None:
    streams.publish("items", f"season:{season.key}", item(season), notices.scope(season.site))


# --- eligibility by age ------------------------------------------------------------------------------------


def age_on(birth: date, day: date) -> int:
    """Full years on `day` (one born on 29 February turns a year older on 1 March in other years)."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def age_fits(age_min: int | None, age_max: int | None, birth: date, first_day: date) -> bool:
    """Whether one born on `birth` is within the range on the term's first day (both ends included)."""
    age = age_on(birth, first_day)
    return (age_min is None or age >= age_min) and (age_max is None or age <= age_max)


def older(older_first: int | None, birth: date | None, first_day: date) -> bool:
    """Whether one born on `birth` is in the season's older-first group: at least `older_first`
    years old on the term's first day (False without a birth date or without such a group)."""
    return older_first is not None and birth is not None and age_on(birth, first_day) >= older_first


def age_text(age_min: int | None, age_max: int | None) -> str:
    if age_min is None and age_max is None:
        return "不限"
    if age_max is None:
        return f"{age_min} 岁及以上"
    if age_min is None:
        return f"{age_max} 岁及以下"
    return f"{age_min}–{age_max} 岁"
