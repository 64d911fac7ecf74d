"""What a push may be: at most 500 facts, gzip or plain, at most 8 MiB inflated, well-formed."""

import gzip
import json
import zlib

from bureau.body import MAX_BODY
from bureau.models import Event, EventReject, Kiosk

from .conftest import batch, fact


def nothing_stored(kiosk) -> bool:
    k = Kiosk.get(Kiosk.id == kiosk.id)
    return Event.select().count() == 0 and EventReject.select().count() == 0 and k.acked_seq == 0


def test_at_most_500_facts_a_push(client, kiosk):
    reply = client.push(batch(kiosk.kiosk_id, [fact(seq) for seq in range(1, 502)]))
    assert reply.status_code == 413 and reply.json()["error"] == "too_many_events"
    assert nothing_stored(kiosk)
    reply = client.push(batch(kiosk.kiosk_id, [fact(seq) for seq in range(1, 501)]), compress=True)
    assert reply.status_code == 200 and reply.json()["inserted"] == 500
    assert Event.select().count() == 500 and Kiosk.get(Kiosk.id == kiosk.id).acked_seq == 500


def test_a_gzip_body_is_read(client, kiosk):
    events = [fact(1, "member", {"member_no": "DM0001", "name": "王*华"}), fact(2)]
    reply = client.push(batch(kiosk.kiosk_id, events), compress=True)
    assert reply.status_code == 200, reply.text
    assert reply.json()["inserted"] == 2
    assert json.loads(Event.get(Event.seq == 1).payload) == events[0]["payload"]
    assert Kiosk.get(Kiosk.id == kiosk.id).acked_seq == 2


def test_a_gzip_bomb_is_refused_without_inflating_it(client, kiosk, server):
    inflated = 64 * 1024 * 1024  # 64 MiB of zeros, ~64 KiB compressed
    deflater = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    chunk = bytes(1024 * 1024)
    bomb = b"".join(deflater.compress(chunk) for _ in range(inflated // len(chunk))) + deflater.flush()
    assert len(bomb) < MAX_BODY // 16
    peak_before = server.peak_rss_kib()
    reply = client.send("POST", "/v1/push", bomb, {"Content-Encoding": "gzip"})
    assert reply.status_code == 413 and reply.json()["error"] == "too_large"
    # The bureau stopped at 8 MiB of output: its peak memory grew by far less than the bomb.
    grown_mib = (server.peak_rss_kib() - peak_before) / 1024
    assert grown_mib < 32, f"peak memory grew by {grown_mib:.0f} MiB"
    assert nothing_stored(kiosk)
    assert client.state().status_code == 200  # and it still answers


def test_a_body_over_8_mib_as_sent_is_refused_before_it_is_read(client, kiosk):
    big = b" " * (MAX_BODY + 1)
    reply = client.send("POST", "/v1/push", big)  # with a Content-Length
    assert reply.status_code == 413 and reply.json()["error"] == "too_large"
    headers = client.headers("POST", "/v1/push", big)

    def chunks():  # chunked: no length ahead
        for start in range(0, len(big), 1 << 20):
            yield big[start : start + (1 << 20)]

    reply = client.http.post("/v1/push", content=chunks(), headers=headers)
    assert reply.status_code == 413 and reply.json()["error"] == "too_large"
    assert nothing_stored(kiosk) and Kiosk.get(Kiosk.id == kiosk.id).last_seen is None


def test_malformed_bodies_are_refused(client, kiosk):
    good = batch(kiosk.kiosk_id, [fact(1), fact(2)])

    def changed(**fields) -> bytes:
        return json.dumps({**good, **fields}).encode()

    def event_changed(**fields) -> bytes:
        return changed(events=[{**good["events"][0], **fields}, good["events"][1]])

    no_kind = dict(good["events"][0])
    del no_kind["kind"]
    cases = {
        "not JSON": b"{not json",
        "not an object": b"[1, 2]",
        "not UTF-8": b'{"kiosk_id": "\xff"}',
        "another kiosk_id": changed(kiosk_id="DEMO-001-K02"),
        "no epoch": json.dumps({k: v for k, v in good.items() if k != "epoch"}).encode(),
        "epoch a string": changed(epoch="1"),
        "epoch 0": changed(epoch=0),
        "no events": changed(events=[]),
        "events not a list": changed(events={"1": fact(1)}),
        "an event not an object": changed(events=[1, 2]),
        "an event without kind": changed(events=[no_kind, good["events"][1]]),
        "seq a string": event_changed(seq="1"),
        "seq true": event_changed(seq=True),
        "wall_ms a float": event_changed(wall_ms=1.5),
        "event_id a number": event_changed(event_id=7),
        "event_id too long": event_changed(event_id="x" * 65),
        "client_version missing": json.dumps({k: v for k, v in good.items() if k != "client_version"}).encode(),
        "seqs not contiguous": changed(events=[fact(1), fact(3)], last_seq=3),
        "seqs descending": changed(events=[fact(2), fact(1)], first_seq=2, last_seq=1),
        "last_seq not the last": changed(last_seq=3),
        "first_seq not the first": changed(first_seq=2),
        "sent_ms 2^62": changed(sent_ms=2**62),
        "sent_ms before 1970": changed(sent_ms=-1),
        "wall_ms past 2200": event_changed(wall_ms=2**62),
        "a payload nested 50,000 deep": json.dumps(good)
        .encode()
        .replace(b'"payload": {', b'"payload": {"x": ' + b"[" * 50_000 + b"]" * 50_000 + b", ", 1),
        "a body nested 100,000 deep": b"[" * 100_000 + b"]" * 100_000,
    }
    for case, body in cases.items():
        reply = client.send("POST", "/v1/push", body)
        assert reply.status_code == 400, f"{case}: {reply.status_code} {reply.text}"
        assert reply.json()["error"] == "malformed" and reply.json()["detail"], case
        assert "server_time" in reply.json()
    reply = client.send("POST", "/v1/push", b"\x1f\x8b not really gzip", {"Content-Encoding": "gzip"})
    assert reply.status_code == 400 and reply.json()["error"] == "malformed"
    cut = gzip.compress(json.dumps(good).encode())[:-12]
    reply = client.send("POST", "/v1/push", cut, {"Content-Encoding": "gzip"})
    assert reply.status_code == 400 and "cut short" in reply.json()["detail"]
    reply = client.send("POST", "/v1/push", json.dumps(good).encode(), {"Content-Encoding": "br"})
    assert reply.status_code == 415 and reply.json()["error"] == "unsupported_encoding"
    assert nothing_stored(kiosk)
    assert client.push(good).json()["inserted"] == 2  # the well-formed one is taken


def test_an_epoch_request_nested_deeply_or_malformed_is_refused_not_a_500(client, kiosk, server):
    for body in (
        b"[" * 100_000 + b"]" * 100_000,
        b'{"kiosk_id": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        b"[]",
        b"{",
    ):
        reply = client.send("POST", "/v1/epoch", body)
        assert reply.status_code == 400 and reply.json()["error"] == "malformed", reply.text
    assert Kiosk.get(Kiosk.id == kiosk.id).epoch == 1
    assert client.new_epoch().json()["epoch"] == 2
    assert "Traceback" not in server.log.read_text()
