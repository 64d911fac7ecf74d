"""我的积分: the balance in very large type, the year's volunteer hours beside it (when there are
any), and the passbook, five entries a page (three in 大字, so that the line of news above them
never squeezes their type); a volunteer entry says its service and hours.

「能换什么」 on the page bar turns the rows below the balance into 「我的积分能换什么」 (and
「积分明细」 back): the catalogue's items the senior can ask for today, two a page with their
「我要兑换」 (one in 大字), and greyed under them the nearest one they cannot yet, 「还差 N 分」
(L-3: two rows' buttons, the page bar's four).  「我要兑换」 asks first (screens/senior/redeem.py); the points come
off at the desk, when staff hand the item over."""

from datetime import datetime

from kivy.app import App
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.i18n import t
from kiosk.points import catalogue, passbook
from kiosk.points.catalogue import Offer
from screens import kv, present_service
from screens.senior.redeem import ConfirmRedeem
from screens.senior.service import ServiceScreen

ROWS, ROWS_LARGE = 5, 3
# Items a page that the senior can ask for, each with its button; the nearest one under them.
OFFERS, OFFERS_LARGE = 2, 1


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


class OfferRow(BoxLayout):
    """An item, its price and what is left, and 「我要兑换」; greyed with 「还差 N 分」 for the one
    the senior cannot afford yet."""

    filled = BooleanProperty(False)
    short = StringProperty("")

    def show(self, lines: present_service.OfferLines | None) -> None:
        self.filled = lines is not None
        self.ids.name.text = lines.name if lines else ""
        self.ids.price.text = lines.price if lines else ""
        self.ids.left.text = lines.left if lines else ""
        self.short = lines.short if lines else ""
        self.ids.button.text = lines.action if lines else ""
        self.ids.button.disabled = not (lines and lines.action)


class PointsScreen(ServiceScreen):
    offering = BooleanProperty(False)  # the rows show 「我的积分能换什么」, not the passbook

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.balance = 0  # for the voice: 「您的积分是 N 分」
        self.rows = [PassbookRow() for _ in range(ROWS)]
        for row in self.rows:
            self.ids.rows.add_widget(row)
        self.offer_rows = [OfferRow() for _ in range(OFFERS + 1)]
        for row in self.offer_rows:
            row.ids.button.bind(on_release=lambda _button, row=row: self._tapped(row))
            self.ids.offers.add_widget(row)
        self._offered: dict[OfferRow, Offer] = {}
        self.confirm = ConfirmRedeem()

    def identified(self, senior, news: str = "") -> None:
        self.offering = False
        super().identified(senior, news)

    def show(self, news: str = "") -> None:
        if self.offering:
            self._show_catalogue(news)
            return
        shown = self._fit_rows()
        book = passbook.passbook(self.senior.member_no, self.page, len(shown), with_opening=True)
        self.page, self.pages = book.page, book.pages
        self._head(book.balance)
        lines = [present_service.passbook_row(e) for e in book.entries]
        if book.opening:  # the last page: what the balance holds without rows, so they add up
            lines.append(present_service.opening_row(book.opening))
        self.ids.empty.text = "" if lines else t("points.empty")
        for i, row in enumerate(self.rows):
            row.show(lines[i] if i < len(lines) else None)
        self._offered = {}
        for row in self.offer_rows:  # hidden: no button of theirs may take a touch
            row.show(None)
        self.ids.bar.extra_text = t("catalogue.show") if catalogue.on_offer(datetime.now().date()) else ""
        self.frame(news)

    def switch(self) -> None:
        """「能换什么」 / 「积分明细」: the other list, from its first page."""
        self.offering = not self.offering
        self.page = 0
        self.show()

    def _head(self, balance: int) -> None:
        self.balance = balance
        self.ids.balance.text = present_service.balance(balance)
        minutes = passbook.volunteer_minutes(self.senior.member_no, datetime.now().year)
        self.ids.hours.text = present_service.volunteer_year(minutes)

    def _show_catalogue(self, news: str) -> None:
        offers = catalogue.offers(self.senior.member_no, datetime.now().date())
        self._head(offers.balance)
        rows = self._fit_offer_rows()
        per_page = len(rows) - 1  # the last row is the nearest one's
        self.pages = max(1, -(-len(offers.affordable) // per_page))
        self.page = min(self.page, self.pages - 1)
        page = list(offers.affordable[self.page * per_page : (self.page + 1) * per_page])
        shown: list[Offer | None] = [*page, offers.nearest, *[None] * (per_page - len(page))]
        self._offered = {}
        for row, offer in zip(rows, shown):
            row.show(present_service.offer_lines(offer) if offer else None)
            if offer is not None and not offer.short:
                self._offered[row] = offer
        self.ids.offers_title.text = present_service.catalogue_title(offers.held)
        # The greyed row says what is missing; only an empty catalogue needs words.
        self.ids.empty.text = "" if offers.any_valid else t("catalogue.nothing")
        self.ids.bar.extra_text = t("catalogue.passbook")
        self.frame(news)

    def _tapped(self, row: OfferRow) -> None:
        offer = self._offered.get(row)
        if offer is None or self.senior is None:
            return
        App.get_running_app().idle.touch()
        self.confirm.ask(offer, lambda: App.get_running_app().redeem(offer))

    def _fit_offer_rows(self) -> list[OfferRow]:
        """Two items with their buttons and the nearest one under them; in 大字 one, as the
        buttons keep their height and the rows' type grows."""
        shown = self.offer_rows[: OFFERS_LARGE + 1 if App.get_running_app().theme.scale > 1 else OFFERS + 1]
        box = self.ids.offers
        if len(box.children) != len(shown):
            box.clear_widgets()
            for row in shown:
                box.add_widget(row)
        for row in self.offer_rows[len(shown) :]:
            row.show(None)
        return shown

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
        self.confirm.dismiss(animation=False)
        self.offering = False
        self.balance = 0
        self.ids.balance.text = ""
        self.ids.hours.text = ""
        self.ids.empty.text = ""
        self.ids.offers_title.text = ""
        self.ids.bar.extra_text = ""
        self._offered = {}
        for row in self.rows:
            row.show(None)
        for row in self.offer_rows:
            row.show(None)


kv.load(__name__)
