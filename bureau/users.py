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
    """An account request that cannot be carried out (the message says why)."""


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
        raise UserError(f"a password needs at least {MIN_PASSWORD} characters")
    if len(set(password)) < MIN_DISTINCT or password.lower() in COMMON or username.lower() in password.lower():
        raise UserError("that password is too easy to guess: choose a longer phrase of your own")


# --- accounts (python -m bureau user …) -------------------------------------------------------------


def add_user(
    username: str, password: str, role: str = "viewer", site: Site | None = None, full_name: str = ""
) -> BureauUser:
    """A new account: an admin or viewer of every site, or (role "staff") a center's staff, whose
    `site` it is."""
    if not USERNAME.fullmatch(username):
        raise UserError(f"username {username!r}: 1-64 letters, digits, _ . or -, starting with a letter or digit")
    check_role(role, site)
    check_strength(username, password)
    password_hash = hash_password(password)  # slow: outside the write transaction
    with write():
        if BureauUser.get_or_none(BureauUser.username == username):
            raise UserError(f"user {username} already exists")
        return BureauUser.create(
            username=username,
            password_hash=password_hash,
            role=role,
            site=site if role == "staff" else None,
            full_name=full_name.strip(),
        )


def check_role(role: str, site: Site | None) -> None:
    """UserError unless `role` is a role, and a staff account has a site (and only it has one)."""
    if role not in ROLES:
        raise UserError(f"unknown role {role!r} (one of {', '.join(ROLES)})")
    if (role == "staff") != (site is not None):
        raise UserError("a staff account belongs to one site (--site); an admin or viewer to none")


def set_role(username: str, role: str, site: Site | None = None) -> BureauUser:
    """A new role (and site) for the account; its sessions end, so it signs in again as what it is now."""
    check_role(role, site)
    with write():
        user = _user(username)
        BureauUser.update(role=role, site=site).where(BureauUser.id == user.id).execute()
        WebSession.delete().where(WebSession.user == user).execute()
    return _user(username)


def users() -> list[BureauUser]:
    return list(BureauUser.select().order_by(BureauUser.username))


def disable(username: str) -> BureauUser:
    """The user can no longer sign in, and every session of theirs ends now."""
    with write():
        user = _user(username)
        BureauUser.update(disabled=True).where(BureauUser.id == user.id).execute()
        WebSession.delete().where(WebSession.user == user).execute()
    return _user(username)


def enable(username: str) -> BureauUser:
    """A disabled user may sign in again (with their password as it was)."""
    with write():
        BureauUser.update(disabled=False).where(BureauUser.id == _user(username).id).execute()
    return _user(username)


def unlock(username: str) -> BureauUser:
    """Lift a lockout (someone guessed at this name) and forget the wrong passwords."""
    with write():
        BureauUser.update(failures=0, locked_until=None).where(BureauUser.id == _user(username).id).execute()
    return _user(username)


def set_password(username: str, password: str) -> BureauUser:
    """A new password, which lifts a lockout; every session of the user ends, so whoever knew the
    old password is signed out too."""
    _user(username)
    check_strength(username, password)
    password_hash = hash_password(password)  # slow: outside the write transaction
    with write():
        user = _user(username)
        BureauUser.update(password_hash=password_hash, failures=0, locked_until=None).where(
            BureauUser.id == user.id
        ).execute()
        WebSession.delete().where(WebSession.user == user).execute()
    return _user(username)


def _user(username: str) -> BureauUser:
    user = BureauUser.get_or_none(BureauUser.username == username)
    if user is None:
        raise UserError(f"unknown user {username!r} (python -m bureau user list)")
    return user


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
        return bool(WebSession.delete().where((WebSession.id == session_id) & (WebSession.user == user)).execute())


def logout(token: str | None) -> None:
    if token:
        with write():
            WebSession.delete().where(WebSession.token_hash == _digest(token)).execute()


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
