"""The few pieces every screen is made of: text, buttons, coloured panels, the result icon and
the screen that goes home by itself."""

from collections.abc import Callable

from kivy.app import App
from kivy.clock import Clock
from kivy.graphics import Color, Ellipse, InstructionGroup, Line
from kivy.properties import BooleanProperty, ColorProperty, NumericProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label
from kivy.uix.modalview import ModalView
from kivy.uix.screenmanager import Screen
from kivy.uix.widget import Widget

from screens import kv
from screens.typeface import Fallback


class TimedScreen(Screen):
    """A senior screen that goes back home by itself, and forgets its timer when left (I-1, I-2)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._timer = None

    def home_after(self, seconds: float) -> None:
        """(Re)start the way home."""
        self.stop_timer()
        self._timer = Clock.schedule_once(lambda dt: App.get_running_app().go_home(), seconds)

    def stop_timer(self) -> None:
        if self._timer:
            self._timer.cancel()
            self._timer = None


class Question(ModalView):
    """A yes-or-no question over a senior's screen: only the yes answer acts, a stray tap nothing."""

    def put(self, on_yes: Callable[[], None]) -> None:
        self._on_yes = on_yes
        self.open(animation=False)

    def answer(self, yes: bool) -> None:
        self.dismiss(animation=False)
        if yes:
            self._on_yes()


class Text(Fallback, Label):
    """Any text: the SC font, ink on paper, lines at least 1.3 em apart (T-3, see theme.py).

    Its size is named by `role` (body, heading, figure ... in theme.SIZES_MM), not set as
    font_size: a rule binding font_size to a theme size stays bound under a later rule that sets
    it again, and would win whenever the type is scaled for 「大字」."""

    role = StringProperty("body")


class BoxText(Text):
    """Text aligned inside the box its layout gives it."""


class FlowText(Text):
    """Text that wraps to its width and is as tall as its lines; takes no room when empty."""


class NewsLine(FlowText):
    """A line of news over a senior's screen (good news, what a tap did) on a soft yellow band: one
    line, cut with … where the type size leaves no room (the presenter puts what matters first)."""


class LineText(FlowText):
    """One line that ends in … rather than wrap, where the screen has no room for more lines."""


class Panel(BoxLayout):
    """A box with a solid background colour."""

    bg = ColorProperty((1, 1, 1, 1))


class KioskButton(ButtonBehavior, Fallback, Label):
    """A big solid button.  ButtonBehavior fires on release, and not at all when the finger slides
    off first (always_release is False): a trembling press does not act twice (F-5)."""

    role = StringProperty("heading")  # its type size, as Text.role
    bg = ColorProperty((0, 0, 0, 1))
    bg_down = ColorProperty((0, 0, 0, 1))  # while pressed: the finger sees it was taken (F-1)


class LightButton(KioskButton):
    """A big button for a dark background."""


class OutlineButton(LightButton):
    """A white button with a navy edge, for the paper background: a plain white one would melt
    into the page and read as text (issue 19, the home screen's 「工作人员」)."""


class ChoiceButton(KioskButton):
    """One of a pair of choices (普通字 / 大字): the chosen one is filled navy, edged thick and
    ticked, the other white with a thin edge, so the state never rests on colour alone (T-5)."""

    chosen = BooleanProperty(False)
    edge = NumericProperty(1)  # the outline's width: thicker when chosen


class OptionButton(ButtonBehavior, BoxLayout):
    """One choice on the choice screen: a title and, below it, time and place."""

    title = StringProperty("")
    detail = StringProperty("")


class StatusIcon(Widget):
    """A white disc with a glyph for a result kind, drawn with lines so no font can lack it (T-5)."""

    kind = StringProperty("ok")
    colour = ColorProperty((0, 0, 0, 1))
    stroke = NumericProperty(20)

    def __init__(self, **kwargs):
        self._glyph = InstructionGroup()
        super().__init__(**kwargs)
        self.canvas.after.add(self._glyph)
        self.bind(kind=self._draw, colour=self._draw, stroke=self._draw, pos=self._draw, size=self._draw)

    def _draw(self, *_) -> None:
        self._glyph.clear()
        self._glyph.add(Color(rgba=self.colour))
        size = min(self.width, self.height)
        x0, y0 = self.center_x - size / 2, self.center_y - size / 2
        for shape in GLYPHS.get(self.kind, GLYPHS["error"]):
            self._glyph.add(_instruction(shape, x0, y0, size, self.stroke))


def _instruction(shape: tuple, x0: float, y0: float, size: float, stroke: float):
    """One shape of a glyph in unit coordinates (0..1, origin bottom left) on the icon's square."""
    kind, *args = shape
    if kind == "dot":
        cx, cy, r = args
        return Ellipse(pos=(x0 + (cx - r) * size, y0 + (cy - r) * size), size=(2 * r * size,) * 2)
    if kind == "arc":
        cx, cy, r, start, end = args
        return Line(circle=(x0 + cx * size, y0 + cy * size, r * size, start, end), width=stroke / 2, cap="round")
    points = [v * size + (x0 if i % 2 == 0 else y0) for i, v in enumerate(args[0])]
    return Line(points=points, width=stroke / 2, cap="round", joint="round", close=kind == "loop")


# Glyphs per result kind as ("line" | "loop", [x, y, ...]), ("dot", cx, cy, r) or
# ("arc", cx, cy, r, start°, end°) with angles clockwise from 12 o'clock (Kivy's Line circle).
GLYPHS = {
    "ok": [("line", [0.27, 0.51, 0.43, 0.35, 0.74, 0.66])],  # ✓
    "already": [
        ("line", [0.17, 0.51, 0.31, 0.37, 0.58, 0.64]),  # ✓✓
        ("line", [0.43, 0.37, 0.70, 0.64]),
    ],
    "not_due": [
        ("arc", 0.5, 0.5, 0.29, 0, 360),  # a clock
        ("line", [0.5, 0.68, 0.5, 0.5, 0.63, 0.42]),
    ],
    "not_enrolled": [("dot", 0.5, 0.73, 0.065), ("line", [0.5, 0.56, 0.5, 0.27])],  # i
    "unknown_card": [
        ("arc", 0.5, 0.61, 0.14, -90, 150),  # ?
        ("line", [0.57, 0.49, 0.5, 0.43, 0.5, 0.38]),
        ("dot", 0.5, 0.25, 0.055),
    ],
    "invalid_card": [("line", [0.31, 0.31, 0.69, 0.69]), ("line", [0.31, 0.69, 0.69, 0.31])],  # ✗
    "expired_card": [("loop", [0.33, 0.74, 0.67, 0.74, 0.33, 0.26, 0.67, 0.26])],  # an hourglass
    "error": [("line", [0.5, 0.73, 0.5, 0.42]), ("dot", 0.5, 0.27, 0.065)],  # !
}

kv.load(__name__)
