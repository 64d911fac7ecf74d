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


@pytest.fixture(scope="module")
def proxied(scenario):
    return scenario("proxy_flow")[0]


def test_a_card_read_in_staff_mode_during_the_season_offers_proxy_enrolment(proxied):
    assert proxied["offers"] == [t("staff.offer.member"), t("season.proxy")]
    page = proxied["page"]
    assert page["title"] == t("season.proxy") and page["message"] == t("season.proxy_pin")
    assert page["who"] == t("season.proxy_who", who="谢素珍（DM0001）")  # staff see the full name
    assert proxied["reasons"] == [t(f"season.proxy_reasons.{k}") for k in ("immobile", "family", "other")]


def test_proxy_enrolment_wants_a_reason_and_the_staffs_own_pin(proxied):
    assert proxied["no_reason"] == t("season.proxy_reason")
    wrong = proxied["wrong"]
    # Refused kindly, on the same page, and counted toward the lockout as the login's.
    assert wrong["message"] == t("season.proxy_wrong_pin", tries=4)
    assert wrong["screen"] == "staff_proxy" and wrong["failures"] == 1
    assert wrong["chosen"] == ["✓ " + t("season.proxy_reasons.family")]
    assert proxied["failures_after"] == 0  # the right PIN clears the count
    assert proxied["logins"] == 1  # typing it again is not a second login


def test_proxy_enrolment_applies_in_the_staffs_name_with_the_reason_and_audits_it(proxied):
    enrol = proxied["enrol"]
    assert enrol["who"] == t("season.proxy_for", name="谢*珍", reason=t("season.proxy_reasons.family"))
    assert [r["title"] for r in enrol["rows"]] == ["书法（一）班", "太极拳（二）班", "国画（一）班"]
    assert proxied["applied"]["news"].startswith("您已报名 书法（一）班，")
    [fact] = proxied["applied"]["facts"]
    assert (fact["member_no"], fact["course"], fact["action"], fact["reason"], fact["staff"]) == (
        "DM0001",
        "e1",
        "apply",
        "family",
        "张老师",
    )
    assert fact["staff_id"]
    assert proxied["audit"] == [["season.proxy_apply", "张老师", "member DM0001", "family"]]


def test_after_proxy_enrolment_the_staff_page_comes_back_and_the_senior_is_gone(proxied):
    assert proxied["back"] == {"screen": "staff_home", "senior": False, "proxy": False}
