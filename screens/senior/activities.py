"""近期活动: upcoming activities; once a card is read, sign up or cancel with one big button."""

import logging
from collections.abc import Callable
from datetime import datetime

from kivy.app import App
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.i18n import t
from kiosk.programme import activities
from screens import kv, present_service
from screens.senior.service import ServiceScreen
from screens.widgets import Question

log = logging.getLogger(__name__)

ROWS = 3  # with 上一页, 下一页 and 返回首页: 6 targets at most (L-3)
ROWS_LARGE = 2  # in 「大字」 three rows no longer fit


class ActivityRow(BoxLayout):
    """Title, when and where, points and places, the senior's mark, and the one button."""

    action = StringProperty("")
    filled = BooleanProperty(False)

    def show(self, lines: present_service.ActivityLines | None) -> None:
        self.filled = lines is not None
        self.ids.title.text = lines.title if lines else ""
        self.ids.when.text = lines.when if lines else ""
        self.ids.facts.text = lines.facts if lines else ""
        self.ids.mark.text = lines.mark if lines else ""
        self.action = lines.action if lines else ""
        self.ids.button.disabled = not self.action


class ConfirmCancel(Question):
    """「取消报名吗？」 over the list, naming the activity and its time: only 「确定取消」 cancels, so
    a tremor's tap on 「取消」 undoes nothing (issue 19)."""

    question = StringProperty("")
    title = StringProperty("")
    when = StringProperty("")

    def ask(self, view: activities.ActivityView, on_yes: Callable[[], None]) -> None:
        lines = present_service.activity_lines(view, identified=False)
        self.question = present_service.cancel_question(view)
        self.title, self.when = lines.title, lines.when
        self.put(on_yes)


class ActivitiesScreen(ServiceScreen):
    """Shows the list at once; a card read here identifies the senior for signing up."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.rows = [ActivityRow() for _ in range(ROWS)]
        for row in self.rows:
            row.ids.button.bind(on_release=lambda _button, row=row: self._tapped(row))
            self.ids.rows.add_widget(row)
        self._shown: dict[ActivityRow, activities.ActivityView] = {}
        self.confirm = ConfirmCancel()
        # The hint 「刷卡后可以报名或取消」 is long and the title 近期活动 short: in 大字 an even
        # split of the header cut the hint with …
        self.ids.header.ids.who.size_hint_x = 3

    def on_pre_enter(self, *_) -> None:
        self.show()

    def show(self, news: str = "") -> None:
        """The current page; `news` is what the last tap did, in its fixed band, and a turn of the
        page (news "") clears it, as it was about another page's row."""
        views = activities.upcoming(datetime.now(), self.senior.member_no if self.senior else None)
        shown = self.page_of(views, self.rows, ROWS_LARGE)
        self._shown = {}
        for i, row in enumerate(self.rows):
            view = shown[i] if i < len(shown) else None
            row.show(present_service.activity_lines(view, self.senior is not None) if view else None)
            row.opacity = 1 if view else 0
            if view:
                self._shown[row] = view
        self.ids.empty.text = "" if views else t("activities.none")
        self.ids.news.text = news
        if self.senior:
            self.frame(news)
        else:
            self._bar()  # anyone may page through the list

    def _tapped(self, row: ActivityRow) -> None:
        view = self._shown.get(row)
        if view is None or self.senior is None:
            return
        app = App.get_running_app()
        if view.status:  # 取消报名 / 取消候补: ask first
            self.confirm.ask(view, lambda: app.change_activity(view))
        else:
            app.change_activity(view)

    def forget(self) -> None:
        super().forget()
        self.confirm.dismiss(animation=False)
        self._shown = {}
        for row in self.rows:
            row.show(None)
        self.ids.empty.text = ""


kv.load(__name__)
