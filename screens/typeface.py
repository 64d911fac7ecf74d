"""The kiosk's typefaces in Kivy: the SC font as Kivy's default, and rare characters in names.

Kivy draws a missing glyph as an empty box and has no fallback of its own (docs/senior-ui.md §4.3), so a
member's name is cut into runs by kiosk.fonts.FontChain and each run the main font lacks is
wrapped in markup naming the fallback font that has it (T-7).
"""

from types import SimpleNamespace

from kivy.config import Config
from kivy.core.text import DEFAULT_FONT, LabelBase
from kivy.utils import escape_markup

from kiosk.fonts import FontChain


def register(settings: SimpleNamespace) -> None:
    """Make the SC font (regular and bold) what every Label uses unless told otherwise (T-6)."""
    regular, bold = settings.display.font, settings.display.font_bold
    # Labels name DEFAULT_FONT ("Roboto"); re-registering the name swaps the files under it.
    LabelBase.register(DEFAULT_FONT, fn_regular=regular, fn_bold=bold)
    Config.set("kivy", "default_font", repr([DEFAULT_FONT, regular, regular, bold, bold]))


def markup(chain: FontChain, text: str) -> str:
    """`text` as Kivy markup (for a Label with markup=True) that draws every character it can."""
    out = []
    for font, piece in chain.runs(text):
        if font == chain.fonts[0]:
            out.append(escape_markup(piece))  # the label's own font, bold if the label is
        else:
            out.append(f"[font={font}]{escape_markup(piece)}[/font]")
    return "".join(out)
