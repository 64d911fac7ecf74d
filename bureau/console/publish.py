"""/web/publish: the points rules and the kiosks' settings, published from the browser by an
admin (a viewer reads them).  bureau/publish.py does the publishing, as for the CLI, and audits
it; kiosks get it at their next pull (every sync.pull_every_s, a minute by default)."""

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from bureau import publish
from bureau.console.base import BUREAU, BadQuery, Refused, Viewer, action, checkbox, integer, page, text
from bureau.models import Kiosk, Site
from contract.points import CATEGORIES, PER

router = APIRouter(prefix="/web")

CATEGORY_NAMES = {"lesson": "上课", "activity": "活动", "party": "党组织生活", "volunteer": "志愿服务"}
PER_NAMES = {"attendance": "每次签到", "hour": "每小时"}
assert CATEGORY_NAMES.keys() == set(CATEGORIES) and PER_NAMES.keys() == set(PER)
# Each setting's label, and a hint of what it takes (publish.SETTINGS has its kind and limits).
SETTING_NAMES = {
    "display.mask_names": ("屏幕上姓名打码", "如 王*华"),
    "display.open_from": ("每天开始服务", "时:分"),
    "display.open_until": ("每天结束服务", "时:分"),
    "sync.pull_every_s": ("多久取一次更新（秒）", "10–86400"),
    "sync.nightly_at": ("夜间核对时间", "时:分"),
    "checkin.window_before_min": ("开始前多少分钟可签到", "0–1440"),
    "checkin.window_after_min": ("开始后多少分钟内可签到", "0–1440"),
}
assert SETTING_NAMES.keys() == publish.SETTINGS.keys()
DONE = {
    "rule": "积分规则已发布，签到机会在下次取更新时（一般一分钟内）收到。",
    "settings": "设置已发布，签到机会在下次取更新时（一般一分钟内）收到。",
}


@router.get("/publish")
def overview(request: Request) -> Response:
    def figures(viewer: Viewer) -> dict:
        level = request.query_params.get("level", "")
        entity, _, _ = _level(level)
        current = dict(publish.settings())
        return {
            "rules": {rule["category"]: rule for rule in publish.rules()},
            "categories": CATEGORY_NAMES,
            "pers": PER_NAMES,
            "settings": current,
            "names": SETTING_NAMES,
            "kinds": {key: kind.__name__ for key, (kind, _) in publish.SETTINGS.items()},
            "level": level,
            "chosen": current.get(entity, {}),
            "levels": _levels(),
            "done": DONE.get(request.query_params.get("done", ""), ""),
        }

    return page(request, "publish.html", figures, roles=BUREAU)


@router.post("/publish/rules/{category}")
async def set_rule(request: Request, category: str) -> Response:
    def change(viewer: Viewer, form: FormData) -> str:
        viewer.require("admin")
        if category not in CATEGORIES:
            raise BadQuery(f"没有「{category}」这类积分。")
        per = str(form.get("per", ""))
        if per not in PER:
            raise BadQuery("请选择按什么计分。")
        points = integer(form, "points", "积分", low=0, high=1000)
        if points is None:
            raise BadQuery("请填写「积分」。")
        publish.set_rule(
            category,
            points,
            per,
            integer(form, "daily_cap", "每天最多", default=0, low=0, high=10000),
            checkbox(form, "once_per_item"),
            by=viewer.user.username,
            reason=text(form, "reason", "原因"),
        )
        return "/web/publish?done=rule"

    return await action(request, change)


@router.post("/publish/settings")
async def set_settings(request: Request) -> Response:
    def change(viewer: Viewer, form: FormData) -> str:
        viewer.require("admin")
        level = str(form.get("level", ""))
        _, site, kiosk = _level(level)
        values = {}
        for key, (label, hint) in SETTING_NAMES.items():
            value = str(form.get(key, "")).strip()
            if not value:
                continue  # left as it is
            typed = publish.check_setting(key, value)
            if typed is None:
                raise BadQuery(f"「{label}」填的 {value} 不对：应为 {hint}。")
            values[key] = typed
        if not values:
            raise BadQuery("没有要改的设置：留空的项目保持不变。")
        reason = text(form, "reason", "原因")
        publish.apply_settings(values, site, kiosk, by=viewer.user.username, reason=reason)
        return f"/web/publish?level={level}&done=settings" if level else "/web/publish?done=settings"

    return await action(request, change)


def _levels() -> list[tuple[str, str]]:
    """(level, label) of every level settings are set at: every kiosk, each site, each kiosk."""
    found = [("", "所有签到机")]
    found += [(f"site:{s.code}", f"站点 {s.code} {s.name}") for s in Site.select().order_by(Site.code)]
    found += [(f"kiosk:{k.kiosk_id}", f"签到机 {k.kiosk_id} {k.name}") for k in Kiosk.select().order_by(Kiosk.kiosk_id)]
    return found


def _level(level: str) -> tuple[str, str | None, str | None]:
    """The settings stream's entity of `level`, and its site or kiosk (as publish.set_settings takes them)."""
    kind, _, code = level.partition(":")
    if not level:
        return "*", None, None
    if kind == "site" and Site.get_or_none(Site.code == code):
        return f"site:{code}", code, None
    if kind == "kiosk" and Kiosk.get_or_none(Kiosk.kiosk_id == code):
        return code, None, code
    raise Refused("没有这个站点或签到机。", 404)
