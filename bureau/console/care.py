"""关怀走访: the care lists (bureau/care/lists.py) as pages (docs/care.md, Care lists).

    GET /web/care[?list=&site=][&format=xlsx]   a site's lists as tabs (a centre's staff: their own);
                                               the bureau's accounts without ?site=: per site and
                                               list, how many are due and overdue
    GET /web/care/sheet?list=[&site=]          the printable visit sheet of a site's list (A4)

Names and reasons (hardship, hospital) are sensitive: a site's list is its own staff's and the
bureau's admins'.  A viewer (the bureau's read-only accounts) sees the counts per site only: the
drill-down to a site's list is refused (403), and so is its sheet.
"""

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import Response

from bureau.care import lists
from bureau.console import base
from bureau.console.base import BadQuery, Refused, Viewer
from bureau.models import Site
from contract.cells import Sheet

router = APIRouter(prefix="/web")


@router.get("/care")
def care(request: Request) -> Response:
    def figures(viewer: Viewer) -> dict | Response:
        today, kind = date.today(), chosen_list(request)
        site = chosen_site(viewer, request)
        if site is None:
            counted = lists.counts(list(viewer.sites()), today)
            if base.wants_xlsx(request):
                return counts_xlsx(viewer, counted)
            return {"today": today, "sites": list(viewer.sites()), "counts": counted, "lists": lists.LISTS}
        if base.wants_xlsx(request):
            return rows_xlsx(site, kind, lists.rows(kind, [site], today))
        every = lists.site_lists(site, today)
        return {
            "today": today,
            "site": site,
            "kind": kind,
            "lists": lists.LISTS,
            "tabs": lists.site_counts(site, today, every),
            "rows": lists.filled(every[kind], today),
            "own": viewer.own_site is not None,
        }

    return base.page(request, "care_list.html", figures)


@router.get("/care/sheet")
def sheet(request: Request) -> Response:
    def figures(viewer: Viewer) -> dict:
        kind = chosen_list(request)
        site = chosen_site(viewer, request) or _missing_site()
        return {"site": site, "kind": kind, "lists": lists.LISTS, "rows": lists.rows(kind, [site], date.today())}

    return base.page(request, "care_sheet.html", figures)


def chosen_list(request: Request) -> str:
    kind = request.query_params.get("list") or "absent"
    if kind not in lists.LISTS:
        raise BadQuery(f"没有名单 {kind}。")
    return kind


def chosen_site(viewer: Viewer, request: Request) -> Site | None:
    """The site whose list is asked for: a centre's staff's own (another's is not found); for the
    bureau's accounts the ?site= named, an admin's only (a viewer sees counts, never names);
    None: the bureau's overview."""
    code = request.query_params.get("site") or None
    if viewer.own_site is not None:
        return viewer.site(code or viewer.own_site.code)
    if code is None:
        return None
    if viewer.role != "admin":
        raise Refused("只读账号只能看各站点的人数，不能看名单（姓名和困难情况属于敏感信息）。")
    return viewer.site(code)


def _missing_site() -> Site:
    raise BadQuery("请选择一个站点。")


def counts_xlsx(viewer: Viewer, counted: dict[str, dict[str, tuple[int, int]]]) -> Response:
    names = {s.code: s.name for s in viewer.sites()}
    headers = ["站点", "站点名称"] + [f"{name}{what}" for name in lists.LISTS.values() for what in ("待走访", "逾期")]
    table = [
        [code, names.get(code, ""), *(n for k in lists.LISTS for n in per[k])] for code, per in sorted(counted.items())
    ]
    return base.xlsx(base.dated("关怀走访各站点"), Sheet("各站点", headers, table))


def rows_xlsx(site: Site, kind: str, found: list[lists.Row]) -> Response:
    headers = ["会员号", "姓名", "原因", "应访日期", "逾期", "最近签到", "最近走访", "联系人", "电话"]
    table = [
        [
            r.member_no,
            r.name,
            r.reason,
            r.due or "",
            "逾期" if r.overdue else "",
            r.last_signin or "从未签到",
            r.last_visit or "从未走访",
            r.contact,
            r.phone,
        ]
        for r in found
    ]
    name = lists.LISTS[kind]
    return base.xlsx(base.dated(f"关怀名单-{name}-{site.code}"), Sheet(name, headers, table))
