"""The theme of theme.py as the running app uses it: sizes in pixels for this panel, colours as
Kivy rgba, and the type scaled for a senior who chose 「大字」 (Kivy properties, so the .kv rules
follow a change at once)."""

from kivy.event import EventDispatcher
from kivy.properties import NumericProperty

from screens.theme import BOX_SIZES, COLOURS, LINE_BOX_EM, LINE_HEIGHT, SIZES_MM, STATUS, TEXT_SIZES, rgba

SCALED = TEXT_SIZES + BOX_SIZES


class Theme(EventDispatcher):
    """SIZES_MM in pixels for one panel (theme.body, theme.gap ...) and COLOURS as Kivy rgba.

    The type sizes and the boxes made for them (BOX_SIZES), and each role's line height
    (theme.heading_line ...), are Kivy properties, so every .kv rule using them follows `scale`."""

    scale = NumericProperty(1.0)

    def __init__(self, px_per_mm: float):
        super().__init__()
        self.px_per_mm = px_per_mm
        for name, mm in SIZES_MM.items():
            if name in SCALED:
                self.create_property(name, self.mm(mm))
            else:
                setattr(self, name, self.mm(mm))
        for name in TEXT_SIZES:
            self.create_property(f"{name}_line", self.line(name))
        for name, colour in COLOURS.items():
            setattr(self, name, rgba(colour))
        self.line_height = LINE_HEIGHT

    def mm(self, millimetres: float) -> int:
        return round(millimetres * self.px_per_mm)

    def line(self, role: str, lines: int = 1) -> int:
        """The height of `lines` lines of `role` at the current scale: what a band holding them
        needs at least."""
        return round(lines * LINE_BOX_EM * LINE_HEIGHT * self.size(role, self.scale))

    def size(self, role: str, scale: float = 1.0) -> int:
        """The type size of `role` in pixels at `scale` (only TEXT_SIZES grow)."""
        return self.mm(SIZES_MM[role] * (scale if role in TEXT_SIZES else 1.0))

    def on_scale(self, _theme, scale: float) -> None:
        for name in SCALED:
            setattr(self, name, self.mm(SIZES_MM[name] * scale))
        for name in TEXT_SIZES:
            setattr(self, f"{name}_line", self.line(name))

    @staticmethod
    def status(kind: str) -> tuple[float, float, float, float]:
        return rgba(STATUS.get(kind, STATUS["error"]))
