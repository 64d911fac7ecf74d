"""The 银发人才库: skill domains (书画, 医疗, 法律 …, seeded by migration 0010, kept by the bureau's
admins) and each member's skills (a domain and a detail: 「擅长楷书」, 「退休内科医生」), edited by the
member's site's staff or the admins; the search of the pool with each volunteer's hours this year
and teams.  Every change is audited in its write transaction (the caller's store.write())."""

from dataclasses import dataclass
from datetime import date

from peewee import JOIN, ModelSelect, fn

from bureau import audit
from bureau.models import Member, MemberSkill, Need, Organisation, OrgMember, SkillDomain
from bureau.programme import members
from bureau.volunteers import VolunteerError, hours

NAME_MAX = 32
DETAIL_MAX = 100


# --- domains ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Domain:
    domain: SkillDomain
    skills: int  # members with the skill
    needs: int  # needs asking for it

    @property
    def used(self) -> bool:
        return bool(self.skills or self.needs)


def domains() -> list[SkillDomain]:
    return list(SkillDomain.select().order_by(SkillDomain.position, SkillDomain.id))


def domain_uses() -> list[Domain]:
    """Every domain in its order, with how many skills and needs name it (two grouped queries)."""
    skills = dict(
        MemberSkill.select(MemberSkill.domain, fn.COUNT(MemberSkill.id)).group_by(MemberSkill.domain).tuples()
    )
    needs = dict(
        Need.select(Need.domain, fn.COUNT(Need.id)).where(Need.domain.is_null(False)).group_by(Need.domain).tuples()
    )
    return [Domain(d, skills.get(d.id, 0), needs.get(d.id, 0)) for d in domains()]


def _name(name: str, other_than: SkillDomain | None = None) -> str:
    name = name.strip()
    if not name or len(name) > NAME_MAX:
        raise VolunteerError(f"领域名称应为 1 到 {NAME_MAX} 个字。")
    taken = SkillDomain.select().where(SkillDomain.name == name)
    if other_than is not None:
        taken = taken.where(SkillDomain.id != other_than.id)
    if taken.exists():
        raise VolunteerError(f"已有领域「{name}」。")
    return name


def add_domain(name: str, by: str) -> SkillDomain:
    name = _name(name)
    last = SkillDomain.select(fn.MAX(SkillDomain.position)).scalar() or 0
    made = SkillDomain.create(name=name, position=last + 1)
    audit.record(by, "volunteers.domain_add", name, detail={"name": name, "position": made.position})
    return made


def change_domain(domain: SkillDomain, name: str, position: int, by: str) -> None:
    """Rename a domain and give it its place in the list (the skills and needs keep it)."""
    before = (domain.name, domain.position)
    domain.name, domain.position = _name(name, domain), position
    domain.save()
    audit.record(
        by, "volunteers.domain_change", domain.name, detail={"was": before, "name": domain.name, "position": position}
    )


def delete_domain(domain: SkillDomain, by: str) -> None:
    """Remove a domain no member's skill and no need names: one in use is kept (rename it instead)."""
    in_use = MemberSkill.select().where(MemberSkill.domain == domain).count()
    asked = Need.select().where(Need.domain == domain).count()
    if in_use or asked:
        raise VolunteerError(
            f"「{domain.name}」正在使用（{in_use} 位志愿者的特长，{asked} 条需求），不能删除；可以改名。"
        )
    audit.record(by, "volunteers.domain_delete", domain.name, detail={"name": domain.name})
    domain.delete_instance()


# --- a member's skills -----------------------------------------------------------------------------------


def skills_of(member_no: str) -> list[MemberSkill]:
    return list(
        MemberSkill.select(MemberSkill, SkillDomain)
        .join(SkillDomain)
        .where(MemberSkill.member_no == member_no)
        .order_by(SkillDomain.position, SkillDomain.id)
    )


def set_skill(member: Member, domain: SkillDomain, detail: str, by: str) -> None:
    """Add the member's skill in `domain`, or change its detail."""
    detail = detail.strip()
    if len(detail) > DETAIL_MAX:
        raise VolunteerError(f"特长说明最多 {DETAIL_MAX} 个字。")
    found = MemberSkill.get_or_none(MemberSkill.member_no == member.member_no, MemberSkill.domain == domain)
    if found is None:
        MemberSkill.create(member_no=member.member_no, domain=domain, detail=detail)
    else:
        found.detail = detail
        found.save()
    audit.record(by, "volunteers.skill_set", member.member_no, member.site, {"domain": domain.name, "detail": detail})


def remove_skill(member: Member, domain: SkillDomain, by: str) -> None:
    gone = MemberSkill.delete().where(MemberSkill.member_no == member.member_no, MemberSkill.domain == domain).execute()
    if not gone:
        raise VolunteerError("这位学员没有这项特长。")
    audit.record(by, "volunteers.skill_remove", member.member_no, member.site, {"domain": domain.name})


# --- the pool --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Volunteer:
    member: Member
    skills: list[MemberSkill]
    minutes: int  # served this year
    services: int
    teams: list[str]


def pool(scoped: ModelSelect, domain: SkillDomain | None, query: str, today: date) -> list[Volunteer]:
    """The volunteers among `scoped` (members, already narrowed to the viewer's sites) with a skill
    (in `domain`), matching `query` as the member search does (initials, name, number, phone's last
    4), each with their skills, their hours this year and their teams now: four queries in all."""
    holders = MemberSkill.select(MemberSkill.member_no)
    if domain is not None:
        holders = holders.where(MemberSkill.domain == domain)
    found_in = scoped.where(Member.member_no.in_(holders))
    if query.strip():
        found = members.search(found_in, query)
    else:
        found = list(found_in.where(Member.merged_into.is_null()).order_by(Member.member_no).limit(members.LIMIT))
    numbers = [m.member_no for m in found]
    if not numbers:
        return []
    skills: dict[str, list[MemberSkill]] = {}
    for skill in (
        MemberSkill.select(MemberSkill, SkillDomain)
        .join(SkillDomain)
        .where(MemberSkill.member_no.in_(numbers))
        .order_by(SkillDomain.position, SkillDomain.id)
    ):
        skills.setdefault(skill.member_no, []).append(skill)
    served = hours.by_member(numbers, date(today.year, 1, 1), today)
    teams = teams_of(numbers, today)
    return [
        Volunteer(m, skills.get(m.member_no, []), *served.get(m.member_no, (0, 0)), teams.get(m.member_no, []))
        for m in found
    ]


def teams_of(numbers: list[str], day: date) -> dict[str, list[str]]:
    """The volunteer teams (志愿服务队) each member is in on `day`."""
    rows = (
        OrgMember.select(OrgMember.member_no, Organisation.name)
        .join(Organisation, JOIN.INNER)
        .where(
            OrgMember.member_no.in_(numbers),
            Organisation.kind == "team",
            Organisation.dissolved_at.is_null(),
            OrgMember.since.is_null() | (OrgMember.since <= day),
            OrgMember.until.is_null() | (OrgMember.until >= day),
        )
        .order_by(Organisation.name)
        .tuples()
    )
    found: dict[str, list[str]] = {}
    for no, name in rows:
        found.setdefault(no, []).append(name)
    return found
