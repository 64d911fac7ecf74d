"""Staff mode in the real app (Xvfb): PIN pad and lockout, auto-logout, Today's 补签, and the
tasks on a senior's page, each checked on the screen and in the database file (docs/design.md §4.9)."""

import json

from kiosk.i18n import t
from tests.screens.conftest import rows


def test_five_wrong_pins_lock_the_account_and_the_right_pin_is_refused_while_locked(scenario):
    obs, data_dir = scenario("lockout")
    first, *_, fifth = obs["messages"]
    assert first == t("staff.login.wrong", tries=4)
    assert "锁定" in fifth and "锁定" in obs["after_right_pin"]
    assert obs["screen"] == "staff_login"
    assert obs["lockouts"] == 1 and obs["locked"]  # the count starts again after a lock
    # The chosen name stands out (solid and ticked), the others are outlined.
    chosen = [(kind, text) for kind, text in obs["names"] if kind == "StaffButton"]
    assert chosen == [("StaffButton", "✓ 李干事")]
    assert len(obs["names"]) > 1 and all(k == "StaffLightButton" for k, t_ in obs["names"] if t_ != "✓ 李干事")
    assert rows(data_dir, "SELECT action FROM audit WHERE action = 'staff.locked'")


def test_manual_sign_in_from_today_records_who_and_why(scenario):
    obs, data_dir = scenario("day")
    assert obs["after"][0] == obs["before"][0] + 1
    assert obs["marked"] == [obs["member_no"]]  # still in its place, marked 已补签
    assert obs["message"].startswith(t("staff.today.signed", name="", title="", points=0)[:2])
    ((method, staff, reason),) = rows(
        data_dir,
        """
        SELECT s.method, st.name, s.reason FROM sign_in s JOIN member m ON m.id = s.member_id
        JOIN staff st ON st.id = s.staff_id WHERE m.member_no = ?""",
        obs["member_no"],
    )
    assert (method, staff, reason) == ("staff", "张老师", "忘带卡")
    audit = rows(data_dir, "SELECT staff_name, reason FROM audit WHERE action = 'signin.manual'")
    assert audit == [("张老师", "忘带卡")]
    kinds = [k for (k,) in rows(data_dir, "SELECT kind FROM outbox ORDER BY seq")]
    assert {"signin", "audit"} <= set(kinds)


def test_two_idle_minutes_warn_then_log_out_and_forget_the_senior(scenario):
    obs, _ = scenario("idle_logout")
    assert obs["name_shown"]
    assert obs["warning"] == t("staff.idle_warning", seconds=19)
    assert obs["after_continue"] == "staff_member"
    assert obs["left_behind"] == [] and not obs["staff"]


def test_volunteer_hours_redemption_and_a_new_card_from_the_member_page(scenario):
    obs, data_dir = scenario("member_tasks")
    assert "DM0001" in obs["hits"]
    entries = rows(
        data_dir,
        """
        SELECT p.kind, p.amount, st.name FROM points_entry p JOIN member m ON m.id = p.member_id
        JOIN staff st ON st.id = p.staff_id WHERE m.member_no = 'DM0001' ORDER BY p.id""",
    )
    assert entries == [("volunteer", 4, "张老师"), ("redeem", -10, "张老师")]
    assert "+4" in obs["volunteer_message"] and "10" in obs["redeem_message"]
    assert rows(data_dir, "SELECT card_issue FROM member WHERE member_no = 'DM0001'") == [(2,)]
    assert obs["old_card_kind"] == "invalid_card"  # the senior is told on their result screen
    assert t("card.revoked") in obs["old_card_message"]  # and staff, fuller, back on their page
    actions = [a for (a,) in rows(data_dir, "SELECT action FROM audit ORDER BY id")]
    assert {"points.volunteer", "points.redeem", "card.reissue"} <= set(actions)


def test_a_card_read_in_staff_mode_signs_the_senior_in_as_on_home_and_offers_their_record(scenario):
    obs, data_dir = scenario("card_signs_in")
    first = obs["first"]
    assert (first["screen"], first["kind"], first["word"]) == ("result", "ok", t("result.ok"))
    assert first["name"] == "谢*珍"  # masked, as on home
    newest = rows(
        data_dir,
        """SELECT s.method, s.staff_id, date(s.at) = date('now', 'localtime') FROM sign_in s
        JOIN member m ON m.id = s.member_id WHERE m.member_no = 'DM0001' ORDER BY s.id DESC LIMIT 1""",
    )
    assert newest == [("qr", None, 1)]  # the card's own sign-in, not a staff 补签
    assert first["offers"] == [t("staff.offer.member")]
    assert obs["member_title"] == t("staff.member.title_of", name="谢素珍")
    assert obs["offers_after"] == []  # the bar is only ever over a result


def test_a_senior_card_in_staff_mode_leaves_the_staff_idle_timer_alone(scenario):
    obs, _ = scenario("card_signs_in")
    assert obs["staff_since_after_card"] == obs["staff_since"]


def test_after_a_dismissed_result_staff_are_back_on_their_search_as_it_was(scenario):
    obs, _ = scenario("card_signs_in")
    assert obs["second"] == {"offers": [t("staff.offer.member")], "screen": "result"}
    assert obs["search_after"] == obs["search"] and obs["search"][0] == "XS" and obs["search"][1]
    assert obs["staff_after_visit"]


def test_after_a_timed_out_result_today_keeps_its_lesson_page_and_pop_up(scenario):
    obs, data_dir = scenario("card_signs_in")
    assert obs["third"] == {"offers": [t("staff.offer.member")], "pop_up_over_result": False}
    before, after = obs["today_before"], obs["today_after"]
    assert (after["chosen"], after["page"]) == (before["chosen"], before["page"])
    assert obs["pop_up_after"] and obs["offers_on_page"] == []
    assert obs["today_message"].startswith(t("staff.today.signed", name="", title="", points=0)[:2])
    assert rows(data_dir, "SELECT reason FROM sign_in WHERE method = 'staff'") == [("忘带卡",)]


def test_staff_idle_minutes_end_staff_mode_under_a_seniors_result_without_a_warning_over_it(scenario):
    obs, _ = scenario("card_while_staff_idle")
    assert not obs["warning_over_result"]
    assert obs["screen_when_out"] == "result"  # the senior's result stays
    assert obs["offers_when_out"] == [] and obs["search_left"] == ""  # staff's pages forgotten


def test_a_card_on_exports_offers_to_export_that_member_and_goes_back_with_them_chosen(scenario):
    obs, _ = scenario("card_on_exports")
    assert obs["kind"] == "ok"  # signed in all the same
    assert obs["offers"] == [t("staff.offer.export"), t("staff.offer.member")]
    assert (obs["report"], obs["member"]) == ("member", "DM0001")
    assert obs["message"] == t("staff.exports.member_chosen", name="谢素珍")
    assert obs["scale"] == 1.0  # the senior's type size went with them


def test_staff_home_warns_of_low_free_space_and_the_bureau_is_told(scenario):
    obs, data_dir = scenario("storage_low")
    assert obs["notice"].startswith(t("storage.low", free="").split("：")[0])
    assert "提醒线 1000000000 MB" in obs["notice"]
    states = [json.loads(p)["state"] for (p,) in rows(data_dir, "SELECT payload FROM outbox WHERE kind = 'device'")
              if json.loads(p)["device"] == "storage"]  # fmt: skip
    assert states == ["ok", "low"]  # at start (the upkeep thread), then the low disk
