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


@pytest.mark.parametrize("face", ["font", "fallback"])
def test_the_character_map_is_the_one_fonttools_reads(face):
    # Read from the raw table (format 12 here); fontTools names every glyph first and is slow.
    from fontTools.ttLib import TTFont

    s = config.load()
    path = s.display.font if face == "font" else s.display.fallback_fonts[0]
    with TTFont(path, lazy=True) as font:
        assert set(fonts.cmap(path)) == set(font.getBestCmap())


def tiny_font(tmp_path):
    """A font with a format 4 map only: segments by delta and by glyph index array, and a code
    mapped to glyph 0 (no glyph)."""
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    names = [".notdef", "A", "B", "wang"]
    builder = FontBuilder(1000, isTTF=True)
    builder.setupGlyphOrder(names)
    builder.setupCharacterMap({0x41: "A", 0x42: "B", 0x44: "A", 0x738B: "wang", 0x43: ".notdef"})
    builder.setupGlyf({n: TTGlyphPen(None).glyph() for n in names})
    builder.setupHorizontalMetrics(dict.fromkeys(names, (500, 0)))
    builder.setupHorizontalHeader()
    builder.setupPost()
    builder.setupMaxp()
    path = tmp_path / "tiny.ttf"
    builder.save(str(path))
    return path


def test_a_font_with_only_a_basic_plane_map_is_read(tmp_path):
    assert set(fonts.cmap(str(tiny_font(tmp_path)))) == {0x41, 0x42, 0x44, 0x738B}


def test_the_first_font_of_a_collection_is_read(tmp_path):
    from fontTools.ttLib import TTCollection, TTFont

    collection = TTCollection()
    collection.fonts = [TTFont(str(tiny_font(tmp_path)))]
    path = tmp_path / "tiny.ttc"
    collection.save(str(path))
    assert set(fonts.cmap(str(path))) == {0x41, 0x42, 0x44, 0x738B}


def test_a_file_that_is_no_font_is_refused(tmp_path):
    path = tmp_path / "garbage.ttf"
    path.write_bytes(b"\x00\x01\x00\x00\x00\x05" + bytes(6))
    with pytest.raises(OSError, match="cut short"):
        fonts.cmap(str(path))
    path.write_bytes(b"\x00\x01\x00\x00\x00\x01" + bytes(6) + b"glyf" + bytes(12))
    with pytest.raises(OSError, match="no cmap table"):
        fonts.cmap(str(path))
    path.write_bytes(b"abc")
    with pytest.raises(OSError, match="not a font"):
        fonts.cmap(str(path))


def test_the_coverage_answers_as_a_set_would():
    codes = {0x41, 0x42, 0x43, 0x45, 0x4E00, 0x4E01, 0x20000}
    coverage = fonts.Coverage(codes)
    assert set(coverage) == codes and len(coverage) == len(codes)
    assert [c in coverage for c in (0x40, 0x43, 0x44, 0x4E01, 0x4E02, 0x20000, "A")] == [
        False,
        True,
        False,
        True,
        False,
        True,
        False,
    ]


@pytest.mark.parametrize("face", ["font", "font_bold"])
def test_the_shipped_cff_faces_have_no_subroutines(face):
    # FreeType keeps a CFF font's subroutines in memory for each size a face is opened at (~1.8 MB
    # a size for Noto Sans CJK): the shipped faces have them written out into the glyphs.
    from fontTools.ttLib import TTFont

    with TTFont(getattr(config.load().display, face), lazy=True) as font:
        cff = font["CFF "].cff
        top = cff.topDictIndex[0]
        assert len(cff.GlobalSubrs) == 0
        assert [len(getattr(fd.Private, "Subrs", None) or ()) for fd in top.FDArray] == [0] * len(top.FDArray)
        assert font["maxp"].numGlyphs == 65_535
