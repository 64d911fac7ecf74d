"""Outside opening hours: a dark screen with a dim clock that drifts, so the panel rests and
nothing burns in (I-4).  A touch wakes the kiosk; a card still signs in."""

from datetime import datetime

from kivy.app import App
from kivy.properties import NumericProperty
from kivy.uix.screenmanager import Screen

from kiosk.i18n import t
from screens import kv, present

DRIFT_MM = ((0, 0), (60, -30), (120, 20), (40, 40), (-40, -20))  # a new place every minute


class NightScreen(Screen):
    dx = NumericProperty(0)
    dy = NumericProperty(0)

    def refresh(self, now: datetime) -> None:
        app = App.get_running_app()
        dx, dy = DRIFT_MM[now.minute % len(DRIFT_MM)]
        self.dx, self.dy = app.theme.mm(dx), app.theme.mm(dy)
        self.ids.clock.text = present.clock(now)
        display = app.settings.display
        self.ids.hours.text = t("night.hours", open_from=display.open_from, open_until=display.open_until)

    def on_touch_down(self, touch) -> bool:
        App.get_running_app().go_home()
        return True


kv.load(__name__)
