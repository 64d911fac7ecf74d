"""Which font draws which character, so that rare characters in names never show as empty boxes.

The main font (SC glyph forms) draws almost everything; characters it lacks, such as some CJK
extension B-F ideographs, are drawn with the first fallback font that has them (docs/senior-ui.md T-7).
"""

import logging
import struct
from array import array
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from functools import cache

log = logging.getLogger(__name__)

# The Unicode subtables in the order fontTools' getBestCmap() prefers them: full repertoire first.
_UNICODE = ((3, 10), (0, 6), (0, 4), (3, 1), (0, 3), (0, 2), (0, 1), (0, 0))


class Coverage:
    """The code points a font has glyphs for, as sorted ranges: a CJK font's 65,000 code points
    held as a set of ints took ~6 MB of the kiosk's memory a font; its few thousand ranges, kB."""

    def __init__(self, codes: Iterable[int]):
        self._starts, self._ends = array("l"), array("l")
        for code in sorted(codes):
            if self._ends and code <= self._ends[-1] + 1:
                self._ends[-1] = max(self._ends[-1], code)
            else:
                self._starts.append(code)
                self._ends.append(code)

    def __contains__(self, code: object) -> bool:
        if not isinstance(code, int):
            return False
        i = bisect_right(self._starts, code) - 1
        return i >= 0 and code <= self._ends[i]

    def __iter__(self) -> Iterator[int]:
        for start, end in zip(self._starts, self._ends):
            yield from range(start, end + 1)

    def __len__(self) -> int:
        return sum(end - start + 1 for start, end in zip(self._starts, self._ends))


@cache
def cmap(path: str) -> Coverage:
    """The code points the font at `path` has glyphs for, read from its raw 'cmap' table (without
    fontTools, whose getBestCmap() names all 65,000 glyphs of a CJK font first: ~0.6 s a font)."""
    table = _table(path, b"cmap")
    try:
        count = struct.unpack_from(">H", table, 2)[0]
        offsets = {(p, e): o for p, e, o in struct.iter_unpack(">HHI", table[4 : 4 + 8 * count])}
        for key in _UNICODE:
            if key in offsets:
                kind = struct.unpack_from(">H", table, offsets[key])[0]
                if kind in _READERS:
                    return Coverage(_READERS[kind](table, offsets[key]))
    except struct.error as e:
        raise OSError(f"{path}: damaged cmap table ({e})") from e
    raise OSError(f"{path}: no Unicode character map of format 4 or 12")


def _table(path: str, tag: bytes) -> bytes:
    """One table of a TrueType/OpenType font, or of the first font of a collection (.ttc)."""
    with open(path, "rb") as f:
        head = f.read(12)
        at = 0
        if head[:4] == b"ttcf":  # a collection: its first font's table directory
            f.seek(12)
            (at,) = struct.unpack(">I", f.read(4))
            f.seek(at)
            head = f.read(12)
        if len(head) < 12:
            raise OSError(f"{path}: not a font")
        (tables,) = struct.unpack_from(">H", head, 4)
        f.seek(at + 12)
        directory = f.read(16 * tables)
        if len(directory) < 16 * tables:
            raise OSError(f"{path}: not a font (its table directory is cut short)")
        for name, _sum, offset, length in struct.iter_unpack(">4sIII", directory):
            if name == tag:
                f.seek(offset)
                table = f.read(length)
                if len(table) < length:
                    raise OSError(f"{path}: its {tag.decode()} table is cut short")
                return table
    raise OSError(f"{path}: no {tag.decode()} table")


def _format12(table: bytes, at: int) -> set[int]:
    groups = struct.unpack_from(">I", table, at + 12)[0]
    codes: set[int] = set()
    for first, last, glyph in struct.iter_unpack(">III", table[at + 16 : at + 16 + 12 * groups]):
        codes.update(range(first + (glyph == 0), last + 1))  # glyph 0 is .notdef: no glyph
    return codes


def _format4(table: bytes, at: int) -> set[int]:
    segments = struct.unpack_from(">H", table, at + 6)[0] // 2
    ends = struct.unpack_from(f">{segments}H", table, at + 14)
    starts = struct.unpack_from(f">{segments}H", table, at + 16 + 2 * segments)
    deltas = struct.unpack_from(f">{segments}h", table, at + 16 + 4 * segments)
    ranges_at = at + 16 + 6 * segments
    ranges = struct.unpack_from(f">{segments}H", table, ranges_at)
    codes: set[int] = set()
    for i in range(segments):
        for code in range(starts[i], min(ends[i], 0xFFFE) + 1):
            if ranges[i] == 0:
                glyph = (code + deltas[i]) & 0xFFFF
            else:
                glyph = struct.unpack_from(">H", table, ranges_at + 2 * i + ranges[i] + 2 * (code - starts[i]))[0]
                glyph = (glyph + deltas[i]) & 0xFFFF if glyph else 0
            if glyph:
                codes.add(code)
    return codes


_READERS = {12: _format12, 4: _format4}


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
