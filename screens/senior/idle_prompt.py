"""「还需要更多时间吗？」: asked 20 s before a senior's screen goes home by itself (I-2).

A pop-up with one big 「继续」 at the bottom centre (L-5).  Going home, not the pop-up, clears
the senior's data."""

from kivy.properties import StringProperty
from kivy.uix.modalview import ModalView

from kiosk.i18n import t
from screens import (
    kv,
    widgets,  # noqa: F401  (registers the widget classes the .kv uses)
)


class MoreTimePrompt(ModalView):
    countdown = StringProperty("")
    countdown_key = "idle.left"  # the line under the question, with the seconds left

    def ask(self, seconds_left: int) -> None:
        self.countdown = t(self.countdown_key, seconds=seconds_left)
        if not self._is_open:
            self.open(animation=False)

    @property
    def showing(self) -> bool:
        return self._is_open

    def close(self) -> None:
        if self._is_open:
            self.dismiss(animation=False)


kv.load(__name__)
