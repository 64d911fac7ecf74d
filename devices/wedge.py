"""Keyboard-wedge scanners: keystrokes in, one scanned text out when Enter arrives.

A USB QR scanner in keyboard mode "types" the code a few milliseconds per character and ends with
Enter (docs/idcard-reader.md §2.2).  Keystrokes closer together than `max_key_gap_ms` belong to
one scan.  With `accept_typed`, input typed slowly by a person and ended by Enter counts too (the
demo, where a tester types a token from the card sheet); without it, a pause longer than the gap
means a person is typing, and what came before the pause is dropped.  Either way a fast burst
that makes a whole scan wins over stray keys pressed before it, and a pause of more than
TYPED_PAUSE_S abandons what was typed before it.

A page that takes typing (the staff search) gets a person's keys as well: once no key has come
for `max_key_gap_ms`, no scanner is typing, and take_typed() hands over what is there, taken out
of what a scan would be made of.  A scanner's burst ends with Enter within that time, so it is
never handed over.

Plain Python and no Kivy: the UI feeds it characters with their times (time.monotonic()).
"""

from types import SimpleNamespace

TYPED_PAUSE_S = 10.0


class Wedge:
    """Assembles keystrokes into scans."""

    def __init__(self, max_key_gap_ms: int, accept_typed: bool, min_length: int):
        self.max_gap = max_key_gap_ms / 1000
        self.accept_typed = accept_typed
        self.min_length = min_length
        self._chars: list[str] = []
        self._last: float | None = None
        self._burst = 0  # where the latest run of fast keystrokes began

    @classmethod
    def from_settings(cls, settings: SimpleNamespace) -> "Wedge":
        cfg = settings.devices.keyboard_wedge
        return cls(cfg.max_key_gap_ms, cfg.accept_typed, cfg.min_length)

    def key(self, text: str, at: float) -> None:
        """Characters of one key press (usually one), typed at time `at` in seconds."""
        if self._too_slow(at):
            self._chars.clear()
        if self._last is None or at - self._last > self.max_gap:
            self._burst = len(self._chars)
        self._chars.extend(text)
        self._last = at

    def backspace(self, at: float) -> None:
        """A person typing by hand corrects a mistake."""
        if self._too_slow(at):
            self._chars.clear()
        elif self._chars:
            self._chars.pop()
        self._burst = min(self._burst, len(self._chars))
        self._last = at

    @property
    def pending(self) -> bool:
        """Keys are waiting for Enter or for take_typed()."""
        return bool(self._chars)

    def take_typed(self, at: float) -> str:
        """The keys a person typed, once `at` is more than the key gap after the last key (a
        scanner would have sent its next key or Enter by then): removed, so they never become a
        scan.  '' while a burst may still be coming."""
        if self._last is None or at - self._last <= self.max_gap:
            return ""
        text = "".join(self._chars)
        self._chars.clear()
        self._burst = 0
        return text

    def enter(self, at: float) -> str | None:
        """The end of a scan: its text, or None when the input is too short or was typed too slowly."""
        slow = self._too_slow(at)
        burst = "".join(self._chars[self._burst :]).strip()
        text = burst if len(burst) >= self.min_length else "".join(self._chars).strip()
        self._chars.clear()
        self._last = None
        self._burst = 0
        if slow or len(text) < self.min_length:
            return None
        return text

    def _too_slow(self, at: float) -> bool:
        # Only a scanner is fast; a pause means a person, who counts only with accept_typed.
        if self._last is None:
            return False
        return at - self._last > (TYPED_PAUSE_S if self.accept_typed else self.max_gap)
