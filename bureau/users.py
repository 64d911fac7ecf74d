"""Bureau staff accounts for the read-only web page (bureau/web.py), and their sessions.

A password is at least 12 characters, not one of the most common, and kept only as a salted
scrypt hash at OWASP's cost (N=2^17, 128 MiB; a hash made at a lower cost is made again at the
next login).  Five wrong passwords in a row lock the account for ten minutes; the state is in
the row, so restarting the service does not reset it, and `user unlock` lifts it.  A session is a
random token in the browser's cookie; the store keeps only its sha256, and the session ends
after eight hours, at logout, or when the password changes or the account is disabled.
"""

import hashlib
import re
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from peewee import JOIN

from bureau import audit
from bureau.models import ROLES, BureauUser, Site, WebSession
from bureau.store import utcnow, write
from contract import passwords

MAX_FAILURES = 5
LOCK = timedelta(minutes=10)
SESSION_LIFE = timedelta(hours=8)
MIN_PASSWORD = 12
USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
MIN_DISTINCT = 5  # characters: "aaaaaaaaaaaa" and "abababababab" are no password
# The passwords guessed first (the long ones of the common lists, and this bureau's own words).
COMMON = frozenset(
    """123456789012 1234567890123 12345678901234 123123123123 111111111111 000000000000
    qwertyuiop12 qwerty123456 1q2w3e4r5t6y 1qaz2wsx3edc zaq12wsxcde3 qazwsxedcrfv asdfghjkl123
    password1234 password123! passw0rd1234 p@ssw0rd1234 iloveyou1234 abc123456789 a1b2c3d4e5f6
    administrator admin1234567 welcome12345 changeme1234 woaini1314520 5201314520131
    yinling12345 yinling123456 laoganbuju123""".split()
)
HASH_COST = 2**17  # OWASP's scrypt minimum (N=2^17, r=8, p=1); the kiosk's PINs stay at passwords.N
# 128 MiB a hash: at most this many at once, however many logins arrive.
_hashing = threading.BoundedSemaphore(2)
# Checked against when the username is unknown, so a wrong name takes as long as a wrong password.
_NOBODY = f"scrypt${HASH_COST}${passwords.R}${passwords.P}${'00' * passwords.SALT_BYTES}${'00' * passwords.KEY_BYTES}"


class UserError(Exception):
    """An account request that cannot be carried out (the message says why; `chinese` says it to
    the console's staff)."""

    def __init__(self, message: str, chinese: str = ""):
        super().__init__(message)
        self.chinese = chinese or message


def hash_password(password: str) -> str:
    """ "scrypt$n$r$p$<salt hex>$<hash hex>" with a fresh random salt, at HASH_COST."""
    with _hashing:
        return passwords.make(password, HASH_COST)


def verify_password(password: str, stored: str) -> bool:
    """Whether `password` is the one `stored` was made from; a malformed `stored` matches nothing."""
    with _hashing:
        return passwords.check(password, stored)


def check_strength(username: str, password: str) -> None:
    """UserError unless `password` is long, varied, not a common one and not the username."""
    if len(password) < MIN_PASSWORD:
        raise UserError(f"a password needs at least {MIN_PASSWORD} characters", f"密码至少要 {MIN_PASSWORD} 个字符。")
    if len(set(password)) < MIN_DISTINCT or password.lower() in COMMON or username.lower() in password.lower():
        raise UserError(
            "that password is too easy to guess: choose a longer phrase of your own",
            "这个密码太容易被猜到了（不能含用户名，也不能是常见密码）：请换一句自己记得住的长一点的话。",
        )


# --- accounts (python -m bureau user …, and the console's /web/accounts) -------------------------------
# Each change is audited in its own transaction: `by` is the console's account that made it (None:
# the operator at this terminal, cli:<os user>), `reason` their words for it.


def add_user(
    username: str,
    password: str,
    role: str = "viewer",
    site: Site | None = None,
    full_name: str = "",
    by: str | None = None,
    reason: str = "",
) -> BureauUser:
    """A new account: an admin or viewer of every site, or (role "staff") a center's staff, whose
    `site` it is."""
    if not USERNAME.fullmatch(username):
        raise UserError(
            f"username {username!r}: 1-64 letters, digits, _ . or -, starting with a letter or digit",
            "用户名只能用 1-64 个英文字母、数字或 _ . -，并以字母或数字开头。",
        )
    check_role(role, site)
    check_strength(username, password)
    password_hash = hash_password(password)  # slow: outside the write transaction
    with write():
        if BureauUser.get_or_none(BureauUser.username == username):
            raise UserError(f"user {username} already exists", f"用户名 {username} 已经有人用了。")
        user = BureauUser.create(
            username=username,
            password_hash=password_hash,
            role=role,
            site=site if role == "staff" else None,
            full_name=full_name.strip(),
        )
        _audit(by, "user.add", user, {"role": role, "full_name": user.full_name}, reason)
        return user


def check_role(role: str, site: Site | None) -> None:
    """UserError unless `role` is a role, and a staff account has a site (and only it has one)."""
    if role not in ROLES:
        raise UserError(f"unknown role {role!r} (one of {', '.join(ROLES)})", f"没有「{role}」这种角色。")
    if (role == "staff") != (site is not None):
        raise UserError(
            "a staff account belongs to one site (--site); an admin or viewer to none",
            "中心工作人员的账号要选一个站点；管理员和只读账号不属于任何站点。",
        )


def set_role(username: str, role: str, site: Site | None = None, by: str | None = None, reason: str = "") -> BureauUser:
    """A new role (and site) for the account; its sessions end, so it signs in again as what it is now."""
    check_role(role, site)
    with write():
        user = _user(username)
        BureauUser.update(role=role, site=site).where(BureauUser.id == user.id).execute()
        WebSession.delete().where(WebSession.user == user).execute()
        changed = _user(username)
        _audit(by, "user.role", changed, {"role": role, "before": user.role}, reason)
    return changed


def set_full_name(username: str, full_name: str, by: str | None = None, reason: str = "") -> BureauUser:
    """The person's name as the console shows it."""
    with write():
        user = _user(username)
        BureauUser.update(full_name=full_name.strip()).where(BureauUser.id == user.id).execute()
        _audit(by, "user.name", user, {"full_name": full_name.strip()}, reason)
    return _user(username)


def users() -> list[BureauUser]:
    return list(BureauUser.select().order_by(BureauUser.username))


def disable(username: str, by: str | None = None, reason: str = "") -> BureauUser:
    """The user can no longer sign in, and every session of theirs ends now."""
    with write():
        user = _user(username)
        BureauUser.update(disabled=True).where(BureauUser.id == user.id).execute()
        WebSession.delete().where(WebSession.user == user).execute()
        _audit(by, "user.disable", user, None, reason)
    return _user(username)


def enable(username: str, by: str | None = None, reason: str = "") -> BureauUser:
    """A disabled user may sign in again (with their password as it was)."""
    with write():
        user = _user(username)
        BureauUser.update(disabled=False).where(BureauUser.id == user.id).execute()
        _audit(by, "user.enable", user, None, reason)
    return _user(username)


def unlock(username: str, by: str | None = None, reason: str = "") -> BureauUser:
    """Lift a lockout (someone guessed at this name) and forget the wrong passwords."""
    with write():
        user = _user(username)
        BureauUser.update(failures=0, locked_until=None).where(BureauUser.id == user.id).execute()
        _audit(by, "user.unlock", user, None, reason)
    return _user(username)


def set_password(
    username: str, password: str, by: str | None = None, reason: str = "", keep: WebSession | None = None
) -> BureauUser:
    """A new password, which lifts a lockout; every session of the user ends (but `keep`, the
    one the user changed their own password in), so whoever knew the old password is signed out."""
    _user(username)
    check_strength(username, password)
    password_hash = hash_password(password)  # slow: outside the write transaction
    with write():
        user = _user(username)
        BureauUser.update(password_hash=password_hash, failures=0, locked_until=None).where(
            BureauUser.id == user.id
        ).execute()
        ending = WebSession.delete().where(WebSession.user == user)
        (ending if keep is None else ending.where(WebSession.id != keep.id)).execute()
        _audit(by, "user.password", user, None, reason)
    return _user(username)


def change_own_password(session: WebSession, current: str, new: str) -> BureauUser:
    """The signed-in user's new password, given the one they have now; their other sessions end."""
    user = BureauUser.get_by_id(session.user_id)
    if not verify_password(current, user.password_hash):
        raise UserError("the current password is wrong", "当前密码不对，请重新输入。")
    return set_password(user.username, new, by=user.username, reason="本人修改密码", keep=session)


def _user(username: str) -> BureauUser:
    user = BureauUser.get_or_none(BureauUser.username == username)
    if user is None:
        raise UserError(f"unknown user {username!r} (python -m bureau user list)", f"没有账号 {username}。")
    return user


def _audit(by: str | None, action: str, user: BureauUser, detail: dict | None, reason: str) -> None:
    site = user.site if user.role == "staff" else None  # a staff account's changes: their site's to see
    audit.record(by or audit.operator(), action, user.username, site, detail, reason)


# --- signing in ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Login:
    user: BureauUser | None  # None: refused (the page says only that it was refused)
    token: str = ""  # the new session's cookie value


def login(username: str, password: str, now: datetime | None = None, address: str = "", agent: str = "") -> Login:
    """Check a password and open a session.  Wrong, locked, disabled and unknown all look the
    same to the caller, so the page cannot tell a guesser which names exist."""
    now = now or utcnow()
    user = BureauUser.get_or_none(BureauUser.username == username)
    right = verify_password(password, user.password_hash if user else _NOBODY)
    if user is None or user.disabled:
        return Login(None)
    with write():
        user = BureauUser.get_by_id(user.id)  # as it is now, inside the transaction
        if user.locked_until and user.locked_until > now:
            return Login(None)
        if not right:
            failures = user.failures + 1
            locked = now + LOCK if failures >= MAX_FAILURES else None
            (
                BureauUser.update(failures=0 if locked else failures, locked_until=locked)
                .where(BureauUser.id == user.id)
                .execute()
            )
            return Login(None)
        BureauUser.update(failures=0, locked_until=None, last_login=now).where(BureauUser.id == user.id).execute()
        token = secrets.token_urlsafe(32)
        WebSession.create(
            token_hash=_digest(token),
            user=user,
            created_at=now,
            expires_at=now + SESSION_LIFE,
            csrf=secrets.token_urlsafe(32),
            address=address[:64],
            agent=agent[:200],
            last_seen=now,
        )
        WebSession.delete().where(WebSession.expires_at <= now).execute()  # forget the stale ones
    if passwords.cost(user.password_hash) < HASH_COST:
        _rehash(user, password)
    return Login(user, token)


def _rehash(user: BureauUser, password: str) -> None:
    """The password just proved right, hashed again at today's cost (unless it changed meanwhile)."""
    stored = hash_password(password)
    with write():
        BureauUser.update(password_hash=stored).where(
            (BureauUser.id == user.id) & (BureauUser.password_hash == user.password_hash)
        ).execute()


def session_user(token: str | None, now: datetime | None = None) -> BureauUser | None:
    """The user the cookie `token` signs in, or None (no such session, expired, or disabled)."""
    session = session_of(token, now)
    return session.user if session else None


SEEN_EVERY = timedelta(minutes=1)  # how often a session's last_seen is written (not at every page)


def session_of(token: str | None, now: datetime | None = None) -> WebSession | None:
    """The session the cookie `token` opens, with its user and the user's site, or None (no such
    session, expired, or its user disabled).  Notes when it was last used, once a minute."""
    if not token:
        return None
    now = now or utcnow()
    session = (
        WebSession.select(WebSession, BureauUser, Site)
        .join(BureauUser)
        .join(Site, JOIN.LEFT_OUTER)
        .where((WebSession.token_hash == _digest(token)) & (WebSession.expires_at > now) & ~BureauUser.disabled)
        .first()
    )
    if session is not None and (session.last_seen is None or now - session.last_seen > SEEN_EVERY):
        with write():
            WebSession.update(last_seen=now).where(WebSession.id == session.id).execute()
        session.last_seen = now
    return session


def sessions(user: BureauUser, now: datetime | None = None) -> list[WebSession]:
    """The user's open sessions, the latest used first."""
    now = now or utcnow()
    return list(
        WebSession.select()
        .where((WebSession.user == user) & (WebSession.expires_at > now))
        .order_by(WebSession.last_seen.desc(nulls="LAST"), WebSession.id.desc())
    )


def end_session(user: BureauUser, session_id: int) -> bool:
    """End one of the user's own sessions (signed in on another computer); False if there is none."""
    with write():
        ended = bool(WebSession.delete().where((WebSession.id == session_id) & (WebSession.user == user)).execute())
        if ended:
            _audit(user.username, "session.end", user, {"session": session_id}, "")
        return ended


def end_other_sessions(session: WebSession) -> int:
    """End every session of the user but `session` (the one asking); how many ended."""
    with write():
        user = BureauUser.get_by_id(session.user_id)
        ended = WebSession.delete().where((WebSession.user == user) & (WebSession.id != session.id)).execute()
        if ended:
            _audit(user.username, "session.end_others", user, {"ended": ended}, "")
        return ended


def logout(token: str | None) -> None:
    if token:
        with write():
            WebSession.delete().where(WebSession.token_hash == _digest(token)).execute()


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
