"""The sync thread's backoff: full jitter under a doubling cap."""

import random

from kiosk.sync.worker import backoff


def test_the_cap_doubles_from_the_first_wait_up_to_the_most():
    top = lambda lo, hi: hi
    assert [backoff(n, 2.0, 600.0, top) for n in range(1, 12)] == [2, 4, 8, 16, 32, 64, 128, 256, 512, 600, 600]
    assert backoff(1, 2.0, 600.0, lambda lo, hi: lo) == 0


def test_waits_are_spread_over_the_whole_range():
    rng = random.Random(7)
    waits = [backoff(4, 2.0, 600.0, rng.uniform) for _ in range(2000)]
    assert 0 <= min(waits) < 0.5 and 15.5 < max(waits) <= 16
    assert 7 < sum(waits) / len(waits) < 9  # uniform on [0, 16]: the mean is 8
