"""The theme's colours and sizes against the checklist of docs/senior-ui.md §2 (no display needed)."""

import pytest
from fontTools.ttLib import TTFont

from kiosk import config
from kiosk.checkin.signin import KINDS
from screens import theme
from screens.live_theme import Theme
from screens.widgets import GLYPHS


def test_contrast_of_known_pairs():
    # WCAG's own end points and a textbook value.
    assert theme.contrast("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert theme.contrast("#FFFFFF", "#FFFFFF") == pytest.approx(1.0)
    assert theme.contrast("#777777", "#FFFFFF") == pytest.approx(4.48, abs=0.01)
    assert theme.contrast("#0B3A66", "#FFFFFF") == theme.contrast("#FFFFFF", "#0B3A66")


@pytest.mark.parametrize("fg,bg", theme.PAIRS)
def test_every_text_and_icon_colour_pair_reaches_7_to_1(fg, bg):
    assert theme.contrast(fg, bg) >= theme.MIN_CONTRAST, (fg, bg)


def test_pairs_cover_every_named_text_colour():
    drawn = {fg for fg, _ in theme.PAIRS}
    assert {theme.INK, theme.INK_SOFT, theme.WHITE, theme.NAVY} <= drawn
    assert set(theme.STATUS.values()) <= drawn


def test_every_result_kind_has_its_own_colour():
    shown = [k for k in KINDS if k != "choose"]  # "choose" has its own screen
    assert set(shown) == set(theme.STATUS)
    assert len(set(theme.STATUS.values())) == len(theme.STATUS)


def test_sizes_meet_the_checklist_floors():
    s = theme.SIZES_MM
    assert s["body"] >= 10  # T-1
    assert all(s[k] >= 20 for k in theme.KEY_FIGURES)  # T-2
    assert min(s["button_h"], s["button_w"], s["option_h"]) >= 20  # L-1
    assert s["gap"] >= 5  # L-2


def test_sizes_in_pixels_follow_the_panel_density():
    t = Theme(4.03)
    assert t.body == 44 and t.figure == 81 and t.gap == 24
    assert Theme(8.0).body == 88


def test_large_type_grows_the_text_and_its_lines_but_not_the_clock_or_the_gaps():
    t = Theme(4.03)
    assert t.button_h == 105 and t.heading_line == 81
    t.scale = 1.25
    assert t.body == 55 and t.size("figure", t.scale) == 101
    assert t.size("clock", t.scale) == t.clock == 145 and t.gap == 24
    assert t.option_h == 222 and t.heading_line == 103 and t.line("body", 2) == 159
    assert t.button_h == 105  # set again by many rules: each grows it from the line heights
    t.scale = 1.0
    assert t.body == 44 and t.option_h == 177


def test_every_result_kind_has_a_word_and_an_icon():
    # T-5: colour is never the only signal.
    from kiosk.i18n import t as words

    shown = [k for k in KINDS if k != "choose"]
    assert len({words(f"result.{k}") for k in shown}) == len(shown)
    assert set(shown) <= set(GLYPHS)


def test_line_spacing_is_at_least_1_3_em_with_the_bundled_fonts():
    # T-3: Kivy spaces lines by the font's hhea line box times LINE_HEIGHT.
    display = config.load().display
    for path in (display.font, display.font_bold):
        with TTFont(path, lazy=True) as font:
            hhea, em = font["hhea"], font["head"].unitsPerEm
            box = (hhea.ascent - hhea.descent + hhea.lineGap) / em
        assert box * theme.LINE_HEIGHT >= theme.MIN_LINE_SPACING_EM, path
