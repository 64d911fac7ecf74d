"""bureau.streams: revs in commit order, compaction, tombstones, scopes, paging, must-refetch,
checksums, trimming; and (F17) a rev that commits late is never stepped over by a cursor."""

import threading
import uuid
import zlib
from datetime import timedelta

import pytest

from bureau import admin, streams
from bureau.errors import Refusal
from bureau.models import StreamMeta, StreamRow
from bureau.schema import open_store
from bureau.store import close_store, db, utcnow, write

from .conftest import SITE, SITE_NAME, wait_until

KIOSK = f"{SITE}-K01"


def put(stream: str, entity_id: str, data: dict | None, scope: str = "") -> int:
    with write():
        return streams.publish(stream, entity_id, data, scope)


def pull(
    stream: str, after: int = 0, handle: str | None = None, limit: int = 1000, site: str = SITE, kiosk: str = KIOSK
) -> dict:
    return streams.pull(stream, after, handle, limit, site, kiosk)


def ids(page: dict) -> list[tuple[int, str, str]]:
    return [(item["rev"], item["id"], item["op"]) for item in page["items"]]


def everything(stream: str, site: str = SITE, kiosk: str = KIOSK, limit: int = 1000) -> list[dict]:
    """Every item a kiosk pulls, page after page, from a fresh start."""
    items, after, more = [], 0, True
    while more:
        page = pull(stream, after, limit=limit, site=site, kiosk=kiosk)
        items += page["items"]
        after, more = page["next_after"], page["more"]
    return items


def test_revs_follow_commits_and_an_entity_appears_once_at_its_newest_value(store):
    assert put("rules", "lesson", {"category": "lesson", "points": 2}) == 1
    assert put("rules", "activity", {"category": "activity", "points": 3}) == 2
    assert put("rules", "lesson", {"category": "lesson", "points": 5}) == 3
    assert put("members", "DM0001", {"member_no": "DM0001", "name": "王建华"}) == 1  # each stream counts alone
    page = pull("rules")
    assert ids(page) == [(2, "activity", "put"), (3, "lesson", "put")]
    assert page["items"][1]["data"] == {"category": "lesson", "points": 5}
    text = streams.canonical({"category": "lesson", "points": 5})
    assert text == '{"category":"lesson","points":5}'
    assert page["items"][1]["crc"] == zlib.crc32(f"lesson\n{text}".encode())
    assert (page["head_rev"], page["next_after"], page["more"]) == (3, 3, False)
    assert page["handle"] == StreamMeta.get(StreamMeta.stream == "rules").handle
    assert ids(pull("rules", after=2)) == [(3, "lesson", "put")]
    assert pull("rules", after=3)["items"] == [] and pull("rules", after=3)["next_after"] == 3


def test_canonical_text_keeps_chinese_as_is():
    assert streams.canonical({"名": "王建华", "a": [1, None]}) == '{"a":[1,null],"名":"王建华"}'


def test_a_delete_is_a_tombstone_that_replaces_the_value(store):
    put("members", "DM0001", {"member_no": "DM0001"})
    put("members", "DM0002", {"member_no": "DM0002"})
    assert put("members", "DM0001", None) == 3
    page = pull("members")
    assert ids(page) == [(2, "DM0002", "put"), (3, "DM0001", "delete")]
    assert page["items"][1]["data"] is None
    assert StreamRow.get(StreamRow.entity_id == "DM0001").deleted


def test_a_kiosk_sees_every_kiosk_s_rows_its_site_s_and_its_own(store):
    put("items", "activity:a", {"title": "全区"})
    put("items", "activity:b", {"title": "本站"}, f"site:{SITE}")
    put("items", "activity:c", {"title": "别站"}, "site:UNI-002")
    put("settings", "*", {"display.mask_names": True})
    put("settings", KIOSK, {"sync.pull_every_s": 30}, f"kiosk:{KIOSK}")
    put("settings", "UNI-002-K01", {"sync.pull_every_s": 90}, "kiosk:UNI-002-K01")
    assert [i["id"] for i in everything("items")] == ["activity:a", "activity:b"]
    assert [i["id"] for i in everything("items", site="UNI-002", kiosk="UNI-002-K01")] == ["activity:a", "activity:c"]
    assert [i["id"] for i in everything("settings")] == ["*", KIOSK]
    assert [i["id"] for i in everything("settings", kiosk=f"{SITE}-K02")] == ["*"]
    # Rows this kiosk may not see still move its cursor on: it does not read them again.
    put("items", "activity:d", {"title": "别站二"}, "site:UNI-002")
    page = pull("items", after=3)
    assert page["items"] == [] and (page["next_after"], page["head_rev"], page["more"]) == (4, 4, False)


def test_pages_of_limit_rows_end_where_the_last_one_read_ended(store):
    for n in range(1, 8):
        put("members", f"DM{n:04d}", {"member_no": f"DM{n:04d}"}, "" if n != 6 else "site:UNI-002")
    first = pull("members", limit=3)
    assert [i["rev"] for i in first["items"]] == [1, 2, 3] and (first["next_after"], first["more"]) == (3, True)
    second = pull("members", after=3, limit=3)
    assert [i["rev"] for i in second["items"]] == [4, 5, 7] and (second["next_after"], second["more"]) == (7, False)
    # Exactly `limit` rows left is not "more": the page says so without another round trip.
    exact = pull("members", after=4, limit=2)
    assert [i["rev"] for i in exact["items"]] == [5, 7] and (exact["next_after"], exact["more"]) == (7, False)
    assert [i["id"] for i in everything("members", limit=1)] == [f"DM{n:04d}" for n in (1, 2, 3, 4, 5, 7)]


def test_a_changed_handle_or_a_forgotten_rev_must_refetch(store):
    for n in range(1, 5):
        put("members", f"DM{n:04d}", {"member_no": f"DM{n:04d}"})
    handle = pull("members")["handle"]
    assert pull("members", after=2, handle=handle)["next_after"] == 4
    new = streams.reset("members")
    assert new != handle
    with pytest.raises(Refusal) as refused:
        pull("members", after=2, handle=handle)
    assert (refused.value.status, refused.value.reply) == (
        410,
        {"error": "must_refetch", "stream": "members", "handle": new},
    )
    assert [i["rev"] for i in pull("members", handle=new)["items"]] == [1, 2, 3, 4]
    assert pull("rules", handle=pull("rules")["handle"])["items"] == []  # other streams keep theirs

    put("members", "DM0002", None)  # rev 5
    put("members", "DM0003", None)  # rev 6
    StreamRow.update(changed_at=utcnow() - timedelta(days=200)).where(StreamRow.entity_id == "DM0002").execute()
    assert streams.trim()["members"] == (1, 5)
    assert [r.entity_id for r in StreamRow.select().where(StreamRow.deleted)] == ["DM0003"]
    for after in (1, 4):
        with pytest.raises(Refusal) as refused:
            pull("members", after=after, handle=new)
        assert refused.value.status == 410 and refused.value.reply["handle"] == new
    assert ids(pull("members", after=5, handle=new)) == [(6, "DM0003", "delete")]
    # From the start is a whole new copy, never stale.
    assert [i["id"] for i in pull("members", handle=new)["items"]] == ["DM0001", "DM0004", "DM0003"]


def test_a_cursor_past_the_head_must_refetch(store):
    """A store restored from an older copy: the kiosk's cursor is past the stream's head."""
    for n in range(1, 4):
        put("members", f"DM{n:04d}", {"member_no": f"DM{n:04d}"})
    handle = pull("members")["handle"]
    assert pull("members", after=3, handle=handle)["items"] == []  # at the head: nothing new
    with pytest.raises(Refusal) as refused:
        pull("members", after=4, handle=handle)
    assert (refused.value.status, refused.value.reply["error"]) == (410, "must_refetch")


def test_trim_forgets_only_old_tombstones_and_never_lowers_the_retained_rev(store):
    put("items", "activity:a", {"title": "a"})
    put("items", "activity:a", None)  # rev 2
    put("items", "activity:b", {"title": "b"})
    assert streams.trim(timedelta(days=1))["items"] == (0, 0)  # too recent
    StreamRow.update(changed_at=utcnow() - timedelta(days=2)).execute()
    assert streams.trim(timedelta(days=1)) == {s: (1, 2) if s == "items" else (0, 0) for s in streams.STREAMS}
    assert StreamMeta.get(StreamMeta.stream == "items").min_retained_rev == 2
    assert [r.entity_id for r in StreamRow.select()] == ["activity:b"]  # values stay, however old
    assert streams.trim(timedelta(days=1))["items"] == (0, 2)


def checksum_of(items: list[dict]) -> tuple[int, int]:
    """Count and checksum of the entities a kiosk holds after applying `items` in order."""
    held = {}
    for item in items:
        if item["op"] == "delete":
            held.pop(item["id"], None)
        else:
            held[item["id"]] = zlib.crc32(f"{item['id']}\n{streams.canonical(item['data'])}".encode())
    return len(held), sum(held.values()) % 2**32


def test_the_checksum_is_what_a_kiosk_computes_from_what_it_pulled(store):
    for n in range(1, 6):
        put("members", f"DM{n:04d}", {"member_no": f"DM{n:04d}", "name": "王建华", "balance": n * 10})
    put("members", "DM0003", None)
    put("members", "DM9001", {"member_no": "DM9001"}, "site:UNI-002")
    before = streams.checksum("members", SITE, KIOSK)
    assert (before["count"], before["checksum"]) == checksum_of(everything("members")) and before["count"] == 4
    assert (before["stream"], before["head_rev"]) == ("members", 7)
    assert before["handle"] == StreamMeta.get(StreamMeta.stream == "members").handle
    put("members", "DM0001", {"member_no": "DM0001", "name": "王建华", "balance": 11})
    after = streams.checksum("members", SITE, KIOSK)
    assert after["count"] == 4 and after["checksum"] != before["checksum"]
    assert (after["count"], after["checksum"]) == checksum_of(everything("members"))
    other = streams.checksum("members", "UNI-002", "UNI-002-K01")
    assert (other["count"], other["checksum"]) == checksum_of(everything("members", "UNI-002", "UNI-002-K01"))
    empty = streams.checksum("balances", SITE, KIOSK)
    assert (empty["count"], empty["checksum"], empty["head_rev"]) == (0, 0, 0)


def test_unknown_streams_and_bad_numbers_are_refused(store):
    for call in (lambda: pull("nope"), lambda: streams.checksum("nope", SITE, KIOSK)):
        with pytest.raises(Refusal) as refused:
            call()
        assert (refused.value.status, refused.value.reply) == (400, {"error": "unknown_stream", "stream": "nope"})
    for after, limit in ((-1, 10), (0, 0), (0, streams.MAX_PAGE + 1)):
        with pytest.raises(Refusal) as refused:
            pull("members", after, limit=limit)
        assert refused.value.status == 400 and refused.value.reply["error"] == "malformed"
    with pytest.raises(streams.UnknownStream):
        put("nope", "x", {})


def test_a_new_site_is_published_to_the_sites_stream(store):
    admin.add_site(SITE, SITE_NAME)
    admin.add_site("UNI-002", "老年大学")
    assert [(i["id"], i["data"]) for i in pull("sites")["items"]] == [
        (SITE, {"code": SITE, "name": SITE_NAME}),
        ("UNI-002", {"code": "UNI-002", "name": "老年大学"}),
    ]


def test_a_5000_row_page_comes_whole(store):
    rows = [
        {
            "stream": "members",
            "entity_id": f"DM{n:05d}",
            "rev": n,
            "scope": "",
            "deleted": False,
            "data": streams.canonical({"member_no": f"DM{n:05d}", "name": "王建华", "balance": n}),
            "crc": n,
            "changed_at": utcnow(),
        }
        for n in range(1, 5001)
    ]
    with write():
        for start in range(0, len(rows), 500):
            StreamRow.insert_many(rows[start : start + 500]).execute()
        StreamMeta.update(head_rev=5000).where(StreamMeta.stream == "members").execute()
    page = pull("members", limit=5000)
    assert len(page["items"]) == 5000 and not page["more"] and page["next_after"] == 5000
    assert [i["rev"] for i in page["items"]] == list(range(1, 5001))


# --- F17: a rev that commits late -------------------------------------------------------------------


@pytest.fixture
def postgres_store(postgres_cluster):
    name = f"bureau_{uuid.uuid4().hex[:12]}"
    postgres_cluster.sql(f'CREATE DATABASE "{name}" TEMPLATE template0')
    yield open_store(postgres_cluster.url(name))
    close_store()
    postgres_cluster.sql(f'DROP DATABASE "{name}" WITH (FORCE)')


def test_f17_a_cursor_never_steps_over_a_rev_that_commits_late(postgres_store):
    first_published, finish_first = threading.Event(), threading.Event()
    errors = []

    def writer(entity: str, hold: bool) -> None:
        try:
            with db.connection_context():
                with write():
                    streams.publish("members", entity, {"member_no": entity})
                    if hold:
                        first_published.set()
                        assert finish_first.wait(30)
        except Exception as e:  # reported below: an exception in a thread would be lost
            errors.append(e)

    def waiting_for_a_lock() -> bool:
        return (
            db.execute_sql(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            ).fetchone()[0]
            == 1
        )

    first = threading.Thread(target=writer, args=("DM0001", True))
    second = threading.Thread(target=writer, args=("DM0002", False))
    first.start()
    try:
        assert first_published.wait(30)
        second.start()
        wait_until(waiting_for_a_lock, 30, "the second writer to wait for the stream's lock")
        # rev 1 is taken but not committed; the second writer cannot take rev 2 before it commits.
        page = pull("members")
        assert page["items"] == [] and page["head_rev"] == 0 and page["next_after"] == 0
    finally:
        finish_first.set()
        first.join(30)
        second.join(30)
    assert not errors and not first.is_alive() and not second.is_alive()
    assert ids(pull("members")) == [(1, "DM0001", "put"), (2, "DM0002", "put")]
