"""Result: one screen for every kind of Result, each with its own colour, icon and words (T-5)."""

from kivy.properties import StringProperty

from kiosk.checkin.signin import Result
from screens import kv, present
from screens.widgets import TimedScreen


class ResultScreen(TimedScreen):
    """Shows a Result until the senior taps 「返回首页」 or the time is up (I-1)."""

    kind = StringProperty("ok")

    def show(self, result: Result, timeout_s: float, news: str = "") -> None:
        """Render `result` with any good news for the senior, and (re)start the way home."""
        view = present.result_view(result)
        self.kind = view.kind
        self.ids.word.text = view.word
        self.ids.name.text = view.name
        self.ids.heading.text = view.heading
        for i, label in enumerate(self._lines()):
            label.text = view.lines[i] if i < len(view.lines) else ""
        self.ids.figure.text = view.figure
        self.ids.news.text = news
        self.home_after(timeout_s)

    def on_leave(self, *_) -> None:
        # Nothing personal stays in the widgets once the senior has gone (I-3).
        self.stop_timer()
        for label in (self.ids.name, self.ids.heading, self.ids.figure, self.ids.news, *self._lines()):
            label.text = ""

    def _lines(self) -> list:
        return [self.ids[f"line{i}"] for i in range(present.RESULT_LINES)]


kv.load(__name__)
