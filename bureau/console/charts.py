"""统计图表: charts of one node of the hierarchy (the whole bureau, a city, district or street, one
site), each with its numbers in a table under it that downloads as .xlsx.

    GET /web/charts[?region=ID | ?site=CODE | ?node=region:ID|site:CODE][&format=xlsx[&table=KEY]]

A center's staff get their own site only: another site, or any region, is not found.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from fastapi import APIRouter, Request
from fastapi.responses import Response
from markupsafe import Markup

from bureau import figures as fig
from bureau.console import svg
from bureau.console.base import BadQuery, Viewer, not_found, page, xlsx
from bureau.models import Site
from bureau.programme import hierarchy
from contract import cells

router = APIRouter(prefix="/web")

COURSE_BARS = 15  # the fullest courses drawn; the table lists them all


@dataclass
class Chosen:
    """The node the charts are for: its name, its key in the chooser, and the sites under it."""

    name: str
    key: str
    sites: list[Site]


@dataclass
class Chart:
    key: str
    title: str
    svg: Markup
    sheet: cells.Sheet
    note: str = ""


@router.get("/charts")
def charts(request: Request) -> Response:
    def figures(viewer: Viewer) -> dict | Response:
        root = hierarchy.tree(list(viewer.sites()))
        chosen = choose(viewer, root, request.query_params)
        tally = fig.Tally([s.id for s in chosen.sites], date.today())
        if request.query_params.get("format") == "xlsx":
            wanted = request.query_params.get("table")
            if wanted and wanted not in CHARTS:
                raise BadQuery(f"没有名为 {wanted} 的表格。")
            # One table's download computes that table's figures only.
            sheets = [c.sheet for c in build(chosen, tally, [wanted] if wanted else CHARTS)]
            suffix = f"_{sheets[0].title}" if wanted else ""
            return xlsx(f"统计图表_{chosen.name}{suffix}.xlsx", *sheets)
        made = build(chosen, tally)
        return {"chosen": chosen, "charts": made, "options": options(viewer, root), "query": _query(chosen)}

    return page(request, "charts.html", figures)


def choose(viewer: Viewer, root: hierarchy.Node, params) -> Chosen:
    """The node asked for, if the viewer may see it (a staff member: their site, whatever they ask)."""
    node = params.get("node", "")
    code = params.get("site") or (node.removeprefix("site:") if node.startswith("site:") else "")
    region = params.get("region") or (node.removeprefix("region:") if node.startswith("region:") else "")
    if code:
        site = viewer.site(code)
        return Chosen(f"{site.code} {site.name}", f"site:{site.code}", [site])
    own = viewer.own_site
    if region:
        found = hierarchy.find(root, int(region)) if region.isdigit() and own is None else None
        if found is None or found.region is None:
            raise not_found(f"没有编号为 {region} 的区域，或您无权查看。")
        return Chosen(found.region.name, f"region:{found.region.id}", found.all_sites())
    if own is not None:
        return Chosen(f"{own.code} {own.name}", f"site:{own.code}", [own])
    return Chosen("全部站点", "", root.all_sites())


def options(viewer: Viewer, root: hierarchy.Node) -> list[tuple[str, str]]:
    """The chooser's (value, label): the whole bureau, each region indented by level, each site."""
    if viewer.own_site is not None:
        own = viewer.own_site
        return [(f"site:{own.code}", f"{own.code} {own.name}")]
    found = [("", "全部站点")]
    for node in root.walk():
        if node.region is not None:
            label = f"{'　' * (node.depth - 1)}{node.region.name}（{hierarchy.LEVEL_NAMES[node.region.level]}）"
            found.append((f"region:{node.region.id}", label))
    found += [(f"site:{s.code}", f"站点 {s.code} {s.name}") for s in root.all_sites()]
    return found


def _query(chosen: Chosen) -> str:
    kind, _, value = chosen.key.partition(":")
    return f"{kind}={value}&" if kind else ""


# --- the charts -----------------------------------------------------------------------------------------


def build(chosen: Chosen, tally: fig.Tally, keys: Iterable[str] | None = None) -> list[Chart]:
    """The charts of `keys` (default: all, in CHARTS' order); each figure is computed once in
    `tally`, shared by the charts that show it (fill and demand: the same courses)."""
    return [CHARTS[key](chosen, tally) for key in (keys or CHARTS)]


def weekly_chart(chosen: Chosen, tally: fig.Tally) -> Chart:
    weekly = tally.weekly
    labels = month_ticks(weekly.weeks)
    title = f"每周签到人次 · {chosen.name}"
    lines = [svg.Series("近一年", weekly.this_year), svg.Series("上一年同期", weekly.last_year)]
    this, last = sum(weekly.this_year), sum(weekly.last_year)
    desc = f"近 {len(weekly.weeks)} 周每周签到人次（实线）与上一年同期（虚线）：合计 {this} 对 {last}。"
    points = [f"{m:%Y-%m-%d} 起一周" for m in weekly.weeks]
    back = timedelta(weeks=52)
    rows = [[m, this, m - back, last] for m, this, last in zip(weekly.weeks, weekly.this_year, weekly.last_year)]
    sheet = cells.Sheet("每周签到", ["周（周一）", "签到人次", "上一年同期（周一）", "上一年同期人次"], rows)
    return Chart("weekly", title, svg.line_chart("chart-weekly", title, desc, points, labels, lines), sheet)


def month_ticks(mondays: list[date]) -> dict[int, str]:
    """Labels of the weeks a month starts in (the year with January), and of the first week
    when the next label is far enough away not to run into it."""
    starts = [i for i, m in enumerate(mondays) if i and m.month != mondays[i - 1].month]
    if mondays and (not starts or starts[0] >= 5):
        starts.insert(0, 0)
    return {
        i: f"{mondays[i].year}年{mondays[i].month}月" if mondays[i].month == 1 or i == 0 else f"{mondays[i].month}月"
        for i in starts
    }


def active_chart(chosen: Chosen, tally: fig.Tally) -> Chart:
    sites = chosen.sites
    title = f"各站点活跃长者（近 {fig.ACTIVE_DAYS} 天） · {chosen.name}"
    active = [tally.active.get(s.id, 0) for s in sites]
    members = [tally.members.get(s.id, 0) for s in sites]
    desc = f"每个站点登记的长者中，近 {fig.ACTIVE_DAYS} 天签到过的人数，与登记人数相比。"
    bars = [svg.Series("活跃长者", active), svg.Series("登记长者", members)]
    chart = svg.bar_chart("chart-active", title, desc, [s.name for s in sites], bars)
    rate = [f"{a / m:.0%}" if m else "-" for a, m in zip(active, members)]
    rows = [[s.code, s.name, a, m, r] for s, a, m, r in zip(sites, active, members, rate)]
    return Chart(
        "active", title, chart, cells.Sheet("活跃长者", ["站点", "站点名称", "活跃长者", "登记长者", "活跃率"], rows)
    )


def fill_chart(chosen: Chosen, tally: fig.Tally) -> Chart:
    courses = tally.courses
    limited = [c for c in courses if c.capacity]
    drawn = limited[:COURSE_BARS]
    title = f"课程报满率 · {chosen.name}"
    desc = f"有名额限制的课程按报满率（已报名/名额）排列，前 {len(drawn)} 门。"
    labels = [f"{c.fill:.0%}（{c.enrolled}/{c.capacity}）" for c in drawn]
    bars = [svg.Series("报满率 %", [round((c.fill or 0) * 100, 1) for c in drawn], labels)]
    chart = svg.bar_chart("chart-fill", title, desc, [_course(c, chosen) for c in drawn], bars, top=100)
    rows = [
        [c.site, c.title, c.enrolled, c.capacity or "不限", f"{c.fill:.0%}" if c.fill is not None else "-"]
        for c in courses
    ]
    note = f"图中为报满率最高的 {COURSE_BARS} 门，表中列出全部课程。" if len(limited) > COURSE_BARS else ""
    return Chart(
        "fill", title, chart, cells.Sheet("课程报满率", ["站点", "课程", "已报名", "名额", "报满率"], rows), note
    )


def demand_chart(chosen: Chosen, tally: fig.Tally) -> Chart:
    courses = tally.courses
    wanted = sorted((c for c in courses if c.waitlisted or c.full), key=lambda c: (-c.waitlisted, c.site, c.title))
    drawn = wanted[:COURSE_BARS]
    title = f"未满足的需求 · {chosen.name}"
    desc = f"{sum(c.full for c in courses)} 门课程已报满，{sum(c.waitlisted for c in courses)} 人在候补。"
    bars = [svg.Series("候补人数", [c.waitlisted for c in drawn])]
    chart = svg.bar_chart("chart-demand", title, desc, [_course(c, chosen) for c in drawn], bars)
    rows = [[c.site, c.title, c.waitlisted, "是" if c.full else "否", c.enrolled, c.capacity or "不限"] for c in wanted]
    sheet = cells.Sheet("未满足需求", ["站点", "课程", "候补人数", "已报满", "已报名", "名额"], rows)
    return Chart("demand", title, chart, sheet, desc)


def portrait_chart(chosen: Chosen, tally: fig.Tally) -> Chart:
    portrait = tally.portrait
    genders = portrait.genders
    title = f"学员画像：年龄与性别 · {chosen.name}"
    total = sum(portrait.count(b, g) for b in fig.AGE_BANDS for g in genders)
    desc = f"按出生年份计算年龄段、按性别统计的学员人数，共 {total} 人。"
    bars = [svg.Series(g, [portrait.count(b, g) for b in fig.AGE_BANDS]) for g in genders]
    chart = svg.bar_chart("chart-portrait", title, desc, list(fig.AGE_BANDS), bars)
    rows = [
        [b, *(portrait.count(b, g) for g in genders), sum(portrait.count(b, g) for g in genders)] for b in fig.AGE_BANDS
    ]
    note = f"另有 {portrait.no_age} 人未填写出生年份，未计入。" if portrait.no_age else ""
    return Chart("portrait", title, chart, cells.Sheet("学员画像", ["年龄段", *genders, "合计"], rows), note)


# The charts by their keys (the `table` of a download), in the page's order.
CHARTS: dict[str, Callable[[Chosen, fig.Tally], Chart]] = {
    "weekly": weekly_chart,
    "active": active_chart,
    "fill": fill_chart,
    "demand": demand_chart,
    "portrait": portrait_chart,
}


def _course(course: fig.CourseFill, chosen: Chosen) -> str:
    """A course's label: with its site's name when the charts cover several sites."""
    return course.title if len(chosen.sites) == 1 else f"{course.title}（{course.site}）"
