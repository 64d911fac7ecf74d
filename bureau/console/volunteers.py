"""志愿服务: the 银发人才库 (members' skills by domain), needs (群众点单 — 社区派单 — 志愿者接单) and the
hours of service (docs/volunteers.md).  The rules are in bureau/volunteers; here are the pages and
the scoping: a centre's staff see and change their own site's volunteers and needs and match only
among their own site's members; the bureau's accounts see every site and match across the bureau;
the skill domains are the admins'.  Another site's need or member, by URL or form, is not found.

    GET  /web/volunteers?tab=pool|needs|hours[&format=xlsx]   人才库, 需求, 服务时长 (each as .xlsx)
    GET  /web/volunteers/needs/new, POST                      post a need
    GET  /web/volunteers/needs/{id}                           matching, takers, answers, done
    POST /web/volunteers/needs/{id}/dispatch|answer|done|cancel
    GET  /web/volunteers/member/{no}                          a member's skills and service
    POST /web/volunteers/member/{no}/skills, /skills/remove
    GET  /web/volunteers/domains, POST, POST /{id}, /{id}/delete   the domains (admins)
"""

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import TypeVar

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from bureau.console import base
from bureau.console.base import BadQuery, Refused, Viewer, not_found
from bureau.models import Member, Need, SkillDomain
from bureau.store import write
from bureau.volunteers import VolunteerError, hours, needs, skills
from contract.cells import Sheet

router = APIRouter(prefix="/web")
ERRORS = "volunteers_message.html"
TABS = {"pool": "人才库", "needs": "需求", "hours": "服务时长"}
T = TypeVar("T")


@router.get("/volunteers")
def home(request: Request) -> Response:
    def figures(viewer: Viewer) -> dict | Response:
        params = request.query_params
        tab = params.get("tab", "pool")
        if tab not in TABS:
            raise BadQuery("没有这个页面。")
        site = viewer.site_or_all(params.get("site"))
        sites = [site.id] if site else None
        shown = {"tab": tab, "tabs": TABS, "site": site, "sites": list(viewer.sites())}
        if tab == "pool":
            domain = _domain(params.get("domain", "")) if params.get("domain") else None
            query = params.get("q", "").strip()[:32]
            scoped = Member.select().where(Member.site == site) if site else Member.select()
            found = skills.pool(scoped, domain, query, date.today())
            if base.wants_xlsx(request):
                return pool_xlsx(found)
            return {**shown, "q": query, "domain": domain, "domains": skills.domains(), "found": found}
        if tab == "needs":
            status = params.get("status", "")
            if status and status not in needs.STATES:
                raise BadQuery("没有这种状态。")
            listed = needs.listing(sites, status)
            if base.wants_xlsx(request):
                return needs_xlsx(listed)
            return {**shown, "needs": listed, "state": status, "states": needs.STATES}
        by = params.get("by", "person")
        if by not in hours.GROUPS:
            raise BadQuery("没有这种统计方式。")
        today = date.today()
        start = _date(params.get("from"), date(today.year, 1, 1))
        end = _date(params.get("to"), today)
        if end < start:
            raise BadQuery("结束日期应不早于开始日期。")
        report = hours.report(by, start, end, sites)
        if base.wants_xlsx(request):
            return report_xlsx(report)
        return {**shown, "report": report, "groups": hours.GROUPS, "spans": hours.spans(today), "limit": hours.LIMIT}

    return base.page(request, "volunteers_home.html", figures)


def pool_xlsx(found: list[skills.Volunteer]) -> Response:
    rows = [
        (
            v.member.member_no,
            v.member.name,
            v.member.site.name,
            "；".join(f"{s.domain.name}：{s.detail}" if s.detail else s.domain.name for s in v.skills),
            hours.hours_text(v.minutes),
            v.services,
            "、".join(v.teams),
        )
        for v in found
    ]
    columns = ("学号", "姓名", "站点", "特长", "本年服务小时", "服务次数", "志愿服务队")
    return base.xlsx(base.dated("银发人才库"), Sheet("人才库", columns, rows))


def needs_xlsx(listed: list[tuple[Need, int, int]]) -> Response:
    rows = [
        (
            n.title,
            n.domain.name if n.domain else "",
            n.site.name,
            n.requester,
            n.place,
            f"{n.start:%Y-%m-%d %H:%M}",
            n.wanted,
            accepted,
            needs.STATES.get(n.status, n.status),
        )
        for n, accepted, _ in listed
    ]
    columns = ("需求", "领域", "站点", "点单方", "地点", "开始", "需要人数", "已接单", "状态")
    return base.xlsx(base.dated("志愿服务需求"), Sheet("需求", columns, rows))


def report_xlsx(report: hours.Report) -> Response:
    head = hours.GROUPS[report.by].removeprefix("按")
    rows = [(x.label, x.detail, float(x.hours), x.services) for x in report.lines]
    rows.append(("合计", "", float(hours.hours_text(report.minutes)), report.services))
    name = f"志愿服务时长-{report.start:%Y%m%d}-{report.end:%Y%m%d}"
    return base.xlsx(base.dated(name), Sheet("服务时长", (head, "说明", "服务小时", "服务次数"), rows))


# --- needs -----------------------------------------------------------------------------------------------


@router.get("/volunteers/needs/new")
def new_need(request: Request) -> Response:
    def figures(viewer: Viewer) -> dict:
        viewer.require_change()
        start = datetime.combine(date.today() + timedelta(days=3), datetime.min.time()).replace(hour=9)
        return {
            "domains": skills.domains(),
            "sites": list(viewer.sites()),
            "start": start,
            "end": start + timedelta(hours=2),
        }

    return base.page(request, "volunteers_need_form.html", figures)


@router.post("/volunteers/needs/new")
async def create_need(request: Request) -> Response:
    def change(viewer: Viewer, form: FormData) -> str:
        own = viewer.own_site
        code = str(form.get("site", ""))
        site = viewer.site(code) if code or own is None else own  # another site's code: not found
        domain = _domain(str(form.get("domain", ""))) if form.get("domain") else None
        end = base.moment(form, "end", "结束时间") if str(form.get("end", "")).strip() else None
        draft = needs.Draft(
            title=base.text(form, "title", "需求", max_length=needs.TITLE_MAX),
            domain=domain,
            requester=base.text(form, "requester", "点单方", max_length=needs.TEXT_MAX),
            place=base.text(form, "place", "地点", required=False, max_length=needs.TEXT_MAX),
            start=base.moment(form, "start", "开始时间"),
            end=end,
            wanted=base.integer(form, "wanted", "需要人数", 1, 1, 100) or 1,
            note=base.text(form, "note", "备注", required=False, max_length=500),
        )
        need = saved(lambda: needs.create(site, draft, viewer.user.username))
        return f"/web/volunteers/needs/{need.id}"

    return await base.action(request, change, ERRORS)


@router.get("/volunteers/needs/{need_id}")
def need_page(request: Request, need_id: int) -> Response:
    def figures(viewer: Viewer) -> dict:
        need = found_need(viewer, need_id)
        suggested, busy = needs.matches(need, _match_sites(viewer))
        return {
            "n": need,
            "takers": needs.takers(need),
            "suggested": suggested,
            "busy": busy,
            "states": needs.STATES,
            "taker_states": needs.TAKER_STATES,
            "mine": viewer.owns(need.site) and need.status not in ("done", "cancelled"),
            "minutes": needs.default_minutes(need),
            "end": needs.end_of(need),
            "recent": needs.RECENT.days,
        }

    return base.page(request, "volunteers_need.html", figures)


@router.post("/volunteers/needs/{need_id}/dispatch")
async def dispatch(request: Request, need_id: int) -> Response:
    def change(viewer: Viewer, form: FormData) -> str:
        need = owned_need(viewer, need_id)
        wanted = {str(no) for no in form.getlist("member_no")}
        offered = [m for m in needs.matches(need, _match_sites(viewer))[0] if m.member.member_no in wanted]
        if len(offered) != len(wanted):
            raise BadQuery("所选的志愿者不在推荐名单中（可能已派单或时间冲突），请刷新页面后再选。")
        saved(lambda: needs.dispatch(need, offered, viewer.user.username))
        return f"/web/volunteers/needs/{need_id}"

    return await base.action(request, change, ERRORS)


@router.post("/volunteers/needs/{need_id}/answer")
async def answer(request: Request, need_id: int) -> Response:
    def change(viewer: Viewer, form: FormData) -> str:
        need = owned_need(viewer, need_id)
        reply = str(form.get("answer", ""))
        if reply not in ("accepted", "declined"):
            raise BadQuery("请选择接单或谢绝。")
        no = base.text(form, "member_no", "学号", max_length=32)
        saved(lambda: needs.answer(need, no, reply == "accepted", viewer.user.username))
        return f"/web/volunteers/needs/{need_id}"

    return await base.action(request, change, ERRORS)


@router.post("/volunteers/needs/{need_id}/done")
async def done(request: Request, need_id: int) -> Response:
    def change(viewer: Viewer, form: FormData) -> str:
        need = owned_need(viewer, need_id)
        served = {}
        for key in form.keys():
            if key.startswith("minutes_"):
                no = key.removeprefix("minutes_")
                served[no] = base.integer(form, key, f"{no} 的服务时长（分钟）", None, 1, needs.MINUTES_MAX)
        saved(lambda: needs.complete(need, {k: v for k, v in served.items() if v}, viewer.user.username))
        return f"/web/volunteers/needs/{need_id}"

    return await base.action(request, change, ERRORS)


@router.post("/volunteers/needs/{need_id}/cancel")
async def cancel(request: Request, need_id: int) -> Response:
    def change(viewer: Viewer, form: FormData) -> str:
        need = owned_need(viewer, need_id)
        reason = base.text(form, "reason", "取消原因")
        saved(lambda: needs.cancel(need, reason, viewer.user.username))
        return f"/web/volunteers/needs/{need_id}"

    return await base.action(request, change, ERRORS)


def found_need(viewer: Viewer, need_id: int) -> Need:
    need = viewer.scope(Need.select(), Need.site).where(Need.id == need_id).first()
    if need is None:
        raise not_found("没有这条需求，或您无权查看。")
    return need


def owned_need(viewer: Viewer, need_id: int) -> Need:
    need = found_need(viewer, need_id)
    if not viewer.owns(need.site):
        raise Refused("这条需求由其所在站点管理。")
    return need


def _match_sites(viewer: Viewer) -> list[int] | None:
    """Where volunteers are suggested from: a centre's own members; the whole bureau for the bureau."""
    own = viewer.own_site
    return [own.id] if own is not None else None


# --- a member's skills -----------------------------------------------------------------------------------


@router.get("/volunteers/member/{member_no}")
def member_page(request: Request, member_no: str) -> Response:
    def figures(viewer: Viewer) -> dict:
        member = found_member(viewer, member_no)
        served = hours.history(member.member_no)
        today = date.today()
        return {
            "member": member,
            "skills": skills.skills_of(member.member_no),
            "domains": skills.domains(),
            "services": served,
            "teams": skills.teams_of([member.member_no], today).get(member.member_no, []),
            "year": hours.by_member([member.member_no], date(today.year, 1, 1), today).get(member.member_no, (0, 0)),
            "mine": viewer.owns(member.site),
            "hours_text": hours.hours_text,
        }

    return base.page(request, "volunteers_member.html", figures)


@router.post("/volunteers/member/{member_no}/skills")
async def set_skill(request: Request, member_no: str) -> Response:
    def change(viewer: Viewer, form: FormData) -> str:
        member = owned_member(viewer, member_no)
        domain = _domain(str(form.get("domain", "")))
        detail = base.text(form, "detail", "特长说明", required=False, max_length=skills.DETAIL_MAX)
        saved(lambda: skills.set_skill(member, domain, detail, viewer.user.username))
        return f"/web/volunteers/member/{member_no}"

    return await base.action(request, change, ERRORS)


@router.post("/volunteers/member/{member_no}/skills/remove")
async def remove_skill(request: Request, member_no: str) -> Response:
    def change(viewer: Viewer, form: FormData) -> str:
        member = owned_member(viewer, member_no)
        domain = _domain(str(form.get("domain", "")))
        saved(lambda: skills.remove_skill(member, domain, viewer.user.username))
        return f"/web/volunteers/member/{member_no}"

    return await base.action(request, change, ERRORS)


def found_member(viewer: Viewer, member_no: str) -> Member:
    member = viewer.scope(Member.select(), Member.site).where(Member.member_no == member_no).first()
    if member is None:
        raise not_found(f"没有学号 {member_no} 的学员，或您无权查看。")
    return member


def owned_member(viewer: Viewer, member_no: str) -> Member:
    member = found_member(viewer, member_no)
    if not viewer.owns(member.site):
        raise Refused("只有学员所在站点的工作人员和市局管理员可以修改特长。")
    return member


# --- domains (admins) ------------------------------------------------------------------------------------


@router.get("/volunteers/domains")
def domains_page(request: Request) -> Response:
    return base.page(
        request, "volunteers_domains.html", lambda viewer: {"domains": skills.domain_uses()}, roles=base.BUREAU
    )


@router.post("/volunteers/domains")
async def add_domain(request: Request) -> Response:
    def change(viewer: Viewer, form: FormData) -> str:
        viewer.require("admin")
        name = base.text(form, "name", "领域名称", max_length=skills.NAME_MAX)
        saved(lambda: skills.add_domain(name, viewer.user.username))
        return "/web/volunteers/domains"

    return await base.action(request, change, ERRORS)


@router.post("/volunteers/domains/{domain_id}")
async def change_domain(request: Request, domain_id: int) -> Response:
    def change(viewer: Viewer, form: FormData) -> str:
        viewer.require("admin")
        domain = _domain(str(domain_id))
        name = base.text(form, "name", "领域名称", max_length=skills.NAME_MAX)
        position = base.integer(form, "position", "顺序", domain.position, 0, 10_000)
        saved(lambda: skills.change_domain(domain, name, position, viewer.user.username))  # type: ignore[arg-type]
        return "/web/volunteers/domains"

    return await base.action(request, change, ERRORS)


@router.post("/volunteers/domains/{domain_id}/delete")
async def delete_domain(request: Request, domain_id: int) -> Response:
    def change(viewer: Viewer, form: FormData) -> str:
        viewer.require("admin")
        domain = _domain(str(domain_id))
        saved(lambda: skills.delete_domain(domain, viewer.user.username))
        return "/web/volunteers/domains"

    return await base.action(request, change, ERRORS)


# --- helpers ---------------------------------------------------------------------------------------------


def saved(change: Callable[[], T]) -> T:
    """`change` in one write transaction; the rules' refusal is the form's (400, its message)."""
    with write():
        try:
            return change()
        except VolunteerError as e:
            raise BadQuery(str(e)) from None


def _domain(text: str) -> SkillDomain:
    found = SkillDomain.get_or_none(SkillDomain.id == int(text)) if text.isdigit() else None
    if found is None:
        raise not_found("没有这个特长领域。")
    return found


def _date(text: str | None, default: date) -> date:
    if not text:
        return default
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadQuery(f"日期 {text} 的格式不对，应为 2026-01-01。") from None
