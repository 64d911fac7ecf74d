"""The attract screen: home with nobody at it for a minute turns into slowly changing panels
(the prompt, today's timetable, the next activities, then each notice in force), shifted a
little each time so nothing stays burnt into the panel for hours (I-4).  A touch goes home; a
card signs in as usual."""

from datetime import datetime

from kivy.app import App
from kivy.clock import Clock
from kivy.properties import NumericProperty
from kivy.uix.screenmanager import Screen

from kiosk.i18n import t
from kiosk.programme import activities, notices, schedule
from kiosk.programme.notices import NoticeView
from screens import kv, present, present_service
from screens.senior.notice import announce

SLIDES = ("prompt", "today", "activities")  # then a slide of its own for each notice in force
SHIFT_MM = (0, 4, 8, 4)  # the whole panel moves this far right and down, in turn
LINES = 3


class AttractScreen(Screen):
    slide = NumericProperty(0)
    shift = NumericProperty(0)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._event = None
        self._turns = 0

    def on_pre_enter(self, *_) -> None:
        self._turns = 0
        self.show()
        seconds = App.get_running_app().settings.display.attract_rotate_s
        self._event = Clock.schedule_interval(lambda dt: self.advance(), seconds)

    def on_leave(self, *_) -> None:
        if self._event:
            self._event.cancel()
            self._event = None

    def advance(self) -> None:
        self._turns += 1
        self.show()

    def show(self) -> None:
        now = datetime.now()
        slides: list[str | NoticeView] = [*SLIDES, *notices.current(now)]
        self.slide = self._turns % len(slides)
        self.shift = App.get_running_app().theme.mm(SHIFT_MM[(self._turns // len(slides)) % len(SHIFT_MM)])
        self.ids.clock.text = present.clock(now)
        self.ids.date.text = present.date_line(now)
        shown = slides[self.slide]
        if isinstance(shown, NoticeView):
            self.ids.title.text = present.notice_heading(shown)
            lines = [shown.body, present.notice_period(shown)]
        else:
            self.ids.title.text = {
                "prompt": t("home.prompt"),
                "today": t("home.today"),
                "activities": t("attract.next_activity"),
            }[shown]
            lines = self._lines(shown, now)
        for i in range(LINES):
            self.ids[f"line{i}"].text = lines[i] if i < len(lines) else ""
        if isinstance(shown, NoticeView):
            announce(shown, now)

    @staticmethod
    def _lines(name: str, now: datetime) -> list[str]:
        if name == "prompt":
            return [t("home.how"), t("attract.touch")]
        if name == "today":
            items = present.still_on(schedule.today(now), now)
            return present.fit([present.row(i) for i in items], LINES) or [t("home.nothing_today")]
        views = activities.upcoming(now, cancelled=True)[:LINES]
        large = App.get_running_app().theme.scale > 1
        return [present_service.attract_row(v, large) for v in views] or [t("activities.none")]

    def on_touch_down(self, touch) -> bool:
        App.get_running_app().go_home()
        return True


kv.load(__name__)
