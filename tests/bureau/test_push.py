"""POST /v1/push and /v1/epoch: facts stored once, acked_seq, gaps, epochs and poison facts."""

import asyncio
import json
import threading
import time
import uuid

import httpx

from bureau import admin, app
from bureau.models import Event, EventReject, Kiosk
from bureau.store import close_store, db, write
from contract import signing

from .conftest import SITE, Client, batch, fact


def row(kiosk) -> Kiosk:
    return Kiosk.get(Kiosk.kiosk_id == kiosk.kiosk_id)


def stored(kiosk) -> list[tuple[int, int, str]]:
    """(epoch, seq, event_id) of the kiosk's facts at the bureau."""
    return [
        (e.epoch, e.seq, str(e.event_id))
        for e in Event.select().where(Event.kiosk == kiosk.id).order_by(Event.epoch, Event.seq)
    ]


def ids(events: list[dict], epoch: int = 1) -> list[tuple[int, int, str]]:
    return [(epoch, e["seq"], e["event_id"]) for e in events]


def ok(reply) -> dict:
    assert reply.status_code == 200, reply.text
    return reply.json()


def test_a_push_stores_the_facts_and_acknowledges_them(client, kiosk, server):
    events = [
        fact(1),
        fact(
            2,
            "points",
            {"member_no": "DM0001", "amount": 2, "kind": "lesson", "at": "2026-11-20T09:01:00", "site": SITE},
        ),
        fact(3, "audit", {"staff": "张老师", "reason": "补签"}),
    ]
    reply = ok(client.push(batch(kiosk.kiosk_id, events, client_version="0.1.0")))
    assert reply | {"server_time": 0} == {
        "acked_seq": 3,
        "inserted": 3,
        "duplicates": 0,
        "rejected": [],
        "server_time": 0,
    }
    assert stored(kiosk) == ids(events)
    for sent, event in zip(events, Event.select().order_by(Event.seq)):
        assert (event.kind, event.schema_v, event.wall_ms) == (sent["kind"], 1, sent["wall_ms"])
        assert json.loads(event.payload) == sent["payload"]
        assert event.site.code == SITE and event.kiosk.kiosk_id == kiosk.kiosk_id
        assert abs(event.skew_ms) < 10_000 and not event.skewed
    after = row(kiosk)
    assert (after.acked_seq, after.epoch, after.client_version) == (3, 1, "0.1.0")
    assert after.last_seen is not None
    assert ok(client.state())["acked_seq"] == 3
    assert "push DEMO-001-K01 epoch 1 seq 1-3: inserted 3, duplicates 0, rejected 0" in server.log.read_text()


def test_the_same_batch_again_is_all_duplicates(client, kiosk):
    events = [fact(1), fact(2), fact(3)]
    ok(client.push(batch(kiosk.kiosk_id, events)))
    reply = ok(client.push(batch(kiosk.kiosk_id, events)))
    assert (reply["acked_seq"], reply["inserted"], reply["duplicates"], reply["rejected"]) == (3, 0, 3, [])
    assert stored(kiosk) == ids(events) and row(kiosk).acked_seq == 3


def test_a_gap_is_refused_and_the_kiosk_told_where_to_resume(client, kiosk):
    ok(client.push(batch(kiosk.kiosk_id, [fact(1), fact(2), fact(3)])))
    reply = client.push(batch(kiosk.kiosk_id, [fact(5), fact(6)]))
    assert reply.status_code == 409 and reply.json()["error"] == "gap" and reply.json()["acked_seq"] == 3
    assert [seq for _, seq, _ in stored(kiosk)] == [1, 2, 3] and row(kiosk).acked_seq == 3


def test_an_overlapping_batch_inserts_only_the_new_facts(client, kiosk):
    events = [fact(seq) for seq in range(1, 6)]
    ok(client.push(batch(kiosk.kiosk_id, events[:3])))
    reply = ok(client.push(batch(kiosk.kiosk_id, events[1:])))  # 2..5: 2 and 3 are held
    assert (reply["acked_seq"], reply["inserted"], reply["duplicates"]) == (5, 2, 2)
    assert stored(kiosk) == ids(events) and row(kiosk).acked_seq == 5


def test_a_batch_of_another_epoch_is_refused(client, kiosk):
    reply = client.push(batch(kiosk.kiosk_id, [fact(1)], epoch=2))
    assert reply.status_code == 409
    assert reply.json() | {"server_time": 0} == {
        "error": "epoch",
        "expected_epoch": 1,
        "acked_seq": 0,
        "server_time": 0,
    }
    assert stored(kiosk) == [] and (row(kiosk).epoch, row(kiosk).acked_seq) == (1, 0)


def test_a_held_seq_with_another_event_id_is_an_epoch_conflict(client, kiosk):
    events = [fact(1), fact(2), fact(3)]
    ok(client.push(batch(kiosk.kiosk_id, events)))
    # The kiosk's database was restored from an old copy: seq 2 and 3 now are other facts.
    restored = [events[0], fact(2), fact(3), fact(4)]
    reply = client.push(batch(kiosk.kiosk_id, restored))
    assert reply.status_code == 409 and reply.json()["error"] == "epoch_conflict"
    assert reply.json()["acked_seq"] == 3
    assert stored(kiosk) == ids(events)  # nothing of that batch
    assert EventReject.select().count() == 0 and row(kiosk).acked_seq == 3


def test_a_new_epoch_then_the_outbox_resent(client, kiosk):
    events = [fact(1), fact(2), fact(3)]
    ok(client.push(batch(kiosk.kiosk_id, events)))
    restored = [events[0], fact(2), fact(3)]  # the copy had only fact 1; 2 and 3 are new facts
    assert client.push(batch(kiosk.kiosk_id, restored)).json()["error"] == "epoch_conflict"

    wrong = client.send("POST", "/v1/epoch", json.dumps({"kiosk_id": "DEMO-001-K02"}).encode())
    assert wrong.status_code == 400 and row(kiosk).epoch == 1
    reply = ok(client.new_epoch())
    assert (reply["epoch"], reply["acked_seq"]) == (2, 0)
    assert (row(kiosk).epoch, row(kiosk).acked_seq) == (2, 0)

    resent = ok(client.push(batch(kiosk.kiosk_id, restored, epoch=2)))
    assert (resent["acked_seq"], resent["inserted"], resent["duplicates"]) == (3, 2, 1)
    # Both epochs' facts stay; fact 1 is stored once, under epoch 1.
    assert stored(kiosk) == ids(events) + ids(restored[1:], epoch=2)
    # The kiosk goes on in epoch 2, and a re-sent held seq is still checked against what is held.
    again = ok(client.push(batch(kiosk.kiosk_id, restored + [fact(4)], epoch=2)))
    assert (again["acked_seq"], again["inserted"], again["duplicates"]) == (4, 1, 3)
    assert client.push(batch(kiosk.kiosk_id, [fact(1)], epoch=2)).json()["error"] == "epoch_conflict"
    assert (row(kiosk).epoch, row(kiosk).acked_seq) == (2, 4) and len(stored(kiosk)) == 6


def test_poison_facts_are_rejected_one_by_one_and_block_nothing(client, kiosk):
    events = [
        fact(1),
        fact(2, kind="bogus"),
        fact(3),
        fact(4, payload=[1, 2]),
        fact(5, event_id="not-a-uuid"),
        fact(6, schema_v=2),
        fact(7),
    ]
    reply = ok(client.push(batch(kiosk.kiosk_id, events)))
    assert (reply["acked_seq"], reply["inserted"], reply["duplicates"]) == (7, 3, 0)
    rejected = {r["seq"]: r for r in reply["rejected"]}
    assert sorted(rejected) == [2, 4, 5, 6]
    assert all(r["code"] == "invalid" for r in rejected.values())
    assert "bogus" in rejected[2]["reason"] and "object" in rejected[4]["reason"]
    assert "UUID" in rejected[5]["reason"] and "schema_v" in rejected[6]["reason"]
    assert rejected[5]["event_id"] == "not-a-uuid"

    assert [seq for _, seq, _ in stored(kiosk)] == [1, 3, 7] and row(kiosk).acked_seq == 7
    dead = {r.seq: r for r in EventReject.select()}
    assert sorted(dead) == [2, 4, 5, 6]
    for seq, r in dead.items():
        assert (r.kiosk.kiosk_id, r.epoch, r.code, r.reason) == (kiosk.kiosk_id, 1, "invalid", rejected[seq]["reason"])
        assert json.loads(r.payload) == events[seq - 1]  # the whole fact, for staff
    # The queue flows on behind them.
    assert ok(client.push(batch(kiosk.kiosk_id, [fact(8)])))["inserted"] == 1
    # Resending the batch (its answer was lost) neither duplicates the rejects nor conflicts.
    resent = ok(client.push(batch(kiosk.kiosk_id, events)))
    assert (resent["inserted"], resent["duplicates"], resent["rejected"]) == (0, 7, [])
    assert EventReject.select().count() == 4 and row(kiosk).acked_seq == 8


def test_a_kiosk_writes_only_for_its_own_site_and_itself(client, kiosk, server):
    admin.add_site("OTHER-002", "另一个站点")
    other = admin.add_kiosk("OTHER-002")
    theirs = fact(1, "member", {"member_no": "DM0002"})
    with Client(server.url, other.kiosk_id, other.key) as them:
        ok(them.push(batch(other.kiosk_id, [theirs])))
    events = [
        fact(1, "member", {"member_no": "DM0001", "site": SITE}),
        fact(2, "member", {"member_no": "DM0001", "site": "OTHER-002"}),
        fact(3, "member", {"member_no": "DM0001"}),
        fact(4, event_id=theirs["event_id"]),
    ]
    reply = ok(client.push(batch(kiosk.kiosk_id, events)))
    assert (reply["acked_seq"], reply["inserted"]) == (4, 2)
    assert [(r["seq"], r["code"]) for r in reply["rejected"]] == [(2, "wrong_site"), (4, "invalid")]
    assert "OTHER-002" in reply["rejected"][0]["reason"] and "another kiosk" in reply["rejected"][1]["reason"]
    assert [seq for _, seq, _ in stored(kiosk)] == [1, 3]
    assert [(r.seq, r.code) for r in EventReject.select().order_by(EventReject.seq)] == [
        (2, "wrong_site"),
        (4, "invalid"),
    ]
    assert Event.get(Event.event_id == uuid.UUID(theirs["event_id"])).kiosk.kiosk_id == other.kiosk_id


def test_a_kiosk_clock_off_by_over_five_minutes_is_flagged(client, kiosk):
    now_ms = int(time.time() * 1000)
    events = [
        fact(1, wall_ms=now_ms - 10 * 60_000),
        fact(2, wall_ms=now_ms),
        fact(3, wall_ms=now_ms + 366 * 86_400_000),
    ]
    ok(client.push(batch(kiosk.kiosk_id, events)))
    skews = {e.seq: (e.skew_ms, e.skewed) for e in Event.select()}
    assert abs(skews[1][0] + 10 * 60_000) < 10_000 and skews[1][1]
    assert abs(skews[2][0]) < 10_000 and not skews[2][1]
    assert skews[3][0] > 365 * 86_400_000 and skews[3][1]


def test_pushes_of_one_kiosk_at_once_store_each_fact_once(client, kiosk):
    """Two sync threads by mistake: the kiosk's pushes take turns at the bureau."""
    events = [fact(seq) for seq in range(1, 41)]
    replies = []

    def push():
        replies.append(client.push(batch(kiosk.kiosk_id, events)))

    threads = [threading.Thread(target=push) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert [r.status_code for r in replies] == [200] * 4
    assert sum(r.json()["inserted"] for r in replies) == 40
    assert all(r.json()["inserted"] + r.json()["duplicates"] == 40 for r in replies)
    assert stored(kiosk) == ids(events) and row(kiosk).acked_seq == 40


def test_each_payload_is_stored_as_the_text_the_kiosk_sent(client, kiosk):
    """The bureau keeps a payload's JSON as it came (it parses it only to check it), and a
    payload that is not UTF-8 is refused on its own: the facts around it are stored."""
    events = [fact(1, "member"), fact(2, "member"), fact(3, "member")]
    texts = [
        '{"member_no": "DM0001",  "name": "王建华", "名字": "\\u8865\\u7b7e", "site": "' + SITE + '"}',
        '{"member_no":"DM0002","bad":"\xff\xfe"}',
        '{ "member_no" : "DM0003" }',
    ]
    raw = json.dumps(batch(kiosk.kiosk_id, events), ensure_ascii=False).encode()
    for event, text in zip(events, texts):  # splice each payload in, byte for byte
        raw = raw.replace(
            json.dumps(event["payload"], ensure_ascii=False).encode(),
            text.encode("latin-1") if "\xff" in text else text.encode(),
            1,
        )
    reply = ok(client.send("POST", "/v1/push", raw))
    assert (reply["acked_seq"], reply["inserted"]) == (3, 2)
    assert [(r["seq"], r["code"], r["reason"]) for r in reply["rejected"]] == [
        (2, "invalid", "payload is not UTF-8 text")
    ]
    assert {e.seq: e.payload for e in Event.select()} == {1: texts[0], 3: texts[2]}
    assert EventReject.get().seq == 2


def test_a_push_waits_in_a_pool_thread_while_a_writer_of_the_process_has_the_turn(tmp_path):
    """On SQLite a push runs on the event loop only while the write turn is free: with another
    writer of the process holding it, the push waits in a pool thread and the loop still answers."""
    served = app.create_app(f"sqlite:///{tmp_path / 'bureau.db'}")
    holding, release = threading.Event(), threading.Event()

    def writer() -> None:
        with db.connection_context(), write():
            holding.set()
            release.wait(20)

    def push(http: httpx.AsyncClient, kiosk: Kiosk, first: int):
        body = json.dumps(batch(kiosk.kiosk_id, [fact(first), fact(first + 1)])).encode()
        headers = {"X-Kiosk": kiosk.kiosk_id, **signing.sign(kiosk.key, "POST", "/v1/push", int(time.time()), body)}
        return http.post("/v1/push", content=body, headers=headers)

    async def scenario(kiosk: Kiosk) -> list[httpx.Response]:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=served), base_url="http://bureau") as http:
            waiting = asyncio.create_task(push(http, kiosk, 1))
            health = await asyncio.wait_for(http.get("/v1/health"), 10)
            assert health.status_code == 200 and not waiting.done()
            release.set()
            return [await asyncio.wait_for(waiting, 20), await push(http, kiosk, 3)]  # the next: turn free

    thread = threading.Thread(target=writer)
    try:
        admin.add_site(SITE, "示范中心")
        kiosk = admin.add_kiosk(SITE)
        thread.start()
        assert holding.wait(10)
        replies = asyncio.run(scenario(kiosk))
        assert [(r.status_code, r.json()["acked_seq"], r.json()["inserted"]) for r in replies] == [
            (200, 2, 2),
            (200, 4, 2),
        ]
        assert [e.seq for e in Event.select().order_by(Event.seq)] == [1, 2, 3, 4]
    finally:
        release.set()
        if thread.ident is not None:
            thread.join(10)
        close_store()
