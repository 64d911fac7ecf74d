"""Result: one screen for every kind of Result, each with its own colour, icon and words (T-5)."""

from kivy.app import App
from kivy.properties import BooleanProperty, StringProperty

from kiosk.checkin.signin import Result
from screens import kv, present
from screens.widgets import TimedScreen


class ResultScreen(TimedScreen):
    """Shows a Result until the senior taps 「返回首页」 or the time is up (I-1)."""

    _more: Result | None = None  # an "already" Result asking about the other items due

    kind = StringProperty("ok")
    asking = BooleanProperty(False)  # another item is due: 「要签到」/「不用了」 instead of 返回首页
    offer = BooleanProperty(False)  # an enrolment season is open: 「报名选课」 beside 返回首页

    def show(self, result: Result, timeout_s: float, news: str = "", offer: bool = False) -> None:
        """Render `result` with any good news for the senior, and (re)start the way home."""
        view = present.result_view(result, large=App.get_running_app().theme.scale > 1)
        self.kind = view.kind
        self.ids.word.text = view.word
        self.ids.name.text = view.name
        self.ids.heading.text = view.heading
        for i, label in enumerate(self._lines()):
            label.text = view.lines[i] if i < len(view.lines) else ""
        self.ids.figure.text = view.ask or view.figure
        self.ids.figure.role = "heading" if view.ask else "figure"  # a question, not a key figure
        self.ids.news.text = news
        self._more = result if view.ask else None
        self.asking = bool(view.ask)
        self.offer = offer and not self.asking
        self.home_after(timeout_s)

    def sign_in_more(self) -> None:
        """「要签到」: the one other item is signed in to, or the senior picks among several."""
        if self._more is not None:
            App.get_running_app().sign_in_more(self._more)
        elif self.offer:
            App.get_running_app().open_enrol()

    def on_leave(self, *_) -> None:
        # Nothing personal stays in the widgets once the senior has gone (I-3).
        self.stop_timer()
        self._more, self.asking, self.offer = None, False, False
        for label in (self.ids.name, self.ids.heading, self.ids.figure, self.ids.news, *self._lines()):
            label.text = ""

    def _lines(self) -> list:
        return [self.ids[f"line{i}"] for i in range(present.RESULT_LINES)]


kv.load(__name__)
