"""Home: the clock, today's lessons and activities, and 「请刷身份证或扫码签到」."""

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

from kivy.app import App
from kivy.clock import Clock
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.screenmanager import Screen

from kiosk.health import Health, ways_in
from kiosk.i18n import t
from kiosk.programme import notices, schedule
from screens import (
    kv,
    present,
    widgets,  # noqa: F401  (register the widget classes the .kv uses)
)
from screens.senior import status  # noqa: F401  (registers the widget classes the .kv uses)
from screens.senior.notice import announce

NOTICE_TURN_S = 10  # several notices in force: each shown this long in turn

ROWS = 3  # at most, under the prompt; fewer when 「大字」 leaves less room

# the message keys' endings for the kinds of card that can be read (kiosk.health.ways_in)
_PROMPTS = {
    frozenset({"idcard", "qr"}): "",
    frozenset({"idcard"}): "_idcard",
    frozenset({"qr"}): "_qr",
    frozenset(): "_staff",
}


class ScheduleRow(BoxLayout):
    """One lesson or activity: time, title, place."""

    def show(self, item: schedule.Item) -> None:
        self.ids.time.text = present.span(item)
        self.ids.title.text = item.title
        self.ids.place.text = item.place


class HomeScreen(Screen):
    """Built once; the clock and the list are updated in place (label textures are not freed
    reliably when labels are re-created, docs/senior-ui.md §4.4)."""

    def __init__(self, site_name: str, late: Callable[[], timedelta], **kwargs):
        super().__init__(**kwargs)
        self.ids.site.text = site_name
        self.late = late  # how long after its start a lesson can still be signed in to
        self.rows = [ScheduleRow() for _ in range(ROWS)]  # reused: never re-created
        self._board: tuple = ()
        self._minute = None
        self._healths: dict[str, Health] = {}
        self._notices: list[notices.NoticeView] = []
        self._notice_key: str | None = None
        self.refresh()
        Clock.schedule_interval(lambda dt: self.refresh(), 1)
        self.ids.board.bind(height=lambda *_: self._show_board())

    def show_health(self, health: Health) -> None:
        """A device's state in the status corner, and a prompt that asks seniors only for the
        cards the kiosk can read now (for staff when none)."""
        self.ids.status.show(health)
        self._healths[health.name] = health
        key = _PROMPTS[ways_in(self._healths.values()) & {"idcard", "qr"}]
        self.ids.prompt.text = t(f"home.prompt{key}")
        self.ids.how.text = t(f"home.how{key}")

    def on_pre_enter(self, *_) -> None:
        self._minute = None  # the day may have changed while away: redraw all
        self.refresh()

    def refresh(self) -> None:
        """Redraw what changed since the last minute; turn to the next notice when it is time."""
        now = datetime.now()
        minute = now.replace(second=0, microsecond=0)
        if minute != self._minute:
            self._minute = minute
            self.ids.clock.text = present.clock(now)
            self.ids.date.text = present.date_line(now)
            self._show_schedule(now)
            self._notices = notices.current(now)
        self._show_notice(now)

    def _show_notice(self, now: datetime) -> None:
        """The notice whose turn it is in the band (updated only when it changes), announced by
        the voice the first time it shows while home is the screen seniors see."""
        shown = self._notices[int(now.timestamp() // NOTICE_TURN_S) % len(self._notices)] if self._notices else None
        key = shown.key if shown else None
        if key != self._notice_key:
            self._notice_key = key
            self.ids.notice.show(shown)
        if shown is not None and self.manager is not None and self.manager.current == self.name:
            announce(shown, now)
            self._notices = [replace(n, spoken=True) if n.key == shown.key else n for n in self._notices]

    def _show_schedule(self, now: datetime) -> None:
        day = schedule.today(now)
        self._board = (day, schedule.coming_up(day, now, self.late()), now)
        self._show_board()

    def _show_board(self) -> None:
        """As many rows as the room under the heading holds (fewer at 「大字」), no blank ones."""
        if not self._board:
            return
        day, items, now = self._board
        board = self.ids.board
        more = self.ids.more
        rows, with_note = present.board_rows(board.height, self.rows[0].height, App.get_running_app().theme.body_line)
        shown = items[: min(ROWS, rows)]
        for row in self.rows:
            if row.parent:
                board.remove_widget(row)
        for row, item in reversed(list(zip(self.rows, shown))):
            row.show(item)
            board.add_widget(row, index=len(board.children))  # above the ones added before
        more.text = _note(day, items, len(shown), now) if with_note or not shown else ""


def _note(day: list, items: list, shown: int, now: datetime) -> str:
    """The line under the rows: why there are none, or how many more come later today."""
    if not day:
        return t("home.nothing_today")
    if len(items) > shown:
        return t("home.more_later", count=len(items) - shown)
    if items:
        return ""
    return t("home.all_done") if all(i.end <= now for i in day) else t("home.all_begun")


kv.load(__name__)
