"""What the screens say for each Result, in the catalog's words (no display needed)."""

from dataclasses import replace
from datetime import datetime
from types import SimpleNamespace

import pytest

from kiosk.checkin.signin import FULL, KINDS, Result
from kiosk.i18n import t
from kiosk.programme import activities
from kiosk.programme.my_courses import MyCourse
from kiosk.programme.schedule import Item
from kiosk.sync.status import Status as SyncStatus
from screens import present, present_service

LESSON = Item("lesson", 1, "太极拳（二）班", "三楼 301", datetime(2025, 3, 4, 9, 0), datetime(2025, 3, 4, 11, 0))
WALK = Item("activity", 2, "重阳健步行", "滨河公园 东门集合", datetime(2025, 3, 4, 14, 30), datetime(2025, 3, 4, 16, 0))


def lines_of(view: present.ResultView) -> list[str]:
    return [view.word, view.name, view.heading, *view.lines, view.figure]


@pytest.mark.parametrize("kind", [k for k in KINDS if k != "choose"])
def test_every_kind_has_its_own_words(kind):
    view = present.result_view(Result(kind, item=LESSON, first_time=LESSON.start, balance=10))
    assert view.word == t(f"result.{kind}") != f"result.{kind}"


def test_ok_shows_name_title_place_time_points_and_balance():
    r = Result("ok", "DM0001", "王*华", item=LESSON, points_gained=2, balance=128)
    view = present.result_view(r)
    assert (view.word, view.name, view.heading) == ("签到成功", "王*华", "太极拳（二）班")
    assert view.lines == ("09:00–11:00", "请到 三楼 301 上课")  # the next step in plain words
    assert view.figure == "积分 +2，共 128 分"


def test_ok_says_where_to_go_for_an_activity_and_without_a_room():
    assert present.result_view(Result("ok", item=WALK, balance=1)).lines[-1] == "请到 滨河公园 东门集合 参加活动"
    roomless = Item("lesson", 3, "书法班", "", LESSON.start, LESSON.end)
    assert present.result_view(Result("ok", item=roomless, balance=1)).lines[-1] == "请直接去上课"


def test_ok_without_points_shows_the_balance_only():
    view = present.result_view(Result("ok", item=LESSON, points_gained=0, balance=20))
    assert view.figure == "共 20 分"


def test_already_shows_the_first_sign_in_time():
    r = Result("already", item=LESSON, first_time=datetime(2025, 3, 4, 8, 47), balance=128)
    view = present.result_view(r)
    assert view.lines == ("您在 08:47 已签到", "不用再刷了，请直接去上课") and view.figure == "共 128 分"
    assert view.ask == "" and present.phrase(r) == ("already", {})


def test_already_with_another_item_due_asks_instead_of_the_balance():
    r = Result("already", item=LESSON, first_time=datetime(2025, 3, 4, 8, 47), balance=128, options=(WALK,))
    view = present.result_view(r)
    assert view.ask == "还要签到「重阳健步行」吗？" and view.figure == ""
    assert present.phrase(r) == ("already_ask", {})
    several = present.result_view(replace(r, options=(WALK, WALK)))
    assert several.ask == t("result.ask.several", count=2)


def test_large_type_keeps_a_day_to_two_lines_without_places():
    view = present.result_view(Result("not_due", today=(LESSON, WALK, LESSON), balance=5), large=True)
    assert view.lines == ("09:00–11:00　太极拳（二）班", t("home.more", count=2))


def test_not_due_shows_the_members_day():
    view = present.result_view(Result("not_due", today=(LESSON, WALK), balance=5))
    assert view.heading == t("result.detail.today_heading")
    assert view.lines == ("09:00–11:00　太极拳（二）班　三楼 301", "14:30–16:00　重阳健步行　滨河公园 东门集合")


def test_not_due_with_an_empty_day_says_so():
    view = present.result_view(Result("not_due", balance=5))
    assert view.heading == t("result.detail.today_none") and view.lines == ()


def test_a_long_day_is_cut_with_a_count_of_the_rest():
    view = present.result_view(Result("not_due", today=(LESSON,) * 6, balance=5))
    assert len(view.lines) == present.RESULT_LINES
    assert view.lines[-1] == t("home.more", count=6 - present.RESULT_LINES + 1)


def test_not_enrolled_names_what_is_signing_in_now():
    view = present.result_view(Result("not_enrolled", item=LESSON, balance=5))
    assert view.word == t("result.not_enrolled")
    assert view.lines[0] == t("result.detail.not_enrolled_hint", title="太极拳（二）班")


def test_not_registered_for_an_activity_says_activity_not_class():
    view = present.result_view(Result("not_enrolled", item=WALK, balance=5))
    assert view.word == t("result.not_registered") != t("result.not_enrolled")
    assert view.lines[0] == t("result.detail.not_enrolled_hint", title=WALK.title)


def test_invalid_card_tells_the_senior_what_to_do_without_accusing():
    view = present.result_view(Result("invalid_card", detail="card.revoked"))
    assert view.lines == (t("result.help.revoked"),)
    for reason in ("card.forged", "card.malformed", "card.unknown_prefix", "card.id_bad_check"):
        lines = present.result_view(Result("invalid_card", detail=reason)).lines
        assert lines == (t("result.help.invalid_card"),)
        assert t(reason) not in lines


def test_a_bad_qr_card_is_not_told_to_lie_flat():
    # 「放平」 is advice for an ID card on the reader; a forged or damaged QR never reads.
    qr = present.result_view(Result("invalid_card", detail="card.forged", method="qr")).lines
    assert qr == (t("result.help.invalid_qr"),) and "放平" not in qr[0]
    assert "放平" in present.result_view(Result("invalid_card", detail="card.id_bad_check", method="idcard")).lines[0]


@pytest.mark.parametrize("kind", ["unknown_card", "expired_card", "error"])
def test_problems_say_what_to_do_next(kind):
    view = present.result_view(Result(kind, detail="internal error"))
    assert view.lines == (t(f"result.help.{kind}"),) and "internal" not in "".join(view.lines)


def test_a_full_disk_is_named_for_staff_under_the_seniors_line():
    view = present.result_view(Result("error", detail=FULL))
    assert view.lines == (t("result.help.error"), t("result.help.storage_full"))
    assert "存储空间已满" in view.lines[1]


def test_no_line_is_longer_than_40_characters():
    # T-3: lines of at most 40 CJK characters.
    r = Result("not_due", today=(LESSON, WALK), balance=5)
    for kind in [k for k in KINDS if k != "choose"]:
        view = present.result_view(
            Result(kind, item=WALK, first_time=WALK.start, today=r.today, balance=5, detail="card.forged")
        )
        assert all(len(line) <= 40 for line in lines_of(view)), kind


def test_clock_and_date():
    now = datetime(2025, 3, 4, 8, 5)
    assert present.clock(now) == "08:05"
    assert present.date_line(now) == "2025年3月4日 星期二"


def test_still_on_drops_what_has_ended():
    assert present.still_on([LESSON, WALK], datetime(2025, 3, 4, 12, 0)) == [WALK]
    assert present.still_on([LESSON, WALK], datetime(2025, 3, 4, 10, 0)) == [LESSON, WALK]


@pytest.mark.parametrize(
    "offset_ms, key, amount",
    [
        (-61_000, "device.clock_fast", ("device.minutes", 1)),  # the bureau's clock minus ours
        (45 * 60_000, "device.clock_slow", ("device.minutes", 45)),
        (-5 * 3_600_000, "device.clock_fast", ("device.hours", 5)),
        (-5 * 365 * 86_400_000, "device.clock_fast", ("device.days", 1825)),
    ],
)
def test_a_clock_far_from_the_bureaus_is_told_in_the_status_corner(offset_ms, key, amount):
    line = present.clock_warning(sync_status(offset_ms))
    assert line == t(key, amount=t(amount[0], n=amount[1]))
    assert "校准" in line and "{" not in line


@pytest.mark.parametrize("status", [None, "near"])
def test_a_clock_near_the_bureaus_or_no_sync_yet_says_nothing(status):
    assert present.clock_warning(sync_status(59_000) if status else None) == ""


def test_a_clock_not_synchronised_is_told_only_while_the_bureau_cannot_check_it():
    down = replace(sync_status(0), last_error="ConnectError: [Errno 111] Connection refused")
    assert present.clock_warning(down, synchronised=False) == t("device.clock_unsynced")
    assert present.clock_warning(down, synchronised=True) == ""
    assert present.clock_warning(sync_status(0), synchronised=False) == ""  # the bureau just answered: it agrees
    assert present.clock_warning(None, synchronised=False) == ""  # no bureau: the doctor tells staff
    far = replace(sync_status(-5 * 3_600_000), last_error="HTTP 503")
    assert present.clock_warning(far, synchronised=False) == present.clock_warning(far)  # the worse is said


def sync_status(offset_ms: int) -> SyncStatus:
    return SyncStatus(True, 0, None, 0, 0, 1, None, "", None, clock_offset_ms=offset_ms)


# -- 我的积分's rows (present_service) -------------------------------------------------------------


def _entry(kind: str, title: str, amount: int):
    from kiosk.points.passbook import Entry

    return Entry(1, datetime(2026, 12, 1, 9, 0), kind, title, amount, False, "", False, False)


@pytest.mark.parametrize(
    "kind, title, what",
    [
        ("redeem", "兑换 老年大学纪念保温杯", "积分兑换 · 老年大学纪念保温杯"),  # 兑换 once (walkthrough #16)
        ("correction", "积分更正：停电时签到未记录", "积分更正：停电时签到未记录"),
        ("lesson", "国画花鸟班", "上课签到 · 国画花鸟班"),
        ("volunteer", "", "志愿服务"),
        ("volunteer", "志愿服务 3 小时", "志愿服务 3 小时"),
    ],
)
def test_a_passbook_row_says_each_word_once(kind, title, what):
    from screens import present_service

    assert present_service.passbook_row(_entry(kind, title, 5)).what == what


def test_the_opening_row_adds_up_and_is_not_an_award():
    from screens import present_service

    row = present_service.opening_row(58)
    assert (row.date, row.what, row.amount, row.gain) == ("", "原有积分", "+58", False)
    assert present_service.opening_row(-3).amount == "−3"


def test_a_course_with_its_last_lesson_under_way_says_so_not_that_the_term_is_over():
    over = MyCourse(1, "书法班", "", "", "enrolled", None, 5, 5, 0)
    assert present_service.course_lines(over).next == t("courses.no_next")
    now_on = replace(over, under_way=LESSON)
    assert present_service.course_lines(now_on).next == "现在正在上课：09:00–11:00　三楼 301"


def test_the_board_keeps_the_next_class_before_the_note_when_room_is_short():
    assert present.board_rows(room=300, row=90, note=60) == (2, True)
    assert present.board_rows(room=120, row=90, note=60) == (1, False)  # a row, not the count
    assert present.board_rows(room=80, row=90, note=60) == (0, True)  # the note alone (nothing today …)


def test_the_news_band_keeps_to_one_line():
    """However long the title and reason, and however many news, one line at each type size: the
    reason is cut first, then the title; 「已取消」 and the count of the other news always show."""
    start = datetime(2027, 3, 20, 9, 0)
    title = "二〇二七年春季老年大学全体学员重阳节登高健步行"
    reason = "因连日暴雨，公园山道湿滑，为了大家的安全，本次活动取消"
    long = activities.Notice(title, start, "", True, reason)
    for large, line in ((False, present_service.LINE), (True, present_service.LINE_LARGE)):
        told = present_service.news([long], large)
        assert len(told) <= line and told.startswith("二〇") and "（3月20日）已取消：" in told, told
    assert "已取消：因连日" in present_service.news([long])  # normal type keeps some of the reason
    promoted = activities.Notice(title, start, "")
    told = present_service.news([long, promoted, promoted], large=True)
    assert len(told) <= present_service.LINE_LARGE and told.endswith("已取消：…等 2 条"), told
    place = present_service.news([promoted], large=True)
    assert len(place) <= present_service.LINE_LARGE and place.endswith("」已经报上名了"), place
    short = activities.Notice("太极拳", start, "")
    assert present_service.news([short]) == "好消息：您候补的「太极拳」已经报上名了"  # short news uncut
    assert present_service.news([]) == ""


def test_an_attract_line_in_large_type_never_wraps():
    start = datetime(2027, 3, 20, 9, 0)
    view = SimpleNamespace(start=start, title="形势报告会：老龄事业新政策解读", place="五楼报告厅", cancelled=False)
    assert present_service.attract_row(view) == "3月20日　形势报告会：老龄事业新政策解读　五楼报告厅"
    assert present_service.attract_row(view, large=True) == "3月20日　形势报告会：老龄事业新…"
    gone = SimpleNamespace(start=start, title="重阳节游园", place="公园", cancelled=True)
    assert present_service.attract_row(gone, large=True) == "3月20日　重阳节游园　已取消"
