"""我的积分: the balance in very large type, the year's volunteer hours beside it (when there are
any), and the passbook, five entries a page (three in 大字, so that the line of news above them
never squeezes their type); a volunteer entry says its service and hours."""

from datetime import datetime

from kivy.app import App
from kivy.properties import BooleanProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.i18n import t
from kiosk.points import passbook
from screens import kv, present_service
from screens.senior.service import ServiceScreen

ROWS, ROWS_LARGE = 5, 3


class PassbookRow(BoxLayout):
    """Date, what for, ± points."""

    gain = BooleanProperty(False)
    filled = BooleanProperty(False)

    def show(self, row: present_service.Row | None) -> None:
        self.filled = row is not None
        self.ids.date.text = row.date if row else ""
        self.ids.what.text = row.what if row else ""
        self.ids.amount.text = row.amount if row else ""
        self.gain = bool(row and row.gain)


class PointsScreen(ServiceScreen):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.balance = 0  # for the voice: 「您的积分是 N 分」
        self.rows = [PassbookRow() for _ in range(ROWS)]
        for row in self.rows:
            self.ids.rows.add_widget(row)

    def show(self, news: str = "") -> None:
        shown = self._fit_rows()
        book = passbook.passbook(self.senior.member_no, self.page, len(shown), with_opening=True)
        self.page, self.pages = book.page, book.pages
        self.balance = book.balance
        self.ids.balance.text = present_service.balance(book.balance)
        minutes = passbook.volunteer_minutes(self.senior.member_no, datetime.now().year)
        self.ids.hours.text = present_service.volunteer_year(minutes)
        lines = [present_service.passbook_row(e) for e in book.entries]
        if book.opening:  # the last page: what the balance holds without rows, so they add up
            lines.append(present_service.opening_row(book.opening))
        self.ids.empty.text = "" if lines else t("points.empty")
        for i, row in enumerate(self.rows):
            row.show(lines[i] if i < len(lines) else None)
        self.frame(news)

    def _fit_rows(self) -> list[PassbookRow]:
        """The rows of a page at the senior's type size (fixed for a visit, so pages stay whole)."""
        shown = self.rows[: ROWS_LARGE if App.get_running_app().theme.scale > 1 else ROWS]
        box = self.ids.rows
        if len(box.children) != len(shown):
            box.clear_widgets()
            for row in shown:
                box.add_widget(row)
        return shown

    def forget(self) -> None:
        super().forget()
        self.balance = 0
        self.ids.balance.text = ""
        self.ids.hours.text = ""
        self.ids.empty.text = ""
        for row in self.rows:
            row.show(None)


kv.load(__name__)
