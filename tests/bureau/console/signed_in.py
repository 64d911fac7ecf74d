"""A signed-in account's browser, for the console's tests: an httpx session of the real server that
reads each form's CSRF token from its page and posts from the server's own origin, as a browser
does.  A test signs at most a few accounts in: the server lets one address try 10 logins a minute."""

import re

import httpx

from bureau import users
from bureau.models import AuditEntry, BureauUser, Site

PASSWORD = "lantern-harbour-73"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def account(username: str, role: str, site: Site | None = None, password: str = PASSWORD) -> BureauUser:
    """An account made as the operator's CLI makes one."""
    return users.add_user(username, password, role, site, full_name=f"{username}同志")


class SignedIn:
    def __init__(self, url: str, username: str, password: str = PASSWORD):
        self.url, self.username = url, username
        self.http = httpx.Client(base_url=url, timeout=60)
        done = self.http.post("/web/login", data={"username": username, "password": password}, headers={"Origin": url})
        assert done.status_code == 303, done.text

    def close(self) -> None:
        self.http.close()

    def get(self, path: str, **params) -> httpx.Response:
        return self.http.get(path, params=params)

    def csrf(self, page: str = "/web/account") -> str:
        found = CSRF.search(self.get(page).text)
        assert found, f"no form with a CSRF token on {page}"
        return found[1]

    def post(self, path: str, data: dict | None = None, csrf: str | None = None, origin: bool = True) -> httpx.Response:
        """Post a form with this session's token (or `csrf`; "" for none)."""
        token = self.csrf() if csrf is None else csrf
        form = {**(data or {}), **({"csrf": token} if token else {})}
        return self.http.post(path, data=form, headers={"Origin": self.url} if origin else {})


def reason_of_last(action: str) -> tuple[str, str, str]:
    """(username, target, reason) of the latest audit entry of `action`."""
    entry = AuditEntry.select().where(AuditEntry.action == action).order_by(AuditEntry.id.desc()).first()
    assert entry is not None, f"no audit entry {action}"
    return entry.username, entry.target, entry.reason
