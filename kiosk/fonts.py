"""Which font draws which character, so that rare characters in names never show as empty boxes.

The main font (SC glyph forms) draws almost everything; characters it lacks, such as some CJK
extension B-F ideographs, are drawn with the first fallback font that has them (docs/senior-ui.md T-7).
"""

import logging
from functools import cache

from fontTools.ttLib import TTFont

log = logging.getLogger(__name__)


@cache
def cmap(path: str) -> frozenset[int]:
    """The code points the font at `path` has glyphs for."""
    with TTFont(path, lazy=True, fontNumber=0) as font:
        return frozenset(font.getBestCmap())


class FontChain:
    """The main font and its fallbacks, in order."""

    def __init__(self, main: str, fallbacks: list[str]):
        self.fonts = [main]
        for path in fallbacks:
            try:
                cmap(path)
                self.fonts.append(path)
            except OSError as e:
                log.warning("fallback font %s not usable: %s", path, e)

    def font_for(self, char: str, main: str | None = None) -> str | None:
        """The first font with a glyph for `char`, or None when no font has it; `main` stands in
        for the chain's main font (a bold face of it, say)."""
        main = main or self.fonts[0]
        if char.isspace():
            return main
        return next((f for f in (main, *self.fonts[1:]) if ord(char) in cmap(f)), None)

    @staticmethod
    def covers(font: str, text: str) -> bool:
        """Whether `font` alone has a glyph for every character of `text` (spaces aside)."""
        have = cmap(font)
        return all(ord(ch) in have or ch.isspace() for ch in text)

    def runs(self, text: str, main: str | None = None) -> list[tuple[str, str]]:
        """`text` cut into (font, piece) runs, `main` (by default the chain's main font) first;
        a character no font has stays with the main font."""
        main = main or self.fonts[0]
        out: list[tuple[str, str]] = []
        for ch in text:
            font = self.font_for(ch, main)
            if font is None:
                log.warning("no font has a glyph for U+%04X", ord(ch))
                font = main
            if out and out[-1][0] == font:
                out[-1] = (font, out[-1][1] + ch)
            else:
                out.append((font, ch))
        return out

    def missing(self, text: str) -> list[str]:
        """Characters of `text` that no font in the chain can draw."""
        return [ch for ch in text if self.font_for(ch) is None]
