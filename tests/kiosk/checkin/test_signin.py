"""Check-in without a display: every Result kind, the window's edges, repeats, points, atomicity."""

import json
import sqlite3
from datetime import date, timedelta

import pytest

from kiosk.checkin.signin import FULL, KINDS, CheckIn
from kiosk.i18n import t
from kiosk.identity import tokens
from kiosk.identity.credentials import Credential
from kiosk.points import awards, passbook
from kiosk.programme.schedule import lesson_item
from kiosk.store import facts
from kiosk.store.models import Lesson, Member, Outbox, PointsEntry, SignIn
from tests.kiosk.builders import ID_LI, ID_NOT_REGISTERED, ID_WANG, LESSON_START, fail_on_call

SECOND = timedelta(seconds=1)
MINUTE = timedelta(minutes=1)


def counts() -> tuple[int, int, int]:
    return SignIn.select().count(), PointsEntry.select().count(), Outbox.select().count()


def outbox() -> list[Outbox]:
    return list(Outbox.select().order_by(Outbox.seq))


# -- ok ---------------------------------------------------------------------------------------


def test_qr_card_signs_in_to_the_one_due_lesson(world, wang, checkin, settings):
    member, lesson = wang
    now = LESSON_START - 10 * MINUTE
    r = checkin.handle(world.qr(member), now)
    assert r.kind == "ok"
    assert r.member_no == "DM9001" and r.display_name == "王*华"
    assert (r.item.kind, r.item.id, r.item.title, r.item.place) == (
        "lesson",
        lesson.id,
        "太极拳（一）班",
        "一楼 多功能厅",
    )
    assert r.points_gained == awards.rule("lesson").points == 2
    assert r.balance == 10 + 2
    assert not r.repeat

    signin = SignIn.get()
    assert (signin.member_id, signin.lesson_id, signin.activity_id) == (member.id, lesson.id, None)
    assert (signin.at, signin.method, signin.kiosk_id) == (now, "qr", settings.kiosk.id)
    entry = PointsEntry.get()
    assert (entry.amount, entry.kind, entry.rule, entry.signin_id, entry.status, entry.at) == (
        2,
        "lesson",
        "lesson_attendance",
        signin.id,
        "provisional",
        now,
    )

    first, second = outbox()
    assert (first.seq, first.kind, first.event_id) == (1, "signin", signin.event_id)
    assert (second.seq, second.kind, second.event_id) == (2, "points", entry.event_id)
    payload = json.loads(first.payload)
    assert payload["member_no"] == "DM9001" and payload["item_id"] == lesson.id
    assert payload["method"] == "qr" and payload["site"] == settings.site.code
    award = json.loads(second.payload)
    assert award["signin"] == signin.event_id
    assert (award["kind"], award["rule"], award["rule_version"], award["amount"]) == (
        "lesson",
        "lesson_attendance",
        0,
        2,
    )
    assert first.wall_ms == int(now.timestamp() * 1000)


def test_id_card_signs_in_and_no_part_of_the_number_is_kept(world, wang, checkin, database):
    r = checkin.handle(world.idcard(ID_WANG), LESSON_START)
    assert r.kind == "ok" and r.member_no == "DM9001"
    assert SignIn.get().method == "idcard"
    for row in Outbox.select():
        assert ID_WANG[-4:] not in row.payload and ID_WANG[6:14] not in row.payload
    dump = "\n".join(database.connection().iterdump())
    assert ID_WANG[-4:] not in dump and ID_WANG[6:14] not in dump


def test_unmasked_name_when_the_site_turns_masking_off(world, wang, settings):
    settings.display.mask_names = False
    r = CheckIn(settings).handle(world.qr(wang[0]), LESSON_START)
    assert r.kind == "ok" and r.display_name == "王建华"


def test_registered_activity_signs_in_with_its_own_points(world, checkin):
    member = world.member("DM9002", "李秀英")
    activity = world.activity("形势报告会", LESSON_START, points=5)
    world.register(member, activity)
    r = checkin.handle(world.qr(member), LESSON_START + 5 * MINUTE)
    assert r.kind == "ok" and (r.item.kind, r.item.id) == ("activity", activity.id)
    assert r.points_gained == 5
    assert SignIn.get().activity_id == activity.id


def test_open_activity_needs_no_registration_and_uses_its_category_rule(world, checkin):
    member = world.member("DM9002", "李秀英")
    world.activity("重阳健步行", LESSON_START, open=True)
    r = checkin.handle(world.qr(member), LESSON_START)
    assert r.kind == "ok" and r.points_gained == awards.rule("activity").points == 5


# -- the sign-in window ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "offset, kind",
    [
        (-30 * MINUTE - SECOND, "not_due"),
        (-30 * MINUTE, "ok"),
        (0 * MINUTE, "ok"),
        (30 * MINUTE, "ok"),
        (30 * MINUTE + SECOND, "not_due"),
        (-30 * MINUTE - timedelta(microseconds=1), "not_due"),
        (30 * MINUTE + timedelta(microseconds=1), "not_due"),
    ],
)
def test_window_edges_are_inclusive(world, wang, checkin, offset, kind):
    r = checkin.handle(world.qr(wang[0]), LESSON_START + offset)
    assert r.kind == kind
    assert SignIn.select().count() == (1 if kind == "ok" else 0)


@pytest.mark.parametrize("before, after", [(10, 45), (0, 0), (60, 5)])
def test_window_follows_the_settings(world, wang, settings, before, after):
    settings.checkin.window_before_min, settings.checkin.window_after_min = before, after
    qr = world.qr(wang[0])
    early = LESSON_START - timedelta(minutes=before)
    assert CheckIn(settings).handle(qr, early - SECOND).kind == "not_due"
    assert CheckIn(settings).handle(qr, LESSON_START + timedelta(minutes=after) + SECOND).kind == "not_due"
    assert CheckIn(settings).handle(qr, early).kind == "ok"


def test_activity_window_edges(world, settings):
    member = world.member("DM9002", "李秀英")
    world.activity("主题党日", LESSON_START, open=True)
    qr = world.qr(member)
    assert CheckIn(settings).handle(qr, LESSON_START - 30 * MINUTE - SECOND).kind == "not_due"
    assert CheckIn(settings).handle(qr, LESSON_START + 30 * MINUTE + SECOND).kind == "not_due"
    assert CheckIn(settings).handle(qr, LESSON_START + 30 * MINUTE).kind == "ok"


# -- not_due, not_enrolled ---------------------------------------------------------------------


def test_not_due_shows_the_members_day(world, wang, checkin):
    member, lesson = wang
    afternoon = world.course("声乐合唱班")
    later = world.lesson(afternoon, LESSON_START.replace(hour=14))
    world.enroll(member, afternoon)
    world.lesson(afternoon, LESSON_START + timedelta(days=1))  # tomorrow: not shown
    other = world.course("书法（一）班")
    world.lesson(other, LESSON_START.replace(hour=16))  # not enrolled: not shown
    r = checkin.handle(world.qr(member), LESSON_START.replace(hour=12))
    assert r.kind == "not_due" and r.member_no == "DM9001" and r.balance == 10
    assert [(i.id, i.title) for i in r.today] == [(lesson.id, "太极拳（一）班"), (later.id, "声乐合唱班")]
    assert counts() == (0, 0, 0)


def test_not_due_on_an_empty_day(world, wang, checkin):
    r = checkin.handle(world.qr(wang[0]), LESSON_START + timedelta(days=2))
    assert r.kind == "not_due" and r.today == ()


def test_cancelled_lesson_is_not_due(world, wang, checkin):
    Lesson.update(cancelled=True).execute()
    r = checkin.handle(world.qr(wang[0]), LESSON_START)
    assert r.kind == "not_due" and r.today == ()


def test_not_enrolled_names_the_lesson_that_is_signing_in(world, checkin):
    member = world.member("DM9002", "李秀英")
    course = world.course("书法（一）班")
    lesson = world.lesson(course, LESSON_START)
    r = checkin.handle(world.qr(member), LESSON_START)
    assert r.kind == "not_enrolled" and r.item.id == lesson.id and r.item.title == "书法（一）班"
    assert counts() == (0, 0, 0)


def test_withdrawn_or_waitlisted_is_not_enrolled(world, checkin):
    course = world.course("书法（一）班")
    world.lesson(course, LESSON_START)
    for no, status in (("DM9003", "withdrawn"), ("DM9004", "waitlisted")):
        member = world.member(no, "张三")
        world.enroll(member, course, status=status)
        assert checkin.handle(world.qr(member), LESSON_START).kind == "not_enrolled"
    assert counts() == (0, 0, 0)


def test_unregistered_member_cannot_sign_in_to_a_closed_activity(world, checkin):
    member = world.member("DM9002", "李秀英")
    report = world.activity("形势报告会", LESSON_START, open=False)
    r = checkin.handle(world.qr(member), LESSON_START)
    assert r.kind == "not_enrolled" and (r.item.kind, r.item.id) == ("activity", report.id)
    assert counts() == (0, 0, 0)


def test_a_cancelled_or_open_activity_is_not_a_reason_for_not_enrolled(world, checkin):
    member = world.member("DM9002", "李秀英")
    world.activity("形势报告会", LESSON_START, open=False, cancelled=True)
    world.activity("健步行", LESSON_START + timedelta(days=1), open=True)
    assert checkin.handle(world.qr(member), LESSON_START).kind == "not_due"


# -- already, and repeated reads ---------------------------------------------------------------


def test_second_sign_in_to_the_same_lesson_is_already_with_the_first_time(world, wang, checkin):
    member, lesson = wang
    first = LESSON_START - 20 * MINUTE
    assert checkin.handle(world.qr(member), first).kind == "ok"
    r = checkin.handle(world.idcard(ID_WANG), LESSON_START + 10 * MINUTE)  # another card, later
    assert r.kind == "already" and r.first_time == first and r.item.id == lesson.id
    assert r.points_gained == 0 and r.balance == 12 and not r.repeat
    assert counts() == (1, 1, 2)


def test_three_reads_within_200ms_make_one_sign_in(world, wang, checkin):
    qr = world.qr(wang[0])
    results = [checkin.handle(qr, LESSON_START + timedelta(milliseconds=ms)) for ms in (0, 100, 200)]
    assert [r.kind for r in results] == ["ok", "ok", "ok"]
    assert [r.repeat for r in results] == [False, True, True]
    assert counts() == (1, 1, 2)


def test_three_id_card_reads_within_200ms_make_one_sign_in(world, wang, checkin):
    results = [checkin.handle(world.idcard(ID_WANG), LESSON_START + timedelta(milliseconds=ms)) for ms in (0, 100, 200)]
    assert [r.kind for r in results] == ["ok", "ok", "ok"] and results[2].repeat
    assert counts() == (1, 1, 2)


def test_repeat_window_ends_after_repeat_window_s(world, wang, checkin, settings):
    qr = world.qr(wang[0])
    window = timedelta(seconds=settings.checkin.repeat_window_s)
    assert checkin.handle(qr, LESSON_START).kind == "ok"
    assert checkin.handle(qr, LESSON_START + window - timedelta(milliseconds=1)).repeat
    r = checkin.handle(qr, LESSON_START + window + timedelta(milliseconds=1))
    assert r.kind == "already" and not r.repeat and r.first_time == LESSON_START
    assert counts() == (1, 1, 2)


def test_repeats_are_per_card(world, wang, checkin):
    course = Lesson.get().course
    li = world.member("DM9002", "李秀英", ID_LI)
    world.enroll(li, course)
    assert checkin.handle(world.qr(wang[0]), LESSON_START).kind == "ok"
    r = checkin.handle(world.qr(li), LESSON_START + timedelta(milliseconds=100))
    assert r.kind == "ok" and not r.repeat and r.member_no == "DM9002"
    assert SignIn.select().count() == 2


def test_no_collapse_when_the_repeat_window_is_zero(world, wang, settings):
    settings.checkin.repeat_window_s = 0
    checkin = CheckIn(settings)
    qr = world.qr(wang[0])
    assert checkin.handle(qr, LESSON_START).kind == "ok"
    assert checkin.handle(qr, LESSON_START).kind == "already"
    assert counts() == (1, 1, 2)


def test_two_kiosks_reading_the_same_card_sign_in_once(world, wang, settings):
    a, b = CheckIn(settings), CheckIn(settings)
    assert a.handle(world.qr(wang[0]), LESSON_START).kind == "ok"
    r = b.handle(world.qr(wang[0]), LESSON_START + timedelta(milliseconds=50))
    assert r.kind == "already" and r.first_time == LESSON_START
    assert counts() == (1, 1, 2)


# -- choosing between several due items --------------------------------------------------------


@pytest.fixture
def two_due(world, wang):
    """王建华 has the 09:00 lesson and a registered 09:15 activity: both due at 09:00."""
    member, lesson = wang
    activity = world.activity("形势报告会", LESSON_START + 15 * MINUTE, points=5)
    world.register(member, activity)
    return member, lesson, activity


def test_two_due_items_ask_to_choose(world, two_due, checkin):
    member, lesson, activity = two_due
    r = checkin.handle(world.qr(member), LESSON_START)
    assert r.kind == "choose" and r.member_no == "DM9001"
    assert [(i.kind, i.id) for i in r.options] == [("lesson", lesson.id), ("activity", activity.id)]
    assert counts() == (0, 0, 0)


def test_choice_signs_in_the_chosen_one_and_the_next_read_asks_about_the_other(world, two_due, checkin, settings):
    member, lesson, activity = two_due
    options = checkin.handle(world.qr(member), LESSON_START).options
    r = checkin.choose("DM9001", options[1], "qr", LESSON_START + 10 * SECOND)
    assert r.kind == "ok" and (r.item.kind, r.item.id) == ("activity", activity.id) and r.points_gained == 5
    assert SignIn.get().activity_id == activity.id and SignIn.get().method == "qr"

    later = LESSON_START + timedelta(minutes=2)
    r = checkin.handle(world.qr(member), later)
    assert r.kind == "already" and (r.item.kind, r.item.id) == ("activity", activity.id)
    assert r.first_time == LESSON_START + 10 * SECOND
    assert [(i.kind, i.id) for i in r.options] == [("lesson", lesson.id)]
    assert counts() == (1, 1, 2)  # asked, not signed in
    r = checkin.choose("DM9001", r.options[0], "qr", later + 10 * SECOND)  # the senior's 「签到」
    assert r.kind == "ok" and (r.item.kind, r.item.id) == ("lesson", lesson.id)
    r = checkin.handle(world.qr(member), later + timedelta(minutes=1))
    assert r.kind == "already" and r.first_time == LESSON_START + 10 * SECOND and r.options == ()
    assert r.item.id == activity.id
    assert counts() == (2, 2, 4)


def test_choosing_what_is_already_signed_in_is_already(world, two_due, checkin):
    member, lesson, _ = two_due
    options = checkin.handle(world.qr(member), LESSON_START).options
    assert checkin.choose("DM9001", options[0], "qr", LESSON_START).kind == "ok"
    r = checkin.choose("DM9001", options[0], "qr", LESSON_START + SECOND)
    assert r.kind == "already" and r.first_time == LESSON_START and r.item.id == lesson.id
    assert counts() == (1, 1, 2)


def test_choosing_an_item_no_longer_due_signs_nothing(world, two_due, checkin):
    member, _, _ = two_due
    options = checkin.handle(world.qr(member), LESSON_START).options
    r = checkin.choose("DM9001", options[0], "qr", LESSON_START + 2 * 60 * MINUTE)
    assert r.kind == "not_due"
    assert checkin.choose("NOBODY", options[0], "qr", LESSON_START).kind == "unknown_card"
    assert counts() == (0, 0, 0)


# -- one sign-in a sitting, and no silent second sign-in ------------------------------------------


@pytest.fixture
def stacked(world, wang):
    """A second lesson of 王建华's course at 09:20, overlapping the 09:00 one: the same sitting."""
    member, lesson = wang
    return member, lesson, world.lesson(lesson.course, LESSON_START + 20 * MINUTE)


def test_overlapping_lessons_of_one_course_are_one_sitting(world, stacked, checkin):
    member, first, second = stacked
    r = checkin.handle(world.qr(member), LESSON_START + 5 * MINUTE)
    assert r.kind == "ok" and r.item.id == first.id  # one due, not a choice between twins
    r = checkin.handle(world.qr(member), LESSON_START + 15 * MINUTE)
    assert r.kind == "already" and r.item.id == first.id and r.first_time == LESSON_START + 5 * MINUTE
    assert r.options == () and r.points_gained == 0
    # Later, only the 09:20 lesson is due: it is still the same sitting, so "already", no points.
    r = checkin.handle(world.qr(member), LESSON_START + 45 * MINUTE)
    assert r.kind == "already" and r.item.id == first.id and r.options == ()
    assert counts() == (1, 1, 2) and passbook.balance(member) == 12


def test_of_overlapping_lessons_the_one_starting_nearest_now_is_signed(world, stacked, checkin):
    member, _, second = stacked
    r = checkin.handle(world.qr(member), LESSON_START + 15 * MINUTE)
    assert r.kind == "ok" and r.item.id == second.id
    assert checkin.choose("DM9001", r.item, "qr", LESSON_START + 16 * MINUTE).kind == "already"
    assert counts() == (1, 1, 2)


@pytest.mark.parametrize("gap, same_sitting", [(0, True), (1, False)])
def test_a_lesson_that_follows_on_is_the_same_sitting_one_after_a_break_is_not(world, wang, checkin, gap, same_sitting):
    member, first = wang  # 09:00-11:00
    world.lesson(first.course, first.end + gap * MINUTE)
    assert checkin.handle(world.qr(member), LESSON_START).kind == "ok"
    r = checkin.handle(world.qr(member), first.end + gap * MINUTE)
    assert r.kind == ("already" if same_sitting else "ok")
    assert SignIn.select().count() == (1 if same_sitting else 2)


def test_lessons_of_two_courses_at_one_time_are_two_items(world, wang, checkin):
    member, lesson = wang
    other = world.course("书法班")
    world.lesson(other, LESSON_START + 10 * MINUTE)
    world.enroll(member, other)
    r = checkin.handle(world.qr(member), LESSON_START)
    assert r.kind == "choose" and len(r.options) == 2


def test_a_lesson_and_an_overlapping_activity_ask_rather_than_sign_silently(world, two_due, checkin, settings):
    member, lesson, activity = two_due
    r = checkin.choose("DM9001", checkin.handle(world.qr(member), LESSON_START).options[0], "qr", LESSON_START)
    assert r.kind == "ok" and r.item.id == lesson.id
    after_window = LESSON_START + timedelta(seconds=settings.checkin.repeat_window_s + 1)
    r = checkin.handle(world.qr(member), after_window)
    assert r.kind == "already" and r.item.id == lesson.id and r.first_time == LESSON_START
    assert [(i.kind, i.id) for i in r.options] == [("activity", activity.id)]
    assert counts() == (1, 1, 2)
    # The senior says 「不用了」 (goes home) and reads the card again: asked again, still nothing signed.
    assert checkin.handle(world.qr(member), after_window + MINUTE).options == r.options
    assert counts() == (1, 1, 2)


def test_a_repeat_within_the_repeat_window_changes_nothing_after_it_is_already(world, two_due, checkin, settings):
    member, lesson, activity = two_due
    checkin.choose("DM9001", lesson_item_of(lesson), "qr", LESSON_START)
    qr = world.qr(member)
    first = checkin.handle(qr, LESSON_START + MINUTE)
    assert first.kind == "already" and first.options and not first.repeat
    again = checkin.handle(qr, LESSON_START + MINUTE + timedelta(seconds=settings.checkin.repeat_window_s - 1))
    assert again.repeat and again.kind == "already" and again.options == first.options
    assert counts() == (1, 1, 2)


def test_saying_yes_to_the_ask_signs_in_once_with_points_once(world, two_due, checkin):
    member, lesson, activity = two_due
    checkin.choose("DM9001", lesson_item_of(lesson), "qr", LESSON_START)
    asked = checkin.handle(world.qr(member), LESSON_START + MINUTE).options[0]
    yes = checkin.choose("DM9001", asked, "qr", LESSON_START + 2 * MINUTE)
    assert yes.kind == "ok" and yes.item.id == activity.id and yes.points_gained == 5
    twice = checkin.choose("DM9001", asked, "qr", LESSON_START + 3 * MINUTE)  # a second tap
    assert twice.kind == "already" and twice.points_gained == 0
    assert counts() == (2, 2, 4) and passbook.balance(member) == 10 + 2 + 5


def test_another_kiosk_signing_the_same_sitting_first_is_already(world, stacked, settings):
    member, first, second = stacked
    a, b = CheckIn(settings), CheckIn(settings)
    assert a.choose("DM9001", lesson_item_of(first), "qr", LESSON_START).kind == "ok"
    r = b.choose("DM9001", lesson_item_of(second), "idcard", LESSON_START + 25 * MINUTE)
    assert r.kind == "already" and r.item.id == first.id
    assert counts() == (1, 1, 2)


def lesson_item_of(lesson):
    return lesson_item(Lesson.get_by_id(lesson.id))


# -- points ---------------------------------------------------------------------------------


def test_daily_points_cap(world, wang, checkin):
    world.rules(dict(category="lesson", points=2, per="attendance", daily_cap=3, once_per_item=True))
    member, _ = wang
    course = world.course("书法（一）班")
    world.enroll(member, course)
    starts = [LESSON_START + timedelta(hours=h) for h in (2, 5)] + [LESSON_START + timedelta(days=1)]
    for start in starts:
        world.lesson(course, start)
    gained = [checkin.handle(world.qr(member), start).points_gained for start in [LESSON_START] + starts]
    assert gained == [2, 1, 0, 2]  # the next day starts afresh
    assert [e.amount for e in PointsEntry.select().order_by(PointsEntry.id)] == [2, 1, 2]
    assert SignIn.select().count() == 4
    kinds = [o.kind for o in outbox()]
    assert kinds.count("signin") == 4 and kinds.count("points") == 3
    assert passbook.balance(Member.get()) == 10 + 5


def test_balance_counts_provisional_entries_only(world, wang, checkin):
    member, _ = wang
    PointsEntry.create(
        event_id=facts.new_event_id(), member=member, amount=7, kind="volunteer", status="confirmed", at=LESSON_START
    )
    PointsEntry.create(event_id=facts.new_event_id(), member=member, amount=-3, kind="redeem", at=LESSON_START)
    r = checkin.handle(world.qr(member), LESSON_START)
    assert r.balance == 10 - 3 + 2


# -- cards that do not identify anyone ------------------------------------------------------


def test_unknown_member_number_with_a_genuine_signature(world, checkin):
    token = tokens.make("DM0404", 1, world.card_key)
    r = checkin.handle(Credential.qr(token), LESSON_START)
    assert r.kind == "unknown_card" and "DM0404" in r.detail


def test_inactive_member_is_unknown(world, wang, checkin):
    Member.update(active=False).execute()
    assert checkin.handle(world.qr(wang[0]), LESSON_START).kind == "unknown_card"
    assert checkin.handle(world.idcard(ID_WANG), LESSON_START).kind == "unknown_card"
    assert counts() == (0, 0, 0)


def test_unknown_id_card_tells_no_part_of_the_number(world, wang, checkin):
    r = checkin.handle(world.idcard(ID_NOT_REGISTERED), LESSON_START)
    assert r.kind == "unknown_card" and r.member_no == ""
    assert ID_NOT_REGISTERED[-4:] not in r.detail and ID_NOT_REGISTERED[6:14] not in r.detail


@pytest.mark.parametrize(
    "text, detail",
    [
        ("YL1-DM9001-1-AAAAAAAAAAAAAAAA", "card.forged"),
        ("YL1-DM9001-1-ABCD", "card.malformed"),
        ("hello", "card.unknown_prefix"),
    ],
)
def test_bad_qr_is_invalid_card(world, wang, checkin, text, detail):
    r = checkin.handle(Credential.qr(text), LESSON_START)
    assert r.kind == "invalid_card" and r.detail == detail
    assert counts() == (0, 0, 0)


def test_forged_and_truncated_tokens_of_a_real_member_are_invalid(world, wang, checkin):
    token = world.token(wang[0])
    forged = tokens.make("DM9001", 1, b"\x01" * 32)
    for n, text in enumerate([forged, token[:-1], token[:-8], token[:12]]):
        r = checkin.handle(Credential.qr(text), LESSON_START + n * MINUTE)
        assert r.kind == "invalid_card" and r.detail in ("card.forged", "card.malformed"), text
    assert counts() == (0, 0, 0)


def test_revoked_card_after_reissue(world, wang, checkin):
    member, _ = wang
    old = world.token(member)
    Member.update(card_issue=2).execute()
    r = checkin.handle(Credential.qr(old), LESSON_START)
    assert r.kind == "invalid_card" and r.detail == "card.revoked" and r.member_no == "DM9001"
    assert counts() == (0, 0, 0)
    new = checkin.handle(world.qr(Member.get()), LESSON_START)
    assert new.kind == "ok"


def test_id_card_with_a_bad_check_character(world, wang, checkin):
    bad = ID_WANG[:17] + ("0" if ID_WANG[17] != "0" else "1")
    r = checkin.handle(world.idcard(bad), LESSON_START)
    assert r.kind == "invalid_card" and r.detail == "card.id_bad_check"
    assert counts() == (0, 0, 0)


@pytest.mark.parametrize("number", ["12010319880601824", "", "４４０４０１１９５８０１０１０００X"])
def test_malformed_id_number_is_invalid_not_an_error(world, wang, checkin, number):
    r = checkin.handle(world.idcard(number), LESSON_START)
    assert r.kind == "invalid_card" and r.detail == "card.id_bad_format"


def test_expired_id_card(world, wang, checkin):
    today = LESSON_START.date()
    r = checkin.handle(world.idcard(ID_WANG, valid_to=today - timedelta(days=1)), LESSON_START)
    assert r.kind == "expired_card" and r.member_no == ""
    assert counts() == (0, 0, 0)


def test_id_card_valid_to_today_is_accepted(world, wang, checkin):
    r = checkin.handle(world.idcard(ID_WANG, valid_to=LESSON_START.date()), LESSON_START)
    assert r.kind == "ok"


def test_id_card_not_yet_valid(world, wang, checkin):
    tomorrow = LESSON_START.date() + timedelta(days=1)
    r = checkin.handle(world.idcard(ID_WANG, valid_from=tomorrow, valid_to=date(2045, 1, 1)), LESSON_START)
    assert r.kind == "invalid_card" and r.detail == "card.id_not_yet_valid"
    assert (
        checkin.handle(world.idcard(ID_WANG, valid_from=LESSON_START.date()), LESSON_START + 10 * SECOND).kind == "ok"
    )


@pytest.mark.parametrize("valid_to", [None, date(2005, 6, 1)])  # 长期: no end date, or whatever a reader reports
def test_long_term_id_card_is_accepted(world, wang, checkin, valid_to):
    r = checkin.handle(
        world.idcard(ID_WANG, valid_from=date(2005, 6, 1), valid_to=valid_to, long_term=True), LESSON_START
    )
    assert r.kind == "ok"


# -- failures: an "error" Result, never an exception, and nothing half-written ------------------


@pytest.mark.parametrize("where", ["signin fact", "points row", "points fact"])
def test_failure_half_way_leaves_nothing(world, wang, checkin, database, monkeypatch, where):
    if where == "signin fact":
        monkeypatch.setattr(facts, "record", fail_on_call(facts.record, 1))
    elif where == "points fact":
        monkeypatch.setattr(facts, "record", fail_on_call(facts.record, 2))
    else:  # the database itself refuses the points row, after the sign-in and its fact went in
        database.execute_sql(
            "CREATE TRIGGER refuse BEFORE INSERT ON points_entry BEGIN SELECT RAISE(ABORT, 'disk full half-way'); END"
        )
    r = checkin.handle(world.qr(wang[0]), LESSON_START)
    assert r.kind == "error"
    assert counts() == (0, 0, 0)

    monkeypatch.undo()
    database.execute_sql("DROP TRIGGER IF EXISTS refuse")
    r = checkin.handle(world.qr(wang[0]), LESSON_START + timedelta(minutes=1))
    assert r.kind == "ok"
    assert counts() == (1, 1, 2)
    assert [o.seq for o in outbox()] == [1, 2]  # the rolled-back facts left no gap


def test_a_failed_read_is_not_remembered_so_the_next_read_retries(world, wang, checkin, monkeypatch):
    monkeypatch.setattr(facts, "record", fail_on_call(facts.record, 1))
    assert checkin.handle(world.qr(wang[0]), LESSON_START).kind == "error"
    monkeypatch.undo()
    again = checkin.handle(world.qr(wang[0]), LESSON_START + timedelta(seconds=1))  # inside the repeat window
    assert again.kind == "ok" and not again.repeat
    assert counts() == (1, 1, 2)


def test_locked_database_is_an_error_result(world, wang, checkin, database, settings):
    database.execute_sql("PRAGMA busy_timeout = 0")
    other = sqlite3.connect(str(database.database), isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # another writer holds the lock
        r = checkin.handle(world.qr(wang[0]), LESSON_START)
        assert r.kind == "error" and "locked" in r.detail
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert counts() == (0, 0, 0)
    assert checkin.handle(world.qr(wang[0]), LESSON_START + MINUTE).kind == "ok"


def test_missing_table_is_an_error_result(world, wang, checkin, database):
    database.execute_sql("DROP TABLE outbox")
    r = checkin.handle(world.qr(wang[0]), LESSON_START)
    assert r.kind == "error"
    assert SignIn.select().count() == 0 and PointsEntry.select().count() == 0


def test_choose_on_a_failing_database_is_an_error_result(world, two_due, checkin, monkeypatch):
    member = two_due[0]
    options = checkin.handle(world.qr(member), LESSON_START).options
    monkeypatch.setattr(facts, "record", fail_on_call(facts.record, 1))
    assert checkin.choose("DM9001", options[0], "qr", LESSON_START).kind == "error"
    assert counts() == (0, 0, 0)


def test_database_gone_while_reading_is_an_error_result(world, wang, checkin, database):
    database.execute_sql("ALTER TABLE member RENAME TO member_gone")  # the member table is unreadable
    r = checkin.handle(world.qr(wang[0]), LESSON_START)
    assert r.kind == "error" and "no such table" in r.detail


# -- every kind --------------------------------------------------------------------------------


def test_every_result_kind_is_reachable(world, two_due, checkin, monkeypatch):
    member, _, _ = two_due
    seen = {checkin.handle(world.qr(member), LESSON_START).kind}  # choose
    lone = world.member("DM9005", "孙立", ID_LI)
    solo = world.course("京剧票友班")
    world.enroll(lone, solo)
    world.lesson(solo, LESSON_START + timedelta(days=3))
    at = LESSON_START + timedelta(days=3)
    seen.add(checkin.handle(world.qr(lone), at - 2 * 60 * MINUTE).kind)  # not_due
    seen.add(checkin.handle(world.qr(lone), at).kind)  # ok
    seen.add(checkin.handle(world.idcard(ID_LI), at + MINUTE).kind)  # already
    seen.add(checkin.handle(world.qr(member), at).kind)  # not_enrolled
    seen.add(checkin.handle(world.idcard(ID_NOT_REGISTERED), at).kind)  # unknown_card
    seen.add(checkin.handle(Credential.qr("YL1-XX"), at).kind)  # invalid_card
    seen.add(checkin.handle(world.idcard(ID_WANG, valid_to=date(2024, 1, 1)), at).kind)  # expired_card
    monkeypatch.setattr(facts, "record", fail_on_call(facts.record, 1))
    other = world.member("DM9006", "周立")
    world.enroll(other, solo)
    seen.add(checkin.handle(world.qr(other), at).kind)  # error
    assert seen == set(KINDS)


# -- a full disk --------------------------------------------------------------------------------


def test_a_full_disk_is_reported_as_such_and_leaves_nothing_half_written(world, checkin, database, caplog):
    course = world.course("书法班")
    world.lesson(course, LESSON_START)
    seniors = [world.member(f"DM{8000 + n}", "王建华") for n in range(300)]
    for senior in seniors:
        world.enroll(senior, course)
    pages = database.execute_sql("PRAGMA page_count").fetchone()[0]
    database.execute_sql(f"PRAGMA max_page_count = {pages + 2}")  # SQLite's own "database or disk is full"
    results = [checkin.handle(world.qr(senior), LESSON_START) for senior in seniors]
    signed = [r for r in results if r.kind == "ok"]
    failed = [r for r in results if r.kind != "ok"]
    assert signed and failed  # the disk filled up part-way
    assert {(r.kind, r.detail) for r in failed} == {("error", FULL)}
    assert t(FULL) == "存储空间已满"
    assert "check-in failed on the database: 存储空间已满" in caplog.text
    assert "cannot rollback" not in caplog.text
    # Nothing half-written: one SignIn, points entry and two facts for each sign-in that said ok.
    assert counts() == (len(signed), len(signed), 2 * len(signed))
    database.execute_sql(f"PRAGMA max_page_count = {pages + 1000}")  # space again
    again = checkin.handle(world.qr(seniors[-1]), LESSON_START)
    assert again.kind == "ok"
