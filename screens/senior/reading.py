"""「正在识别…」: shown over any screen the moment a card is read, before the decision (F-1).

An overlay, not a screen: a repeated read must leave the screen below, its texts and its timer,
exactly as they were.
"""

from kivy.properties import BooleanProperty
from kivy.uix.floatlayout import FloatLayout

from screens import (
    kv,
    widgets,  # noqa: F401  (registers the widget classes the .kv uses)
)


class ReadingOverlay(FloatLayout):
    showing = BooleanProperty(False)

    def on_touch_down(self, touch) -> bool:
        # While showing, the screen below must not take taps meant for the result to come.
        return self.showing

    def on_touch_move(self, touch) -> bool:
        return self.showing

    def on_touch_up(self, touch) -> bool:
        return self.showing


kv.load(__name__)
