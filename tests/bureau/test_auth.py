"""Who may call the bureau: a kiosk's HMAC signature, timestamp and nonce (bureau/auth.py)."""

import json
import time
from datetime import timedelta

import httpx

from bureau import admin
from bureau.models import Event, Kiosk, Nonce
from bureau.store import utcnow
from contract.signing import WINDOW_S

from .conftest import Client, batch, fact


def row(kiosk) -> Kiosk:
    return Kiosk.get(Kiosk.kiosk_id == kiosk.kiosk_id)


def assert_refused(response, error: str):
    assert response.status_code == 401, response.text
    assert response.json()["error"] == error
    assert abs(response.json()["server_time"] - time.time()) < 10


def test_health_needs_no_signature_and_every_reply_has_the_time(server, kiosk):
    for path, method, status, error in [
        ("/v1/health", "GET", 200, None),
        ("/v1/nowhere", "GET", 404, "not_found"),
        ("/v1/health", "POST", 405, "method_not_allowed"),
    ]:
        reply = httpx.request(method, server.url + path)
        assert reply.status_code == status
        assert reply.json().get("error") == error
        assert abs(reply.json()["server_time"] - time.time()) < 10
    assert httpx.get(server.url + "/v1/health").json()["ok"] is True
    assert Nonce.select().count() == 0 and row(kiosk).last_seen is None


def test_a_signed_request_is_answered_and_recorded(client, kiosk):
    reply = client.state()
    assert reply.status_code == 200, reply.text
    assert reply.json() | {"server_time": 0} == {
        "kiosk_id": "DEMO-001-K01",
        "site": "DEMO-001",
        "epoch": 1,
        "acked_seq": 0,
        "server_time": 0,
    }
    assert abs(row(kiosk).last_seen - utcnow()) < timedelta(seconds=10)
    assert [n.nonce for n in Nonce.select()] == [reply.request.headers["X-Nonce"]]


def test_a_signature_is_required(client, kiosk):
    http = client.http
    assert_refused(http.get("/v1/state"), "stale_timestamp")  # no headers at all
    assert_refused(http.get("/v1/state", headers={"X-Kiosk": kiosk.kiosk_id}), "stale_timestamp")
    unsigned = client.headers("GET", "/v1/state")
    del unsigned["X-Signature"]
    assert_refused(http.get("/v1/state", headers=unsigned), "bad_signature")
    assert_refused(
        http.post(
            "/v1/push",
            content=json.dumps(batch(kiosk.kiosk_id, [fact(1)])).encode(),
            headers={"X-Kiosk": kiosk.kiosk_id},
        ),
        "stale_timestamp",
    )
    assert Event.select().count() == 0 and Nonce.select().count() == 0
    assert row(kiosk).last_seen is None and row(kiosk).acked_seq == 0


def test_a_bad_signature_is_refused(client, kiosk):
    assert_refused(client.state(key="00" * 32), "bad_signature")  # another key
    headers = client.headers("GET", "/v1/state")  # signed for another target
    assert_refused(client.http.get("/v1/state?all=1", headers=headers), "bad_signature")
    headers = client.headers("GET", "/v1/state", nonce="not hex!")
    assert_refused(client.http.get("/v1/state", headers=headers), "bad_signature")
    assert Nonce.select().count() == 0 and row(kiosk).last_seen is None


def test_a_changed_body_is_refused(client, kiosk):
    sent = json.dumps(batch(kiosk.kiosk_id, [fact(1), fact(2)])).encode()
    signed_for = json.dumps(batch(kiosk.kiosk_id, [fact(1)])).encode()
    headers = client.headers("POST", "/v1/push", signed_for)
    assert_refused(client.http.post("/v1/push", content=sent, headers=headers), "bad_signature")
    assert Event.select().count() == 0 and row(kiosk).acked_seq == 0 and Nonce.select().count() == 0


def test_a_stale_timestamp_is_refused_on_both_sides(client, kiosk):
    now = int(time.time())
    assert_refused(client.state(timestamp=now - WINDOW_S - 30), "stale_timestamp")  # kiosk clock behind
    assert_refused(client.state(timestamp=now + WINDOW_S + 30), "stale_timestamp")  # kiosk clock ahead
    assert Nonce.select().count() == 0 and row(kiosk).last_seen is None
    assert client.state(timestamp=now - WINDOW_S + 30).status_code == 200  # within the window
    assert client.state(timestamp=now + WINDOW_S - 30).status_code == 200
    assert Nonce.select().count() == 2


def test_a_replayed_request_is_refused(client, kiosk):
    body = json.dumps(batch(kiosk.kiosk_id, [fact(1), fact(2)])).encode()
    headers = client.headers("POST", "/v1/push", body)
    first = client.http.post("/v1/push", content=body, headers=headers)
    assert first.status_code == 200 and first.json()["inserted"] == 2
    assert_refused(client.http.post("/v1/push", content=body, headers=headers), "replayed")
    assert [n.nonce for n in Nonce.select()] == [headers["X-Nonce"]]
    assert Event.select().count() == 2 and row(kiosk).acked_seq == 2


def test_a_refused_push_still_spends_its_nonce_and_writes_nothing(client, kiosk):
    body = json.dumps(batch(kiosk.kiosk_id, [fact(5), fact(6)])).encode()  # a gap: nothing acked yet
    headers = client.headers("POST", "/v1/push", body)
    first = client.http.post("/v1/push", content=body, headers=headers)
    assert first.status_code == 409 and first.json()["error"] == "gap"
    assert_refused(client.http.post("/v1/push", content=body, headers=headers), "replayed")
    assert [n.nonce for n in Nonce.select()] == [headers["X-Nonce"]]
    assert Event.select().count() == 0 and row(kiosk).acked_seq == 0 and row(kiosk).last_seen is not None


def test_an_unknown_kiosk_is_refused_as_a_bad_signature(client, kiosk, server):
    client.kiosk_id = "DEMO-001-K99"
    assert_refused(client.state(), "bad_signature")
    assert_refused(client.push(batch("DEMO-001-K99", [fact(1)])), "bad_signature")
    assert Event.select().count() == 0 and Nonce.select().count() == 0
    assert "X-Kiosk 'DEMO-001-K99': no such kiosk" in server.log.read_text()  # the operator still learns why


def test_nothing_tells_an_unknown_kiosk_from_a_revoked_one_before_the_signature(client, kiosk, server):
    admin.revoke(kiosk.kiosk_id)
    with Client(server.url, "DEMO-001-K99", kiosk.key) as unknown:
        for c in (client, unknown):  # neither holds the right key
            assert_refused(c.state(key="00" * 32), "bad_signature")
            assert_refused(c.state(timestamp=int(time.time()) - WINDOW_S - 30), "stale_timestamp")
    assert_refused(client.state(), "revoked")  # told only to the holder of its key


def test_a_revoked_kiosk_is_refused(client, kiosk):
    assert client.state().status_code == 200
    admin.revoke(kiosk.kiosk_id)
    assert_refused(client.state(), "revoked")
    assert_refused(client.push(batch(kiosk.kiosk_id, [fact(1)])), "revoked")
    assert row(kiosk).revoked_at is not None
    assert Event.select().count() == 0 and Nonce.select().count() == 1


def test_a_rotated_key_keeps_the_old_one_for_the_grace_period(client, kiosk):
    old_key = kiosk.key
    new_key = admin.rotate_key(kiosk.kiosk_id, timedelta(hours=72)).key
    assert new_key != old_key
    assert client.state(key=old_key).status_code == 200  # in the grace period
    assert client.push(batch(kiosk.kiosk_id, [fact(1)]), key=old_key).status_code == 200
    assert client.state(key=new_key).status_code == 200
    # The grace period is over (as 72 hours later): only the new key is accepted.
    Kiosk.update(old_key_until=utcnow() - timedelta(seconds=1)).where(Kiosk.id == kiosk.id).execute()
    assert_refused(client.state(key=old_key), "bad_signature")
    assert_refused(client.push(batch(kiosk.kiosk_id, [fact(2)]), key=old_key), "bad_signature")
    reply = client.push(batch(kiosk.kiosk_id, [fact(2)]), key=new_key)
    assert reply.status_code == 200 and reply.json()["acked_seq"] == 2
    assert [e.seq for e in Event.select().order_by(Event.seq)] == [1, 2]
    assert row(kiosk).key == new_key and row(kiosk).old_key == old_key


def test_nonces_too_old_to_replay_are_forgotten(client, kiosk):
    now = utcnow()
    Nonce.insert_many(
        [
            {"kiosk": kiosk.id, "nonce": "aa" * 16, "at": now - timedelta(seconds=2 * WINDOW_S + 60)},
            {"kiosk": kiosk.id, "nonce": "bb" * 16, "at": now - timedelta(seconds=60)},
        ]
    ).execute()
    reply = client.state()  # a new server process prunes at its first request
    assert reply.status_code == 200
    assert sorted(n.nonce for n in Nonce.select()) == sorted(["bb" * 16, reply.request.headers["X-Nonce"]])
    assert_refused(client.state(nonce="bb" * 16), "replayed")  # a nonce within the window stays


def test_a_signature_header_that_is_not_ascii_is_refused_not_a_500(client, kiosk, server):
    """Non-ASCII bytes reach the bureau as latin-1 text, which hmac.compare_digest refused with a
    TypeError: a 500 with a traceback, to anyone who knows a kiosk id."""
    for signature in (b"\xff\xfe", "签名".encode(), b"\x80" * 64):
        headers = {**client.headers("GET", "/v1/state"), "X-Signature": signature}
        assert_refused(client.http.get("/v1/state", headers=headers), "bad_signature")
    assert "Traceback" not in server.log.read_text()
