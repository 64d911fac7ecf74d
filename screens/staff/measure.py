"""Column widths from what the columns hold: a staff list's name or teacher column as wide as its
widest text on the page (and no narrower than its heading's room), so that 「志愿者 小周」 is never
cut to 「志愿者 …」 while there is room beside it."""

from collections.abc import Iterable

from screens.widgets import Text


def text_width(text: str, role: str = "staff_text", bold: bool = False) -> float:
    """The width of `text` on one line, in the type it is shown in."""
    probe = Text(role=role, bold=bold)
    probe.text = text
    probe.texture_update()
    return float(probe.texture_size[0])


def column_width(
    texts: Iterable[str], least: float, most: float, role: str = "staff_text", bold: bool = False
) -> float:
    """The width of a column holding `texts`: the widest of them (with a little air), within
    [least, most]."""
    widest = max((text_width(x, role, bold) for x in texts if x), default=0.0)
    return max(least, min(most, widest + 4))
