"""The bureau staff's read-only web page: the reports of bureau/reports.py behind a login.

    GET  /web/login    the form            POST /web/login    sign in (sets the session cookie;
                                                              429 past 10 tries a minute per client)
    POST /web/logout   sign out
    GET  /web/  /web/attendance?from=&to=&site=  /web/care?weeks=&site=  /web/kiosks  /web/points

Every page needs a session (else 303 to /web/login) and only reads.  Pages are Jinja2 templates
(bureau/templates) with autoescape on, so a name a kiosk sent is shown, never run.

Cross-site requests: the session cookie is SameSite=Strict, so a form posted from another site
arrives without it; and the two forms that change something (login, logout) are refused unless
the browser's Origin (or, failing that, Referer) is this very host.  That covers login CSRF
too, which SameSite alone does not (there is no session yet), without a token to keep.
"""

import math
from collections.abc import Callable
from datetime import date, timedelta
from importlib.resources import files
from pathlib import Path
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader
from starlette.concurrency import run_in_threadpool

from bureau import reports, users
from bureau.models import Site
from bureau.store import db, utcnow
from bureau.throttle import TokenBucket

router = APIRouter(prefix="/web")

COOKIE = "bureau_session"
LOGIN = "/web/login"
FONT = Path(str(files("assets").joinpath("fonts", "NotoSansCJKsc-Regular.otf")))  # the kiosk's own
MAX_WEEKS, MAX_DAYS = 520, 366 * 5
# Login attempts a client (an IP address; behind a proxy on this host, the one it forwards) may
# make: 10 at once, then 10 a minute.  The per-account lockout (bureau/users.py) stops guessing
# at one name; this stops one client guessing across many.
login_attempts = TokenBucket(per_minute=10, burst=10)
# Pages hold members' names: never cached, never framed; no script may run at all.
HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; font-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'",
}

templates = Environment(loader=PackageLoader("bureau"), autoescape=True, trim_blocks=True, lstrip_blocks=True)
templates.globals["T"] = reports.TEXT
templates.filters["when"] = lambda moment: reports.local_time(moment) or "从未联系"
templates.filters["state"] = lambda state: reports.TEXT.get(reports.DEVICE_STATES.get(state, ""), state)


class BadQuery(Exception):
    """A page's query parameter the page cannot use (the message says which, in Chinese)."""


# --- signing in and out -------------------------------------------------------------------------------


@router.get("/login")
def login_form() -> Response:
    return _render("login.html")


@router.post("/login")
async def login(request: Request) -> Response:
    # First, before any other work: each attempt costs a scrypt hash.
    wait = login_attempts.take(request.client.host if request.client else "")
    if wait:
        response = _render("login.html", status=429, error="登录尝试太多了，请过一分钟再试。")
        response.headers["Retry-After"] = str(math.ceil(wait))
        return response
    if not same_origin(request):
        return _render("login.html", status=403, error="请从本站的登录页登录。")
    form = await request.form()
    username, password = str(form.get("username", "")), str(form.get("password", ""))
    result = await run_in_threadpool(_login, username, password)
    if result.user is None:
        return _render("login.html", status=401, error="用户名或密码不对，或账号暂时被锁定。", username=username)
    response = RedirectResponse("/web/", status_code=303)
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


def _login(username: str, password: str) -> users.Login:
    with db.connection_context():
        return users.login(username, password)


@router.post("/logout")
def logout(request: Request) -> Response:
    if not same_origin(request):
        return Response(status_code=403)
    with db.connection_context():
        users.logout(request.cookies.get(COOKIE))
    response = RedirectResponse(LOGIN, status_code=303)
    response.delete_cookie(COOKIE, path="/web")
    return response


def same_origin(request: Request) -> bool:
    """Whether the browser says the form it posts came from a page of this host."""
    source = request.headers.get("origin") or request.headers.get("referer") or ""
    return bool(source) and urlsplit(source).netloc == request.headers.get("host")


@router.get("/static/NotoSansCJKsc-Regular.otf")
def font() -> Response:
    # The pages' Chinese must not depend on the fonts of the staff's computer (see base.html).
    return FileResponse(FONT, media_type="font/otf", headers={"Cache-Control": "public, max-age=2592000"})


# --- pages ----------------------------------------------------------------------------------------------


@router.get("/")
def overview(request: Request) -> Response:
    def figures() -> dict:
        today = date.today()
        active = reports.active_seniors(30, today)
        return {
            "today": today,
            "day": reports.attendance(today, today),
            "month": reports.attendance(today.replace(day=1), today),
            "active": active[:-1],
            "total": active[-1],
            "attention": [k for k in reports.kiosk_health(utcnow()) if k.needs_attention],
            "negatives": len(reports.points_overview()),
        }

    return _page(request, "overview.html", figures)


@router.get("/attendance")
def attendance(request: Request) -> Response:
    def figures() -> dict:
        today = date.today()
        start = _date(request, "from", today.replace(day=1))
        end = _date(request, "to", today)
        if end < start or end - start > timedelta(days=MAX_DAYS):
            raise BadQuery(f"日期范围不对：开始日期要早于结束日期，且不超过 {MAX_DAYS} 天。")
        site = _site(request)
        return {
            "start": start,
            "end": end,
            "site": site,
            "sites": _all_sites(),
            "rows": reports.attendance(start, end, site),
        }

    return _page(request, "attendance.html", figures)


@router.get("/care")
def care(request: Request) -> Response:
    def figures() -> dict:
        weeks = _int(request, "weeks", 4, 1, MAX_WEEKS)
        site = _site(request)
        return {
            "weeks": weeks,
            "site": site,
            "sites": _all_sites(),
            "rows": reports.care_list(weeks, date.today(), site),
        }

    return _page(request, "care.html", figures)


@router.get("/kiosks")
def kiosks(request: Request) -> Response:
    return _page(request, "kiosks.html", lambda: {"kiosks": reports.kiosk_health(utcnow())})


@router.get("/points")
def points(request: Request) -> Response:
    return _page(request, "points.html", lambda: {"rows": reports.points_overview()})


def _page(request: Request, template: str, figures: Callable[[], dict]) -> Response:
    """The page for a signed-in user, else a redirect to the login form."""
    with db.connection_context():
        user = users.session_user(request.cookies.get(COOKIE))
        if user is None:
            return RedirectResponse(LOGIN, status_code=303)
        try:
            context, status = figures(), 200
        except BadQuery as e:
            context, status = {"error": str(e)}, 400
        except reports.UnknownSite as e:
            context, status = {"error": f"没有站点 {e}。"}, 400
    return _render(template, status=status, user=user, page=template, **context)


def _render(template: str, status: int = 200, **context) -> HTMLResponse:
    return HTMLResponse(templates.get_template(template).render(**context), status_code=status, headers=HEADERS)


# --- query parameters -------------------------------------------------------------------------------------


def _date(request: Request, name: str, default: date) -> date:
    text = request.query_params.get(name, "")
    if not text:
        return default
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadQuery(f"日期 {text} 的格式不对，应为 2026-11-21。") from None


def _int(request: Request, name: str, default: int, low: int, high: int) -> int:
    text = request.query_params.get(name, "")
    if not text:
        return default
    if not text.isdigit() or not low <= int(text) <= high:
        raise BadQuery(f"{text}：应为 {low} 到 {high} 之间的整数。")
    return int(text)


def _site(request: Request) -> str | None:
    return request.query_params.get("site") or None


def _all_sites() -> list[Site]:
    return list(Site.select().order_by(Site.code))
