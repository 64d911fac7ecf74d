"""The staff page 设备与系统检查 in the real app (Xvfb) with real taps: the devices are the running
kiosk's own, the slow checks come back from their thread, a bureau that does not answer is red
with what to do, and the reader pulled out, then put back, follows 「重新检查」
(tests/screens/scenarios_staff_doctor.py)."""

import pytest

from kiosk.i18n import t


@pytest.fixture(scope="module")
def seen(scenario):
    obs, _ = scenario("doctor_page")
    return obs


def test_the_quick_lines_show_at_once_and_the_slow_ones_say_they_are_being_checked(seen):
    opened = seen["opened"]
    assert opened["checking"] and opened["headline"] == t("doctor.checking")
    assert "database" not in opened["lines"] and "bureau" not in opened["lines"]
    names = [row[0] for row in opened["rows"]]
    assert t("doctor.name.settings") in names  # the demo's settings: a warning, shown first
    assert "idcard" in opened["lines"] and "clock" in opened["lines"]


def test_once_checked_problems_come_first_red_with_what_to_do(seen):
    checked = seen["checked"]
    lines = checked["lines"]
    assert not checked["checking"] and lines["database"][0] == "ok" and lines["idcard"][0] == "ok"
    state, detail, fix = lines["bureau"]
    assert state == "fail" and "127.0.0.1" in detail and fix == t("doctor.bureau.down_fix")
    problems = sum(1 for state, _, _ in lines.values() if state != "ok")
    assert checked["headline"] == t("doctor.problems", count=problems) and checked["state"] == "fail"
    rows = checked["rows"]
    marks = [row[1] for row in rows]
    assert marks == sorted(marks, key=lambda mark: mark == t("doctor.ok_mark"))  # problems first
    bureau = next(row for row in rows if row[0] == t("doctor.name.bureau"))
    assert bureau[1] == t("doctor.fail_mark") and bureau[4] == "unknown_card"  # red
    assert bureau[3] == t("doctor.fix", fix=t("doctor.bureau.down_fix"))


def test_the_reader_pulled_out_is_red_and_green_again_once_back(seen):
    assert seen["checking_after_tap"] == [True, True]
    state, detail, fix = seen["unplugged"]["lines"]["idcard"]
    assert state == "fail" and fix == t("doctor.device.absent_fix") and "/dev/idcard" in detail
    reader = next(row for row in seen["unplugged"]["rows"] if row[0] == t("doctor.name.idcard"))
    assert reader[1] == t("doctor.fail_mark")
    assert seen["replugged"]["lines"]["idcard"][0] == "ok"


def test_logging_out_leaves_no_line_behind(seen):
    assert seen["rows_after_logout"] == 0
