"""Needs (群众点单 — 社区派单 — 志愿者接单): a centre's staff post what a community, unit or person asks
for; the bureau suggests volunteers with the skill (the need's site's own first, others of the
bureau only for those who see across sites), leaving out anyone busy at that time (a need they
were offered or took that overlaps) and putting those who served least lately first, each with
why; staff offer it to the chosen ones (派单) and record each answer the senior gives by phone or
at the desk (接单 or declined: the kiosk does not take it); once enough have accepted the need is
assigned; done, each taker's minutes are recorded as a volunteer entry of the ledger, through the
rules (bureau.rules.rounds.record_service: points, the day's cap, the balance the kiosk shows).

Every change is audited; call each inside store.write()."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from peewee import JOIN, fn

from bureau import audit
from bureau.models import Member, MemberSkill, Need, NeedTaker, Site, SkillDomain
from bureau.rules.fields import BadFact
from bureau.rules.rounds import record_service
from bureau.volunteers import VolunteerError, hours

STATES = {"open": "待派单", "assigned": "已派单", "done": "已完成", "cancelled": "已取消"}
TAKER_STATES = {"offered": "已派单，待答复", "accepted": "已接单", "declined": "已谢绝", "done": "已完成"}
BUSY = ("offered", "accepted")  # a taker holding the time of a need
DEFAULT_LENGTH = timedelta(hours=2)  # a need without an end holds this long
RECENT = timedelta(days=90)  # "served least lately": the hours of this long before the need
MATCH_LIMIT = 50
MINUTES_MAX = 24 * 60
TITLE_MAX, TEXT_MAX = 100, 200


@dataclass(frozen=True)
class Draft:
    title: str
    domain: SkillDomain | None
    requester: str
    place: str
    start: datetime
    end: datetime | None
    wanted: int
    note: str = ""


def end_of(need: Need) -> datetime:
    return need.end or need.start + DEFAULT_LENGTH


def create(site: Site, draft: Draft, by: str) -> Need:
    if draft.end is not None and draft.end <= draft.start:
        raise VolunteerError("结束时间应晚于开始时间。")
    if not 1 <= draft.wanted <= 100:
        raise VolunteerError("需要人数应为 1 到 100。")
    need = Need.create(
        site=site,
        title=draft.title,
        domain=draft.domain,
        requester=draft.requester,
        place=draft.place,
        start=draft.start,
        end=draft.end,
        wanted=draft.wanted,
        note=draft.note,
        created_by=by,
    )
    audit.record(by, "volunteers.need_post", f"need:{need.id} {need.title}", site, _detail(need))
    return need


def cancel(need: Need, reason: str, by: str) -> None:
    _open(need)
    need.status = "cancelled"
    need.save()
    audit.record(by, "volunteers.need_cancel", f"need:{need.id} {need.title}", need.site, reason=reason)


def takers(need: Need) -> list[tuple[NeedTaker, Member | None]]:
    rows = list(NeedTaker.select().where(NeedTaker.need == need).order_by(NeedTaker.id))
    named = {m.member_no: m for m in Member.select().where(Member.member_no.in_([t.member_no for t in rows]))}
    return [(t, named.get(t.member_no)) for t in rows]


# --- matching --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Match:
    member: Member
    detail: str  # the skill's detail
    own_site: bool  # of the need's site
    minutes: int  # served in the RECENT days before the need
    busy_with: str  # "" free; else the need that holds the time

    @property
    def reasons(self) -> list[str]:
        found = [f"特长：{self.detail}" if self.detail else "有此领域特长"]
        found.append("本站志愿者" if self.own_site else f"其他站点（{self.member.site.name}）")
        found.append(f"近 {RECENT.days} 天服务 {hours.hours_text(self.minutes)} 小时")
        return found


def matches(need: Need, sites: Sequence[int] | None) -> tuple[list[Match], list[Match]]:
    """(suggested, busy): the volunteers with the need's skill among `sites` (None: the whole
    bureau), not yet asked for this need; the busy ones (another need at an overlapping time) apart
    with the need that holds them.  Suggested: the need's site's first, then the fewest minutes
    served lately, then by number.  Four queries."""
    if need.domain_id is None:
        return [], []
    asked = NeedTaker.select(NeedTaker.member_no).where(NeedTaker.need == need)
    query = (
        Member.select(Member, MemberSkill, Site)
        .join(MemberSkill, on=(MemberSkill.member_no == Member.member_no), attr="skill")
        .switch(Member)
        .join(Site)
        .where(
            MemberSkill.domain == need.domain_id,
            Member.merged_into.is_null(),
            Member.active == True,  # noqa: E712 (SQL)
            Member.member_no.not_in(asked),
        )
    )
    if sites is not None:
        query = query.where(Member.site.in_(list(sites)))
    found = list(query)
    numbers = [m.member_no for m in found]
    busy = busy_with(need, numbers)
    start = need.start.date()
    served = hours.by_member(numbers, start - RECENT, start)
    made = [
        Match(
            m, m.skill.detail, m.site_id == need.site_id, served.get(m.member_no, (0, 0))[0], busy.get(m.member_no, "")
        )
        for m in found
    ]
    made.sort(key=lambda x: (not x.own_site, x.minutes, x.member.member_no))
    return [x for x in made if not x.busy_with][:MATCH_LIMIT], [x for x in made if x.busy_with]


def busy_with(need: Need, numbers: list[str]) -> dict[str, str]:
    """member_no -> the title and time of another need they were offered or took that overlaps this one."""
    if not numbers:
        return {}
    start, end = need.start, end_of(need)
    rows = (
        NeedTaker.select(NeedTaker.member_no, Need.title, Need.start, Need.end)
        .join(Need)
        .where(
            NeedTaker.member_no.in_(numbers),
            NeedTaker.status.in_(BUSY),
            Need.status.in_(("open", "assigned")),
            Need.id != need.id,
            Need.start < end,
            Need.start > start - timedelta(days=2),  # no need lasts longer: the overlap is judged below
        )
        .tuples()
    )
    found = {}
    for no, title, other_start, other_end in rows:
        if other_start < end and (other_end or other_start + DEFAULT_LENGTH) > start:
            found[no] = f"{title}（{other_start:%m-%d %H:%M}）"
    return found


# --- dispatch, answers, done ----------------------------------------------------------------------------


def dispatch(need: Need, chosen: list[Match], by: str) -> None:
    """Offer the need to the chosen volunteers (the caller's matches, so only those it may see)."""
    _open(need)
    if not chosen:
        raise VolunteerError("请勾选要派单的志愿者。")
    for match in chosen:
        NeedTaker.insert(need=need, member_no=match.member.member_no, status="offered").on_conflict(
            conflict_target=[NeedTaker.need, NeedTaker.member_no], update={NeedTaker.status: "offered"}
        ).execute()
    numbers = [m.member.member_no for m in chosen]
    audit.record(by, "volunteers.need_dispatch", f"need:{need.id} {need.title}", need.site, {"offered": numbers})


def answer(need: Need, member_no: str, accepted: bool, by: str) -> None:
    """The volunteer's answer (接单 or 谢绝), as the senior gave it to staff; the need is assigned once
    enough accepted, and open again when one of them steps back."""
    _open(need)
    taker = NeedTaker.get_or_none(NeedTaker.need == need, NeedTaker.member_no == member_no)
    if taker is None:
        raise VolunteerError(f"没有向 {member_no} 派过这条需求。")
    taker.status = "accepted" if accepted else "declined"
    taker.save()
    taken = NeedTaker.select().where(NeedTaker.need == need, NeedTaker.status == "accepted").count()
    need.status = "assigned" if taken >= need.wanted else "open"
    need.save()
    audit.record(
        by,
        "volunteers.need_answer",
        f"need:{need.id} {need.title}",
        need.site,
        {"member_no": member_no, "answer": taker.status, "need_status": need.status},
    )


def complete(need: Need, minutes: dict[str, int], by: str) -> list[str]:
    """Done: each taker who accepted served `minutes[member_no]`, entered as a volunteer entry of the
    ledger by the rules (points within the day's cap; the kiosk shows the balance), its entry_id
    kept on the taker.  Returns the entry ids."""
    _open(need)
    accepted = list(NeedTaker.select().where(NeedTaker.need == need, NeedTaker.status == "accepted"))
    if not accepted:
        raise VolunteerError("还没有志愿者接单，不能登记完成。")
    entries = []
    for taker in accepted:
        served = minutes.get(taker.member_no)
        if served is None or not 1 <= served <= MINUTES_MAX:
            raise VolunteerError(f"请填写 {taker.member_no} 的服务时长（1 到 {MINUTES_MAX} 分钟）。")
        try:
            entry = record_service(
                taker.member_no, served, need.site_id, need.start, f"志愿服务：{need.title}", f"need:{need.id}"
            )
        except BadFact as e:
            raise VolunteerError(f"{taker.member_no} 的服务时长无法记入积分：{e}") from None
        taker.status, taker.minutes, taker.entry_id = "done", served, entry
        taker.save()
        entries.append(entry)
    need.status = "done"
    need.save()
    audit.record(
        by,
        "volunteers.need_done",
        f"need:{need.id} {need.title}",
        need.site,
        {t.member_no: t.minutes for t in accepted},
    )
    return entries


def listing(sites: Sequence[int] | None, status: str = "", limit: int = 200) -> list[tuple[Need, int, int]]:
    """Needs newest first with (accepted, offered) counts: two queries."""
    query = Need.select(Need, SkillDomain, Site).join(SkillDomain, JOIN.LEFT_OUTER).switch(Need).join(Site)
    if sites is not None:
        query = query.where(Need.site.in_(list(sites)))
    if status:
        query = query.where(Need.status == status)
    found = list(query.order_by(Need.start.desc(), Need.id.desc()).limit(limit))
    counts: dict[tuple[int, str], int] = {}
    for need_id, state, n in (
        NeedTaker.select(NeedTaker.need, NeedTaker.status, fn.COUNT(NeedTaker.id))
        .where(NeedTaker.need.in_([n.id for n in found]))
        .group_by(NeedTaker.need, NeedTaker.status)
        .tuples()
    ):
        counts[need_id, state] = n
    return [
        (n, counts.get((n.id, "accepted"), 0) + counts.get((n.id, "done"), 0), counts.get((n.id, "offered"), 0))
        for n in found
    ]


def _open(need: Need) -> None:
    if need.status in ("done", "cancelled"):
        raise VolunteerError(f"这条需求{STATES[need.status]}，不能再改。")


def _detail(need: Need) -> dict:
    return {
        "title": need.title,
        "domain": need.domain.name if need.domain else "",
        "requester": need.requester,
        "place": need.place,
        "start": need.start,
        "end": need.end,
        "wanted": need.wanted,
    }


def default_minutes(need: Need) -> int:
    return max(1, min(MINUTES_MAX, int((end_of(need) - need.start).total_seconds() // 60)))
