"""The bureau staff's read-only web page: the reports of bureau/reports.py behind a login.

    GET  /web/login    the form            POST /web/login    sign in (sets the session cookie;
                                                              429 past 10 tries a minute per client)
    POST /web/logout   sign out
    GET  /web/  /web/attendance?from=&to=&site=  /web/kiosks  /web/points  (关怀走访: bureau/console/care.py)
         (each report page but the overview: &format=xlsx downloads its tables as a workbook)

Every page needs a session (else 303 to /web/login) and only reads.  Pages are Jinja2 templates
(bureau/templates) with autoescape on, so a name a kiosk sent is shown, never run.

Cross-site requests: the session cookie is SameSite=Strict, so a form posted from another site
arrives without it; and the two forms that change something (login, logout) are refused unless
the browser's Origin (or, failing that, Referer) is this very host.  That covers login CSRF
too, which SameSite alone does not (there is no session yet), without a token to keep.
"""

import math
from datetime import date, timedelta

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from bureau import reports, users
from bureau.care import lists
from bureau.console.base import COOKIE, FONT, LOGIN, RARE_FONT, BadQuery, Viewer, page, render, same_origin, xlsx
from bureau.models import Organisation
from bureau.organisations import reminders
from bureau.store import db, utcnow
from bureau.throttle import TokenBucket
from contract import cells

router = APIRouter(prefix="/web")

MAX_DAYS = 366 * 5
# Login attempts a client (an IP address; behind a proxy on this host, the one it forwards) may
# make: 10 at once, then 10 a minute.  The per-account lockout (bureau/users.py) stops guessing
# at one name; this stops one client guessing across many.
login_attempts = TokenBucket(per_minute=10, burst=10)


# --- signing in and out -------------------------------------------------------------------------------


@router.get("/login")
def login_form(next: str = "") -> Response:
    return render("login.html", next=next if next.startswith("/web/") else "")


@router.post("/login")
async def login(request: Request) -> Response:
    # First, before any other work: each attempt costs a scrypt hash.
    wait = login_attempts.take(request.client.host if request.client else "")
    if wait:
        response = render("login.html", status=429, error="登录尝试太多了，请过一分钟再试。")
        response.headers["Retry-After"] = str(math.ceil(wait))
        return response
    if not same_origin(request):
        return render("login.html", status=403, error="请从本站的登录页登录。")
    form = await request.form()
    username, password = str(form.get("username", "")), str(form.get("password", ""))
    address = request.client.host if request.client else ""
    agent = request.headers.get("user-agent", "")
    result = await run_in_threadpool(_login, username, password, address, agent)
    if result.user is None:
        return render("login.html", status=401, error="用户名或密码不对，或账号暂时被锁定。", username=username)
    target = str(form.get("next", ""))
    # Only a path of the console: a link to the login page cannot send anyone elsewhere.
    response = RedirectResponse(target if target.startswith("/web/") else "/web/", status_code=303)
    response.set_cookie(
        COOKIE,
        result.token,
        max_age=int(users.SESSION_LIFE.total_seconds()),
        path="/web",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


def _login(username: str, password: str, address: str, agent: str) -> users.Login:
    with db.connection_context():
        return users.login(username, password, address=address, agent=agent)


@router.post("/logout")
def logout(request: Request) -> Response:
    if not same_origin(request):
        return Response(status_code=403)
    with db.connection_context():
        users.logout(request.cookies.get(COOKIE))
    response = RedirectResponse(LOGIN, status_code=303)
    response.delete_cookie(COOKIE, path="/web")
    return response


@router.get("/static/NotoSansCJKsc-Regular.otf")
def font() -> Response:
    # The pages' Chinese must not depend on the fonts of the staff's computer (see base.html).
    return FileResponse(FONT, media_type="font/otf", headers={"Cache-Control": "public, max-age=2592000"})


@router.get("/static/HanaMinB.ttf")
def rare_font() -> Response:
    # Names with characters beyond the CJK fonts (Ext-B and on: 龚𪚥): fetched by a browser only for
    # a page that holds one (base.html's unicode-range), as the file is 30 MB.
    return FileResponse(RARE_FONT, media_type="font/ttf", headers={"Cache-Control": "public, max-age=2592000"})


# --- pages ----------------------------------------------------------------------------------------------


@router.get("/")
def overview(request: Request) -> Response:
    def figures(viewer: Viewer) -> dict:
        today = date.today()
        code = _own_code(viewer)
        active = [a for a in reports.active_seniors(30, today) if code is None or a.code in ("", code)]
        return {
            "today": today,
            "day": reports.attendance(today, today, code, detail=False),
            "month": reports.attendance(today.replace(day=1), today, code, detail=False),
            "active": [a for a in active if a.code],
            "total": active[-1] if code is None else next((a for a in active if a.code == code), None),
            "attention": [k for k in _mine(viewer, reports.kiosk_health(utcnow())) if k.needs_attention],
            "negatives": len(_mine(viewer, reports.points_overview())),
            "renewals": reminders.due(viewer.scope(Organisation.select(), Organisation.site), today).count(),
            # 待走访 N 人，逾期 M 人 of the sites this account sees: a site's staff their own, the bureau's
            # accounts every site's (counts only; one grouped statement, ~0.2 s on 50,000 members).
            "care": lists.totals(list(viewer.sites()), today),
        }

    return page(request, "overview.html", figures)


@router.get("/attendance")
def attendance(request: Request) -> Response:
    def figures(viewer: Viewer) -> dict:
        today = date.today()
        start = _date(request, "from", today.replace(day=1))
        end = _date(request, "to", today)
        if end < start or end - start > timedelta(days=MAX_DAYS):
            raise BadQuery(f"日期范围不对：开始日期要早于结束日期，且不超过 {MAX_DAYS} 天。")
        site = _chosen(viewer, request)
        if _wants_xlsx(request):
            return _xlsx("签到统计", reports.attendance_tables(start, end, site), ["汇总", "每日", "各课程活动"])
        return {
            "start": start,
            "end": end,
            "site": site,
            "sites": list(viewer.sites()),
            "rows": reports.attendance(start, end, site),
        }

    return page(request, "attendance.html", figures)


@router.get("/kiosks")
def kiosks(request: Request) -> Response:
    def figures(viewer: Viewer) -> dict | Response:
        if _wants_xlsx(request):
            return _xlsx("签到机状态", reports.kiosk_tables(utcnow(), _own_code(viewer)), ["签到机", "设备"])
        return {"kiosks": _mine(viewer, reports.kiosk_health(utcnow()))}

    return page(request, "kiosks.html", figures)


@router.get("/points")
def points(request: Request) -> Response:
    def figures(viewer: Viewer) -> dict | Response:
        if _wants_xlsx(request):
            return _xlsx("积分核查", reports.points_tables(_own_code(viewer)), ["负积分"])
        return {"rows": _mine(viewer, reports.points_overview())}

    return page(request, "points.html", figures)


def _wants_xlsx(request: Request) -> bool:
    return request.query_params.get("format") == "xlsx"


def _xlsx(name: str, tables: list[reports.Table], titles: list[str]) -> Response:
    """A report's tables as the .xlsx download of its page, a sheet each (the CLI's same tables)."""
    return xlsx(
        f"{name}.xlsx", *(cells.Sheet(title, t.headers, t.rows) for title, t in zip(titles, tables, strict=True))
    )


# --- scope and query parameters ---------------------------------------------------------------------------


def _own_code(viewer: Viewer) -> str | None:
    """A center's staff's site code (None: the bureau's accounts see every site)."""
    return viewer.own_site.code if viewer.own_site is not None else None


def _mine(viewer: Viewer, rows: list) -> list:
    """The rows (each with a .site code) of the sites the viewer sees."""
    code = _own_code(viewer)
    return rows if code is None else [r for r in rows if r.site == code]


def _chosen(viewer: Viewer, request: Request) -> str | None:
    """The ?site= the page is for, if the viewer may see it (their own site for a center's staff)."""
    site = viewer.site_or_all(request.query_params.get("site") or None)
    return site.code if site is not None else None


def _date(request: Request, name: str, default: date) -> date:
    text = request.query_params.get(name, "")
    if not text:
        return default
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadQuery(f"日期 {text} 的格式不对，应为 2026-11-21。") from None
