"""支部与团队: party branches (a class's 临时党支部 too), volunteer teams and clubs (docs/organisations.md).

The rules are in bureau/organisations; here are the pages and the scoping, as the activities'
are: a center's staff see their own site's organisations and the bureau's own, and change only
their own site's; another site's, by URL or by a form's field, is not found.  The bureau's
read-only accounts read everything here.  A member's name is shown only to an account that sees
that member on the 学员 pages (bureau/console/members.py); to others the member number alone.

    GET  /web/organisations?kind=&site=&dissolved=[&format=xlsx]   the list, with 换届 reminders
    GET  /web/organisations/new                 POST the same: create
    GET  /web/organisations/{key}               details, roster, activities, 换届
    GET  /web/organisations/{key}/edit          POST the same: edit, 换届 (new term dates)
    POST /web/organisations/{key}/dissolve
    POST /web/organisations/{key}/members       join
    POST /web/organisations/{key}/members/{member_no}/role
    POST /web/organisations/{key}/members/{member_no}/leave
    GET  /web/organisations/{key}/ledger?year=[&format=xlsx]      台账
"""

from collections.abc import Callable
from datetime import date, datetime
from typing import TypeVar

from fastapi import APIRouter, Request
from fastapi.responses import Response
from peewee import JOIN, ModelSelect, fn
from starlette.datastructures import FormData

from bureau.console import base
from bureau.console.base import BadQuery, Refused, Viewer, not_found
from bureau.models import Activity, Course, Member, Organisation, OrgMember, Site, Term
from bureau.organisations import orgs, reminders, rosters
from bureau.organisations.ledger import Ledger, ledger
from bureau.organisations.orgs import KINDS, Fields, OrganisationError
from bureau.programme.activities import CATEGORIES
from contract.cells import Sheet

router = APIRouter(prefix="/web")
ERRORS = "organisations_message.html"
T = TypeVar("T")


@router.get("/organisations")
def listing(request: Request) -> Response:
    def figures(viewer: Viewer) -> dict | Response:
        kind = request.query_params.get("kind", "")
        if kind and kind not in KINDS:
            raise BadQuery("没有这类组织。")
        code = request.query_params.get("site")
        site = viewer.site(code) if code else None  # none chosen: every one this account sees
        dissolved = request.query_params.get("dissolved") == "1"
        query = visible(viewer).order_by(Organisation.kind, Organisation.name, Organisation.id)
        if kind:
            query = query.where(Organisation.kind == kind)
        if site is not None:
            query = query.where(Organisation.site == site)
        if not dissolved:
            query = query.where(Organisation.dissolved_at.is_null())
        listed = list(query)
        today = date.today()
        counts = _counts([o.id for o in listed])
        states = {o.id: reminders.renewal(o, today) for o in listed}
        if base.wants_xlsx(request):
            return listing_xlsx(listed, counts, states)
        return {
            "kinds": KINDS,
            "kind": kind,
            "site": site,
            "sites": list(viewer.sites()),
            "dissolved": dissolved,
            "groups": [(k, label, [o for o in listed if o.kind == k]) for k, label in KINDS.items()],
            "counts": counts,
            "states": states,
            "due": [o for o in listed if states[o.id].due],
        }

    return base.page(request, "organisations_list.html", figures)


def listing_xlsx(listed: list[Organisation], counts: dict[int, int], states: dict) -> Response:
    rows = [
        (
            o.name,
            KINDS[o.kind],
            o.site.name if o.site else "市局",
            o.course.title if o.course_id else "",
            counts.get(o.id, 0),
            o.term_start,
            o.term_end,
            "已撤销" if o.dissolved_at else states[o.id].text,
        )
        for o in listed
    ]
    columns = ("组织", "类别", "站点", "所在班级", "现有成员", "届期开始", "届期结束", "换届")
    return base.xlsx(base.dated("支部与团队"), Sheet("组织", columns, rows))


@router.get("/organisations/new")
def new(request: Request) -> Response:
    def figures(viewer: Viewer) -> dict:
        viewer.require_change()
        kind = request.query_params.get("kind", "branch")
        return _form(viewer, None, kind if kind in KINDS else "branch")

    return base.page(request, "organisations_form.html", figures)


@router.post("/organisations/new")
async def create(request: Request) -> Response:
    def change(viewer: Viewer, form: FormData) -> str:
        kind = str(form.get("kind", ""))
        if kind not in KINDS:
            raise BadQuery("请选择组织的类别。")
        fields = fields_from(viewer, form)
        site = _site_of(viewer, form, fields.course)
        org = saved(lambda: orgs.create(kind, site, fields, viewer.user.username))
        return f"/web/organisations/{org.key}"

    return await base.action(request, change, ERRORS)


@router.get("/organisations/{key}")
def detail(request: Request, key: str) -> Response:
    def figures(viewer: Viewer) -> dict:
        org = found(viewer, key)
        members = list(rosters.current(org).order_by(OrgMember.since, OrgMember.member_no))
        order = {role: i for i, role in enumerate(orgs.roles(org.kind))}
        members.sort(key=lambda m: order.get(m.role, len(order)))
        past = list(
            OrgMember.select()
            .where(OrgMember.organisation == org, OrgMember.until.is_null(False))
            .order_by(OrgMember.until.desc())
        )
        coming = list(
            Activity.select()
            .where(Activity.organisation == org, Activity.end >= datetime.now())
            .order_by(Activity.start)
            .limit(20)
        )
        return {
            "o": org,
            "kinds": KINDS,
            "roles": orgs.roles(org.kind),
            "plain": orgs.plain(org.kind),
            "members": members,
            "past": past,
            "names": names(viewer, {m.member_no for m in members + past}),
            "coming": coming,
            "categories": CATEGORIES,
            "renewal": reminders.renewal(org, date.today()),
            "mine": viewer.owns(org.site) and org.dissolved_at is None,
            "today": date.today().isoformat(),
            "year": date.today().year,
        }

    return base.page(request, "organisations_detail.html", figures)


@router.get("/organisations/{key}/edit")
def edit_form(request: Request, key: str) -> Response:
    def figures(viewer: Viewer) -> dict:
        return _form(viewer, owned(viewer, key), "")

    return base.page(request, "organisations_form.html", figures)


@router.post("/organisations/{key}/edit")
async def edit(request: Request, key: str) -> Response:
    def change(viewer: Viewer, form: FormData) -> str:
        fields = fields_from(viewer, form)
        saved(lambda: orgs.edit(owned(viewer, key), fields, viewer.user.username))
        return f"/web/organisations/{key}"

    return await base.action(request, change, ERRORS)


@router.post("/organisations/{key}/dissolve")
async def dissolve(request: Request, key: str) -> Response:
    def change(viewer: Viewer, form: FormData) -> str:
        reason = base.text(form, "reason", "撤销原因", max_length=200)
        saved(lambda: orgs.dissolve(owned(viewer, key), date.today(), reason, viewer.user.username))
        return f"/web/organisations/{key}"

    return await base.action(request, change, ERRORS)


@router.post("/organisations/{key}/members")
async def join(request: Request, key: str) -> Response:
    def change(viewer: Viewer, form: FormData) -> str:
        member_no = base.text(form, "member_no", "学号", max_length=32)
        role = str(form.get("role", ""))
        since = base.day(form, "since", "加入日期", date.today())
        saved(lambda: rosters.join(owned(viewer, key), member_no, role, since, viewer.user.username))  # type: ignore[arg-type]
        return f"/web/organisations/{key}"

    return await base.action(request, change, ERRORS)


@router.post("/organisations/{key}/members/{member_no}/role")
async def role(request: Request, key: str, member_no: str) -> Response:
    def change(viewer: Viewer, form: FormData) -> str:
        chosen = str(form.get("role", ""))
        saved(lambda: rosters.change_role(owned(viewer, key), member_no, chosen, viewer.user.username))
        return f"/web/organisations/{key}"

    return await base.action(request, change, ERRORS)


@router.post("/organisations/{key}/members/{member_no}/leave")
async def leave(request: Request, key: str, member_no: str) -> Response:
    def change(viewer: Viewer, form: FormData) -> str:
        day = base.day(form, "until", "离开日期", date.today())
        reason = base.text(form, "reason", "原因", required=False)
        saved(lambda: rosters.leave(owned(viewer, key), member_no, day, viewer.user.username, reason))  # type: ignore[arg-type]
        return f"/web/organisations/{key}"

    return await base.action(request, change, ERRORS)


@router.get("/organisations/{key}/ledger")
def ledger_page(request: Request, key: str) -> Response:
    def figures(viewer: Viewer) -> dict | Response:
        org = found(viewer, key)
        year = _year(request)
        book = ledger(org, year, datetime.now())
        numbers = {no for m in book.meetings for no, _ in m.came + m.others} | {r.member_no for r, _ in book.roster}
        shown = names(viewer, numbers)
        if base.wants_xlsx(request):
            return ledger_xlsx(book, shown)
        return {"o": org, "book": book, "names": shown, "kinds": KINDS, "categories": CATEGORIES, "year": year}

    return base.page(request, "organisations_ledger.html", figures)


def ledger_xlsx(book: Ledger, shown: dict[str, str]) -> Response:
    """The 台账 as four sheets: the summary, the meetings, who signed in, the roster."""
    org = book.org
    summary = [
        ("组织", org.name),
        ("类别", KINDS[org.kind]),
        ("站点", org.site.name if org.site else "市局"),
        ("年度", book.year),
        ("开会次数", len(book.meetings)),
        ("主题党日", book.party_days),
        ("成员出勤人次", book.attendances),
        ("平均出勤率", _percent(book.rate)),
    ]
    meetings = [
        (
            f"{m.activity.start:%Y-%m-%d %H:%M}",
            m.activity.title,
            CATEGORIES.get(m.activity.category, m.activity.category),
            m.activity.place,
            m.members,
            len(m.came),
            len(m.others),
            _percent(m.rate),
        )
        for m in book.meetings
    ]
    signins = [
        (f"{m.activity.start:%Y-%m-%d}", m.activity.title, no, shown.get(no, ""), who, f"{at:%Y-%m-%d %H:%M}")
        for m in book.meetings
        for who, people in (("成员", m.came), ("非成员", m.others))
        for no, at in people
    ]
    roster = [(r.member_no, shown.get(r.member_no, ""), r.role, r.since, r.until, n) for r, n in book.roster]
    return base.xlsx(
        f"{org.name}_{book.year}年台账.xlsx",
        Sheet("汇总", ("项目", "数值"), summary),
        Sheet("会议", ("时间", "主题", "类别", "地点", "应到", "成员实到", "非成员", "出勤率"), meetings),
        Sheet("签到", ("日期", "会议", "学号", "姓名", "身份", "签到时间"), signins),
        Sheet("成员", ("学号", "姓名", "职务", "加入", "离开", "出勤次数"), roster),
    )


def saved(change: Callable[[], T]) -> T:
    return base.saved(change, OrganisationError)


# --- scoping ----------------------------------------------------------------------------------------------


def visible(viewer: Viewer) -> ModelSelect:
    """The organisations this account sees: its own site's and the bureau's own (all, for the bureau)."""
    query = Organisation.select(Organisation, Site).join(Site, JOIN.LEFT_OUTER)
    return viewer.scope(query, Organisation.site)


def found(viewer: Viewer, key: str) -> Organisation:
    org = visible(viewer).where(Organisation.key == key).first()
    if org is None:
        raise not_found("没有这个组织，或您无权查看。")
    return org


def owned(viewer: Viewer, key: str) -> Organisation:
    org = found(viewer, key)
    viewer.require_change()
    if not viewer.owns(org.site):
        raise Refused("这是市局的组织，由市局管理员修改。")
    return org


def names(viewer: Viewer, numbers: set[str]) -> dict[str, str]:
    """Names of the members of `numbers` this account sees on the 学员 pages (others: none)."""
    if not numbers:
        return {}
    query = viewer.scope(Member.select(Member.member_no, Member.name), Member.site)
    return {m.member_no: m.name for m in query.where(Member.member_no.in_(numbers))}


def _counts(ids: list[int]) -> dict[int, int]:
    if not ids:
        return {}
    rows = (
        OrgMember.select(OrgMember.organisation, fn.COUNT(OrgMember.id).alias("n"))
        .where(OrgMember.organisation.in_(ids), OrgMember.until.is_null())
        .group_by(OrgMember.organisation)
    )
    return {r.organisation_id: r.n for r in rows}


# --- forms ------------------------------------------------------------------------------------------------


def fields_from(viewer: Viewer, form: FormData) -> Fields:
    key = str(form.get("course", ""))
    course = None
    if key:
        course = Course.select().where(Course.key == key, Course.site.in_(_site_ids(viewer))).first()
        if course is None:
            raise not_found("没有这个班级，或您无权查看。")
    return Fields(
        name=base.text(form, "name", "组织名称", max_length=orgs.NAME_MAX),
        term_start=_optional_day(form, "term_start", "届期开始"),
        term_end=_optional_day(form, "term_end", "届期结束"),
        note=base.text(form, "note", "备注", required=False, max_length=orgs.NOTE_MAX),
        course=course,
    )


def _optional_day(form: FormData, name: str, label: str) -> date | None:
    return base.day(form, name, label) if str(form.get(name, "")).strip() else None


def _site_ids(viewer: Viewer) -> list[int]:
    return [s.id for s in viewer.sites()]


def _site_of(viewer: Viewer, form: FormData, course: Course | None) -> Site | None:
    """A new organisation's site: a center's staff, their own (another's code: not found); an
    admin, the site chosen, a 临时党支部's class's site, or none (the bureau's own)."""
    code = str(form.get("site", ""))
    own = viewer.own_site
    if own is not None:
        if code:
            viewer.site(code)
        return own
    if course is not None:
        return course.site
    return viewer.site(code) if code else None


def _form(viewer: Viewer, org: Organisation | None, kind: str) -> dict:
    today = date.today()
    courses = (
        Course.select(Course, Term, Site)
        .join(Term)
        .switch(Course)
        .join(Site)
        .where(Course.site.in_(_site_ids(viewer)), Course.withdrawn_at.is_null(), Term.end >= today)
        .order_by(Site.code, Term.start, Course.title)
    )
    return {
        "o": org,
        "kind": org.kind if org else kind,
        "kinds": KINDS,
        "sites": list(viewer.sites()),
        "courses": courses,
    }


def _year(request: Request) -> int:
    text = request.query_params.get("year", "")
    if not text:
        return date.today().year
    if not text.isdigit() or not 2000 <= int(text) <= 2100:
        raise BadQuery("年份不对。")
    return int(text)


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate:.0%}"
