"""Apply for a course of the open season, or withdraw, at the kiosk (docs/design.md §4.8).

Each change is a row of `application` and an `application` fact (contract.payloads.Application)
in one write transaction, checked inside it: the season open (opens <= now < closes, not drawn),
the course one of its courses, the senior eligible (kiosk.enrolment.eligibility), at most
`max_courses` applications.  Staff may apply for a senior who brought a relative's card (代为报名)
with their own PIN and a reason (screens/senior/enrol.py asks both): the fact then carries the
staff's origin and the reason, and an audit entry (`enrol.proxy`) is written with it.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from kiosk.enrolment import eligibility, seasons
from kiosk.enrolment.eligibility import Applicant
from kiosk.staff import audit
from kiosk.staff.audit import Actor
from kiosk.store import facts
from kiosk.store.db import write
from kiosk.store.models import Application, Course, Member

log = logging.getLogger(__name__)

# What staff may give as the reason for applying for a senior (the catalog's season.proxy_reasons.<key>).
PROXY_REASONS = ("immobile", "family", "other")


@dataclass(frozen=True)
class Origin:
    """Where a change comes from: this kiosk, and the staff member applying for the senior with
    their reason (one of PROXY_REASONS), or the senior themselves (actor None)."""

    kiosk_id: str
    site: str
    actor: Actor | None = None
    reason: str = ""


@dataclass(frozen=True)
class Outcome:
    """applied, withdrawn, already (nothing to do), too_many (max_courses reached), refused
    (`refusal` says why), closed (no open season, or it closed), not_found."""

    kind: str
    course: str = ""  # the course's title
    refusal: str = ""
    season: seasons.SeasonView | None = None


def apply(applicant: Applicant, season_key: str, course_key: str, now: datetime, origin: Origin) -> Outcome:
    return _change(applicant, season_key, course_key, now, origin, "apply")


def withdraw(applicant: Applicant, season_key: str, course_key: str, now: datetime, origin: Origin) -> Outcome:
    return _change(applicant, season_key, course_key, now, origin, "withdraw")


def _change(
    applicant: Applicant, season_key: str, course_key: str, now: datetime, origin: Origin, action: str
) -> Outcome:
    if origin.actor is not None and origin.reason not in PROXY_REASONS:
        raise ValueError(f"staff applying for a senior give one of {PROXY_REASONS}, not {origin.reason!r}")
    with write():
        season = seasons.held(season_key)
        member = Member.get_or_none(Member.member_no == applicant.member_no)
        course = Course.get_or_none(Course.bureau_key == f"course:{course_key}")
        if season is None or member is None or course is None or course_key not in seasons.course_keys(season):
            return Outcome("not_found")
        shown = seasons.view(season)
        if not (season.opens <= now < season.closes) or season.drawn:
            return Outcome("closed", course.name, season=shown)
        row = Application.get_or_none(
            Application.member_no == member.member_no,
            Application.season == season.key,
            Application.course == course_key,
        )
        active = row is not None and row.status == "applied"
        age_checked = older = False
        if action == "apply":
            if active:
                return Outcome("already", course.name, season=shown)
            why = eligibility.refusal(
                members_only=season.members_only,
                member_site=member.site.code,
                here_site=origin.site,
                age_min=course.age_min,
                age_max=course.age_max,
                birth=applicant.birth_date,
                first_day=seasons.first_day(course),
            )
            if why:
                return Outcome("refused", course.name, why, shown)
            if len(seasons.applied(member.member_no, season.key)) >= season.max_courses:
                return Outcome("too_many", course.name, season=shown)
            age_checked = course.age_min is not None or course.age_max is not None
            older = eligibility.older(season.older_first, applicant.birth_date, seasons.first_day(course))
            status = "applied"
        else:
            if not active:
                return Outcome("already", course.name, season=shown)
            status = "withdrawn"
        staff_name = origin.actor.name if origin.actor else ""
        fields = {
            "status": status,
            "at": now,
            "age_checked": age_checked,
            "staff_name": staff_name,
            "reason": origin.reason,
        }
        if row is None:
            Application.create(member_no=member.member_no, season=season.key, course=course_key, **fields)
        else:
            Application.update(**fields).where(Application.id == row.id).execute()
        who = origin.actor.origin() if origin.actor else {"kiosk_id": origin.kiosk_id, "site": origin.site}
        facts.record(
            "application",
            facts.new_event_id(),
            {
                "member_no": member.member_no,
                "season": season.key,
                "course": course_key,
                "action": action,
                "at": now.isoformat(),
                "age_checked": age_checked,
                "older": older,
                "reason": origin.reason,
                **who,
            },
            now,
        )
        if origin.actor is not None:
            audit.record(
                origin.actor,
                f"season.proxy_{action}",
                f"member {member.member_no}",
                now,
                origin.reason,
                season=season.title,
                course=course.name,
            )
    log.info("%s %s %s in season %s", member.member_no, action, course_key, season.key)
    return Outcome("applied" if action == "apply" else "withdrawn", course.name, season=shown)
