"""The frame of the seniors' own screens (我的积分, 近期活动, 我的课程, 大字与声音): a header with
the title and, once a card is read, the senior's name; a prompt to read a card until then; a
line for news; and a bar with 上一页 / 下一页 / 返回首页.  Paging, never scrolling (L-3)."""

from kivy.app import App
from kivy.properties import NumericProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.screenmanager import Screen

from kiosk.checkin.visit import Senior
from screens import (
    kv,
    present_service,
    widgets,  # noqa: F401  (registers the widget classes the .kv uses)
)
from screens.widgets import Panel


class ServiceScreen(Screen):
    """Subclasses set `service` and draw the senior's data in show(); forget() blanks it all."""

    service = StringProperty("")
    senior = ObjectProperty(None, allownone=True)
    page = NumericProperty(0)
    pages = NumericProperty(1)

    def identified(self, senior: Senior, news: str = "") -> None:
        """A card was read here: show this senior's data from the first page."""
        self.senior = senior
        self.page = 0
        self.show(news)

    def turn(self, step: int) -> None:
        self.page = max(0, min(self.pages - 1, self.page + step))
        self.show()

    def show(self, news: str = "") -> None:
        raise NotImplementedError

    def page_of(self, views: list, rows: list, large_rows: int) -> list:
        """The views of the current page: as many as `rows`, fewer in large type, where the rows
        left over take no room."""
        per_page = len(rows) if App.get_running_app().theme.scale == 1 else large_rows
        for i, row in enumerate(rows):
            row.size_hint_y = 1 if i < per_page else None
            row.height = 0
        self.pages = max(1, -(-len(views) // per_page))
        self.page = min(self.page, self.pages - 1)
        return views[self.page * per_page : (self.page + 1) * per_page]

    def forget(self) -> None:
        """Blank every personal datum in the widgets, not just the screen (I-3)."""
        self.senior = None
        self.page, self.pages = 0, 1
        self.ids.news.text = ""
        self.ids.header.who = ""
        self._bar()

    def on_leave(self, *_) -> None:
        self.forget()

    def frame(self, news: str = "") -> None:
        """The header, news line and page bar for the current senior and page."""
        self.ids.header.who = self.senior.name
        if news:
            self.ids.news.text = news
        self._bar()

    def _bar(self) -> None:
        bar = self.ids.bar
        bar.page, bar.pages = self.page, self.pages
        bar.page_text = present_service.page(self.page, self.pages)


class ServiceHeader(Panel):
    title = StringProperty("")
    who = StringProperty("")  # the senior's (masked) name, once a card is read
    hint = StringProperty("")  # shown until then


class PageBar(BoxLayout):
    """上一页 / 下一页 (shown only when there is such a page) and 返回首页; a screen may add one
    button of its own before them (`extra_text`: its words, "" for none; 我的积分's 能换什么)."""

    page_text = StringProperty("")
    page = NumericProperty(0)
    pages = NumericProperty(1)
    extra_text = StringProperty("")
    __events__ = ("on_prev", "on_next", "on_extra")

    def on_prev(self) -> None:
        pass

    def on_extra(self) -> None:
        pass

    def on_next(self) -> None:
        pass


class CardPrompt(BoxLayout):
    """Until a card is read: what to do, and what it is for."""

    why = StringProperty("")


kv.load(__name__)
