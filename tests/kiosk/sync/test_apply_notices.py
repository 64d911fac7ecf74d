"""Notices pulled on the items stream (kiosk.sync.apply._notice): upserted by the bureau's key,
removed when withdrawn, and an announced one stays announced when the bureau changes it."""

from datetime import datetime

from kiosk.store.db import write
from kiosk.store.models import Notice, Pulled
from tests.kiosk.sync.test_apply import delete, here, pull, put  # noqa: F401  (here: the fixture)


def notice(key: str = "a1", **fields) -> dict:
    return {
        "kind": "notice",
        "key": key,
        "type": "suspend",
        "title": "周三太极拳停课",
        "body": "因场地维修停课一次。",
        "start": "2025-03-01T08:00:00",
        "end": "2025-03-05T18:00:00",
        **fields,
    }


def test_a_notice_is_upserted_by_its_key_and_a_withdrawal_removes_it(here):
    assert pull(here, "items", put(1, "notice:a1", notice()), put(2, "notice:b2", notice("b2", type="move"))) == [
        True,
        True,
    ]
    row = Notice.get(Notice.key == "a1")
    assert (row.kind, row.title, row.body, row.start, row.end, row.spoken_at) == (
        "suspend",
        "周三太极拳停课",
        "因场地维修停课一次。",
        datetime(2025, 3, 1, 8),
        datetime(2025, 3, 5, 18),
        None,
    )

    # Announced, then changed by the bureau: still announced (the voice says a notice once).
    with write():
        Notice.update(spoken_at=datetime(2025, 3, 1, 9)).where(Notice.key == "a1").execute()
    assert pull(here, "items", put(3, "notice:a1", notice(title="周三太极拳改到周四"))) == [True]
    row = Notice.get(Notice.key == "a1")
    assert (row.title, row.spoken_at) == ("周三太极拳改到周四", datetime(2025, 3, 1, 9))
    assert pull(here, "items", put(2, "notice:a1", notice(title="旧的"))) == [False]  # an older rev

    assert pull(here, "items", delete(4, "notice:a1")) == [True]
    assert [n.key for n in Notice.select()] == ["b2"]
    assert Pulled.get(Pulled.entity_id == "notice:a1").deleted
    assert pull(here, "items", delete(5, "notice:zz")) == [True]  # never held: nothing to remove


def test_a_notice_the_kiosk_cannot_read_is_skipped(here):
    assert pull(here, "items", put(1, "notice:x", notice(start="next week"))) == [False]
    assert pull(here, "items", put(2, "notice:y", {"kind": "notice", "key": "y"})) == [False]
    assert Notice.select().count() == 0
