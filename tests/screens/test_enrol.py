"""An enrolment season in the real app under Xvfb (tests/screens/scenarios_enrol.py): offered after
a card read, the course cards, 报名 with its fact, the ID card for an age range, at most
max_courses, the draw's result told once."""

import pytest

from kiosk.i18n import t


@pytest.fixture(scope="module")
def seen(scenario):
    return scenario("enrol_flow")[0]


def test_a_card_read_during_the_season_offers_it(seen):
    assert seen["offer"] == {"shown": True, "text": t("season.offer"), "kind": seen["offer"]["kind"]}


def test_the_cards_show_title_teacher_time_room_places_and_ages(seen):
    cards = seen["cards"]
    assert [c["title"] for c in cards] == ["书法（一）班", "太极拳（二）班", "国画（一）班"]  # three a page
    assert cards[0]["when"] == "张老师　每周二 09:00-11:00"
    assert cards[1]["where"] == "一楼大厅　名额 30 人　60-75 岁"
    assert cards[1]["mark"] == t("season.refusal_short.needs_id_card")  # a QR card: no birth date
    assert all(c["fits"] for c in cards)
    assert seen["news"].startswith("最多报 2 门，已报 0 门")


def test_applying_says_what_and_writes_the_fact(seen):
    applied = seen["applied"]
    assert applied["news"].startswith("您已报名 书法（一）班，")
    assert applied["rows"][0]["mark"] == t("season.applied") and applied["rows"][0]["action"] == t("season.withdraw")
    [fact] = applied["facts"]
    assert (fact["member_no"], fact["season"], fact["course"], fact["action"], fact["age_checked"]) == (
        "DM0001",
        "demo",
        "e1",
        "apply",
        False,
    )
    assert ["signed_up", {}] in seen["spoken"]


def test_an_age_limited_course_asks_for_the_id_card_and_the_card_decides(seen):
    assert seen["asked_for_id"] == t("season.refusal.needs_id_card")
    # The demo's card: born 1949, over 75 on the term's first day: 太极拳（二）班 (60-75) is closed
    # to her, 国画（一）班 (65+) open.
    marks = {r["title"]: (r["mark"], r["action"]) for r in seen["with_id_card"]}
    assert marks["太极拳（二）班"] == (t("season.refusal_short.too_old"), "")
    assert marks["国画（一）班"] == ("", t("season.apply"))


def test_at_most_max_courses(seen):
    assert [(f["course"], f["age_checked"]) for f in seen["second"]["facts"]] == [("e1", False), ("e3", True)]
    assert [r["title"] for r in seen["page2"]] == ["合唱（一）班", "智能手机（一）班"]
    assert seen["too_many"] == t("season.done_too_many", n=2)


def test_the_draws_result_is_told_once_at_the_next_card_read(seen):
    assert seen["home_texts_clean"]
    assert seen["told"]["news"] == "恭喜您，书法（一）班 录取了等 1 条"
    assert seen["told"]["offer"] is False  # drawn: nothing to apply for
    assert seen["again_news"] == ""
    assert any(name == "ok" or name == "already" or name == "not_due" for name, _ in seen["spoken"])
