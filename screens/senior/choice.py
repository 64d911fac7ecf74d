"""Choice: several things are due, so the senior picks one with a big button."""

import logging

from kivy.app import App

from kiosk.checkin.signin import Result
from kiosk.programme.schedule import Item
from screens import kv, present
from screens.widgets import OptionButton, TimedScreen

log = logging.getLogger(__name__)

# With 「返回」 4 targets, within docs/senior-ui.md L-3 (at most 6 a screen).  More are rarely due at once,
# and a second read offers whatever is still left.
OPTIONS = 3
IDLE_S = 90  # back home when nobody chooses (docs/senior-ui.md I-2)


class ChoiceScreen(TimedScreen):
    """Built once with OPTIONS buttons; the unused ones are hidden."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.buttons = [OptionButton(on_release=self._picked) for _ in range(OPTIONS)]
        for button in self.buttons:
            self.ids.options.add_widget(button)
        self.member_no = ""
        self.method = ""
        self._items: dict[OptionButton, Item] = {}

    def show(self, result: Result, method: str) -> None:
        """Offer the options of a "choose" Result read with `method` (qr, idcard ...)."""
        if len(result.options) > OPTIONS:
            log.warning("%d options due, showing the first %d", len(result.options), OPTIONS)
        self.member_no, self.method = result.member_no, method
        self.ids.name.text = result.display_name
        self._items = dict(zip(self.buttons, result.options))
        for button in self.buttons:
            self._show_option(button, self._items.get(button))
        self.home_after(IDLE_S)

    def on_leave(self, *_) -> None:
        # Nothing personal stays in the widgets once the senior has gone (I-3).
        self.stop_timer()
        self.ids.name.text = ""
        self.member_no = ""
        self._items = {}
        for button in self.buttons:
            self._show_option(button, None)

    @staticmethod
    def _show_option(button: OptionButton, item: Item | None) -> None:
        button.title = item.title if item else ""
        button.detail = present.when_where(item) if item else ""
        button.opacity = 1 if item else 0
        button.disabled = item is None

    def _picked(self, button: OptionButton) -> None:
        item = self._items.get(button)
        if item is not None:
            App.get_running_app().choose(self.member_no, item, self.method)


kv.load(__name__)
