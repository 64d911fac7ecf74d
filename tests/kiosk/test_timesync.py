"""kiosk/timesync.py: the kernel's word on the clock, a flag file instead, and what the bureau's
clock adds to it."""

import pytest

from kiosk import timesync


def test_the_kernel_is_asked_without_privilege_and_answers_yes_or_no():
    # adjtimex(2) with no change asked needs no privilege; here a container, so either answer.
    assert timesync.kernel_synchronised() in (True, False)
    assert timesync.synchronised("") == timesync.kernel_synchronised()


def test_a_flag_file_says_it_when_settings_name_one(tmp_path):
    flag = tmp_path / "synchronized"
    assert not timesync.synchronised(str(flag))
    flag.touch()
    assert timesync.synchronised(str(flag))


@pytest.mark.parametrize(
    "synchronised, offset_ms, state",
    [
        (True, None, "ok"),
        (True, 2_000, "ok"),
        (True, -61_000, "off"),  # synchronised, yet the bureau's clock differs: staff must look
        (False, -5 * 86_400_000, "off"),
        (False, 1_500, "unchecked"),
        (False, None, "unknown"),
    ],
)
def test_the_clock_check_combines_both(synchronised, offset_ms, state):
    assert timesync.ClockCheck(synchronised, offset_ms).state == state
