"""我的积分: the balance in very large type and the passbook, five entries a page."""

from kivy.properties import BooleanProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.i18n import t
from kiosk.points import passbook
from screens import kv, present_service
from screens.senior.service import ServiceScreen

ROWS = 5


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
        book = passbook.passbook(self.senior.member_no, self.page, ROWS, with_opening=True)
        self.page, self.pages = book.page, book.pages
        self.balance = book.balance
        self.ids.balance.text = present_service.balance(book.balance)
        lines = [present_service.passbook_row(e) for e in book.entries]
        if book.opening:  # the last page: what the balance holds without rows, so they add up
            lines.append(present_service.opening_row(book.opening))
        self.ids.empty.text = "" if lines else t("points.empty")
        for i, row in enumerate(self.rows):
            row.show(lines[i] if i < len(lines) else None)
        self.frame(news)

    def forget(self) -> None:
        super().forget()
        self.balance = 0
        self.ids.balance.text = ""
        self.ids.empty.text = ""
        for row in self.rows:
            row.show(None)


kv.load(__name__)
