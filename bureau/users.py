"""Bureau staff accounts for the read-only web page (bureau/web.py), and their sessions.

A password is kept only as a salted scrypt hash (as kiosk/staff/access.py keeps PINs).  Five wrong
passwords in a row lock the account for ten minutes; the state is in the row, so restarting the
service does not reset it.  A session is a random token in the browser's cookie; the store keeps
only its sha256, and the session ends after eight hours whatever happens.
"""

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from bureau.models import BureauUser, WebSession
from bureau.store import utcnow, write
from contract import passwords

MAX_FAILURES = 5
LOCK = timedelta(minutes=10)
SESSION_LIFE = timedelta(hours=8)
MIN_PASSWORD = 8
USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
# Checked against when the username is unknown, so a wrong name takes as long as a wrong password.
_NOBODY = f"scrypt${passwords.N}${passwords.R}${passwords.P}${'00' * passwords.SALT_BYTES}${'00' * passwords.KEY_BYTES}"


class UserError(Exception):
    """An account request that cannot be carried out (the message says why)."""


def hash_password(password: str) -> str:
    """ "scrypt$n$r$p$<salt hex>$<hash hex>" with a fresh random salt."""
    return passwords.make(password)


def verify_password(password: str, stored: str) -> bool:
    """Whether `password` is the one `stored` was made from; a malformed `stored` matches nothing."""
    return passwords.check(password, stored)


# --- accounts (python -m bureau user …) -------------------------------------------------------------


def add_user(username: str, password: str) -> BureauUser:
    if not USERNAME.fullmatch(username):
        raise UserError(f"username {username!r}: 1-64 letters, digits, _ . or -, starting with a letter or digit")
    if len(password) < MIN_PASSWORD:
        raise UserError(f"a password needs at least {MIN_PASSWORD} characters")
    password_hash = hash_password(password)  # slow: outside the write transaction
    with write():
        if BureauUser.get_or_none(BureauUser.username == username):
            raise UserError(f"user {username} already exists")
        return BureauUser.create(username=username, password_hash=password_hash)


def users() -> list[BureauUser]:
    return list(BureauUser.select().order_by(BureauUser.username))


def disable(username: str) -> BureauUser:
    """The user can no longer sign in, and every session of theirs ends now."""
    with write():
        user = BureauUser.get_or_none(BureauUser.username == username)
        if user is None:
            raise UserError(f"unknown user {username!r} (python -m bureau user list)")
        BureauUser.update(disabled=True).where(BureauUser.id == user.id).execute()
        WebSession.delete().where(WebSession.user == user).execute()
        user.disabled = True
        return user


# --- signing in ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Login:
    user: BureauUser | None  # None: refused (the page says only that it was refused)
    token: str = ""  # the new session's cookie value


def login(username: str, password: str, now: datetime | None = None) -> Login:
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
        WebSession.create(token_hash=_digest(token), user=user, created_at=now, expires_at=now + SESSION_LIFE)
        WebSession.delete().where(WebSession.expires_at <= now).execute()  # forget the stale ones
        return Login(user, token)


def session_user(token: str | None, now: datetime | None = None) -> BureauUser | None:
    """The user the cookie `token` signs in, or None (no such session, expired, or disabled)."""
    if not token:
        return None
    now = now or utcnow()
    session = (
        WebSession.select(WebSession, BureauUser)
        .join(BureauUser)
        .where((WebSession.token_hash == _digest(token)) & (WebSession.expires_at > now) & ~BureauUser.disabled)
        .first()
    )
    return session.user if session else None


def logout(token: str | None) -> None:
    if token:
        with write():
            WebSession.delete().where(WebSession.token_hash == _digest(token)).execute()


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
