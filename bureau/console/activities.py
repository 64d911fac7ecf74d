"""活动: the activities staff publish for the kiosks, their registrations and sign-ins (docs/console.md).

The rules of an activity are in bureau.programme.activities; here are the pages and the scoping:
a center's staff see their own site's activities and those for every site, and change only their
own site's; another site's activity, by URL or by a form's site field, is not found.
"""

from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import TypeVar

from fastapi import APIRouter, Request
from fastapi.responses import Response
from peewee import JOIN
from starlette.datastructures import FormData

from bureau.console import base
from bureau.console import organisations as org_pages
from bureau.console.base import BadQuery, Refused, Viewer, not_found
from bureau.models import Activity, Organisation, Site
from bureau.programme import activities
from bureau.programme.activities import CATEGORIES, SIGNUP_STATUS, ActivityError, Draft
from contract.cells import Sheet

router = APIRouter(prefix="/web")
ERRORS = "activities_message.html"
METHODS = {"qr": "扫码", "idcard": "身份证", "staff": "工作人员补签"}
WEEKDAYS = "一二三四五六日"
T = TypeVar("T")
RECENT = timedelta(days=30)  # the list shows activities from this long ago on


@router.get("/activities")
def listing(request: Request, past: int = 0) -> Response:
    def figures(viewer: Viewer) -> dict | Response:
        since = datetime.now() - (timedelta(days=3650) if past else RECENT)
        query = visible(viewer).where(Activity.start >= since).order_by(Activity.start, Activity.id).limit(500)
        if base.wants_xlsx(request):
            return listing_xlsx(list(query))
        return {"activities": list(query), "past": past, "categories": CATEGORIES}

    return base.page(request, "activities_list.html", figures)


def listing_xlsx(listed: list[Activity]) -> Response:
    """The list as the page shows it, a row an activity."""
    rows = [
        (
            a.title + (f"（第{a.series_no}届）" if a.series_no else ""),
            CATEGORIES.get(a.category, a.category),
            a.site.name if a.site else "全部站点",
            f"{a.start:%Y-%m-%d %H:%M}",
            f"{a.end:%Y-%m-%d %H:%M}",
            a.place,
            a.capacity or "不限",
            "已取消" if a.cancelled_at else "开放签到" if a.open else "需报名",
        )
        for a in listed
    ]
    columns = ("活动", "类别", "站点", "开始", "结束", "地点", "名额", "状态")
    return base.xlsx(base.dated("活动列表"), Sheet("活动", columns, rows))


@router.get("/activities/new")
def new(request: Request, copy: str = "", day: str = "") -> Response:
    def figures(viewer: Viewer) -> dict:
        viewer.require_change()
        draft, source = None, None
        if copy:
            source = found(viewer, copy)
            draft = activities.copied(source, _day_of(day) if day else date.today())
        return _form(viewer, draft, source=source)

    return base.page(request, "activities_form.html", figures)


@router.post("/activities/new")
async def create(request: Request) -> Response:
    def change(viewer: Viewer, form: FormData) -> str:
        draft = draft_from(form)

        def save() -> list[Activity]:
            sites = chosen_sites(viewer, form)
            held = replace(draft, organisation_id=organisation_of(viewer, form, sites))
            if str(form.get("repeat", "")) == "weekly":
                first = base.day(form, "from_day", "从哪天起")
                last = base.day(form, "until_day", "到哪天为止")
                days = {int(d) for d in map(str, form.getlist("weekday")) if d.isdigit() and len(d) == 1}
                return activities.weekly(held, days, first, last, sites, viewer.user.username)[1]  # type: ignore[arg-type]
            source = found(viewer, str(form["copied_from"])) if form.get("copied_from") else None
            return activities.create(held, sites, viewer.user.username, copied_from=source)

        made = saved(save)
        return f"/web/activities/{made[0].key}" if len(made) == 1 else "/web/activities"

    return await base.action(request, change, ERRORS)


@router.get("/activities/{key}")
def detail(request: Request, key: str) -> Response:
    def figures(viewer: Viewer) -> dict:
        activity = found(viewer, key)
        roll = activities.roll(activity, site_ids(viewer))
        return {
            "a": activity,
            "roll": roll,
            "categories": CATEGORIES,
            "statuses": SIGNUP_STATUS,
            "methods": METHODS,
            "mine": viewer.owns(activity.site),
            "today": date.today().isoformat(),
            "next_year": _a_year_on(activity.start.date()).isoformat(),
        }

    return base.page(request, "activities_detail.html", figures)


@router.get("/activities/{key}/edit")
def edit_form(request: Request, key: str) -> Response:
    def figures(viewer: Viewer) -> dict:
        activity = owned(viewer, key)
        return _form(viewer, activities.draft_of(activity), activity=activity)

    return base.page(request, "activities_form.html", figures)


@router.post("/activities/{key}/edit")
async def edit(request: Request, key: str) -> Response:
    def change(viewer: Viewer, form: FormData) -> str:
        draft = draft_from(form)

        def save() -> Activity:
            activity = owned(viewer, key)
            held = replace(draft, organisation_id=organisation_of(viewer, form, [activity.site]))
            return activities.edit(activity, held, viewer.user.username, _now())

        saved(save)
        return f"/web/activities/{key}"

    return await base.action(request, change, ERRORS)


@router.post("/activities/{key}/cancel")
async def cancel(request: Request, key: str) -> Response:
    def change(viewer: Viewer, form: FormData) -> str:
        reason = base.text(form, "reason", "取消原因", max_length=activities.REASON_MAX)
        saved(lambda: activities.cancel(owned(viewer, key), reason, viewer.user.username, _now()))
        return f"/web/activities/{key}"

    return await base.action(request, change, ERRORS)


@router.post("/activities/{key}/next")
async def next_yearly(request: Request, key: str) -> Response:
    """The next of a yearly series (第 N 届), on the day chosen."""

    def change(viewer: Viewer, form: FormData) -> str:
        day = base.day(form, "day", "日期")
        made = saved(lambda: activities.next_yearly(owned(viewer, key), day, viewer.user.username))  # type: ignore[arg-type]
        return f"/web/activities/{made.key}"

    return await base.action(request, change, ERRORS)


@router.get("/activities/{key}/signups.xlsx")
def signups_xlsx(request: Request, key: str) -> Response:
    def figures(viewer: Viewer) -> Response:
        activity = found(viewer, key)
        roll = activities.roll(activity, site_ids(viewer))
        rows = [(no, name, SIGNUP_STATUS.get(status, status), at) for no, name, status, at in roll.signups]
        return base.xlsx(_file(activity, "报名"), Sheet("报名", ("学员号", "姓名", "状态", "时间"), rows))

    return base.page(request, ERRORS, figures)  # type: ignore[arg-type]


@router.get("/activities/{key}/attendance.xlsx")
def attendance_xlsx(request: Request, key: str) -> Response:
    def figures(viewer: Viewer) -> Response:
        activity = found(viewer, key)
        roll = activities.roll(activity, site_ids(viewer))
        rows = [(no, name, METHODS.get(method, method), at) for no, name, method, at in roll.attended]
        return base.xlsx(_file(activity, "签到"), Sheet("签到", ("学员号", "姓名", "方式", "签到时间"), rows))

    return base.page(request, ERRORS, figures)  # type: ignore[arg-type]


def saved(change: Callable[[], T]) -> T:
    """`change` in one write transaction; the domain's refusal is the form's (400, its message)."""
    return base.saved(change, ActivityError)


# --- scoping ----------------------------------------------------------------------------------------------


def visible(viewer: Viewer):
    """The activities this account sees: its own site's and those for every site (all, for the bureau)."""
    return viewer.scope(Activity.select(Activity, Site).join(Site, JOIN.LEFT_OUTER), Activity.site)


def found(viewer: Viewer, key: str) -> Activity:
    """The activity of `key` if this account sees it, else not found (as if it did not exist)."""
    activity = visible(viewer).where(Activity.key == key).first()
    if activity is None:
        raise not_found("没有这个活动，或您无权查看。")
    return activity


def owned(viewer: Viewer, key: str) -> Activity:
    """The activity of `key` if this account may change it."""
    activity = found(viewer, key)
    viewer.require_change()
    if not viewer.owns(activity.site):
        raise Refused("这个活动面向全部站点，由市局管理员修改。")
    return activity


def site_ids(viewer: Viewer) -> list[int]:
    return [s.id for s in viewer.sites()]


def chosen_sites(viewer: Viewer, form: FormData) -> list[Site | None]:
    """The sites the form publishes for: a center's staff, their own site (a site field naming
    another is not found); an admin, every site (one row, site NULL) or the sites ticked."""
    own = viewer.own_site
    codes = [str(c) for c in form.getlist("site") if str(c)]
    if own is not None:
        for code in codes:
            viewer.site(code)  # another site's code: not found
        return [own]
    if base.checkbox(form, "every_site"):
        return [None]
    if not codes:
        raise BadQuery("请选择发布到哪些站点，或勾选「全部站点」。")
    return [viewer.site(code) for code in dict.fromkeys(codes)]


def organisations(viewer: Viewer):
    """The organisations an activity may belong to (「所属组织」): those this account sees, not dissolved."""
    query = org_pages.visible(viewer).where(Organisation.dissolved_at.is_null())
    return query.order_by(Site.code, Organisation.kind, Organisation.name)


def organisation_of(viewer: Viewer, form: FormData, sites: list[Site | None]) -> int | None:
    """The id of the form's 「所属组织」 (none chosen: None).  A site's organisation holds only
    activities of that site; the bureau's own, activities of any site."""
    key = str(form.get("organisation", ""))
    if not key:
        return None
    org = organisations(viewer).where(Organisation.key == key).first()
    if org is None:
        raise not_found("没有这个组织，或您无权查看。")
    if org.site_id is not None and any(site is None or site.id != org.site_id for site in sites):
        raise BadQuery(f"「{org.name}」是{org.site.name}的组织：它的活动只能发布到{org.site.name}。")
    return org.id


# --- forms ------------------------------------------------------------------------------------------------


def draft_from(form: FormData) -> Draft:
    category = str(form.get("category", "activity"))
    if category not in CATEGORIES:
        raise BadQuery("请选择活动类别。")
    return Draft(
        title=base.text(form, "title", "活动名称", max_length=activities.TITLE_MAX),
        start=base.moment(form, "start", "开始时间"),
        end=base.moment(form, "end", "结束时间"),
        category=category,
        place=base.text(form, "place", "地点", required=False, max_length=activities.PLACE_MAX),
        capacity=base.integer(form, "capacity", "名额", 0, 0, 100_000) or 0,
        waitlist=base.checkbox(form, "waitlist"),
        open=str(form.get("admission", "")) == "open",
        points=base.integer(form, "points", "积分", None, 0, 10_000),
        window_before_min=base.integer(form, "window_before_min", "提前签到（分钟）", None, 0, activities.WINDOW_MAX),
        window_after_min=base.integer(form, "window_after_min", "迟到签到（分钟）", None, 0, activities.WINDOW_MAX),
    )


def _form(viewer: Viewer, draft: Draft | None, activity: Activity | None = None, source=None) -> dict:
    start = datetime.combine(date.today() + timedelta(days=7), datetime.min.time()).replace(hour=9)
    blank = Draft("", start, start + timedelta(hours=2))
    return {
        "d": draft or blank,
        "a": activity,
        "source": source,
        "categories": CATEGORIES,
        "sites": list(viewer.sites()),
        "weekdays": WEEKDAYS,
        "organisations": list(organisations(viewer)),
    }


def _day_of(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadQuery(f"日期 {text} 的格式不对，应为 2026-10-29。") from None


def _a_year_on(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def _file(activity: Activity, what: str) -> str:
    return f"{activity.title}_{activity.start:%Y%m%d}_{what}.xlsx"


def _now() -> datetime:
    return datetime.now().replace(microsecond=0)
