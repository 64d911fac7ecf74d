"""近期活动: upcoming activities; once a card is read, sign up or cancel with one big button."""

import logging
from datetime import datetime

from kivy.app import App
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.i18n import t
from kiosk.programme import activities
from screens import kv, present_service
from screens.senior.service import ServiceScreen

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


class ActivitiesScreen(ServiceScreen):
    """Shows the list at once; a card read here identifies the senior for signing up."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.rows = [ActivityRow() for _ in range(ROWS)]
        for row in self.rows:
            row.ids.button.bind(on_release=lambda _button, row=row: self._tapped(row))
            self.ids.rows.add_widget(row)
        self._shown: dict[ActivityRow, activities.ActivityView] = {}

    def on_pre_enter(self, *_) -> None:
        self.show()

    def show(self, news: str = "") -> None:
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
        if self.senior:
            self.frame(news)
        else:
            self._bar()  # anyone may page through the list

    def _tapped(self, row: ActivityRow) -> None:
        view = self._shown.get(row)
        if view is not None and self.senior is not None:
            App.get_running_app().change_activity(view)

    def forget(self) -> None:
        super().forget()
        self._shown = {}
        for row in self.rows:
            row.show(None)
        self.ids.empty.text = ""


kv.load(__name__)
