"""The points catalogue in the console (积分兑换, docs/points.md): items, their requests, the report.

    GET  /web/catalogue?site=              items with their stock and requests waiting per site;
                                           handovers past the stock, flagged for staff
    GET  /web/catalogue/new                the form of a new item
    POST /web/catalogue                    make it (published to the kiosks)
    GET  /web/catalogue/report?site=&from=&to=[&format=xlsx]   requests of a period, per site
    GET  /web/catalogue/{key}              an item: its fields, the form to change it, its requests
    POST /web/catalogue/{key}              change it (refused if its stock moved since the form)
    POST /web/catalogue/{key}/withdraw     take it off the kiosks
    POST /web/catalogue/{key}/checked      a flagged handover (form field request) looked into

Who: an admin makes items for one site or every site; a center's staff for their own site, and
change only those (an item for every site is the bureau's).  Each sees the requests of the sites
they see; staff mark their own site's flagged handovers checked.  A viewer reads.  Another site's
item, by URL or form, is not found.
"""

from datetime import date, datetime

from fastapi import APIRouter, Request
from fastapi.responses import Response
from peewee import JOIN
from starlette.datastructures import FormData

from bureau.catalogue import CatalogueError, items, redemptions
from bureau.console.base import (
    BadQuery,
    Refused,
    Viewer,
    action,
    dated,
    day,
    integer,
    not_found,
    page,
    saved,
    text,
    wants_xlsx,
    xlsx,
)
from bureau.models import CatalogueItem, Redemption, Site
from contract.cells import Sheet

router = APIRouter(prefix="/web")
LIST = "/web/catalogue"
REASON_MAX = 200
RECENT = 200  # an item page's latest requests


@router.get("/catalogue")
def listed(request: Request) -> Response:
    def figures(viewer: Viewer) -> dict:
        site = viewer.site_or_all(request.query_params.get("site") or None)
        sites = [site] if site is not None else list(viewer.sites())
        query = CatalogueItem.select(CatalogueItem, Site).join(Site, JOIN.LEFT_OUTER)
        query = viewer.scope(query, CatalogueItem.site)
        if site is not None:
            query = query.where((CatalogueItem.site == site.id) | CatalogueItem.site.is_null())
        rows = list(query.order_by(CatalogueItem.withdrawn_at.is_null(False), CatalogueItem.name, CatalogueItem.id))
        ids = [s.id for s in sites]
        return {
            "site": site.code if site is not None else "",
            "sites": list(viewer.sites()),
            "shown": sites,
            "current": [r for r in rows if r.withdrawn_at is None],
            "withdrawn": [r for r in rows if r.withdrawn_at is not None],
            "waiting": redemptions.waiting(ids),
            "flagged": redemptions.flagged(ids),
            "owned": {s.id for s in sites if viewer.owns(s)},
        }

    return page(request, "catalogue_list.html", figures)


@router.get("/catalogue/new")
def new(request: Request) -> Response:
    def figures(viewer: Viewer) -> dict:
        viewer.require_change()
        return _form(viewer, {"name": "", "points": "", "stock": "", "valid_from": "", "valid_to": "", "site": ""})

    return page(request, "catalogue_form.html", figures)


@router.post("/catalogue")
async def create(request: Request) -> Response:
    def change(viewer: Viewer, form: FormData) -> str:
        target = _target(viewer, form)
        made = saved(lambda: items.create(target, _fields(form), viewer.user.username), CatalogueError)
        return f"{LIST}/{made.key}"

    return await action(request, change, "catalogue_message.html")


@router.get("/catalogue/report")
def report(request: Request) -> Response:
    def figures(viewer: Viewer) -> dict | Response:
        params = request.query_params
        site = viewer.site_or_all(params.get("site") or None)
        sites = [site] if site is not None else list(viewer.sites())
        today = date.today()
        start = day(params, "from", "开始日期", today.replace(day=1))
        end = day(params, "to", "结束日期", today)
        if end < start:
            raise BadQuery("结束日期应不早于开始日期。")
        found = redemptions.in_period([s.id for s in sites], start, end)
        if wants_xlsx(request):
            return report_xlsx(found, start, end)
        return {
            "site": site.code if site is not None else "",
            "sites": list(viewer.sites()),
            "start": start,
            "end": end,
            "lines": found,
            "totals": totals(found),
        }

    return page(request, "catalogue_report.html", figures)


def totals(found: list[redemptions.Line]) -> list[tuple[str, str, int, int, int]]:
    """(site, item, handed over, points handed over, still waiting) per site and item."""
    sums: dict[tuple[str, str], list[int]] = {}
    for line in found:
        row = sums.setdefault((line.site, line.item_name), [0, 0, 0])
        if line.state == "handed":
            row[0] += 1
            row[1] += line.points
        elif line.state == "requested":
            row[2] += 1
    return [(site, name, *counts) for (site, name), counts in sorted(sums.items())]  # type: ignore[misc]


def report_xlsx(found: list[redemptions.Line], start: date, end: date) -> Response:
    rows = [
        (
            f"{line.requested_at:%Y-%m-%d %H:%M}",
            line.site,
            line.member_no,
            line.name,
            line.item_name,
            line.points,
            line.state_name,
            f"{line.handed_at:%Y-%m-%d %H:%M}" if line.handed_at else "",
            f"{line.cancelled_at:%Y-%m-%d %H:%M}" if line.cancelled_at else "",
            line.entry_amount if line.entry_amount is not None else "",
            "超出库存" if line.over_stock else "",
        )
        for line in found
    ]
    columns = ("申请时间", "站点", "学号", "姓名", "物品", "积分", "状态", "领取时间", "取消时间", "账目积分", "备注")
    summary = Sheet("汇总", ("站点", "物品", "已领取", "已扣积分", "待领取"), totals(found))
    return xlsx(dated(f"积分兑换-{start.isoformat()}至{end.isoformat()}"), Sheet("明细", columns, rows), summary)


@router.get("/catalogue/{key}")
def shown(request: Request, key: str) -> Response:
    def figures(viewer: Viewer) -> dict:
        row = _item(viewer, key)
        ids = [s.id for s in viewer.sites()]
        return {
            "item": row,
            "mine": viewer.owns(row.site) and row.withdrawn_at is None,
            "values": _values_of(row),
            "lines": redemptions.lines(Redemption.item == row.id, Redemption.site.in_(ids), limit=RECENT),
            "waiting": sum(redemptions.waiting(ids).get(row.id, {}).values()),
            "owned": {s.id for s in viewer.sites() if viewer.owns(s)},
            "RECENT": RECENT,
            "NAME_MAX": items.NAME_MAX,
        }

    return page(request, "catalogue_item.html", figures)


@router.post("/catalogue/{key}")
async def edited(request: Request, key: str) -> Response:
    def change(viewer: Viewer, form: FormData) -> str:
        was = integer(form, "stock_was", "原库存", None, 0, items.STOCK_MAX)

        def edit() -> None:
            items.edit(_item(viewer, key, change=True), _fields(form), was, viewer.user.username)

        saved(edit, CatalogueError)
        return f"{LIST}/{key}"

    return await action(request, change, "catalogue_message.html")


@router.post("/catalogue/{key}/withdraw")
async def withdrawn(request: Request, key: str) -> Response:
    def change(viewer: Viewer, form: FormData) -> str:
        reason = text(form, "reason", "撤下原因", max_length=REASON_MAX)

        def withdraw() -> None:
            row = _item(viewer, key, change=True)
            if row.withdrawn_at is None:
                items.withdraw(row, viewer.user.username, datetime.now(), reason)

        saved(withdraw)
        return f"{LIST}/{key}"

    return await action(request, change, "catalogue_message.html")


@router.post("/catalogue/{key}/checked")
async def checked(request: Request, key: str) -> Response:
    def change(viewer: Viewer, form: FormData) -> str:
        note = text(form, "reason", "核对情况", required=False, max_length=REASON_MAX)

        def check() -> None:
            row = _item(viewer, key)
            found = Redemption.get_or_none(
                Redemption.item == row.id, Redemption.request == str(form.get("request", ""))
            )
            if found is None or not viewer.sees(found.site):
                raise not_found("没有这条兑换记录，或您无权查看。")
            if not viewer.owns(found.site):
                raise Refused("只有这个站点的工作人员或管理员可以核对。")
            if found.over_stock and not found.checked_by:
                redemptions.check(found, viewer.user.username, note)

        saved(check)
        return str(form.get("back", "")) if str(form.get("back", "")) == LIST else f"{LIST}/{key}"

    return await action(request, change, "catalogue_message.html")


# --- helpers --------------------------------------------------------------------------------------------


def _item(viewer: Viewer, key: str, change: bool = False) -> CatalogueItem:
    """The item of `key` if the account sees it (and, to change it, owns its site); another site's
    is not found.  An item for every site is seen by all, changed by the bureau only."""
    row = CatalogueItem.get_or_none(CatalogueItem.key == key)
    if row is None or not viewer.sees(row.site):
        raise not_found("没有这件物品，或您无权查看。")
    if change and not viewer.owns(row.site):
        raise Refused("这件物品是所有站点共用的，只有管理局可以修改或撤下。")
    return row


def _target(viewer: Viewer, form: FormData) -> Site | None:
    """The site a new item is for: a center's staff's own; an admin's choice ("": every site)."""
    if viewer.own_site is not None:
        return viewer.own_site
    code = str(form.get("site", ""))
    return viewer.site(code) if code else None


def _fields(form: FormData) -> items.Fields:
    return items.Fields(
        name=text(form, "name", "物品名称", max_length=items.NAME_MAX),
        points=integer(form, "points", "所需积分", None, 1, items.POINTS_MAX) or _missing("所需积分"),
        stock=integer(form, "stock", "库存", None, 0, items.STOCK_MAX),
        valid_from=day(form, "valid_from", "有效期开始") if str(form.get("valid_from", "")).strip() else None,
        valid_to=day(form, "valid_to", "有效期结束") if str(form.get("valid_to", "")).strip() else None,
    )


def _missing(label: str) -> int:
    raise BadQuery(f"请填写「{label}」。")


def _values_of(row: CatalogueItem) -> dict:
    return {
        "name": row.name,
        "points": row.points,
        "stock": "" if row.stock is None else row.stock,
        "valid_from": row.valid_from.isoformat() if row.valid_from else "",
        "valid_to": row.valid_to.isoformat() if row.valid_to else "",
    }


def _form(viewer: Viewer, values: dict) -> dict:
    return {"values": values, "sites": list(viewer.sites()), "NAME_MAX": items.NAME_MAX}
