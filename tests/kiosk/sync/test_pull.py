"""Pages applied with their cursor in short transactions (parts), and a refetch that replaces a
stream's copy and survives a crash between its pages or parts (pages built here, as the bureau
sends them)."""

import threading

import pytest

from kiosk.store import facts
from kiosk.store.db import db, write, writers
from kiosk.store.models import Member, Outbox, Pulled
from kiosk.sync import apply, pull, state
from kiosk.sync.apply import Here
from kiosk.sync.pull import PullError, apply_page, begin_refetch, checked, stale
from tests.kiosk.builders import Boom, fail_on_call
from tests.waiting import wait_until

from .test_apply import NOW, delete, member_data, put


@pytest.fixture
def here(settings, database) -> Here:
    return Here(settings.site.code, settings.kiosk.id, NOW)


def page(*items: dict, next_after: int, more: bool = False, handle: str = "h1") -> dict:
    return {
        "stream": "members",
        "handle": handle,
        "items": list(items),
        "next_after": next_after,
        "head_rev": next_after,
        "more": more,
    }


def members(*numbers: str) -> list[dict]:
    return [put(n, no, member_data(no)) for n, no in enumerate(numbers, 1)]


def active() -> set[str]:
    return {m.member_no for m in Member.select().where(Member.active)}


def test_a_page_moves_its_cursor_and_handle_with_its_items(here):
    assert apply_page("members", page(*members("A1", "A2"), next_after=9, more=True), here) == 2
    assert (state.get_int("cursor:members"), state.get("handle:members"), active()) == (9, "h1", {"A1", "A2"})


def test_a_page_that_fails_half_way_leaves_neither_its_items_nor_its_cursor(here, monkeypatch):
    apply_page("members", page(*members("A1"), next_after=1, more=True), here)
    monkeypatch.setattr(apply, "item", fail_on_call(apply.item, 2))
    with pytest.raises(Boom):
        apply_page(
            "members", page(put(2, "A2", member_data("A2")), put(3, "A3", member_data("A3")), next_after=3), here
        )
    assert (state.get_int("cursor:members"), active(), Pulled.select().count()) == (1, {"A1"}, 1)


def test_a_page_goes_in_parts_and_a_failure_keeps_the_parts_before_it_with_their_cursor(here, monkeypatch):
    monkeypatch.setattr(pull, "PART", 3)
    numbers = [f"B{n}" for n in range(1, 9)]
    monkeypatch.setattr(apply, "item", fail_on_call(apply.item, 8))  # in the third part
    with pytest.raises(Boom):
        apply_page("members", page(*members(*numbers), next_after=20), here)
    assert (state.get_int("cursor:members"), active()) == (6, set(numbers[:6]))
    monkeypatch.undo()
    monkeypatch.setattr(pull, "PART", 3)
    # Pulled again from the cursor: the rest, and the page's next_after with the last part.
    assert apply_page("members", page(*members(*numbers)[6:], next_after=20), here) == 2
    assert (state.get_int("cursor:members"), active()) == (20, set(numbers))


def test_a_part_ends_after_part_s_seconds_whatever_its_size(here, monkeypatch):
    monkeypatch.setattr(pull, "PART_S", 0.0)  # each part: one item, however fast
    monkeypatch.setattr(apply, "item", fail_on_call(apply.item, 3))
    with pytest.raises(Boom):
        apply_page("members", page(*members("C1", "C2", "C3"), next_after=3), here)
    assert (state.get_int("cursor:members"), active()) == (2, {"C1", "C2"})


def test_the_check_in_writes_between_the_parts_of_a_page(here, monkeypatch):
    """The sync thread asks again for the write lock right after each part; a sign-in that asked
    meanwhile goes first (kiosk.store.db.FairLock), instead of waiting for the whole page."""
    monkeypatch.setattr(pull, "PART", 1)
    first_part, order = threading.Event(), []
    real = apply.item

    def item(stream, entry, here_):
        order.append(entry["id"])
        if entry["id"] == "D1":
            first_part.set()
            wait_until(lambda: writers.waiting() == 1, 10, "the check-in to wait for its turn")
        return real(stream, entry, here_)

    def sync() -> None:
        try:
            apply_page("members", page(*members("D1", "D2", "D3"), next_after=3), here)
        finally:
            db.close()  # this thread's connection

    monkeypatch.setattr(apply, "item", item)
    syncing = threading.Thread(target=sync)
    syncing.start()
    assert first_part.wait(10)
    with write():
        order.append("check-in")
    syncing.join(10)
    assert order == ["D1", "check-in", "D2", "D3"] and active() == {"D1", "D2", "D3"}


def test_a_refetch_replaces_the_copy_and_a_crash_between_its_pages_loses_nothing(here):
    apply_page("members", page(*members("A1", "A2", "A3", "A4"), delete(5, "A5"), next_after=5), here)
    with write():
        facts.record("signin", facts.new_event_id(), {"member_no": "A2"}, NOW)
    begin_refetch("members")
    assert (state.get_int("cursor:members"), state.get("handle:members")) == (0, "")
    # The new snapshot, from rev 1 again, in two pages; the kiosk dies after the first.
    apply_page(
        "members", page(put(1, "A3", member_data("A3", name="新名字")), next_after=1, more=True, handle="h2"), here
    )
    assert active() == {"A1", "A2", "A3", "A4"}  # nothing is gone yet
    assert state.get("refetch:members") and state.get_int("cursor:members") == 1
    # Started again: pulling resumes at the cursor, and the last page ends the refetch.
    apply_page("members", page(put(2, "A1", member_data("A1")), next_after=2, handle="h2"), here)
    # The members no longer this site's keep their cards ("cards" stream), not their names.
    named = {m.member_no for m in Member.select() if m.name}
    assert named == {"A1", "A3"} and Member.get(Member.member_no == "A3").name == "新名字"
    assert Member.select().count() == 4  # never deleted
    assert {(p.entity_id, p.rev) for p in Pulled.select()} == {("A3", 1), ("A1", 2)}
    assert not state.get("refetch:members") and state.get("handle:members") == "h2"
    assert Outbox.select().count() == 1


@pytest.mark.parametrize(
    "reply",
    [
        {},
        {"stream": "members"},
        {"stream": "rules", "handle": "h", "items": [], "next_after": 1, "more": False},
        {"stream": "members", "handle": "h", "items": [{"rev": 1}], "next_after": 1, "more": False},
        {"stream": "members", "handle": "h", "items": [], "next_after": "x", "more": False},
    ],
)
def test_a_reply_that_is_not_a_page_is_refused_before_anything_is_applied(reply):
    with pytest.raises(PullError):
        checked("members", reply)


def test_a_stream_is_pulled_unless_its_handle_and_head_are_this_copys_and_no_refetch_is_under_way(here):
    apply_page("members", page(*members("A1"), next_after=7), here)
    assert not stale("members", {"members": {"handle": "h1", "head_rev": 7}})
    assert stale("members", {"members": {"handle": "h1", "head_rev": 8}})  # something new
    assert stale("members", {"members": {"handle": "h2", "head_rev": 7}})  # rebuilt: the pull gets a 410
    assert stale("members", {"members": {"handle": "h1", "head_rev": 6}})  # a restored bureau: a 410 too
    assert stale("members", {"rules": {"handle": "h1", "head_rev": 7}})  # a stream the bureau did not name
    assert stale("members", {"members": "?"}) and stale("members", None)  # no heads: pull everything
    with write():
        state.put(**{"refetch:members": 1})
    assert stale("members", {"members": {"handle": "h1", "head_rev": 7}})
