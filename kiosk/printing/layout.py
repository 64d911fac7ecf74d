"""A slip laid out for the paper: lines of text as wide as the printer's line, and the card's QR
code, as plain data the driver (devices/printer.py) turns into ESC/POS bytes.

A 58 mm printer prints 32 columns of its 12×24-dot font across 384 dots, an 80 mm one 48 across
576: a Chinese character takes two columns, a digit or a Latin letter one, and a double-size
line (the title, the name) half as many characters.  Lines are cut at the width here, so the
printer never wraps them on its own (it would cut a character's two bytes apart on some models).
"""

import unicodedata
from dataclasses import dataclass

from kiosk.i18n import t
from kiosk.printing.slips import Slip

# Paper width in mm -> (columns of the standard font, dots across).
PAPER = {58: (32, 384), 80: (48, 576)}
LEFT, CENTER = "left", "center"


@dataclass(frozen=True)
class Text:
    """One printed line."""

    text: str
    align: str = LEFT
    bold: bool = False
    big: bool = False  # double width and height (the name)
    tall: bool = False  # double height only (the title: a whole line's characters still fit)


@dataclass(frozen=True)
class Qr:
    data: str
    module: int = 6  # dots a module: a 30-character card's code is about 2.5 cm square


@dataclass(frozen=True)
class Page:
    """What one slip prints, top to bottom; the driver feeds and cuts after it."""

    columns: int
    dots: int
    blocks: tuple[Text | Qr, ...]

    def text(self) -> str:
        """The page as plain text (logs, the demo)."""
        return "\n".join(b.text if isinstance(b, Text) else f"[QR {b.data}]" for b in self.blocks)


def columns(text: str) -> int:
    """Columns `text` takes in the standard font: two for a wide (CJK) character, one else."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def wrap(text: str, width: int) -> list[str]:
    """`text` cut into lines of at most `width` columns (never inside a character)."""
    lines, line, used = [], "", 0
    for ch in text:
        w = columns(ch)
        if used + w > width and line:
            lines.append(line)
            line, used = "", 0
        line += ch
        used += w
    return [*lines, line] if line or not lines else lines


def lay_out(slip: Slip, width_mm: int) -> Page:
    """The slip on paper `width_mm` wide: title, site, name, member no, each course (course, when,
    room, status), the note, when it was printed, and the member card's QR code."""
    cols, dots = PAPER[width_mm]
    rule = Text("-" * cols)
    blocks: list[Text | Qr] = []

    def add(text: str, align: str = LEFT, bold: bool = False, big: bool = False, tall: bool = False) -> None:
        for piece in wrap(text, cols // 2 if big else cols):
            blocks.append(Text(piece, align, bold, big, tall))

    add(slip.title, CENTER, bold=True, tall=True)
    add(slip.site, CENTER)
    blocks.append(rule)
    add(t("printing.name", name=slip.name), bold=True, big=True)
    add(t("printing.member_no", member_no=slip.member_no))
    for line in slip.lines:
        blocks.append(rule)
        add(line.course, bold=True)
        add(t("printing.when", when=line.when))
        add(t("printing.room", room=line.room))
        add(t("printing.status", status=line.status), bold=True)
    blocks.append(rule)
    if slip.note:
        add(slip.note)
    add(t("printing.printed_at", time=f"{slip.printed_at:%Y-%m-%d %H:%M}"))
    if slip.card:
        blocks.append(Qr(slip.card))
        add(t("printing.card"), CENTER)
    return Page(cols, dots, tuple(blocks))
