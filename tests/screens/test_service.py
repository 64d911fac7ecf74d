"""The seniors' own screens in the real app (Xvfb): passbook, activities with the waitlist,
courses, preferences, the idle prompt and reset, attract and night (docs/design.md §8.2–§8.4)."""

import sqlite3

import pytest

from kiosk.i18n import t
from kiosk.identity.ids import mask_name

NAME = "谢素珍"  # DM0001 in config/demo/site.toml


@pytest.fixture(scope="module")
def passbook(tmp_path_factory):
    from tests.screens.conftest import run_harness

    obs, data_dir = run_harness("passbook", tmp_path_factory.mktemp("passbook"))
    assert obs["finished"]
    return obs, data_dir


def test_points_waits_for_a_card_then_shows_balance_and_passbook(passbook):
    obs, data_dir = passbook
    assert t("service.prompt") in obs["before"] and mask_name(NAME) not in " ".join(obs["before"])
    page = obs["page1"]
    assert page["who"] == mask_name(NAME)
    with sqlite3.connect(data_dir / "kiosk.db") as db:
        confirmed, provisional = db.execute(
            "SELECT m.points_confirmed, coalesce(sum(CASE WHEN p.status = 'provisional' THEN p.amount END), 0) "
            "FROM member m LEFT JOIN points_entry p ON p.member_id = m.id WHERE m.member_no = 'DM0001'"
        ).fetchone()
        entries = db.execute(
            "SELECT count(*) FROM points_entry p JOIN member m ON m.id = p.member_id WHERE m.member_no = 'DM0001'"
        ).fetchone()[0]
    assert page["balance"] == t("points.figure", balance=confirmed + provisional)
    assert entries > 5 and page["pages"] == -(-entries // 5)
    assert all(row[0] and row[1] and row[2][0] in "+−" for row in page["rows"])
    assert page["page_text"] == t("service.page", page=1, pages=page["pages"])
    assert obs["page2"]["page_text"] == t("service.page", page=2, pages=page["pages"])
    assert obs["page2"]["rows"] != page["rows"]


def test_the_passbook_rows_add_up_to_the_balance(run_scenario):
    obs, _ = run_scenario("passbook_adds_up")
    last = obs["last"]["rows"]
    filled = [row for row in last if row[2]]
    assert filled[-1][:2] == ["", t("points.opening")]  # the oldest row: 「原有积分」
    total = sum(int(a.replace("−", "-")) for a in obs["amounts"])
    assert t("points.figure", balance=total) == obs["page1"]["balance"]


def test_a_card_read_on_a_service_screen_is_acknowledged_at_once(passbook):
    assert passbook[0]["ack_at_once"]  # F-1: 「正在识别…」 set in the same frame


def test_points_speaks_the_balance_and_never_a_name(passbook):
    obs, _ = passbook
    spoken = dict(obs["spoken"])
    assert "points_prompt" in spoken
    assert spoken["points_balance"]["n"] == int(obs["page1"]["balance"].split()[0])
    assert all(NAME not in str(s) for s in obs["spoken"])


def test_idle_asks_for_more_time_at_70_s_and_continue_keeps_the_screen(passbook):
    obs, _ = passbook
    assert t("idle.question") in obs["prompt"]
    assert obs["after_continue"] == "points" and obs["page_after_continue"] == 1
    assert ["more_time", {}] in obs["spoken"]


def test_idle_reset_at_90_s_clears_every_personal_datum(passbook):
    # I-3: not just another screen: no widget anywhere still holds the name, balance or entries.
    obs, _ = passbook
    left = " ".join(obs["texts_after_reset"])
    personal = [mask_name(NAME), obs["page1"]["balance"]] + [r[1] for r in obs["page1"]["rows"]]
    assert [p for p in personal if p and p in left] == []
    assert obs["senior_after_reset"] is False and obs["scale_after_reset"] == 1.0


@pytest.fixture(scope="module")
def signup(tmp_path_factory):
    from tests.screens.conftest import run_harness

    obs, data_dir = run_harness("signup", tmp_path_factory.mktemp("signup"))
    assert obs["finished"]
    return obs, data_dir


def _row(rows, title):
    return next(r for r in rows if r["title"] == title)


def test_activities_are_listed_before_a_card_but_without_buttons(signup):
    obs, _ = signup
    assert "测试报告会" in obs["anonymous"]["titles"]
    assert not any(obs["anonymous"]["buttons"])


def test_a_finger_sliding_off_the_button_signs_up_nobody(signup):
    obs, _ = signup
    assert _row(obs["after_slide"], "测试报告会")["mark"] == ""  # F-5


def test_sign_up_then_join_the_waitlist_of_a_full_one(signup):
    obs, _ = signup
    assert _row(obs["identified_rows"], "测试报告会")["action"] == t("activities.sign_up")
    assert _row(obs["identified_rows"], "测试汇演")["action"] == t("activities.join_waitlist")
    assert obs["confirm_after_sign_up"] is False  # signing up is never asked about
    assert _row(obs["identified_rows"], "测试汇演")["facts"].endswith(t("activities.full"))
    after = obs["after_sign_up"]
    assert _row(after["rows"], "测试报告会")["mark"] == t("activities.registered")
    assert _row(after["rows"], "测试报告会")["action"] == t("activities.cancel")
    assert after["news"] == t("activities.done_registered", title="测试报告会")
    waited = obs["after_waitlist"]
    assert _row(waited["rows"], "测试汇演")["mark"] == t("activities.waitlisted", position=1)
    assert waited["news"] == t("activities.done_waitlisted", position=1)
    assert "有空位时，您下次刷卡会告诉您" in waited["news"]
    assert _row(waited["rows"], "测试汇演")["facts"] == "有空位时，您下次刷卡会告诉您"
    names = [name for name, _ in obs["spoken"]]
    assert "signed_up" in names and "waitlisted" in names


def test_not_cancelling_after_all_changes_nothing(signup):
    obs, _ = signup
    asked = obs["asked_waitlisted"]
    assert asked["question"] == t("activities.confirm_leave_waitlist")
    assert asked["title"] == "测试汇演" and "一楼 大厅" in asked["when"]
    after = obs["after_no"]
    assert after["db"] == obs["db_waitlisted"] == [["DM0001", "waitlisted"], ["DM0005", "registered"]]
    assert _row(after["rows"], "测试汇演")["mark"] == t("activities.waitlisted", position=1)
    assert after["news"] == obs["after_waitlist"]["news"]  # 不取消了 says nothing new


def test_a_cancel_happens_only_after_确定取消(signup):
    obs, _ = signup
    assert obs["asked_registered"]["question"] == t("activities.confirm_cancel")
    assert obs["asked_registered"]["title"] == "测试汇演"
    assert obs["db_while_asked"] == [["DM0001", "waitlisted"], ["DM0005", "registered"]]
    assert _row(obs["after_cancel"]["rows"], "测试汇演")["mark"] == ""


def test_the_buttons_stay_put_when_a_message_appears(signup):
    # A note over the list used to push every row down under a trembling second tap (issue 19).
    obs, _ = signup
    ys = obs["button_y"]
    assert obs["after_sign_up"]["news"] and ys["after_sign_up"] == ys["before"]
    assert ys["after_no"] == ys["before"]
    assert obs["after_cancel"]["news"] and ys["after_cancel"] == ys["holder"]


def test_turning_the_page_clears_the_message(signup):
    obs, _ = signup
    assert obs["news_before_turn"] and obs["news_after_turn"] == ""


def test_a_cancel_promotes_the_waitlisted_senior_who_is_told_once(signup):
    obs, data_dir = signup
    assert _row(obs["holder_rows"], "测试汇演")["action"] == t("activities.cancel")
    assert obs["after_cancel"]["news"] == t("activities.done_cancelled", title="测试汇演")
    assert obs["result_kind"] in ("ok", "already")
    assert obs["result_news"] == t("service.promoted", title="测试汇演")
    assert ["ok", {"gained": 2, "then": ["promoted"]}] in obs["spoken"]  # heard as well as seen
    assert obs["news_second_visit"] == ""
    assert _row(obs["rows_second_visit"], "测试汇演")["mark"] == t("activities.registered")
    with sqlite3.connect(data_dir / "kiosk.db") as db:
        rows = db.execute(
            "SELECT m.member_no, r.status FROM registration r JOIN member m ON m.id = r.member_id "
            "JOIN activity a ON a.id = r.activity_id WHERE a.title = '测试汇演'"
        ).fetchall()
        facts = db.execute("SELECT count(*) FROM outbox WHERE kind = 'registration'").fetchone()[0]
    assert sorted(rows) == [("DM0001", "registered"), ("DM0005", "cancelled")]
    assert facts >= 4  # sign-up, waitlist, cancel, promotion


def test_courses_show_attendance_next_lesson_and_a_gentle_note(run_scenario):
    obs, _ = run_scenario("courses")
    shown = [r for r in obs["rows"] if r["name"]]
    assert shown
    assert all(r["next"] for r in shown)
    notes = [r["note"] for r in obs["rows"]] + [n for page in obs["later_notes"] for n in page]
    assert t("courses.missed") in notes
    assert ["courses", {}] in obs["spoken"]


def test_preferences_apply_at_once_and_at_the_next_card(run_scenario):
    obs, _ = run_scenario("preferences")
    assert obs["before"]["scale"] == 1.0 and obs["after"]["scale"] == 1.25
    assert obs["after"]["label"] > obs["before"]["label"]
    assert obs["before"]["chosen"] == ["normal_text", "voice_on"]  # two clear pairs, one chosen in each
    assert obs["after"]["chosen"] == ["large_text", "voice_on"]
    assert obs["voice_chosen"] == [False, True] and obs["chosen_words"] == "现在是：大字，声音关"  # in words too
    assert obs["home_scale"] == 1.0  # home is for everyone
    assert obs["result"]["scale"] == 1.25  # applied as soon as the card is read
    assert obs["stored"] == {"large_text": 1, "voice": 0} or obs["stored"] == {"large_text": True, "voice": False}
    # Switching off says so once, then nothing more is said for this senior.
    assert obs["spoken_at_off"] == obs["spoken_before_off"] + 1
    assert obs["spoken_after_off"] == obs["spoken_at_off"]
    assert obs["result_kind"] == "already"
    # The next card is somebody else's: that senior's large type and silence do not carry over.
    assert obs["stranger"] == {"scale": 1.0, "spoken": "unknown_card", "senior": False}


def test_attract_after_a_minute_and_night_outside_opening_hours(run_scenario):
    obs, _ = run_scenario("resting")
    assert t("home.prompt") in obs["attract_texts"]
    assert obs["attract_next_slide"] != obs["attract_slide"]
    assert t("night.closed") in obs["night_texts"]
    assert obs["night_result"] in ("ok", "already")  # a card still signs in at night
    # The panel: on at the first change of screen, off at night, on again at the card (X would
    # wake it at a touch by itself, not at a card).
    assert obs["panel"] == ["on", "off", "on"]


def test_home_lists_what_is_still_to_come_soonest_first(run_scenario):
    obs, _ = run_scenario("home_board", clock="2026-12-07 10:00")  # its six later activities fit in the day
    normal, large = obs["normal"], obs["large"]
    assert "早已开始的讲座" not in normal["coming"]  # begun hours ago: not news
    for seen in (normal, large):
        n = len(seen["rows"])
        assert n >= 1 and not seen["blank"]
        assert seen["rows"] == seen["coming"][:n]
        assert seen["more"] == t("home.more_later", count=len(seen["coming"]) - n)
    assert len(normal["rows"]) >= 2  # as many as the room holds, up to home.ROWS
    assert len(large["rows"]) <= len(normal["rows"])
    # Squeezed by a taller status corner at 「大字」: the next class stays, the count gives way.
    squeezed = obs["squeezed"]
    assert squeezed["rows"] == squeezed["coming"][:1] and not squeezed["blank"]
