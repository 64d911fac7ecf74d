"""Notices (通知, 停课, 调课) in the console: the list, a new notice, withdrawing one.

    GET  /web/notices?site=        current, upcoming and past notices of the sites the account sees
    GET  /web/notices/new?from=    the form (from=KEY: filled in from that notice, to change it)
    POST /web/notices              publish: one notice per chosen site, or one for every site
    GET  /web/notices/{key}        one notice, with the form to withdraw it
    POST /web/notices/{key}/withdraw

A notice is never edited in place: a kiosk may already have read it aloud, and the audit trail
keeps what was shown.  "修改" opens the form filled in from it; publishing that withdraws the old
one and publishes the new one in one transaction (bureau.programme.notices).

Who: an admin publishes for every site or some sites; a center's staff for their own site only,
and may withdraw only their site's notices (a notice for every site is the bureau's).  A viewer
reads.  Another site's notice, by URL or form, is not found.
"""

from datetime import datetime, timedelta

from fastapi import APIRouter, Request
from fastapi.responses import Response
from peewee import JOIN
from starlette.datastructures import FormData

from bureau import store
from bureau.console.base import (
    BadQuery,
    Refused,
    Viewer,
    action,
    dated,
    moment,
    not_found,
    page,
    render,
    text,
    wants_xlsx,
    xlsx,
)
from bureau.models import Notice, Site
from bureau.programme import notices
from contract.cells import Sheet

router = APIRouter(prefix="/web")
LIST = "/web/notices"
REASON_MAX = 200


@router.get("/notices")
def listed(request: Request) -> Response:
    def figures(viewer: Viewer) -> dict | Response:
        site = viewer.site_or_all(request.query_params.get("site") or None)
        query = viewer.scope(Notice.select(Notice, Site).join(Site, JOIN.LEFT_OUTER), Notice.site)
        if site is not None and viewer.own_site is None:
            query = query.where((Notice.site == site.id) | Notice.site.is_null())
        listing = notices.listing(query, datetime.now())
        if wants_xlsx(request):
            return listing_xlsx(listing)
        return {
            "site": site.code if site is not None else "",
            "sites": list(viewer.sites()),
            "listing": listing,
            "KINDS": notices.KINDS,
        }

    return page(request, "notices_list.html", figures)


def listing_xlsx(listing: notices.Listing) -> Response:
    """The list's three parts in one sheet, in the page's order, each row saying which part it is in."""
    parts = (("正在显示", listing.current), ("即将显示", listing.upcoming), ("已结束", listing.past))
    rows = [
        (
            "已撤回" if n.withdrawn_at else state,
            notices.KINDS.get(n.kind, n.kind),
            n.title,
            n.body,
            n.site.name if n.site else "所有站点",
            f"{n.start:%Y-%m-%d %H:%M}",
            f"{n.end:%Y-%m-%d %H:%M}",
            n.created_by,
        )
        for state, part in parts
        for n in part
    ]
    columns = ("状态", "类别", "标题", "内容", "站点", "开始", "结束", "发布人")
    return xlsx(dated("通知列表"), Sheet("通知", columns, rows))


@router.get("/notices/new")
def new(request: Request) -> Response:
    def figures(viewer: Viewer) -> dict:
        viewer.require_change()
        replaced = request.query_params.get("from") or ""
        values = _values_of(_notice(viewer, replaced, change=True)) if replaced else _blank()
        return _form(viewer, values, replaced)

    return page(request, "notices_form.html", figures)


@router.post("/notices")
async def create(request: Request) -> Response:
    def change(viewer: Viewer, form: FormData) -> Response | str:
        replaced = str(form.get("replaces", ""))
        try:
            with store.write():
                old = _notice(viewer, replaced, change=True) if replaced else None
                made = _publish(viewer, form)
                if old is not None and old.withdrawn_at is None:
                    notices.withdraw(old, viewer.user.username, datetime.now(), "修改：由新通知代替")
        except (BadQuery, notices.NoticeError) as e:  # the form again, as filled in, with what to fix
            context = _form(viewer, _values_of_form(form), replaced)
            return render("notices_form.html", 400, viewer=viewer, user=viewer.user, path=LIST, error=str(e), **context)
        return f"{LIST}/{made[0].key}" if len(made) == 1 else LIST

    return await action(request, change, "notices_message.html")


@router.get("/notices/{key}")
def shown(request: Request, key: str) -> Response:
    def figures(viewer: Viewer) -> dict:
        notice = _notice(viewer, key)
        return {
            "notice": notice,
            "state": notices.state(notice, datetime.now()),
            "mine": viewer.owns(notice.site),
            "KINDS": notices.KINDS,
        }

    return page(request, "notices_shown.html", figures)


@router.post("/notices/{key}/withdraw")
async def withdrawn(request: Request, key: str) -> Response:
    def change(viewer: Viewer, form: FormData) -> str:
        reason = text(form, "reason", "撤回原因", max_length=REASON_MAX)
        with store.write():
            notice = _notice(viewer, key, change=True)
            if notice.withdrawn_at is None:
                notices.withdraw(notice, viewer.user.username, datetime.now(), reason)
        return f"{LIST}/{key}"

    return await action(request, change, "notices_message.html")


# --- helpers --------------------------------------------------------------------------------------------


def _notice(viewer: Viewer, key: str, change: bool = False) -> Notice:
    """The notice of `key` if the account sees it (and, to change it, owns its site); another
    site's is not found.  A notice for every site is seen by all, changed by the bureau only."""
    notice = Notice.get_or_none(Notice.key == key)
    if notice is None or not viewer.sees(notice.site):
        raise not_found("没有这条通知，或您无权查看。")
    if change and not viewer.owns(notice.site):
        raise Refused("这条通知发给了所有站点，只有管理局可以修改或撤回。")
    return notice


def _publish(viewer: Viewer, form: FormData) -> list[Notice]:
    """The form's notice, published for each site it names (call inside store.write())."""
    kind = str(form.get("kind", ""))
    title = text(form, "title", "标题", max_length=notices.TITLE_MAX)
    body = text(form, "body", "内容", required=False, max_length=notices.BODY_MAX)
    start, end = moment(form, "start", "开始时间"), moment(form, "end", "结束时间")
    username = viewer.user.username
    return [notices.publish(site, kind, title, body, start, end, username) for site in _targets(viewer, form)]


def _targets(viewer: Viewer, form: FormData) -> list[Site | None]:
    """The sites a new notice is for: a center's staff's own; for an admin, "all" (None: one
    notice every kiosk gets) or the sites ticked."""
    if viewer.own_site is not None:
        return [viewer.own_site]
    if str(form.get("all", "")) == "on":
        return [None]
    chosen = [viewer.site(str(code)) for code in form.getlist("site")]
    if not chosen:
        raise BadQuery("请选择要发布到哪些站点，或勾选「所有站点」。")
    return chosen


def _blank() -> dict:
    start = datetime.now().replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    return {"kind": "notice", "title": "", "body": "", "start": start, "end": start + timedelta(days=7), "sites": []}


def _values_of(notice: Notice) -> dict:
    sites = [notice.site.code] if notice.site is not None else []
    return {
        "kind": notice.kind,
        "title": notice.title,
        "body": notice.body,
        "start": notice.start,
        "end": notice.end,
        "sites": sites,
        "all": notice.site is None,
    }


def _values_of_form(form: FormData) -> dict:
    return {
        "kind": str(form.get("kind", "")),
        "title": str(form.get("title", "")),
        "body": str(form.get("body", "")),
        "start": str(form.get("start", "")),
        "end": str(form.get("end", "")),
        "sites": [str(code) for code in form.getlist("site")],
        "all": str(form.get("all", "")) == "on",
    }


def _form(viewer: Viewer, values: dict, replaced: str) -> dict:
    return {
        "values": values,
        "replaces": replaced,
        "sites": list(viewer.sites()),
        "KINDS": notices.KINDS,
        "TITLE_MAX": notices.TITLE_MAX,
        "BODY_MAX": notices.BODY_MAX,
    }
