"""The keyboard-wedge assembler: scanner bursts, slow typing, short noise (no display needed)."""

from types import SimpleNamespace

from hypothesis import given
from hypothesis import strategies as st

from devices.wedge import TYPED_PAUSE_S, Wedge

TOKEN = "YL1-DM0001-1-K3J5QX2M7RT4BW6Y"


def feed(wedge: Wedge, text: str, start: float = 100.0, gap: float = 0.008) -> float:
    """Type `text` one character every `gap` seconds; returns the time of the last key."""
    at = start
    for i, ch in enumerate(text):
        at = start + i * gap
        wedge.key(ch, at)
    return at


def strict() -> Wedge:
    return Wedge(max_key_gap_ms=60, accept_typed=False, min_length=8)


def lenient() -> Wedge:
    return Wedge(max_key_gap_ms=60, accept_typed=True, min_length=8)


def test_scanner_burst_ended_by_enter_is_one_scan():
    # A scanner types ~8 ms per key and then Enter.
    w = strict()
    last = feed(w, TOKEN)
    assert w.enter(last + 0.008) == TOKEN


def test_nothing_before_enter_is_returned_and_buffer_is_reset_after_a_scan():
    w = strict()
    last = feed(w, TOKEN)
    assert w.enter(last + 0.01) == TOKEN
    assert w.enter(last + 0.02) is None  # a second Enter has nothing to give


def test_short_input_is_ignored():
    w = lenient()
    last = feed(w, "1234567")  # min_length is 8
    assert w.enter(last + 0.01) is None


def test_whitespace_around_a_scan_is_dropped_and_does_not_count_towards_min_length():
    w = strict()
    last = feed(w, "\n  1234567  ")
    assert w.enter(last + 0.01) is None
    last = feed(w, "\r" + TOKEN + " ", start=200)
    assert w.enter(last + 0.01) == TOKEN


def test_slow_typing_is_accepted_when_accept_typed():
    # A person types one key every 0.4 s from the card sheet.
    w = lenient()
    last = feed(w, TOKEN, gap=0.4)
    assert w.enter(last + 2.0) == TOKEN


def test_slow_typing_is_dropped_when_not_accept_typed():
    w = strict()
    last = feed(w, TOKEN, gap=0.4)
    assert w.enter(last + 0.4) is None


def test_a_pause_discards_what_came_before_it_when_not_accept_typed():
    # Stray keys, a pause, then a real scan: only the scan counts.
    w = strict()
    last = feed(w, "xyz", start=10)
    last = feed(w, TOKEN, start=last + 0.5)
    assert w.enter(last + 0.008) == TOKEN


def test_enter_long_after_a_fast_burst_is_dropped_when_not_accept_typed():
    w = strict()
    last = feed(w, TOKEN)
    assert w.enter(last + 1.0) is None


def test_gap_exactly_at_the_limit_still_belongs_to_the_scan():
    w = Wedge(max_key_gap_ms=125, accept_typed=False, min_length=8)  # 0.125 s is exact in binary
    last = feed(w, TOKEN, start=0.0, gap=0.125)
    assert w.enter(last + 0.125) == TOKEN


def test_backspace_corrects_typed_input():
    w = lenient()
    last = feed(w, TOKEN[:-1] + "Q", gap=0.3)
    w.backspace(last + 0.3)
    w.key(TOKEN[-1], last + 0.6)
    assert w.enter(last + 0.9) == TOKEN


def test_from_settings_reads_the_keyboard_wedge_section():
    cfg = SimpleNamespace(max_key_gap_ms=20, accept_typed=False, min_length=3)
    w = Wedge.from_settings(SimpleNamespace(devices=SimpleNamespace(keyboard_wedge=cfg)))
    last = feed(w, "abc", gap=0.015)
    assert w.enter(last + 0.015) == "abc"
    last = feed(w, "abc", start=50, gap=0.025)  # slower than 20 ms: a person
    assert w.enter(last + 0.015) is None


printable = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=8, max_size=40)


def typed(w, text: str, gaps: list[float]) -> str | None:
    """`text` keyed with `gaps` seconds before each key, then Enter after the last gap."""
    at = 0.0
    for ch, gap in zip(text, gaps):
        at += gap
        w.key(ch, at)
    return w.enter(at + gaps[-1])


@given(printable, st.lists(st.floats(0, 0.059), min_size=41, max_size=41))
def test_any_fast_burst_comes_back_unchanged(text, gaps):
    assert typed(strict(), text, gaps) == text


@given(printable, st.lists(st.floats(0.061, 9.9), min_size=41, max_size=41))
def test_any_typed_text_comes_back_unchanged_when_accept_typed(text, gaps):
    # A person: every key more than the scanner gap apart, never pausing over TYPED_PAUSE_S.
    assert typed(lenient(), text, gaps) == text


def test_stray_keys_before_a_scanner_burst_do_not_spoil_the_scan():
    for w in (strict(), lenient()):
        w.key("j", 50.0)  # someone leaned on the keyboard a while ago
        w.key("k", 50.5)
        last = feed(w, TOKEN, start=51.0)
        assert w.enter(last + 0.008) == TOKEN


def test_a_long_pause_abandons_slow_typing_when_accept_typed():
    w = lenient()
    at = feed(w, "stray", start=10.0, gap=0.5)
    at = feed(w, TOKEN, start=at + TYPED_PAUSE_S + 1, gap=0.4)
    assert w.enter(at + 0.4) == TOKEN


def test_a_persons_keys_are_handed_over_once_the_key_gap_has_passed():
    w = lenient()
    w.key("w", 100.0)
    assert w.take_typed(100.05) == ""  # a scanner's next key could still come
    assert w.pending
    w.key("j", 100.2)  # a person types a key every 100 ms or more
    assert w.take_typed(100.3) == "wj"
    assert not w.pending
    w.key("h", 101.0)
    assert w.take_typed(101.1) == "h"
    assert w.enter(101.2) is None  # handed over: never part of a scan


def test_a_scanners_burst_is_never_handed_over_as_typing():
    w = strict()
    last = feed(w, TOKEN)
    for i in range(len(TOKEN)):  # asked after each key, as the UI's timer does
        assert w.take_typed(100.0 + i * 0.008 + 0.004) == ""
    assert w.enter(last + 0.008) == TOKEN
    assert w.take_typed(last + 1) == ""
