"""An enrolment season in the real app under Xvfb (tests/screens/scenarios_enrol.py): offered after
a card read, the course cards, 报名 with its fact, the ID card for an age range, at most
max_courses, the draw's result told once; the slip printed after 报名 on the simulated receipt
printer (read back by tests/devices/escpos.py), and 报名 going on when its paper runs out."""

import base64

import pytest

from kiosk import doctor
from kiosk.enrolment.demo import COURSES
from kiosk.i18n import t
from tests.devices import escpos
from tests.screens.conftest import run_harness


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


def test_an_older_first_season_is_stated_and_a_qr_card_asked_for_the_id_card(seen):
    # The demo's season puts applicants of 75 and over first: the band says so, whole; with a QR
    # card the cards the senior may apply for ask for the ID card (only it shows the age).
    assert seen["news"].endswith("，" + t("season.older_first", age=75)) and "…" not in seen["news"]
    assert seen["cards"][0]["mark"] == t("season.older_needs_id")
    assert seen["cards"][2]["mark"] == t("season.refusal_short.needs_id_card")  # 65+: the ID card anyway
    marks = {r["title"]: r["mark"] for r in seen["with_id_card"]}
    assert t("season.older_needs_id") not in marks.values()  # the ID card read: asked no more
    # Her QR card said nothing of her age; the ID card showed her over 75.
    assert [(f["course"], f["older"]) for f in seen["second"]["facts"]] == [("e1", False), ("e3", True)]


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


def test_withdrawing_asks_first_and_only_the_yes_withdraws(seen):
    asked = seen["asked"]
    assert asked["question"] == t("season.confirm_withdraw")
    assert asked["title"] == "书法（一）班" and asked["when"].startswith("张老师")
    assert t("activities.confirm_yes") in seen["asked_texts"] and t("activities.confirm_no") in seen["asked_texts"]
    # 不取消了: nothing withdrawn, the card as it was.
    assert seen["kept"]["facts"] == 2
    assert {r["title"]: r["action"] for r in seen["kept"]["rows"]}["书法（一）班"] == t("season.withdraw")
    # 确定取消: the withdraw fact, said on the band, and 报名 back on the card.
    withdrawn = seen["withdrawn"]
    assert (withdrawn["fact"]["course"], withdrawn["fact"]["action"]) == ("e1", "withdraw")
    assert withdrawn["news"] == t("season.done_withdrawn", course="书法（一）班")
    assert {r["title"]: r["action"] for r in withdrawn["rows"]}["书法（一）班"] == t("season.apply")


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


# -- the receipt printer ([printer] on, the demo's simulator: the real driver and printing thread) ---


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("print_flow")
    site = folder / "printer.toml"  # the demo's data, its printer turned on
    site.write_text('[printer]\nenabled = true\ndevice = "simulator"\n', encoding="utf-8")
    obs, _ = run_harness("print_flow", folder, config=site)
    assert obs["finished"], obs.get("step")
    return obs


def _paper(seen: dict) -> escpos.Stream:
    """What the simulated printer received so far, read by the tests' own ESC/POS reader."""
    return escpos.parse(base64.b64decode(seen["received"]))


def _course(key: str) -> dict:
    _key, title, _kind, _teacher, room, weekday, start, end, *_ = next(c for c in COURSES if c[0] == key)
    day = t("home.weekday")[weekday - 1].removeprefix("星期")
    return {"title": title, "when": t("season.slot", weekday=day, start=start, end=end), "room": room}


def test_applying_files_it_and_says_the_slip_is_printing(printed):
    seen, course = printed["printed"], _course("e1")
    assert printed["before"]["state"] == "ok" and printed["before"]["corner"].startswith(t("device.printer"))
    said = printed["said_at_once"]  # set by the tap itself: nothing waited for the printer
    assert said.startswith(f"您已报名 {course['title']}，") and said.endswith("　" + t("season.printing"))
    assert seen["news"] == said  # printed: nothing to take back
    assert [(f["member_no"], f["course"], f["action"]) for f in seen["facts"]] == [("DM0001", "e1", "apply")]


def test_the_slip_on_the_paper_has_the_name_the_course_and_the_card(printed):
    seen, course = printed["printed"], _course("e1")
    assert seen["slips"] == 1
    [receipt] = _paper(seen).receipts
    assert receipt.cut == "partial"
    lines = receipt.lines()
    assert t("printing.name", name=printed["member"]["name"]) in lines
    assert t("printing.member_no", member_no="DM0001") in lines
    assert course["title"] in lines
    assert t("printing.when", when=course["when"]) in lines
    assert t("printing.room", room=course["room"]) in lines
    assert t("printing.status", status=t("season.slip_status")) in lines
    # The QR code is the very card the senior read at the kiosk.
    assert receipt.qr_payloads() == [printed["member"]["card"].encode("utf-8")]
    name = next(x for x in receipt.items if isinstance(x, escpos.Line) and x.text.startswith("姓名"))
    assert (name.width, name.height, name.bold) == (2, 2, True)
    assert seen["state"] == "ok" and t("device.ok") in seen["corner"]


def test_out_of_paper_the_application_is_filed_and_the_senior_told_to_ask_staff(printed):
    seen, course = printed["paper_out"], _course("e4")
    assert seen["screen"] == "enrol"
    assert [(f["course"], f["action"]) for f in seen["facts"]] == [("e1", "apply"), ("e4", "apply")]
    assert printed["paper_out_at_once"]["news"].startswith(f"您已报名 {course['title']}，")
    trouble = t("printing.trouble", state=t("device.paper_out"))
    # The printer refused the slip after the screen had said it prints: the screen says so now.
    assert seen["news"].startswith(f"您已报名 {course['title']}，") and seen["news"].endswith("　" + trouble)
    assert t("season.printing") not in seen["news"]
    assert seen["button"] == t("season.withdraw")  # applied, and the card still answers
    assert seen["slips"] == 1 and len(_paper(seen).receipts) == 1  # nothing printed on no paper


def test_out_of_paper_staff_see_it_in_the_corner_and_the_doctor(printed):
    seen = printed["paper_out"]
    assert seen["state"] == "paper_out"
    assert seen["corner"].startswith(f"{t('device.printer')} {t('device.paper_out')}")
    assert seen["doctor"]["state"] == doctor.FAIL
    assert t("device.paper_out") in seen["doctor"]["detail"]
    assert seen["doctor"]["fix"] == t("doctor.printer.paper_out_fix", width=58)


def test_the_senior_goes_on_and_is_told_at_once_once_the_paper_is_known_out(printed):
    withdrawn, known = printed["withdrawn"], printed["known_out"]
    assert withdrawn["facts"][-1]["action"] == "withdraw" and withdrawn["news"] == t(
        "season.done_withdrawn", course=_course("e4")["title"]
    )
    # 报名 again with the printer known out of paper: the tap's own message says so, never 正在打印.
    assert known["news"].endswith("　" + t("printing.trouble", state=t("device.paper_out")))
    assert t("season.printing") not in known["news"]
    assert [f["action"] for f in known["facts"]] == ["apply", "apply", "withdraw", "apply"]
    after = printed["after"]
    assert after["news"] == known["news"] and after["slips"] == 1 and after["screen"] == "enrol"
