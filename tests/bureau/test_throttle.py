"""Login attempts per client (bureau/throttle.py, bureau/web.py): the token bucket's arithmetic, and
the real server answering 429 to one client past its attempts while another signs in."""

import httpx
import pytest

from bureau import users
from bureau.throttle import TokenBucket

USER, PASSWORD = "zhangli", "correct-horse-9"


def test_a_client_has_its_burst_then_one_attempt_per_interval():
    bucket = TokenBucket(per_minute=10, burst=10)
    assert [bucket.take("a", 100.0) for _ in range(10)] == [0.0] * 10
    assert bucket.take("a", 100.0) == pytest.approx(6.0)  # a token every 6 s
    assert bucket.take("a", 103.0) == pytest.approx(3.0)
    assert bucket.take("a", 106.0) == 0.0 and bucket.take("a", 106.0) > 0
    assert bucket.take("b", 106.0) == 0.0  # another client has its own


def test_a_full_bucket_stays_full_however_long_the_client_was_away():
    bucket = TokenBucket(per_minute=10, burst=3)
    assert [bucket.take("a", 0.0) for _ in range(3)] == [0.0] * 3
    assert [bucket.take("a", 86_400.0) for _ in range(4)][-1] > 0  # 3 again, not 14 400


def test_many_clients_do_not_grow_it_without_end():
    bucket = TokenBucket(per_minute=60, burst=1)
    bucket.MAX_CLIENTS = 100
    for i in range(1000):
        bucket.take(f"10.0.{i // 256}.{i % 256}", float(i))  # each one's bucket full a second later
    assert len(bucket._buckets) <= bucket.MAX_CLIENTS + 1


@pytest.fixture
def zhang(store):
    users.add_user(USER, PASSWORD)


def test_the_server_answers_429_to_a_client_past_its_attempts_and_not_to_another(server, zhang):
    with httpx.Client(base_url=server.url) as http:
        # Ten attempts in a moment (these without an Origin, refused at once: every attempt counts,
        # before any work is done for it) ...
        assert [http.post("/web/login", data={"username": f"user{i}"}).status_code for i in range(10)] == [403] * 10
        # ... and the eleventh is not even checked, right password or not.
        form = {"username": USER, "password": PASSWORD}
        refused = http.post("/web/login", data=form, headers={"Origin": server.url})
        assert refused.status_code == 429
        assert "请过一分钟再试" in refused.text and 1 <= int(refused.headers["Retry-After"]) <= 6
        assert "bureau_session" not in refused.cookies
        # Another client, as a proxy on this host forwards it, is not held back.
        other = http.post("/web/login", data=form, headers={"Origin": server.url, "X-Forwarded-For": "10.1.2.3"})
        assert other.status_code == 303 and "bureau_session" in other.cookies
