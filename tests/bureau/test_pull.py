"""GET /v1/pull, /v1/checksum and /v1/heads on a real server: what a kiosk may see, page by page,
its checksum, must-refetch, refusals and gzip; the heads every kiosk gets alike.  Three tests
only: each starts a server per store."""

import zlib

import httpx

from bureau import admin, publish, streams
from bureau.models import Kiosk
from bureau.store import write

from .conftest import SITE, Client


def get(client, target: str, **headers) -> httpx.Response:
    return client.send("GET", target, headers=headers)


def ok(reply: httpx.Response) -> dict:
    assert reply.status_code == 200, reply.text
    assert reply.headers["cache-control"] == "no-store"
    fields = reply.json()
    assert isinstance(fields.pop("server_time"), float)
    return fields


def test_a_kiosk_pulls_its_items_page_by_page_and_its_checksum_agrees(client, kiosk):
    admin.add_site("UNI-002", "老年大学")
    everyone = publish.publish_activity("重阳节游园", "2026-10-18 09:00", "2026-10-18 11:30", place="人民公园")
    ours = publish.publish_course(SITE, "太极拳（二）班", "2026 秋季", "2026-09-01", "2027-01-15", ["1 09:00-11:00"])
    publish.publish_course("UNI-002", "国画", "2026 秋季", "2026-09-01", "2027-01-15", ["2 14:00-16:00"])
    withdrawn = publish.publish_activity("讲座", "2026-11-02 14:00", "2026-11-02 15:00", site=SITE)
    with write():  # a tombstone, as an older bureau withdrew an activity (now it is cancelled, kept)
        streams.publish("items", f"activity:{withdrawn}", None, f"site:{SITE}")
    assert Kiosk.get(Kiosk.id == kiosk.id).last_pull is None

    first = ok(get(client, "/v1/pull?stream=items&after=0&limit=2"))
    handle = first["handle"]
    assert [(i["rev"], i["id"], i["op"]) for i in first["items"]] == [
        (1, f"activity:{everyone}", "put"),
        (2, f"course:{ours}", "put"),
    ]
    assert (first["stream"], first["next_after"], first["head_rev"], first["more"]) == ("items", 2, 5, True)
    course = first["items"][1]
    assert course["data"]["term"] == {"name": "2026 秋季", "start": "2026-09-01", "end": "2027-01-15"}
    assert course["data"]["schedule"] == [{"weekday": 1, "start": "09:00", "end": "11:00"}]
    assert course["crc"] == zlib.crc32(f"course:{ours}\n{streams.canonical(course['data'])}".encode())
    rest = ok(get(client, f"/v1/pull?stream=items&after=2&handle={handle}&limit=2"))
    # UNI-002's course (rev 3) is not this kiosk's; the withdrawn talk arrives as its tombstone.
    assert [(i["rev"], i["op"], i["data"]) for i in rest["items"]] == [(5, "delete", None)]
    assert (rest["next_after"], rest["more"]) == (5, False)
    assert Kiosk.get(Kiosk.id == kiosk.id).last_pull is not None

    summed = ok(get(client, "/v1/checksum?stream=items"))
    crcs = [i["crc"] for i in first["items"]]
    assert summed == {"stream": "items", "handle": handle, "head_rev": 5, "count": 2, "checksum": sum(crcs) % 2**32}

    publish.set_settings(["sync.pull_every_s=30"], kiosk=kiosk.kiosk_id)
    publish.set_settings(["sync.pull_every_s=90"], kiosk=admin.add_kiosk(SITE).kiosk_id)
    settings = ok(get(client, "/v1/pull?stream=settings"))["items"]
    assert [(i["id"], i["data"]) for i in settings] == [(kiosk.kiosk_id, {"sync.pull_every_s": 30})]
    sites = ok(get(client, "/v1/pull?stream=sites"))["items"]
    assert [i["data"] for i in sites] == [
        {"code": SITE, "name": kiosk.site.name},
        {"code": "UNI-002", "name": "老年大学"},
    ]


def test_a_stale_handle_must_refetch_bad_requests_are_refused_big_replies_gzipped(client, server):
    handle = ok(get(client, "/v1/pull?stream=rules"))["handle"]
    publish.set_rule("lesson", 2)
    new = publish.reset("rules")
    stale = get(client, f"/v1/pull?stream=rules&after=1&handle={handle}")
    assert stale.status_code == 410 and stale.headers["cache-control"] == "no-store"
    assert stale.json() | {"server_time": 0} == {
        "error": "must_refetch",
        "stream": "rules",
        "handle": new,
        "server_time": 0,
    }
    again = ok(get(client, f"/v1/pull?stream=rules&after=0&handle={new}"))
    assert [i["data"]["points"] for i in again["items"]] == [2]

    unsigned = httpx.get(server.url + "/v1/pull?stream=items")
    assert unsigned.status_code == 401 and "server_time" in unsigned.json()
    assert httpx.get(server.url + "/v1/checksum?stream=items").status_code == 401
    # The signature covers the query: the same headers with another query are refused.
    signed = client.headers("GET", "/v1/pull?stream=items")
    assert client.http.get("/v1/pull?stream=members", headers=signed).status_code == 401
    for target in ("/v1/pull?stream=nope", "/v1/pull", "/v1/checksum?stream=nope", "/v1/checksum"):
        reply = get(client, target)
        assert reply.status_code == 400 and reply.json()["error"] == "unknown_stream", target
    for query in ("after=-1", "after=x", "limit=0", f"limit={streams.MAX_PAGE + 1}", "limit=1e3"):
        reply = get(client, f"/v1/pull?stream=items&{query}")
        assert reply.status_code == 400 and reply.json()["error"] == "malformed", query

    # Replies over 1 KB are gzipped for a kiosk that accepts it.
    for n in range(12):
        publish.publish_activity(f"健康讲座第{n + 1}讲", "2026-11-02 14:00", "2026-11-02 15:00", site=SITE)
    zipped = get(client, "/v1/pull?stream=items", **{"Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert int(zipped.headers["content-length"]) < len(zipped.content) / 2  # httpx unzipped it
    plain = get(client, "/v1/pull?stream=items", **{"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and len(plain.content) > 1024
    assert ok(zipped)["items"] == ok(plain)["items"] and len(ok(plain)["items"]) == 12
    small = get(client, "/v1/checksum?stream=items", **{"Accept-Encoding": "gzip"})
    assert "content-encoding" not in small.headers and ok(small)["count"] == 12


def test_heads_are_every_streams_handle_and_head_the_same_for_every_kiosk_and_signed(client, server, kiosk):
    admin.add_site("UNI-002", "老年大学")
    there = admin.add_kiosk("UNI-002", "front desk")
    publish.publish_activity("书法展", "2026-11-02 14:00", "2026-11-02 15:00", site="UNI-002")
    publish.set_rule("lesson", 2)
    assert Kiosk.get(Kiosk.id == kiosk.id).last_pull is None

    heads = ok(get(client, "/v1/heads"))
    assert set(heads) == {"streams"} and set(heads["streams"]) == set(streams.STREAMS)
    assert all(set(h) == {"handle", "head_rev"} for h in heads["streams"].values())  # revs only, no rows
    # Each as a pull's page says, with UNI-002's activity counted in the head of "items" though
    # this kiosk sees none of it: the head reveals that something changed, never what.
    for stream in streams.STREAMS:
        page = ok(get(client, f"/v1/pull?stream={stream}&after=0"))
        assert heads["streams"][stream] == {"handle": page["handle"], "head_rev": page["head_rev"]}, stream
    assert heads["streams"]["items"]["head_rev"] == 1 and heads["streams"]["rules"]["head_rev"] == 1
    with Client(server.url, there.kiosk_id, there.key) as other:
        assert ok(other.send("GET", "/v1/heads")) == heads  # scope-free: the same for every kiosk

    new = publish.reset("rules")
    publish.set_rule("party", 5)
    again = ok(get(client, "/v1/heads"))["streams"]
    assert again["rules"] == {"handle": new, "head_rev": 2} and again["items"] == heads["streams"]["items"]
    assert Kiosk.get(Kiosk.id == kiosk.id).last_pull is not None

    assert httpx.get(server.url + "/v1/heads").status_code == 401
    signed = client.headers("GET", "/v1/heads")
    assert client.http.get("/v1/heads", headers=signed).status_code == 200
    assert client.http.get("/v1/heads", headers=signed).status_code == 401  # a nonce once only
