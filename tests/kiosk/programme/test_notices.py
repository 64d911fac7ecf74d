"""The notices in force (kiosk.programme.notices): from start (included) to end (excluded), their
words from the message catalog, and announced once."""

from datetime import datetime, timedelta

import pytest

from kiosk.programme import notices
from kiosk.store.db import write
from kiosk.store.models import Notice

START, END = datetime(2026, 12, 1, 8, 0), datetime(2026, 12, 3, 18, 0)


@pytest.fixture
def held(database):
    with write():
        Notice.create(key="a", kind="suspend", title="停课一次", body="", start=START, end=END)
        Notice.create(key="b", kind="move", title="改到周四", body="在二楼", start=START + timedelta(hours=1), end=END)
        Notice.create(key="c", kind="strange", title="新种类", body="", start=START, end=START + timedelta(hours=2))


def keys(now: datetime) -> list[str]:
    return [n.key for n in notices.current(now)]


def test_in_force_from_start_to_just_before_end(held):
    assert keys(START - timedelta(seconds=1)) == []
    assert keys(START) == ["a", "c"]
    assert keys(START + timedelta(hours=1)) == ["a", "c", "b"]  # the earliest started first
    assert keys(START + timedelta(hours=2)) == ["a", "b"]  # c ended
    assert keys(END - timedelta(seconds=1)) == ["a", "b"]
    assert keys(END) == []


def test_views_carry_the_catalogs_words_and_the_voices_phrase(held):
    a, c, b = notices.current(START + timedelta(hours=1))
    assert (a.label, a.phrase) == ("停课", "notice_suspend")
    assert (b.label, b.phrase, b.body) == ("调课", "notice_move", "在二楼")
    assert (c.kind, c.label, c.phrase) == ("notice", "通知", "notice_notice")  # an unknown kind: a notice


def test_marked_spoken_once(held):
    now = START + timedelta(hours=1)
    assert [n.key for n in notices.unspoken(notices.current(now))] == ["a", "c", "b"]
    assert notices.mark_spoken(["a"], now) == 1
    assert notices.mark_spoken(["a", "b"], now + timedelta(minutes=1)) == 1  # a was already
    assert notices.mark_spoken([], now) == 0
    assert [n.key for n in notices.unspoken(notices.current(now))] == ["c"]
    assert Notice.get(Notice.key == "a").spoken_at == now


def test_first_showing_is_true_once(held):
    now = START + timedelta(hours=1)
    a = notices.current(now)[0]
    assert notices.first_showing(a, now) is True
    assert notices.first_showing(a, now) is False  # the same view again: the table says it was
    assert notices.first_showing(notices.current(now)[0], now) is False  # a fresh view knows
