"""站点层级: the hierarchy (市 → 区 → 街道 → sites) with figures summed up at each level, and the
admin's changes to it (add, rename, move a region; a site's kind and place), each audited.

    GET  /web/sites[?format=xlsx]                  the tree (bureau accounts)
    POST /web/sites/regions                        add a region (admin)
    POST /web/sites/regions/rename | /move         rename a region, put it under another
    POST /web/sites/place                          a site's region and kind
"""

from collections.abc import Callable
from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from bureau import figures as fig
from bureau.console.base import BUREAU, BadQuery, Viewer, action, integer, page, text, xlsx
from bureau.models import Region
from bureau.programme import hierarchy
from contract import cells

router = APIRouter(prefix="/web")

COLUMNS = ["层级", "名称", "类型", "站点数", "学员", "活跃长者(30天)", "本月签到", "课程", "报满率"]


@router.get("/sites")
def sites(request: Request) -> Response:
    def figures(viewer: Viewer) -> dict | Response:
        root = hierarchy.tree(list(viewer.sites()))
        per_site = fig.Tally([s.id for s in root.all_sites()], date.today()).per_site
        totals = fig.rolled_up(root, per_site)
        rows = tree_rows(root, totals, per_site)
        if request.query_params.get("format") == "xlsx":
            return xlsx("站点层级.xlsx", cells.Sheet("站点层级", COLUMNS, [r["cells"] for r in rows]))
        regions = [n for n in root.walk() if n.region is not None]
        return {
            "rows": rows,
            "columns": COLUMNS,
            "keys": ["sites", "members", "active", "signins", "courses", "fill"],
            "regions": regions,
            "sites": root.all_sites(),
            "levels": hierarchy.LEVEL_NAMES,
            "kinds": hierarchy.KIND_NAMES,
        }

    return page(request, "sites.html", figures, roles=BUREAU)


def tree_rows(root: hierarchy.Node, totals: dict[str, fig.Figures], per_site: dict[int, fig.Figures]) -> list[dict]:
    """The table of the tree, top down: each region with its sums, then its regions, then its sites."""
    rows = []
    for node in root.walk():
        if node.region is None:
            rows.append(_row("total", 0, "全局", "全部站点", "", totals[node.key]))
        else:
            level = hierarchy.LEVEL_NAMES[node.region.level]
            rows.append(_row(node.key, node.depth, level, node.region.name, "", totals[node.key]))
        for site in node.sites:
            figures = per_site.get(site.id, fig.Figures(sites=1))
            rows.append(
                _row(
                    f"site-{site.code}",
                    node.depth + 1,
                    "站点",
                    f"{site.code} {site.name}",
                    hierarchy.KIND_NAMES.get(site.kind, site.kind),
                    figures,
                )
            )
    return rows


def _row(key: str, depth: int, level: str, name: str, kind: str, f: fig.Figures) -> dict:
    fill = f"{f.fill:.0%}" if f.fill is not None else "-"
    return {
        "key": key,
        "depth": depth,
        "site": key.startswith("site-"),
        "cells": [level, name, kind, f.sites, f.members, f.active, f.signins, f.courses, fill],
    }


# --- the admin's changes ------------------------------------------------------------------------------


@router.post("/sites/regions")
async def add_region(request: Request) -> Response:
    def change(username: str, form: FormData) -> None:
        name, level = text(form, "name", "名称", max_length=60), text(form, "level", "层级")
        hierarchy.add_region(username, name, level, _id(form, "parent", "上级区域"))

    return await _admin_change(request, change)


@router.post("/sites/regions/rename")
async def rename_region(request: Request) -> Response:
    def change(username: str, form: FormData) -> None:
        hierarchy.rename_region(username, _region(form), text(form, "name", "新名称", max_length=60))

    return await _admin_change(request, change)


@router.post("/sites/regions/move")
async def move_region(request: Request) -> Response:
    def change(username: str, form: FormData) -> None:
        hierarchy.move_region(username, _region(form), _id(form, "parent", "新的上级区域"))

    return await _admin_change(request, change)


@router.post("/sites/place")
async def place_site(request: Request) -> Response:
    return await _admin_change(
        request,
        lambda username, form: hierarchy.place_site(
            username, text(form, "site", "站点"), _id(form, "region", "所属区域"), text(form, "kind", "站点类型")
        ),
    )


async def _admin_change(request: Request, change: Callable[[str, FormData], object]) -> Response:
    """An admin's change of the hierarchy from a form of /web/sites (`change` gets the admin's
    username and the form); the hierarchy's refusal is the form's message."""

    def run(viewer: Viewer, form: FormData) -> str:
        viewer.require("admin")
        try:
            change(viewer.user.username, form)
        except hierarchy.HierarchyError as e:
            raise BadQuery(str(e)) from None
        return "/web/sites"

    return await action(request, run, "sites_message.html")


def _id(form: FormData, name: str, label: str) -> int | None:
    return integer(form, name, label, None, 1, 10**9)


def _region(form: FormData) -> int:
    region = _id(form, "region", "区域")
    if region is None or not Region.select().where(Region.id == region).exists():
        raise BadQuery("请选择一个区域。")
    return region
