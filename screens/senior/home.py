"""Home: the clock, today's lessons and activities, and 「请刷身份证或扫码签到」."""

from datetime import datetime

from kivy.clock import Clock
from kivy.properties import BooleanProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.screenmanager import Screen

from kiosk.health import Health, ways_in
from kiosk.i18n import t
from kiosk.programme import schedule
from screens import (
    kv,
    present,
    widgets,  # noqa: F401  (register the widget classes the .kv uses)
)
from screens.senior import status  # noqa: F401  (registers the widget classes the .kv uses)

ROWS = 3  # schedule rows under the prompt; more become 「另有 N 项」


# the message keys' endings for the kinds of card that can be read (kiosk.health.ways_in)
_PROMPTS = {
    frozenset({"idcard", "qr"}): "",
    frozenset({"idcard"}): "_idcard",
    frozenset({"qr"}): "_qr",
    frozenset(): "_staff",
}


class ScheduleRow(BoxLayout):
    """One lesson or activity: time, title, place."""

    filled = BooleanProperty(False)

    def show(self, item: schedule.Item | None) -> None:
        self.filled = item is not None
        self.ids.time.text = present.span(item) if item else ""
        self.ids.title.text = item.title if item else ""
        self.ids.place.text = item.place if item else ""


class HomeScreen(Screen):
    """Built once; the clock and the list are updated in place (label textures are not freed
    reliably when labels are re-created, docs/senior-ui.md §4.4)."""

    def __init__(self, site_name: str, **kwargs):
        super().__init__(**kwargs)
        self.ids.site.text = site_name
        self.rows = [ScheduleRow() for _ in range(ROWS)]
        for row in self.rows:
            self.ids.rows.add_widget(row)
        self._minute = None
        self._healths: dict[str, Health] = {}
        self.refresh()
        Clock.schedule_interval(lambda dt: self.refresh(), 1)

    def show_health(self, health: Health) -> None:
        """Ask seniors only for the cards the kiosk can read now, and for staff when none."""
        self._healths[health.name] = health
        key = _PROMPTS[ways_in(self._healths.values()) & {"idcard", "qr"}]
        self.ids.prompt.text = t(f"home.prompt{key}")
        self.ids.how.text = t(f"home.how{key}")

    def on_pre_enter(self, *_) -> None:
        self._minute = None  # the day may have changed while away: redraw all
        self.refresh()

    def refresh(self) -> None:
        """Redraw what changed since the last minute."""
        now = datetime.now()
        minute = now.replace(second=0, microsecond=0)
        if minute == self._minute:
            return
        self._minute = minute
        self.ids.clock.text = present.clock(now)
        self.ids.date.text = present.date_line(now)
        self._show_schedule(now)

    def _show_schedule(self, now: datetime) -> None:
        day = schedule.today(now)
        items = present.still_on(day, now)
        shown = items if len(items) <= ROWS else items[: ROWS - 1]
        for i, row in enumerate(self.rows):
            row.show(shown[i] if i < len(shown) else None)
        self.ids.more.text = self._note(day, items, len(shown))

    @staticmethod
    def _note(day: list, items: list, shown: int) -> str:
        if not day:
            return t("home.nothing_today")
        if not items:
            return t("home.all_done")
        return t("home.more", count=len(items) - shown) if len(items) > shown else ""


kv.load(__name__)
