"""The real app under a real Kivy window (Xvfb): scans, choices, repeats, kiosk mode."""

import sqlite3
from pathlib import Path

from kiosk.i18n import t
from kiosk.identity.ids import mask_name
from screens.app import DEMO_TOP_UP_S
from tests.kiosk.conftest import write_site_file
from tests.screens.conftest import run_harness

MEMBER_NAME = "谢素珍"  # DM0001 in config/demo/site.toml


def signins(data_dir: Path, member_no: str) -> list[tuple]:
    """The member's sign-ins made while the test ran (the demo's history is older than that)."""
    with sqlite3.connect(data_dir / "kiosk.db") as db:
        return db.execute(
            "SELECT s.method, s.kiosk_id, s.lesson_id, s.activity_id FROM sign_in s "
            "JOIN member m ON m.id = s.member_id WHERE m.member_no = ? "
            "AND s.at >= datetime('now', 'localtime', '-10 minutes')",
            (member_no,),
        ).fetchall()


# The three scan tests check one run of the scenario (module-scoped `scenario`): a fresh kiosk
# process each would cost a Kivy start and a demo load for the same frames.


def test_wedge_scan_signs_in_and_shows_the_result(scenario):
    # A scanner types a demo member's card token and Enter into the window.
    obs, data_dir = scenario("scan")
    assert obs["finished"]
    assert obs["screen"] == "result" and obs["kind"] == "ok"
    assert obs["word"] == t("result.ok") == "签到成功"
    assert obs["name"] == mask_name(MEMBER_NAME) == "谢*珍"
    assert obs["figure"].startswith("积分 +")
    rows = signins(data_dir, "DM0001")
    assert len(rows) == 1 and rows[0][0] == "qr" and rows[0][2] is not None


def test_scan_is_acknowledged_on_screen_before_the_result(scenario):
    # F-1: 「正在识别…」 is set at once and drawn in a frame of its own, then the result.
    obs, _ = scenario("scan")
    assert obs["ack_at_once"]
    after = obs["frames"][obs["frames_before_scan"] :]
    first_ack = next(i for i, f in enumerate(after) if f["reading"])
    assert first_ack == 0, "the frame right after the scan shows the acknowledgement"
    assert any(f["screen"] == "result" and not f["reading"] for f in after[first_ack + 1 :])


def test_start_logs_home_screen_ready_once(scenario):
    _, data_dir = scenario("scan")
    log = (data_dir / "logs" / "kiosk.log").read_text(encoding="utf-8")
    assert [line for line in log.splitlines() if "home screen ready" in line and " INFO " in line]
    assert log.count("home screen ready") == 1


def test_real_key_presses_reach_the_wedge(run_scenario):
    # The whole path: X server key events -> SDL -> Kivy's Window -> devices.wedge -> check-in.
    obs, data_dir = run_scenario("scan_real_keys")
    assert obs["kind"] == "ok" and obs["name"] == "谢*珍"
    assert len(signins(data_dir, "DM0001")) == 1


def test_a_repeated_read_neither_re_renders_nor_restarts_the_timer(run_scenario):
    obs, data_dir = run_scenario("repeat")
    assert obs["finished"] and obs["screen"] == "result"
    assert obs["heading_after"] == "SENTINEL"
    assert obs["timer_after"] == obs["timer_before"]
    assert len(signins(data_dir, "DM0001")) == 1


def test_a_second_read_says_already_and_asks_before_signing_in_to_the_other_item(run_scenario):
    obs, data_dir = run_scenario("ask_more")
    lesson, activity = obs["options"]
    assert obs["asked"]["kind"] == "already" and obs["heading"] == lesson  # what they signed in to
    assert obs["asked"]["figure"] == t("result.ask.one", title=activity) and obs["asked"]["asking"]
    assert obs["yes_visible"] and obs["no_text"] == t("result.ask.no")
    # Nothing was signed in silently by the second read; the yes did it.
    assert obs["signins_after_yes"] == obs["signins_before_yes"] + 1
    assert obs["after_yes"] == {"kind": "ok", "heading": activity} and not obs["asking_after_yes"]
    assert obs["third"] == {"kind": "already", "asking": False, "home": t("screen.home_button")}
    rows = signins(data_dir, "DM0001")
    assert len(rows) == 2 and sum(r[3] is not None for r in rows) == 1


def test_choice_screen_signs_in_to_the_option_tapped(run_scenario):
    obs, data_dir = run_scenario("choose")
    assert len(obs["options"]) == 2 and "重阳健步行" in obs["options"]
    tapped = obs["options"][1]
    assert obs["kind"] == "ok" and obs["heading"] == tapped
    rows = signins(data_dir, "DM0001")
    assert len(rows) == 1
    assert (rows[0][3] is not None) == (tapped == "重阳健步行")


def test_buttons_fire_on_release_and_not_when_the_finger_slides_off(run_scenario):
    obs, _ = run_scenario("slide_off")
    assert obs["after_slide"] == "result"
    assert obs["after_tap"] == "home"


def test_escape_does_not_close_the_app_in_kiosk_mode(run_scenario):
    obs, _ = run_scenario("escape", kiosk=True)
    assert obs.get("alive") and obs["finished"], "the app stopped"
    assert obs["close_refused"] is True
    assert obs["config"] == {"exit_on_escape": "0", "fullscreen": "auto", "borderless": "1", "show_cursor": "0"}


def test_kivys_own_keys_do_nothing_at_a_real_site_in_kiosk_mode(tmp_path):
    # A USB keyboard, or a scanner programmed for function keys, at a real site's kiosk.
    obs, _ = run_harness("kivy_keys", tmp_path, kiosk=True, config=write_site_file(tmp_path))
    assert obs.get("alive") and obs["finished"], "the app stopped"
    assert obs["after_f1"] == obs["after"] == obs["before"]
    assert obs["before"]["children"] == ["FloatLayout"] and obs["before"]["screen"] == "home"
    assert obs["modules"] == [] and obs["use_kivy_settings"] is False
    log = (tmp_path / "data" / "logs" / "kiosk.log").read_text(encoding="utf-8")
    assert "settings panel refused" not in log  # F1 never even asked for it


def test_outside_kiosk_mode_f1_opens_kivys_settings_panel(tmp_path):
    # What kiosk mode prevents: the same keys on a developer's window.
    obs, _ = run_harness("kivy_keys", tmp_path, kiosk=False, config=write_site_file(tmp_path))
    assert obs["finished"]
    assert obs["after_f1"]["children"] == ["SettingsWithSpinner", "FloatLayout"]


def test_the_status_corner_tells_staff_when_the_clock_is_far_off(run_scenario):
    obs, _ = run_scenario("clock_off")
    warning = t("device.clock_fast", amount=t("device.days", n=1825))
    assert obs["ahead"] == obs["before"] + [warning]
    assert obs["right"] == obs["before"] and len(obs["before"]) == 2  # the two simulated devices


def test_the_status_corner_tells_staff_while_the_voice_cannot_play(run_scenario):
    obs, data_dir = run_scenario("voice_fails")
    assert obs["finished"]
    assert obs["failing"] == obs["before"] + [t("device.voice_failing")]
    assert obs["after"] == obs["before"]
    log = (data_dir / "logs" / "kiosk.log").read_text(encoding="utf-8")
    assert log.count("voice: cannot start the player") == 1


def test_a_demo_left_running_keeps_something_due(run_scenario):
    obs, data_dir = run_scenario("demo_top_up")
    assert obs["top_up_every_s"] == [DEMO_TOP_UP_S]
    assert obs["kind"] == "ok" and obs["name"] == "谢*珍"
    assert len(signins(data_dir, "DM0001")) == 1
