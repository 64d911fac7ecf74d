"""Organisations: create, edit (a change of term dates is a 换届), dissolve.

A party branch (党支部), a class's temporary branch (临时党支部: 支部建在班级上, of a course of its
site), a volunteer team (志愿服务队) or a club (社团/协会), of one site or (site None) of the bureau.
Its kind and site are fixed once made: the roster is the site's members.  Dissolved, it is kept with
its roster and activities for the 台账 of the years it served, and withdrawn from the kiosks.
Every function here runs inside the caller's store.write() and audits itself.
"""

import uuid
from dataclasses import dataclass, replace
from datetime import date

from bureau import audit
from bureau.models import ORG_KINDS, Course, Organisation, Site
from bureau.organisations.publish import publish

KINDS = {"branch": "党支部", "temp_branch": "临时党支部", "team": "志愿服务队", "club": "社团/协会"}
assert KINDS.keys() == set(ORG_KINDS)
PARTY = ("branch", "temp_branch")
# The roles of each kind, the leader first (one at a time), the plain member last (the default).
ROLES = {
    "branch": ("书记", "副书记", "组织委员", "宣传委员", "纪检委员", "委员", "党员"),
    "team": ("队长", "副队长", "队员"),
    "club": ("会长", "副会长", "秘书长", "会员"),
}
ROLES["temp_branch"] = ROLES["branch"]
NAME_MAX, NOTE_MAX = 40, 500


class OrganisationError(ValueError):
    """An organisation or roster change that cannot be made (the message says why, for staff)."""


def roles(kind: str) -> tuple[str, ...]:
    return ROLES[kind]


def leader(kind: str) -> str:
    return ROLES[kind][0]


def plain(kind: str) -> str:
    """The role of a member with no office (党员, 队员, 会员)."""
    return ROLES[kind][-1]


@dataclass(frozen=True)
class Fields:
    """What a form says of an organisation."""

    name: str
    term_start: date | None = None
    term_end: date | None = None
    note: str = ""
    course: Course | None = None  # a 临时党支部's class


def check(kind: str, site: Site | None, fields: Fields) -> Fields:
    fields = replace(fields, name=fields.name.strip(), note=fields.note.strip())
    if kind not in KINDS:
        raise OrganisationError(f"没有「{kind}」这类组织。")
    if not fields.name:
        raise OrganisationError("请填写组织名称。")
    if len(fields.name) > NAME_MAX or len(fields.note) > NOTE_MAX:
        raise OrganisationError(f"太长了：名称最多 {NAME_MAX} 个字，备注最多 {NOTE_MAX} 个字。")
    if fields.term_start and fields.term_end and fields.term_end <= fields.term_start:
        raise OrganisationError("届期的结束日期要晚于开始日期。")
    if kind == "temp_branch":
        if fields.course is None:
            raise OrganisationError("临时党支部建在班级上：请选择所在的班级。")
        if site is None or fields.course.site_id != site.id:
            raise OrganisationError("临时党支部的班级要是本站点的班级。")
        if fields.term_start is None and fields.term_end is None:  # the class's term, unless told
            term = fields.course.term
            fields = replace(fields, term_start=term.start, term_end=term.end)
    elif fields.course is not None:
        raise OrganisationError("只有临时党支部建在班级上。")
    return fields


def create(kind: str, site: Site | None, fields: Fields, username: str) -> Organisation:
    fields = check(kind, site, fields)
    org = Organisation.create(
        key=uuid.uuid4().hex,
        site=site,
        kind=kind,
        name=fields.name,
        course=fields.course,
        term_start=fields.term_start,
        term_end=fields.term_end,
        note=fields.note,
        created_by=username,
    )
    publish(org)
    audit.record(username, "organisation.create", org.name, site, {"key": org.key, "kind": kind, **_detail(org)})
    return org


def edit(org: Organisation, fields: Fields, username: str) -> Organisation:
    """Saved as `fields` say; new term dates are audited as 换届 (organisation.renew)."""
    _open(org)
    fields = check(org.kind, org.site, fields)
    before = _detail(org)
    Organisation.update(
        name=fields.name,
        course=fields.course,
        term_start=fields.term_start,
        term_end=fields.term_end,
        note=fields.note,
    ).where(Organisation.id == org.id).execute()
    org = Organisation.get_by_id(org.id)
    after = _detail(org)
    changed = {k: [before[k], v] for k, v in after.items() if before[k] != v}
    if not changed:
        return org
    publish(org)
    renewed = "term_start" in changed or "term_end" in changed
    action = "organisation.renew" if renewed else "organisation.edit"
    audit.record(username, action, org.name, org.site, {"key": org.key, "changed": changed})
    return org


def dissolve(org: Organisation, day: date, reason: str, username: str) -> Organisation:
    """Dissolved on `day`: kept with its roster and activities, withdrawn from the kiosks."""
    _open(org)
    Organisation.update(dissolved_at=day).where(Organisation.id == org.id).execute()
    org = Organisation.get_by_id(org.id)
    publish(org)
    audit.record(username, "organisation.dissolve", org.name, org.site, {"key": org.key, "day": day}, reason)
    return org


def _open(org: Organisation) -> None:
    if org.dissolved_at is not None:
        raise OrganisationError("这个组织已经撤销，不能再修改。")


def _detail(org: Organisation) -> dict:
    return {
        "name": org.name,
        "course": org.course.key if org.course_id else None,
        "term_start": org.term_start,
        "term_end": org.term_end,
        "note": org.note,
    }
