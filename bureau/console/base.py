"""What every console page shares: who is asking (a Viewer, with their role and the sites they may
see), the forms' CSRF check, rendering, and spreadsheet downloads.

Roles (bureau.models.ROLES): an admin sees and changes everything; a viewer sees every site and
changes nothing; a center's staff see and change their own site only.  A page asks for what it
needs with `viewer.require(...)`, and every query of site data goes through `viewer.sites()` or
`viewer.site(code)`: another site's data is answered as not found, so a URL tells a staff member
nothing about sites that are not theirs.

Forms: the session cookie is SameSite=Strict; every form that changes something carries the
session's CSRF token (a hidden field "csrf") and comes from a page of this host (Origin or
Referer).  `checked_form()` refuses one that does not.
"""

import hmac
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from importlib.resources import files
from pathlib import Path
from typing import TypeVar
from urllib.parse import quote, urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader
from peewee import ModelSelect
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from bureau import reports, users
from bureau.models import ROLES, BureauUser, Site, WebSession
from bureau.store import db, write
from contract import cells

T = TypeVar("T")

COOKIE = "bureau_session"
LOGIN = "/web/login"
FONT = Path(str(files("assets").joinpath("fonts", "NotoSansCJKsc-Regular.otf")))  # the kiosk's own
RARE_FONT = Path(str(files("assets").joinpath("fonts", "HanaMinB.ttf")))  # the kiosk's, for rare names
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Pages hold members' names: never cached, never framed; no script may run at all.
HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; font-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'",
}
ROLE_NAMES = {"admin": "管理员", "viewer": "只读", "staff": "中心工作人员"}
assert ROLE_NAMES.keys() == set(ROLES)
BUREAU = ("admin", "viewer")
# The console's menu: (path, label, the roles that see it).  A page is current when the request's
# path is its path or below it.
NAV = [
    ("/web/", "总览", ROLES),
    ("/web/activities", "活动", ROLES),
    ("/web/notices", "通知", ROLES),
    ("/web/classes", "班级课程", ROLES),
    ("/web/enrolment", "报名摇号", ROLES),
    ("/web/members", "学员", ROLES),
    ("/web/charts", "统计图表", ROLES),
    ("/web/attendance", "签到统计", ROLES),
    ("/web/care", "关怀走访", ROLES),
    ("/web/organisations", "支部与团队", ROLES),
    ("/web/volunteers", "志愿服务", ROLES),
    ("/web/kiosks", "签到机状态", ROLES),
    ("/web/points", "积分核查", ROLES),
    ("/web/catalogue", "积分兑换", ROLES),
    ("/web/sites", "站点层级", BUREAU),
    ("/web/publish", "发布", BUREAU),
    ("/web/accounts", "账号", ("admin",)),
    ("/web/audit", "操作记录", ROLES),
]

templates = Environment(loader=PackageLoader("bureau"), autoescape=True, trim_blocks=True, lstrip_blocks=True)
templates.globals["T"] = reports.TEXT
templates.globals["ROLE_NAMES"] = ROLE_NAMES
templates.globals["NAV"] = NAV
templates.filters["when"] = lambda moment: reports.local_time(moment) or "从未联系"
templates.filters["state"] = lambda state: reports.TEXT.get(reports.DEVICE_STATES.get(state, ""), state)


class Refused(Exception):
    """A request this viewer may not make, or that names something that is not there for them:
    the page answers `status` with `message` (Chinese, for the staff member)."""

    def __init__(self, message: str, status: int = 403):
        super().__init__(message)
        self.status = status


class BadQuery(Refused):
    """A page's query parameter or form field the page cannot use (the message says which)."""

    def __init__(self, message: str):
        super().__init__(message, 400)


def not_found(what: str = "没有找到这一项，或您无权查看。") -> Refused:
    return Refused(what, 404)


@dataclass(frozen=True)
class Viewer:
    """The signed-in account of a request, and what it may see and change."""

    user: BureauUser
    session: WebSession

    @property
    def role(self) -> str:
        return self.user.role

    @property
    def own_site(self) -> Site | None:
        """A center's staff's own site (None for the bureau's accounts)."""
        return self.user.site if self.role == "staff" else None

    @property
    def can_change(self) -> bool:
        return self.role in ("admin", "staff")

    @property
    def csrf(self) -> str:
        return self.session.csrf

    def require(self, *roles: str) -> None:
        """Refused unless the account has one of `roles`."""
        if self.role not in roles:
            raise Refused("您的账号没有这项权限。")

    def require_change(self) -> None:
        if not self.can_change:
            raise Refused("只读账号不能修改。")

    def sites(self) -> ModelSelect:
        """The sites this account may see, by code."""
        query = Site.select().order_by(Site.code)
        own = self.own_site
        return query.where(Site.id == own.id) if own is not None else query

    def site(self, code: str | None) -> Site:
        """The site of `code` if this account may see it; else not found (as if it did not exist)."""
        found = self.sites().where(Site.code == (code or "")).first()
        if found is None:
            raise not_found(f"没有站点 {code}，或您无权查看。")
        return found

    def site_or_all(self, code: str | None) -> Site | None:
        """A site chosen on a page (None: all of them, which a center's staff never gets: their own)."""
        if code:
            return self.site(code)
        return self.own_site

    def sees(self, site: Site | None) -> bool:
        """Whether a row of `site` (None: for every site) is this account's to see."""
        own = self.own_site
        return own is None or site is None or site.id == own.id

    def owns(self, site: Site | None) -> bool:
        """Whether this account may change a row of `site` (None: every site's, the bureau's own)."""
        if not self.can_change:
            return False
        own = self.own_site
        return own is None or (site is not None and site.id == own.id)

    def scope(self, query: ModelSelect, site_field) -> ModelSelect:
        """`query` narrowed to the sites this account sees (rows for every site, site NULL, too)."""
        own = self.own_site
        if own is None:
            return query
        return query.where((site_field == own.id) | site_field.is_null())


def viewer_of(request: Request) -> Viewer | None:
    """The request's signed-in account, or None.  Call inside a connection."""
    found = users.session_of(request.cookies.get(COOKIE))
    return Viewer(found.user, found) if found else None


def page(
    request: Request,
    template: str,
    figures: Callable[[Viewer], dict],
    roles: Sequence[str] = ROLES,
) -> Response:
    """A GET page: the signed-in account's, else a redirect to the login form.  `figures` gets
    the Viewer and returns the template's context; Refused becomes its status with the message."""
    with db.connection_context():
        viewer = viewer_of(request)
        if viewer is None:
            back = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(LOGIN if back == "/web/" else f"{LOGIN}?next={quote(back)}", status_code=303)
        try:
            viewer.require(*roles)
            context, status = figures(viewer), 200
        except Refused as e:
            context, status = {"error": str(e)}, e.status
        except reports.UnknownSite as e:
            context, status = {"error": f"没有站点 {e}。"}, 400
    if isinstance(context, Response):
        return context
    return render(template, status=status, viewer=viewer, user=viewer.user, path=request.url.path, **context)


async def action(
    request: Request,
    change: Callable[[Viewer, FormData], Response | str],
    template: str = "message.html",
    own_account: bool = False,
) -> Response:
    """A POST that changes something: a signed-in account that may change things, a form from
    this host with the session's CSRF token.  `change` returns a Response or the URL to go to
    (303).  Refused renders `template` with the message and its status.  `own_account`: a change
    to the signed-in account itself (its password, its sessions), which a read-only account may
    make too."""
    form = await request.form()
    # In a worker thread, as FastAPI runs a plain route: a change may hash a password (0.3 s of
    # scrypt) or wait for the write lock, which must not stop the server's event loop.
    return await run_in_threadpool(_act, request, form, change, template, own_account)


def _act(
    request: Request,
    form: FormData,
    change: Callable[[Viewer, FormData], Response | str],
    template: str,
    own_account: bool,
) -> Response:
    with db.connection_context():
        viewer = viewer_of(request)
        if viewer is None:
            return RedirectResponse(LOGIN, status_code=303)
        try:
            check_form(request, viewer, form)
            if not own_account:
                viewer.require_change()
            done = change(viewer, form)
        except Refused as e:
            return render(
                template, status=e.status, viewer=viewer, user=viewer.user, path=request.url.path, error=str(e)
            )
    return RedirectResponse(done, status_code=303) if isinstance(done, str) else done


def saved(change: Callable[[], T], *refusals: type[Exception]) -> T:
    """`change` in one write transaction; a domain's refusal (one of `refusals`) is the form's:
    400, with its message."""
    with write():
        try:
            return change()
        except refusals as e:
            raise BadQuery(str(e)) from None


def check_form(request: Request, viewer: Viewer, form: FormData) -> None:
    """Refused unless the form came from a page of this host and carries the session's token."""
    token = str(form.get("csrf", ""))
    if not same_origin(request) or not token or not hmac.compare_digest(token, viewer.csrf):
        raise Refused("这个表单已过期或不是从本站提交的，请刷新页面后再试。")


def same_origin(request: Request) -> bool:
    """Whether the browser says the form it posts came from a page of this host."""
    source = request.headers.get("origin") or request.headers.get("referer") or ""
    return bool(source) and urlsplit(source).netloc == request.headers.get("host")


def render(template: str, status: int = 200, **context) -> HTMLResponse:
    return HTMLResponse(templates.get_template(template).render(**context), status_code=status, headers=HEADERS)


# --- form fields and query parameters -------------------------------------------------------------------


def page_number(request: Request) -> int:
    """The ?page= of a paged list (1 when absent)."""
    text = request.query_params.get("page", "1")
    if not text.isdigit() or not 1 <= int(text) <= 100_000:
        raise BadQuery("页码不对。")
    return int(text)


def text(form, name: str, label: str, required: bool = True, max_length: int = 200) -> str:
    value = str(form.get(name, "")).strip()
    if required and not value:
        raise BadQuery(f"请填写「{label}」。")
    if len(value) > max_length:
        raise BadQuery(f"「{label}」太长了：最多 {max_length} 个字。")
    return value


def integer(form, name: str, label: str, default: int | None = None, low: int = 0, high: int = 10**6) -> int | None:
    value = str(form.get(name, "")).strip()
    if not value:
        return default
    if not value.lstrip("-").isdigit() or not low <= int(value) <= high:
        raise BadQuery(f"「{label}」应为 {low} 到 {high} 之间的整数。")
    return int(value)


def day(form, name: str, label: str, default: date | None = None) -> date | None:
    value = str(form.get(name, "")).strip()
    if not value:
        if default is None:
            raise BadQuery(f"请填写「{label}」。")
        return default
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadQuery(f"「{label}」{value} 的格式不对，应为 2026-11-21。") from None


def moment(form, name: str, label: str) -> datetime:
    """A local date and time from an <input type="datetime-local"> (2026-12-01T09:00)."""
    value = str(form.get(name, "")).strip()
    if not value:
        raise BadQuery(f"请填写「{label}」。")
    try:
        found = datetime.fromisoformat(value)
    except ValueError:
        raise BadQuery(f"「{label}」{value} 的格式不对，应为 2026-12-01 09:00。") from None
    if found.tzinfo is not None:
        raise BadQuery(f"「{label}」请填本地时间。")
    return found.replace(second=0, microsecond=0)


def checkbox(form, name: str) -> bool:
    return str(form.get(name, "")) in ("on", "1", "true")


# --- spreadsheets ----------------------------------------------------------------------------------------


def wants_xlsx(request: Request) -> bool:
    """Whether a page is asked for as its .xlsx download (?format=xlsx, with the page's own filters)."""
    return request.query_params.get("format") == "xlsx"


def dated(name: str) -> str:
    """A download's file name: what it is, in Chinese, and today's date (活动列表-2026-12-07.xlsx)."""
    return f"{name}-{date.today().isoformat()}.xlsx"


def xlsx(filename: str, *tables: cells.Sheet) -> Response:
    """Tables as an .xlsx download, a sheet each (bold header, no cell ever a formula)."""
    buffer = io.BytesIO()
    cells.write_xlsx(tables, buffer)
    return Response(
        buffer.getvalue(),
        media_type=XLSX,
        headers={**HEADERS, "Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}"},
    )
