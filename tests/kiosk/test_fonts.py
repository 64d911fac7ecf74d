"""Font fallback: a rare character in a name is drawn by the first font that has it."""

import logging

import pytest

from kiosk import config, fonts


@pytest.fixture
def chain():
    s = config.load()
    return fonts.FontChain(s.display.font, s.display.fallback_fonts), s


def test_rare_character_falls_back(chain):
    chain, s = chain
    main, fallback = s.display.font, s.display.fallback_fonts[0]
    assert chain.runs("龚𪚥 王") == [(main, "龚"), (fallback, "𪚥"), (main, " 王")]
    assert chain.missing("龚𪚥王𠮷祥") == []


def test_a_bold_label_runs_from_the_bold_face_then_the_fallbacks(chain):
    chain, s = chain
    bold, fallback = s.display.font_bold, s.display.fallback_fonts[0]
    assert chain.runs("龚𪚥", main=bold) == [(bold, "龚"), (fallback, "𪚥")]
    assert not fonts.FontChain.covers(bold, "龚𪚥") and fonts.FontChain.covers(bold, "王 𠮷祥")


def test_a_character_no_font_has_is_reported_and_kept_with_the_main_font(chain, caplog):
    chain, s = chain
    with caplog.at_level(logging.WARNING):
        assert chain.runs("王\U000f0000") == [(s.display.font, "王\U000f0000")]
    assert chain.missing("王\U000f0000") == ["\U000f0000"]
    assert "U+F0000" in caplog.text


def test_unusable_fallback_font_is_skipped(tmp_path, caplog):
    s = config.load()
    with caplog.at_level(logging.WARNING):
        chain = fonts.FontChain(s.display.font, [str(tmp_path / "missing.ttf")] + s.display.fallback_fonts)
    assert chain.fonts == [s.display.font] + s.display.fallback_fonts
    assert "missing.ttf" in caplog.text
