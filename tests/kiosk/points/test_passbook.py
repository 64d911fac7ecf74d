"""The passbook: a member's balance and ledger, a page at a time, for the senior and for staff."""

from datetime import timedelta

import pytest

from kiosk.points import awards, passbook
from kiosk.points.passbook import Passbook
from tests.kiosk.builders import LESSON_START

DAY = timedelta(days=1)


@pytest.fixture
def ledger(world, wang):
    """王建华's ledger (confirmed balance 10), oldest first, and another member's entry."""
    member, lesson = wang
    report = world.activity("形势报告会", LESSON_START + DAY, kind="report")
    later = world.lesson(lesson.course, LESSON_START + 4 * DAY)
    at = [LESSON_START + d * DAY for d in range(5)]
    award = world.entry(
        member, 2, "lesson", at[0], status="confirmed", signin=world.sign_in(member, at[0], lesson=lesson)
    )
    world.entry(member, 5, "activity", at[1], status="confirmed", signin=world.sign_in(member, at[1], activity=report))
    world.entry(member, 6, "volunteer", at[2], status="confirmed", note="志愿服务 3 小时")
    world.entry(member, -8, "redeem", at[3], note="兑换 保温杯")
    world.entry(member, -2, "correction", at[3], reverses=award, note="更正：重复计分")
    world.entry(member, 2, "lesson", at[4], signin=world.sign_in(member, at[4], lesson=later))
    world.entry(world.member("DM9002", "李秀英"), 99, "volunteer", at[4], note="志愿服务 50 小时")
    return member, at


def test_passbook_newest_first_with_what_each_entry_was_for(ledger):
    member, at = ledger
    book = passbook.passbook(member.member_no)
    assert (book.balance, book.page, book.pages, book.total) == (10 - 8 - 2 + 2, 0, 2, 6)
    assert [(e.at, e.kind, e.title, e.amount, e.provisional, e.correction) for e in book.entries] == [
        (at[4], "lesson", "太极拳（一）班", 2, True, False),
        (at[3], "correction", "更正：重复计分", -2, True, True),  # same time: the later entry first
        (at[3], "redeem", "兑换 保温杯", -8, True, False),
        (at[2], "volunteer", "志愿服务 3 小时", 6, False, False),
        (at[1], "activity", "形势报告会", 5, False, False),
    ]
    (oldest,) = passbook.passbook(member.member_no, page=1).entries
    assert (oldest.at, oldest.kind, oldest.title, oldest.amount, oldest.reversed) == (
        at[0],
        "lesson",
        "太极拳（一）班",
        2,
        True,
    )  # the correction reversed it
    assert not oldest.reversible and book.balance == passbook.balance(member)


@pytest.mark.parametrize("page, shown", [(0, 0), (1, 1), (2, 1), (99, 1), (-3, 0)])
def test_passbook_pages_are_clamped(ledger, page, shown):
    member, _ = ledger
    book = passbook.passbook(member.member_no, page=page, per_page=4)
    assert (book.page, book.pages, book.total) == (shown, 2, 6)
    assert len(book.entries) == (4 if shown == 0 else 2)


def test_passbook_pages_in_turn_show_each_entry_once_in_order(ledger):
    member, _ = ledger
    whole = passbook.passbook(member.member_no, per_page=6).entries
    assert sum((passbook.passbook(member.member_no, page=p, per_page=2).entries for p in range(3)), ()) == whole


def test_passbook_of_an_empty_ledger(world):
    member = world.member("DM9003", points_confirmed=7)
    assert passbook.passbook(member.member_no, page=2) == Passbook(balance=7, entries=(), page=0, pages=1, total=0)


def test_passbook_needs_a_page_size(ledger):
    with pytest.raises(ValueError, match="per_page"):
        passbook.passbook(ledger[0].member_no, per_page=0)


def test_passbook_and_awards_read_through_indexes(ledger, database):
    # On a 10-year database a scan of points_entry or sign_in would miss the screen's 100 ms.
    member, at = ledger
    statements = []
    database.connection().set_trace_callback(statements.append)
    try:
        passbook.passbook(member.member_no, page=1, per_page=2)
        awards.award(member.id, "lesson", 1, at[4])
        awards.award(member.id, "activity", 1, at[4])
    finally:
        database.connection().set_trace_callback(None)
    assert len(statements) >= 6
    for sql in statements:
        plan = [step for *_, step in database.execute_sql("EXPLAIN QUERY PLAN " + sql)]
        scans = [s for s in plan if s.startswith("SCAN") and s not in ("SCAN page", "SCAN CONSTANT ROW")]
        assert scans == [], (sql, plan)


def test_passbook_of_a_member_not_on_this_kiosk(database):
    with pytest.raises(KeyError):
        passbook.passbook("XX0000")


# -- the opening row: the rows add up to the balance -------------------------------------------------


def test_the_opening_row_holds_what_the_rows_do_not_explain(world, wang):
    member, lesson = wang
    member.points_confirmed = 58 + 2  # the bureau's balance: an opening 58, then one award synced
    member.save()
    world.entry(member, 2, "lesson", LESSON_START, status="confirmed")
    world.entry(member, 5, "activity", LESSON_START + DAY)  # provisional, not yet at the bureau
    book = passbook.passbook(member.member_no, per_page=5, with_opening=True)
    assert book.balance == 65 and book.opening == 58
    assert book.opening + sum(e.amount for e in book.entries) == book.balance


def test_the_opening_row_is_on_the_last_page_and_takes_a_place(world, wang):
    member, _ = wang
    member.points_confirmed = 58
    member.save()
    for d in range(2):
        world.entry(member, 2, "lesson", LESSON_START + d * DAY)
    first = passbook.passbook(member.member_no, 0, per_page=2, with_opening=True)
    last = passbook.passbook(member.member_no, 1, per_page=2, with_opening=True)
    assert (first.pages, len(first.entries), first.opening) == (2, 2, 0)
    assert (len(last.entries), last.opening) == (0, 58)


def test_no_opening_row_when_the_rows_explain_the_balance(world, wang):
    member, _ = wang
    member.points_confirmed = 2
    member.save()
    world.entry(member, 2, "lesson", LESSON_START, status="confirmed")
    book = passbook.passbook(member.member_no, with_opening=True)
    assert (book.opening, book.pages) == (0, 1)


def test_staff_see_the_ledger_without_the_opening_row(world, wang):
    member, _ = wang
    member.points_confirmed = 58
    member.save()
    assert passbook.passbook(member.member_no).opening == 0
