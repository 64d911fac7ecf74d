"""The idle timer and the opening hours, on a fake clock."""

from datetime import datetime

import pytest

from screens.support.idle import IdleTimer, is_open


def test_idle_goes_active_warning_expired_at_70_and_90_seconds():
    timer = IdleTimer(timeout_s=90, warning_s=20, now=1000.0)
    assert timer.state(1000.0 + 69.9) == "active"
    assert timer.state(1000.0 + 70) == "warning"
    assert timer.left(1000.0 + 70) == 20
    assert timer.state(1000.0 + 89.9) == "warning"
    assert timer.state(1000.0 + 90) == "expired"
    assert timer.left(1000.0 + 95) == 0


def test_a_touch_starts_again_as_often_as_asked():
    timer = IdleTimer(timeout_s=90, warning_s=20, now=0.0)
    now = 0.0
    for _ in range(12):  # I-2: at least 10 extensions
        now += 75
        assert timer.state(now) == "warning"
        timer.touch(now)
        assert timer.state(now) == "active"
    assert timer.state(now + 90) == "expired"


@pytest.mark.parametrize(
    "at,hours,expected",
    [
        ("07:29", ("07:30", "21:00"), False),
        ("07:30", ("07:30", "21:00"), True),
        ("20:59", ("07:30", "21:00"), True),
        ("21:00", ("07:30", "21:00"), False),
        ("23:00", ("18:00", "02:00"), True),  # an evening center open past midnight
        ("01:59", ("18:00", "02:00"), True),
        ("02:00", ("18:00", "02:00"), False),
        ("12:00", ("18:00", "02:00"), False),
        ("03:00", ("00:00", "00:00"), True),  # round the clock
    ],
)
def test_opening_hours(at, hours, expected):
    h, m = map(int, at.split(":"))
    assert is_open(datetime(2026, 11, 21, h, m), *hours) is expected
