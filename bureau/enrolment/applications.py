"""Applications at the desk (the console): staff apply for a senior, or withdraw one, while the
season is open; the season page's figures.  The kiosks' applications arrive as facts and are filed
by the rules (bureau/rules/applications.py) under the same limits.

Called inside store.write(); each change records its audit entry.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from bureau import audit
from bureau.enrolment import seasons
from bureau.enrolment.seasons import SeasonError
from bureau.models import Application, Course, Member, Season, SeasonCourse
from bureau.rules.applications import ACTIVE, TOO_MANY

STATUSES = {"applied": "已报名", "withdrawn": "已撤回", "won": "中签", "waitlisted": "候补", "refused": "不符合条件"}


def _open(season: Season, now: datetime) -> None:
    if seasons.state(season, now) != "open":
        raise SeasonError(
            f"报名季「{season.title}」现在不在报名时间内（{seasons.STATES[seasons.state(season, now)]}）。"
        )


def _offered(season: Season, course: Course) -> None:
    if not SeasonCourse.select().where(SeasonCourse.season == season, SeasonCourse.course == course).exists():
        raise SeasonError(f"「{course.title}」不在这个报名季里。")


def apply(
    season: Season,
    course: Course,
    member: Member,
    username: str,
    now: datetime,
    birth: date | None = None,
    reason: str = "",
) -> Application:
    """Staff apply for `member`.  `birth`: the birth date read off the ID card the senior shows
    (checked against the course's ages on the term's first day, and against the season's
    older_first for its older-first group; never stored, only that it was checked and whether the
    senior is that old); `reason`: why the senior is not here themselves (a relative came),
    required then and audited."""
    _open(season, now)
    _offered(season, course)
    if member.merged_into:
        raise SeasonError(f"学员 {member.member_no} 已合并到 {member.merged_into}，请用那个学号报名。")
    if not member.active:
        raise SeasonError(f"学员 {member.member_no} 已停用。")
    if season.members_only and member.site_id != season.site_id:
        raise SeasonError(f"本报名季只限本站学员，{member.name}（{member.member_no}）不是本站学员。")
    limited = course.age_min is not None or course.age_max is not None
    ages = seasons.age_text(course.age_min, course.age_max)
    if limited and birth is None:
        raise SeasonError(f"「{course.title}」有年龄要求（{ages}），请核对身份证上的出生日期。")
    first = season.term.start
    if birth is not None and not seasons.age_fits(course.age_min, course.age_max, birth, first):
        age = seasons.age_on(birth, first)
        raise SeasonError(f"按学期第一天 {first} 计算为 {age} 岁，不在「{course.title}」的年龄要求（{ages}）内。")
    held = {
        a.course_id: a
        for a in Application.select().where(Application.season == season, Application.member_no == member.member_no)
    }
    if course.id in held and held[course.id].status in ACTIVE:
        raise SeasonError(f"{member.name} 已经报名了「{course.title}」。")
    active = sum(1 for c, a in held.items() if a.status in ACTIVE and c != course.id)
    if active >= season.max_courses:
        raise SeasonError(f"{TOO_MANY}（{season.max_courses} 门）：{member.name} 已报 {active} 门。")
    older = seasons.older(season.older_first, birth, first)
    values = {
        "status": "applied",
        "age_checked": birth is not None,
        "older": older,
        "applied_at": now,
        "by": username,
        "reason": reason.strip(),
        "refusal": "",
    }
    if course.id in held:
        Application.update(**values).where(Application.id == held[course.id].id).execute()
        row = Application.get_by_id(held[course.id].id)
    else:
        row = Application.create(season=season, course=course, member_no=member.member_no, **values)
    target = f"{season.title} {course.title} {member.member_no}"
    detail = {
        "season": season.key,
        "course": course.key,
        "age_checked": birth is not None,
        "older": older,
        "present": not reason,
    }
    audit.record(username, "application.apply", target, season.site, detail, reason.strip())
    return row


def withdraw(season: Season, course: Course, member_no: str, username: str, now: datetime, reason: str = "") -> None:
    _open(season, now)
    row = Application.get_or_none(
        Application.season == season, Application.course == course, Application.member_no == member_no
    )
    if row is None or row.status not in ACTIVE:
        raise SeasonError(f"学员 {member_no} 没有报名「{course.title}」。")
    Application.update(status="withdrawn").where(Application.id == row.id).execute()
    audit.record(
        username, "application.withdraw", f"{season.title} {course.title} {member_no}", season.site, reason=reason
    )


@dataclass(frozen=True)
class Line:
    """A course of the season page: its offer and how many applied (by status)."""

    offer: seasons.Offer
    counts: Counter

    @property
    def applied(self) -> int:
        return self.counts["applied"] + self.counts["won"] + self.counts["waitlisted"]

    @property
    def over(self) -> bool:
        return bool(self.offer.capacity) and self.applied > self.offer.capacity


def lines(season: Season) -> list[Line]:
    counts: dict[int, Counter] = {}
    query = Application.select(Application.course, Application.status).where(Application.season == season)
    for course_id, status in query.tuples():
        counts.setdefault(course_id, Counter())[status] += 1
    return [Line(o, counts.get(o.course.id, Counter())) for o in seasons.offers(season)]


@dataclass(frozen=True)
class Applicant:
    application: Application
    member: Member | None


def applicants(season: Season, course: Course | None = None) -> list[Applicant]:
    """The season's applications (of `course`), by course title, then rank, then member number."""
    query = Application.select(Application, Course).join(Course).where(Application.season == season)
    if course is not None:
        query = query.where(Application.course == course)
    rows = list(query)
    numbers = sorted({a.member_no for a in rows})
    members = {m.member_no: m for m in Member.select().where(Member.member_no.in_(numbers))} if numbers else {}
    rows.sort(key=lambda a: (a.course.title, a.rank is None, a.rank or 0, a.member_no))
    return [Applicant(a, members.get(a.member_no)) for a in rows]
