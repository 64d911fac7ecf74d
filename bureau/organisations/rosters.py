"""An organisation's roster: who joins (a member of its site; of any site for a bureau-wide one),
who leaves (the row is kept with `until`, for the 台账 of the years they served), and roles.

One 书记 / 队长 / 会长 at a time: naming a second is refused, with a message saying who holds the
office now (change their role first).  Joining a party branch records a roster only: it never
touches the member's Situation (bureau/care, sensitive).  One row a member and organisation: one
who comes back gets their row again, from their first `since`, the gap not kept.  Every change
runs inside the caller's store.write(), is audited, and publishes the organisation's item when the
current members change (bureau.organisations.publish).
"""

from datetime import date

from peewee import Expression, ModelSelect, Node

from bureau import audit
from bureau.models import Member, Organisation, OrgMember
from bureau.organisations.orgs import OrganisationError, leader, plain, roles
from bureau.organisations.publish import publish


def current(org: Organisation) -> ModelSelect:
    """The organisation's current members (those who have not left), leaders first."""
    return OrgMember.select().where(OrgMember.organisation == org, OrgMember.until.is_null())


def on_roster(on: date | Node) -> Expression:
    """The condition on OrgMember of a member on the roster on `on`: a day, or a column of days
    (the volunteer hours per team join it to each service's day)."""
    return (OrgMember.since.is_null() | (OrgMember.since <= on)) & (OrgMember.until.is_null() | (OrgMember.until >= on))


def members_of(org: Organisation, on: date) -> set[str]:
    """The member numbers of those on the roster on `on`: joined by then (or no date of joining)
    and not left before it, while the organisation was not dissolved.  What a year's 台账 counts
    attendance against, and what volunteer hours per team use."""
    if org.dissolved_at is not None and on > org.dissolved_at:
        return set()
    rows = OrgMember.select(OrgMember.member_no).where(OrgMember.organisation == org, on_roster(on))
    return {r.member_no for r in rows}


def served(org: Organisation, first: date, last: date) -> list[OrgMember]:
    """The roster rows of those who were members at some time from `first` to `last`."""
    return list(
        OrgMember.select()
        .where(
            OrgMember.organisation == org,
            OrgMember.since.is_null() | (OrgMember.since <= last),
            OrgMember.until.is_null() | (OrgMember.until >= first),
        )
        .order_by(OrgMember.since, OrgMember.member_no)
    )


def join(org: Organisation, member_no: str, role: str, since: date, username: str) -> OrgMember:
    _open(org)
    member = Member.get_or_none(Member.member_no == member_no.strip())
    if member is not None and member.merged_into:
        member = Member.get_or_none(Member.member_no == member.merged_into)
    if member is None or (org.site_id is not None and member.site_id != org.site_id):
        where = "本站点" if org.site_id is not None else "任何站点"
        raise OrganisationError(f"{where}没有学号 {member_no} 的学员。")
    role = _role(org, role or plain(org.kind))
    row = OrgMember.get_or_none(OrgMember.organisation == org, OrgMember.member_no == member.member_no)
    if row is not None and row.until is None:
        raise OrganisationError(f"{member.name}（{member.member_no}）已经是「{org.name}」的成员了。")
    _one_leader(org, role, member.member_no)
    if row is None:
        row = OrgMember.create(organisation=org, member_no=member.member_no, role=role, since=since)
    else:  # back again: their row, from their first day
        first = min(d for d in (row.since, since) if d is not None)
        OrgMember.update(role=role, since=first, until=None).where(OrgMember.id == row.id).execute()
        row = OrgMember.get_by_id(row.id)
    publish(org)
    detail = {"key": org.key, "member_no": member.member_no, "role": role, "since": since}
    audit.record(username, "organisation.join", f"{org.name}：{member.name}", org.site, detail)
    return row


def leave(org: Organisation, member_no: str, day: date, username: str, reason: str = "") -> OrgMember:
    """Left on `day` (no later than today): kept on the roster of the years before."""
    _open(org)
    row = _member(org, member_no)
    if day > date.today():
        raise OrganisationError("离开日期不能晚于今天。")
    if row.since is not None and day < row.since:
        raise OrganisationError(f"离开日期不能早于加入日期 {row.since}。")
    OrgMember.update(until=day).where(OrgMember.id == row.id).execute()
    publish(org)
    detail = {"key": org.key, "member_no": row.member_no, "role": row.role, "until": day}
    audit.record(username, "organisation.leave", f"{org.name}：{_name(row.member_no)}", org.site, detail, reason)
    return OrgMember.get_by_id(row.id)


def change_role(org: Organisation, member_no: str, role: str, username: str) -> OrgMember:
    _open(org)
    row = _member(org, member_no)
    role = _role(org, role)
    if role == row.role:
        return row
    _one_leader(org, role, row.member_no)
    OrgMember.update(role=role).where(OrgMember.id == row.id).execute()
    detail = {"key": org.key, "member_no": row.member_no, "role": [row.role, role]}
    audit.record(username, "organisation.role", f"{org.name}：{_name(row.member_no)}", org.site, detail)
    return OrgMember.get_by_id(row.id)


def _open(org: Organisation) -> None:
    if org.dissolved_at is not None:
        raise OrganisationError("这个组织已经撤销，名单不能再修改。")


def _role(org: Organisation, role: str) -> str:
    if role not in roles(org.kind):
        raise OrganisationError(f"「{org.name}」没有「{role}」这个职务。")
    return role


def _one_leader(org: Organisation, role: str, member_no: str) -> None:
    """Refused if `role` is the leader's and another current member holds it."""
    if role != leader(org.kind):
        return
    holder = current(org).where(OrgMember.role == role, OrgMember.member_no != member_no).first()
    if holder is not None:
        raise OrganisationError(
            f"「{org.name}」的{role}现在是{_name(holder.member_no)}（{holder.member_no}）。"
            f"一个组织同时只有一位{role}：请先把{_name(holder.member_no)}的职务改为其他，再任命新的{role}。"
        )


def _member(org: Organisation, member_no: str) -> OrgMember:
    row = current(org).where(OrgMember.member_no == member_no).first()
    if row is None:
        raise OrganisationError(f"学号 {member_no} 不是「{org.name}」的现有成员。")
    return row


def _name(member_no: str) -> str:
    member = Member.get_or_none(Member.member_no == member_no)
    return member.name if member else member_no
