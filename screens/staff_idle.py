"""The warning before staff mode logs out by itself (senior-ui I-5: 2 minutes, 20 s warning)."""
from pathlib import Path

from kivy.lang import Builder
from kivy.properties import StringProperty
from kivy.uix.modalview import ModalView

from kiosk.i18n import t
from screens import staff  # noqa: F401  (registers the widget classes the .kv uses)


class StaffIdlePrompt(ModalView):
    countdown = StringProperty("")

    def ask(self, seconds_left: int) -> None:
        self.countdown = t("staff.idle_warning", seconds=seconds_left)
        if not self._is_open:
            self.open(animation=False)

    @property
    def showing(self) -> bool:
        return self._is_open

    def close(self) -> None:
        if self._is_open:
            self.dismiss(animation=False)


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
