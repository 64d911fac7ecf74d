"""The kiosk's typefaces in Kivy: the SC font as Kivy's default, and rare characters everywhere.

Kivy draws a missing glyph as an empty box and has no fallback of its own (docs/senior-ui.md §4.3).
Every text widget of the kiosk is a `Fallback` label: whenever its text holds a character its own
font lacks, the text is cut into runs by kiosk.fonts.FontChain and each run the font lacks is
drawn through markup naming the fallback font that has it (T-7), so no screen can forget it.
"""

import re
from types import SimpleNamespace

from kivy.config import Config
from kivy.core.text import DEFAULT_FONT, LabelBase
from kivy.core.text import Label as CoreLabel
from kivy.core.text.markup import MarkupLabel as CoreMarkupLabel
from kivy.resources import resource_find
from kivy.utils import escape_markup, get_hex_from_color

from kiosk.fonts import FontChain

_chain: FontChain | None = None
_TAG = re.compile(r"(\[[^\]]*\])")  # a markup tag; literal brackets in markup are &bl; &br;


def register(settings: SimpleNamespace) -> None:
    """Make the SC font (regular and bold) what every Label uses unless told otherwise (T-6), and
    its fallbacks what every Fallback label draws the rest with (T-7)."""
    global _chain
    regular, bold = settings.display.font, settings.display.font_bold
    # Labels name DEFAULT_FONT ("Roboto"); re-registering the name swaps the files under it.
    LabelBase.register(DEFAULT_FONT, fn_regular=regular, fn_bold=bold)
    Config.set("kivy", "default_font", repr([DEFAULT_FONT, regular, regular, bold, bold]))
    _chain = FontChain(regular, settings.display.fallback_fonts)


def markup(fonts: FontChain, text: str, main: str | None = None) -> str:
    """Plain `text` as Kivy markup that draws every character it can: runs that `main` (the
    label's own font, by default the chain's main font) lacks are wrapped in their fallback."""
    out = []
    for font, piece in fonts.runs(text, main):
        if font == (main or fonts.fonts[0]):
            out.append(escape_markup(piece))  # the label's own font, bold if the label is
        else:
            out.append(f"[font={font}]{escape_markup(piece)}[/font]")
    return "".join(out)


def _unescape(piece: str) -> str:
    return piece.replace("&bl;", "[").replace("&br;", "]").replace("&amp;", "&")


def with_fallbacks(fonts: FontChain, text: str, main: str, is_markup: bool) -> str | None:
    """The markup that draws `text` (plain, or markup already) with `main` and, where it lacks a
    character, the fallbacks; None when `main` draws all of it."""
    if fonts.covers(main, _TAG.sub("", text) if is_markup else text):
        return None
    if not is_markup:
        return markup(fonts, text, main)
    return "".join(p if _TAG.fullmatch(p) else markup(fonts, _unescape(p), main) for p in _TAG.split(text))


def font_file(font_name: str, bold: bool) -> str | None:
    """The file Kivy draws a label's font_name with (a registered name or a path), if any."""
    faces = LabelBase._fonts.get(font_name)
    return faces[2 if bold else 0] if faces else resource_find(font_name)


class Fallback:
    """A Label whose characters are all drawn: the fallback fonts take over, through markup of the
    label's own, wherever its font lacks a character (bold labels too: Kivy emboldens the face)."""

    def texture_update(self, *largs) -> None:
        shown = self._with_fallbacks()
        self._core(markup=self.markup or bool(shown))
        if not shown:
            super().texture_update(*largs)
            return
        # Label.texture_update's markup branch, with the text that has the fallbacks in it.
        colour = get_hex_from_color(self.disabled_color if self.disabled else self.color)
        self._label.text = f"[color={colour}]{shown.strip() if self.strip else shown}[/color]"
        self._label.refresh()
        self.texture = self._label.texture
        if self.texture is not None:
            self.texture_size = list(self.texture.size)
        self.is_shortened = self._label.is_shortened

    def _with_fallbacks(self) -> str | None:
        font = font_file(self.font_name, self.bold)
        if _chain is None or not self.text or font is None:
            return None
        return with_fallbacks(_chain, self.text, font, self.markup)

    def _core(self, markup: bool) -> None:
        """The core label kind the text needs, made anew (with every option) when it changes."""
        cls = CoreMarkupLabel if markup else CoreLabel
        if self._label.__class__ is cls:
            return
        options = {x: getattr(self, x) for x in self._font_properties}
        options["usersize"] = self.text_size
        if self.disabled:
            options["color"] = self.disabled_color
            options["outline_color"] = self.disabled_outline_color
        self._label = cls(**options)
