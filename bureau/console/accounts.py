"""Accounts: the admin's /web/accounts (create, reset a password, role and site, disable,
unlock) and everyone's own /web/account (password, sessions).  Every change is audited by
bureau/users.py in its own transaction, with the reason the form asks for."""

from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from bureau import reports, users
from bureau.console.base import (
    ROLE_NAMES,
    BadQuery,
    Refused,
    Viewer,
    action,
    dated,
    not_found,
    page,
    text,
    wants_xlsx,
    xlsx,
)
from bureau.models import ROLES, BureauUser, Site
from bureau.store import utcnow
from contract.cells import Sheet

router = APIRouter(prefix="/web")

# What the page says after a change (?done=…): fixed texts, nothing of the URL is shown.
DONE = {
    "added": "账号已建好。请把初始密码当面或电话告诉本人，并提醒登录后修改。",
    "profile": "已保存。角色或站点有变时，该账号需要重新登录。",
    "password": "密码已重设，该账号已在所有地方退出登录。",
    "disable": "账号已停用，已在所有地方退出登录。",
    "enable": "账号已启用。",
    "unlock": "账号已解锁。",
    "own_password": "您的密码已修改，其他地方的登录已退出。",
    "ended": "该会话已退出。",
    "ended_others": "其他所有会话都已退出。",
}


# --- the admin's page of accounts ------------------------------------------------------------------


@router.get("/accounts")
def accounts(request: Request) -> Response:
    def figures(viewer: Viewer) -> dict | Response:
        if wants_xlsx(request):
            return accounts_xlsx(users.users(), utcnow())
        return {
            "accounts": users.users(),
            "now": utcnow(),
            "sites": list(Site.select().order_by(Site.code)),
            "done": DONE.get(request.query_params.get("done", ""), ""),
        }

    return page(request, "accounts_list.html", figures, roles=("admin",))


def accounts_xlsx(accounts: list[BureauUser], now: datetime) -> Response:
    """The list of accounts as the page shows it (no password, no session: those never leave)."""
    rows = [
        (
            a.username,
            a.full_name,
            ROLE_NAMES[a.role],
            a.site.name if a.site else "全部站点",
            _state(a, now),
            reports.local_time(a.last_login) if a.last_login else "从未登录",
        )
        for a in accounts
    ]
    columns = ("用户名", "姓名", "角色", "站点", "状态", "最近登录")
    return xlsx(dated("账号列表"), Sheet("账号", columns, rows))


def _state(account: BureauUser, now: datetime) -> str:
    if account.disabled:
        return "已停用"
    return "已锁定" if account.locked_until and account.locked_until > now else "正常"


@router.get("/accounts/{username}")
def account_of(request: Request, username: str) -> Response:
    def figures(viewer: Viewer) -> dict:
        return {
            "account": _account(username),
            "now": utcnow(),
            "sites": list(Site.select().order_by(Site.code)),
            "done": DONE.get(request.query_params.get("done", ""), ""),
        }

    return page(request, "accounts_edit.html", figures, roles=("admin",))


@router.post("/accounts")
async def add(request: Request) -> Response:
    def change(viewer: Viewer, form: FormData) -> str:
        viewer.require("admin")
        username = text(form, "username", "用户名", max_length=64)
        role, site = _role_and_site(form)
        password = _new_password(form)
        _users(
            users.add_user,
            username,
            password,
            role,
            site,
            text(form, "full_name", "姓名", required=False, max_length=60),
            by=viewer.user.username,
            reason=_reason(form),
        )
        return f"/web/accounts/{username}?done=added"

    return await action(request, change)


@router.post("/accounts/{username}/profile")
async def profile(request: Request, username: str) -> Response:
    def change(viewer: Viewer, form: FormData) -> str:
        viewer.require("admin")
        account = _account(username)
        role, site = _role_and_site(form)
        full_name = text(form, "full_name", "姓名", required=False, max_length=60)
        reason = _reason(form)
        if account.id == viewer.user.id and role != "admin":
            raise BadQuery("不能改掉自己的管理员角色：请让另一位管理员来改。")
        if full_name != account.full_name:
            _users(users.set_full_name, username, full_name, by=viewer.user.username, reason=reason)
        if role != account.role or (site and site.id) != account.site_id:
            _users(users.set_role, username, role, site, by=viewer.user.username, reason=reason)
        return f"/web/accounts/{username}?done=profile"

    return await action(request, change)


@router.post("/accounts/{username}/password")
async def reset_password(request: Request, username: str) -> Response:
    def change(viewer: Viewer, form: FormData) -> str:
        viewer.require("admin")
        _account(username)
        password, reason = _new_password(form), _reason(form)
        _users(users.set_password, username, password, by=viewer.user.username, reason=reason)
        return f"/web/accounts/{username}?done=password"

    return await action(request, change)


@router.post("/accounts/{username}/{what}")
async def switch(request: Request, username: str, what: str) -> Response:
    """Disable, enable or unlock an account."""
    changes = {"disable": users.disable, "enable": users.enable, "unlock": users.unlock}

    def change(viewer: Viewer, form: FormData) -> str:
        viewer.require("admin")
        if what not in changes:
            raise not_found()
        account = _account(username)
        if what == "disable" and account.id == viewer.user.id:
            raise BadQuery("不能停用自己正在用的账号。")
        _users(changes[what], username, by=viewer.user.username, reason=_reason(form))
        return f"/web/accounts/{username}?done={what}"

    return await action(request, change)


# --- everyone's own account ------------------------------------------------------------------------


@router.get("/account")
def own_account(request: Request) -> Response:
    def figures(viewer: Viewer) -> dict:
        return {
            "sessions": users.sessions(viewer.user),
            "current": viewer.session.id,
            "done": DONE.get(request.query_params.get("done", ""), ""),
        }

    return page(request, "account.html", figures)


@router.post("/account/password")
async def own_password(request: Request) -> Response:
    def change(viewer: Viewer, form: FormData) -> str:
        current = str(form.get("current", ""))
        if not current:
            raise BadQuery("请填写当前密码。")
        password = _new_password(form)
        _users(users.change_own_password, viewer.session, current, password)
        return "/web/account?done=own_password"

    return await action(request, change, own_account=True)


@router.post("/account/sessions/others")
async def end_others(request: Request) -> Response:
    def change(viewer: Viewer, form: FormData) -> str:
        users.end_other_sessions(viewer.session)
        return "/web/account?done=ended_others"

    return await action(request, change, own_account=True)


@router.post("/account/sessions/{session_id}")
async def end_session(request: Request, session_id: int) -> Response:
    def change(viewer: Viewer, form: FormData) -> str:
        # Only the account's own sessions: another's id ends nothing and says so as for none.
        if not users.end_session(viewer.user, session_id):
            raise not_found("没有这个会话，或它已经结束了。")
        return "/web/login" if session_id == viewer.session.id else "/web/account?done=ended"

    return await action(request, change, own_account=True)


# --- fields ----------------------------------------------------------------------------------------


def _account(username: str) -> BureauUser:
    found = BureauUser.get_or_none(BureauUser.username == username)
    if found is None:
        raise not_found(f"没有账号 {username}。")
    return found


def _role_and_site(form: FormData) -> tuple[str, Site | None]:
    role = str(form.get("role", ""))
    if role not in ROLES:
        raise BadQuery("请选择角色。")
    if role != "staff":
        return role, None
    site = Site.get_or_none(Site.code == str(form.get("site", "")))
    if site is None:
        raise BadQuery("中心工作人员的账号要选一个站点。")
    return role, site


def _new_password(form: FormData) -> str:
    password = str(form.get("password", ""))
    if password != str(form.get("again", "")):
        raise BadQuery("两次输入的新密码不一样，请重新输入。")
    return password


def _reason(form: FormData) -> str:
    return text(form, "reason", "原因", max_length=200)


def _users(change, *args, **kwargs):
    """A bureau/users.py change, its refusal said in Chinese."""
    try:
        return change(*args, **kwargs)
    except users.UserError as e:
        raise Refused(e.chinese, 400) from None
