"""The status corner: each device's health in one quiet line, for staff passing by.

Soft ink and plain words, never red: a senior reading 「身份证读卡器 未连接」 learns only to use
the QR card instead.  Staff see the time of the last read and how many faults there were.
"""

from kivy.properties import StringProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.health import Health
from screens import (
    kv,
    present,
    widgets,  # noqa: F401  (registers the widget classes the .kv uses)
)
from screens.widgets import Text


class StatusCorner(BoxLayout):
    """One line per device, in the order the devices first reported."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.lines: dict[str, Text] = {}

    def show(self, health: Health) -> None:
        line = self.lines.get(health.name)
        if line is None:
            line = self.lines[health.name] = DeviceLine()
            self.add_widget(line)
        line.text = present.device_status(health)
        line.state = health.state()


class DeviceLine(Text):
    state = StringProperty("ok")  # "ok", "silent" or "absent" (Health.state)


kv.load(__name__)
