"""Bureau staff accounts on both stores: the password policy, scrypt at OWASP's cost with old hashes
made again at login, and the operator's unlock, enable and password commands (bureau/users.py,
bureau/cli/user.py)."""

import subprocess
import sys
from datetime import datetime, timedelta

import pytest

from bureau import users
from bureau.models import BureauUser, WebSession
from contract import passwords

from .conftest import bureau_env

USER, PASSWORD = "zhangli", "correct-horse-9"
T = datetime(2026, 11, 21, 9, 0)


def user_cli(store_url: str, *args: str, tmp_path, stdin: str = "") -> subprocess.CompletedProcess:
    """`python -m bureau --db URL user ARGS`, with `stdin` for --password-stdin."""
    return subprocess.run(
        [sys.executable, "-m", "bureau", "--db", store_url, "user", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=bureau_env(),
        timeout=60,
    )


def row() -> BureauUser:
    return BureauUser.get(BureauUser.username == USER)


@pytest.fixture
def zhang(store) -> BureauUser:
    return users.add_user(USER, PASSWORD)


@pytest.mark.parametrize(
    "password, why",
    [
        ("aaaaaaa", "12 characters"),  # what `user add dave` took before
        ("aaaaaaaaaaaaaaaa", "too easy"),  # long, one character
        ("abababababababab", "too easy"),
        ("password1234", "too easy"),  # on every list
        ("Password1234", "too easy"),
        ("1qaz2wsx3edc", "too easy"),
        ("zhangli-2026-spring", "too easy"),  # the username in it
    ],
)
def test_weak_passwords_are_refused(store, store_url, tmp_path, password, why):
    done = user_cli(store_url, "add", USER, "--password-stdin", tmp_path=tmp_path, stdin=password + "\n")
    assert done.returncode == 2 and why in done.stderr, done.stderr
    assert BureauUser.select().count() == 0


def test_passwords_are_hashed_at_owasps_scrypt_cost(zhang):
    assert passwords.cost(zhang.password_hash) == users.HASH_COST == 2**17
    assert zhang.password_hash.split("$")[1:4] == ["131072", "8", "1"]
    assert users.verify_password(PASSWORD, zhang.password_hash)


def test_an_old_cheaper_hash_still_signs_in_and_is_made_again_at_todays_cost(zhang):
    old = passwords.make(PASSWORD)  # 2^14, as the bureau made them before
    BureauUser.update(password_hash=old).execute()
    assert passwords.cost(row().password_hash) == 2**14
    assert users.login(USER, "wrong-password!", T).user is None
    assert row().password_hash == old  # a wrong password upgrades nothing
    assert users.login(USER, PASSWORD, T).user is not None
    assert passwords.cost(row().password_hash) == 2**17 and users.verify_password(PASSWORD, row().password_hash)
    assert users.login(USER, PASSWORD, T).user is not None


def test_unlock_lifts_a_lockout_someone_else_caused(zhang, store_url, tmp_path):
    for _ in range(users.MAX_FAILURES):
        users.login(USER, "someone-guessing", T)
    assert users.login(USER, PASSWORD, T + timedelta(minutes=1)).user is None  # locked
    done = user_cli(store_url, "unlock", USER, tmp_path=tmp_path)
    assert done.returncode == 0 and f"user {USER} unlocked" in done.stdout, done.stderr
    assert (row().failures, row().locked_until) == (0, None)
    assert users.login(USER, PASSWORD, T + timedelta(minutes=1)).user is not None


def test_enable_lets_a_disabled_user_sign_in_again(zhang, store_url, tmp_path):
    assert user_cli(store_url, "disable", USER, tmp_path=tmp_path).returncode == 0
    assert users.login(USER, PASSWORD, T).user is None
    done = user_cli(store_url, "enable", USER, tmp_path=tmp_path)
    assert done.returncode == 0 and f"user {USER} enabled" in done.stdout
    assert users.login(USER, PASSWORD, T).user is not None


def test_a_new_password_ends_every_session_and_lifts_a_lock(zhang, store_url, tmp_path):
    sessions = [users.login(USER, PASSWORD, T).token for _ in range(2)]
    for _ in range(users.MAX_FAILURES):
        users.login(USER, "someone-guessing", T)
    new = "a-new-phrase-for-winter"
    done = user_cli(store_url, "password", USER, "--password-stdin", tmp_path=tmp_path, stdin=new + "\n")
    assert done.returncode == 0 and f"password of {USER} changed" in done.stdout, done.stderr
    assert all(users.session_user(token, T) is None for token in sessions)
    assert WebSession.select().count() == 0
    assert users.login(USER, PASSWORD, T).user is None
    assert users.login(USER, new, T).user is not None


def test_the_new_password_is_held_to_the_same_policy(zhang, store_url, tmp_path):
    session = users.login(USER, PASSWORD, T).token
    done = user_cli(store_url, "password", USER, "--password-stdin", tmp_path=tmp_path, stdin="password1234\n")
    assert done.returncode == 2 and "too easy" in done.stderr
    assert users.verify_password(PASSWORD, row().password_hash) and users.session_user(session, T) is not None


@pytest.mark.parametrize("action", ["unlock", "enable", "disable", "password"])
def test_commands_on_an_unknown_user_say_so(store, store_url, tmp_path, action):
    stdin = ("--password-stdin",) if action == "password" else ()
    done = user_cli(store_url, action, "nobody", *stdin, tmp_path=tmp_path, stdin="a-long-phrase-here\n")
    assert done.returncode == 2 and "unknown user 'nobody'" in done.stderr
