"""报名选课: the open season's courses as large cards, a few at a time (3, 2 in 「大字」), each with
「报名」 or 「取消报名」; a first page of category buttons when there are more than 6 courses
(docs/design.md §4.8, §8.2).  Reached from the result of a card read during an open season
(「报名选课」), or from a card read here.  The senior's birth date (an ID card's) stays in the
app's memory for this visit only (KioskApp.applicant)."""

import logging

from kivy.app import App
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.enrolment import seasons
from kiosk.enrolment.seasons import CourseCard
from kiosk.i18n import t
from screens import kv, present_enrol, present_service
from screens.senior.activities import ConfirmCancel
from screens.senior.service import ServiceScreen

log = logging.getLogger(__name__)

ROWS = 3  # with 上一页, 下一页 and the way back: 6 targets at most (L-3)
ROWS_LARGE = 2


class EnrolRow(BoxLayout):
    """A course card: title and mark, teacher and time, room, places and ages, and one button."""

    action = StringProperty("")
    filled = BooleanProperty(False)

    def show(self, lines: present_enrol.CardLines | None) -> None:
        self.filled = lines is not None
        self.ids.title.text = lines.title if lines else ""
        self.ids.mark.text = lines.mark if lines else ""
        self.ids.when.text = lines.when if lines else ""
        self.ids.where.text = lines.where if lines else ""
        self.action = lines.action if lines else ""
        self.ids.button.disabled = not self.action


class ConfirmWithdraw(ConfirmCancel):
    """「取消报名吗？」 over the course cards, naming the course and its time: only 「确定取消」
    withdraws, so a tremor's tap on 「取消报名」 undoes nothing (as on 近期活动, issue 19)."""

    def ask(self, card: CourseCard, on_yes) -> None:
        self.question, self.title, self.when = present_enrol.withdraw_question(card)
        self.put(on_yes)


class EnrolScreen(ServiceScreen):
    category = StringProperty("")  # the category picked, "" on the category page (or without one)
    picking = BooleanProperty(False)  # the category page is shown

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.rows = [EnrolRow() for _ in range(ROWS)]
        for row in self.rows:
            row.ids.button.bind(on_release=lambda _b, row=row: self._tapped(row))
            self.ids.rows.add_widget(row)
        self.kinds = [self.ids[f"kind{i}"] for i in range(ROWS)]
        for button in self.kinds:
            button.bind(on_release=lambda b: self.pick(b.category))
        self._shown: dict[EnrolRow, CourseCard] = {}
        self.season_key = ""
        self.confirm = ConfirmWithdraw()

    def identified(self, senior, news: str = "") -> None:
        self.category = ""
        super().identified(senior, news)

    def show(self, news: str = "") -> None:
        app = App.get_running_app()
        season = seasons.open_season(app.now())
        self.season_key = season.key if season else ""
        cards = seasons.cards(self.season_key, app.applicant, app.settings.site.code) if season else []
        kinds = seasons.categories(cards)
        applied = sum(1 for c in cards if c.applied)
        self.picking = bool(kinds) and not self.category
        if self.picking:
            counts = {k: sum(1 for c in cards if c.category == k) for k in kinds}
            self.pages = max(1, -(-len(kinds) // len(self.kinds)))  # three a page, 大字 too: one line each
            self.page = min(self.page, self.pages - 1)
            shown_kinds = kinds[self.page * len(self.kinds) : (self.page + 1) * len(self.kinds)]
            for i, button in enumerate(self.kinds):
                k = shown_kinds[i] if i < len(shown_kinds) else ""
                button.category = k
                button.text = present_enrol.category_text(k, counts[k]) if k else ""
                button.disabled = not k
            self._fill([])
        else:
            if self.category:
                cards = [c for c in cards if c.category == self.category]
            self._fill(self.page_of(cards, self.rows, ROWS_LARGE))
            for button in self.kinds:
                button.category, button.text, button.disabled = "", "", True
        self.ids.empty.text = "" if cards else t("season.none")
        self.ids.news.text = news or (present_enrol.season_line(season, applied) if season else t("season.done_closed"))
        self.ids.header.who = present_enrol.who(self.senior.name, app.proxy) if self.senior else ""
        self._bar()

    def _bar(self) -> None:
        self.ids.bar.page_text = present_service.page(self.page, self.pages)

    def _fill(self, shown: list[CourseCard]) -> None:
        self._shown = {}
        for i, row in enumerate(self.rows):
            card = shown[i] if i < len(shown) else None
            row.show(present_enrol.card_lines(card) if card else None)
            row.opacity = 1 if card else 0
            if card:
                self._shown[row] = card

    def pick(self, category: str) -> None:
        if not category:
            return
        App.get_running_app().idle.touch()
        self.category, self.page = category, 0
        self.show()

    def back(self) -> None:
        """「选类别」 from a category's courses; 返回首页 from anywhere else."""
        app = App.get_running_app()
        if self.category:
            app.idle.touch()
            self.category, self.page = "", 0
            self.show()
        else:
            app.go_home()

    def _tapped(self, row: EnrolRow) -> None:
        card = self._shown.get(row)
        if card is None or self.senior is None:
            return
        app = App.get_running_app()
        if card.applied:  # 取消报名: ask first
            app.idle.touch()
            self.confirm.ask(card, lambda: app.change_application(card))
        else:
            app.change_application(card)

    def forget(self) -> None:
        super().forget()
        self.confirm.dismiss(animation=False)
        self.category, self.picking, self._shown, self.season_key = "", False, {}, ""
        for row in self.rows:
            row.show(None)
        for button in self.kinds:
            button.category, button.text, button.disabled = "", "", True
        self.ids.empty.text = ""


kv.load(__name__)
