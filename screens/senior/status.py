"""The status corner: each device's health in one quiet line, for staff passing by.

Soft ink and plain words, never red: a senior reading 「身份证读卡器 未连接」 learns only to use
the QR card instead.  Staff see the time of the last read and how many faults there were.
"""

from kivy.properties import StringProperty
from kivy.uix.stacklayout import StackLayout

from kiosk.health import Health
from screens import (
    kv,
    present,
    widgets,  # noqa: F401  (registers the widget classes the .kv uses)
)
from screens.widgets import Text


class StatusCorner(StackLayout):
    """One phrase per device, in the order the devices first reported, then one for each other
    trouble staff should know of (the clock far off, the voice not playing): side by side from
    the right edge, on a second line only when they do not fit, so the corner stays as low as the
    staff button beside it.

    The StackLayout places its children last first, right to left: the first device is
    children[-1]'s left neighbour and the notes, from children[0], come last."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.lines: dict[str, Text] = {}
        self.notes: dict[str, Text] = {}  # after the devices, in the order first shown

    def show_note(self, name: str, text: str) -> None:
        """The trouble `name`'s line; "" takes it away."""
        note = self.notes.get(name)
        if note is None:
            note = self.notes[name] = DeviceLine()
        note.text = text
        if text and note.parent is None:
            self.add_widget(note, index=0)
        elif not text and note.parent is self:
            self.remove_widget(note)

    def show(self, health: Health) -> None:
        line = self.lines.get(health.name)
        if line is None:
            line = self.lines[health.name] = DeviceLine()
            self.add_widget(line, index=len(self.children))  # placed first: right of the older ones
        line.text = present.device_status(health)
        line.state = health.state()


class DeviceLine(Text):
    state = StringProperty("ok")  # "ok", "silent" or "absent" (Health.state)


kv.load(__name__)
