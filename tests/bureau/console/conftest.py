"""The console's tests share the bureau's fixtures (../conftest.py) and the web tests' browser."""

import pytest

from bureau import users
from tests.bureau.test_web import chromium  # noqa: F401  (a fixture: one headless Chromium per module)

_HASHES: dict[str, str] = {}


@pytest.fixture(autouse=True)
def hashed_once(monkeypatch):
    """Each password hashed once a session.  At full cost (bureau/users.py) a hash takes half a
    second, and a console test sets up several accounts; what these tests check is the console, not
    the hashing (tests/bureau/test_users.py does).  Every hash stored is still a real one, and the
    server still checks each login against it."""
    real = users.hash_password

    def once(password: str) -> str:
        if password not in _HASHES:
            _HASHES[password] = real(password)
        return _HASHES[password]

    monkeypatch.setattr(users, "hash_password", once)
