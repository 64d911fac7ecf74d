"""When nobody is at the kiosk: the way home from a senior's screen, the attract screen, and the
opening hours (docs/senior-ui.md I-2, I-4).  Plain Python with the clock passed in, so it is tested by
moving a fake clock rather than by waiting.
"""

from datetime import datetime, time


class IdleTimer:
    """Seconds since the last touch or read, against a timeout with a warning before it.

    state(now) is "active", then "warning" from `timeout - warning` seconds, then "expired".
    touch() starts again; a senior may ask for more time as often as they like (I-2: ≥ 10)."""

    def __init__(self, timeout_s: float, warning_s: float, now: float):
        self.timeout_s = timeout_s
        self.warning_s = warning_s
        self.since = now

    def touch(self, now: float) -> None:
        self.since = now

    def idle(self, now: float) -> float:
        return now - self.since

    def state(self, now: float) -> str:
        idle = self.idle(now)
        if idle >= self.timeout_s:
            return "expired"
        if idle >= self.timeout_s - self.warning_s:
            return "warning"
        return "active"

    def left(self, now: float) -> int:
        """Whole seconds until expiry, for the prompt's countdown."""
        return max(0, int(self.timeout_s - self.idle(now) + 0.999))


def is_open(now: datetime, open_from: str, open_until: str) -> bool:
    """Whether `now` falls in the opening hours "HH:MM"-"HH:MM"; a range past midnight wraps."""
    start, end, t = _hm(open_from), _hm(open_until), now.time()
    if start == end:
        return True  # open round the clock
    if start < end:
        return start <= t < end
    return t >= start or t < end


def _hm(text: str) -> time:
    h, m = text.split(":")
    return time(int(h), int(m))
