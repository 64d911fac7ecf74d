"""The theme of theme.py as the running app uses it: sizes in pixels for this panel, colours as
Kivy rgba, and the type scaled for a senior who chose 「大字」 (Kivy properties, so the .kv rules
follow a change at once)."""

from kivy.event import EventDispatcher
from kivy.properties import NumericProperty

from screens.theme import COLOURS, LINE_HEIGHT, SIZES_MM, STATUS, TEXT_SIZES, rgba


class Theme(EventDispatcher):
    """SIZES_MM in pixels for one panel (theme.body, theme.gap ...) and COLOURS as Kivy rgba.

    The type sizes are Kivy properties, so every .kv rule using them follows `scale`."""

    scale = NumericProperty(1.0)

    def __init__(self, px_per_mm: float):
        super().__init__()
        self.px_per_mm = px_per_mm
        for name, mm in SIZES_MM.items():
            if name in TEXT_SIZES:
                self.create_property(name, self.mm(mm))
            else:
                setattr(self, name, self.mm(mm))
        for name, colour in COLOURS.items():
            setattr(self, name, rgba(colour))
        self.line_height = LINE_HEIGHT

    def mm(self, millimetres: float) -> int:
        return round(millimetres * self.px_per_mm)

    def size(self, role: str, scale: float = 1.0) -> int:
        """The type size of `role` in pixels at `scale` (only TEXT_SIZES grow)."""
        return self.mm(SIZES_MM[role] * (scale if role in TEXT_SIZES else 1.0))

    def on_scale(self, _theme, scale: float) -> None:
        for name in TEXT_SIZES:
            setattr(self, name, self.mm(SIZES_MM[name] * scale))

    @staticmethod
    def status(kind: str) -> tuple[float, float, float, float]:
        return rgba(STATUS.get(kind, STATUS["error"]))
