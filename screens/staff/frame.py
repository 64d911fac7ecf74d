"""The frame of the staff pages: a header with the page, who is signed in, 返回 and 退出; a message
line that says what the last tap did; lists paged (never scrolled) in rows; a keypad; and a
pop-up to pick one of a few choices, so nothing needs Chinese typing (docs/senior-ui.md I-5)."""

import logging
import threading
from collections.abc import Callable

from kivy.app import App
from kivy.clock import Clock
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.modalview import ModalView
from kivy.uix.screenmanager import Screen

from kiosk import background, causes
from kiosk.checkin.visit import Visit
from kiosk.i18n import t
from kiosk.identity.credentials import Credential
from kiosk.staff.refused import Refused
from screens import (
    kv,
    widgets,  # noqa: F401  (registers the widget classes the .kv uses)
)
from screens.widgets import KioskButton

log = logging.getLogger(__name__)


class StaffScreen(Screen):
    """A staff page.  Subclasses name their `Body` (a widget class whose .kv rule lays out the
    page; it reaches the screen as `root.screen`), draw in refresh(), which runs each time the
    page opens, and blank what they show in forget(), which runs at logout."""

    title = StringProperty("")
    message = StringProperty("")
    problem = BooleanProperty(False)  # the message says something was refused
    working = BooleanProperty(False)  # a task runs in the background
    back_to = StringProperty("staff_home")  # where 返回 goes; "" hides it
    returning = False  # set while coming back from a senior's result: on_pre_enter keeps the page
    takes_typing = False  # a USB keyboard's keys reach typed() (screens/app.py tells them from a scan)
    Body: type | None = None

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.body = self.Body(screen=self) if self.Body else None
        if self.body:
            self.ids.body.add_widget(self.body)

    def on_pre_enter(self, *_) -> None:
        if self.returning:  # back from a senior's result: as the page was
            self.returning = False
            self.resume()
            return
        self.message = ""
        self.refresh()

    def refresh(self) -> None:
        pass

    def resume(self) -> None:
        """The page shows again after a senior's result stood in front of it: what staff had typed,
        chosen and paged to stays; a page whose figures the sign-in changed redraws them."""

    def refresh_keep_message(self) -> None:
        message, problem = self.message, self.problem
        self.refresh()
        self.tell(message, problem)

    def forget(self) -> None:
        self.message = ""
        self.title = ""  # may name a senior (学员：王建华)

    def tell(self, text: str, problem: bool = False) -> None:
        self.message, self.problem = text, problem

    def typed(self, key: str) -> None:
        """A key typed by a person on a USB keyboard: a character, or "back" for Backspace."""

    def card(self, cred: Credential, visit: Visit) -> bool:
        """A card read (and signed in) while this page is open: True when the card was the page's
        input, so the page takes it instead of the senior's result (screens/staff/session.py)."""
        return False

    def offer(self, visit: Visit) -> tuple[str, Callable[[], None]] | None:
        """The page's own action for the senior whose card was just read, offered to staff over
        the result beside 「打开学员资料」: (what the button says, what it does on this page)."""
        return None

    def attempt(self, action: Callable, done: Callable | None = None) -> bool:
        """Run a staff action: a Refused says why on the message line; True when it went through."""
        try:
            outcome = action()
        except Refused as e:
            self.tell(e.message(), problem=True)
            return False
        except Exception as e:
            log.exception("staff action failed on %s", self.name)
            self.tell(t(causes.FULL) if causes.is_full(e) else t("staff.failed"), problem=True)  # the real cause
            return False
        if done:
            done(outcome)
        return True

    def attempt_in_background(self, action: Callable, done: Callable, busy: str) -> None:
        """attempt() for a task of seconds (a sheet of hundreds of cards): it runs on a worker
        thread while the page says `busy` and stays alive; the outcome comes back on the UI thread.
        One at a time: a tap while it runs is told to wait."""
        if self.working:
            self.tell(t("staff.busy"), problem=True)
            return
        self.working = True
        self.tell(busy)

        def work() -> None:
            try:
                outcome, error = background.run(action), None
            except Exception as e:  # handed to attempt(), which logs or says it
                outcome, error = None, e
            Clock.schedule_once(lambda dt: self._finished(outcome, error, done))

        threading.Thread(target=work, name=f"{self.name}-task", daemon=True).start()

    def _finished(self, outcome, error: Exception | None, done: Callable) -> None:
        self.working = False
        self.attempt(lambda: _outcome(outcome, error), done)

    @property
    def app(self):
        return App.get_running_app()


def _outcome(outcome, error: Exception | None):
    if error is not None:
        raise error
    return outcome


class StaffBody(BoxLayout):
    """The page below the header; its rule refers to the screen as root.screen."""

    screen = ObjectProperty(None)


class FieldRow(BoxLayout):
    """A label and its value on one row (a long value wraps); with `changeable`, a 更改 button at its
    end whose press the page binds (ids.change)."""

    label = StringProperty("")
    value = StringProperty("")
    changeable = BooleanProperty(False)


class StaffButton(KioskButton):
    """A staff page's button: smaller type than a senior's, still a 16 mm target."""


class StaffLightButton(StaffButton):
    """An outlined button for a secondary action."""


class Pager(BoxLayout):
    """上一页 / 第 n / m 页 / 下一页 under a list of rows."""

    page = NumericProperty(0)
    pages = NumericProperty(1)
    __events__ = ("on_turn",)

    def turn(self, step: int) -> None:
        self.page = max(0, min(self.pages - 1, self.page + step))
        self.dispatch("on_turn")

    def on_turn(self) -> None:
        pass

    def slice(self, items: list, per_page: int) -> list:
        self.pages = max(1, -(-len(items) // per_page))
        self.page = min(self.page, self.pages - 1)
        return items[self.page * per_page : (self.page + 1) * per_page]


class KeyPad(GridLayout):
    """Keys that type into `value`: digits for a PIN, letters and digits for a search."""

    value = StringProperty("")
    keys = ListProperty([])
    max_length = NumericProperty(12)

    def on_keys(self, *_) -> None:
        self.clear_widgets()
        for key in self.keys:
            button = KeyButton(text=t(f"staff.key.{key}") if len(key) > 1 else key)
            button.bind(on_release=lambda b, k=key: self.press(k))
            self.add_widget(button)

    def press(self, key: str) -> None:
        if key == "clear":
            self.value = ""
        elif key == "back":
            self.value = self.value[:-1]
        elif len(self.value) < self.max_length:
            self.value += key


class KeyButton(KioskButton):
    pass


class Pick(ModalView):
    """A pop-up with one button per choice (a page of them at a time) and 取消: reasons, hours,
    courses …"""

    question = StringProperty("")
    cancel = StringProperty("")  # the 取消 button's words
    PER_PAGE = 10
    WIDE_PER_PAGE = 8  # one choice a line, for long choices (a course with its day and time)

    def ask(
        self,
        question: str,
        choices: list[tuple[str, object]],
        on_pick: Callable,
        wide: bool = False,
        cancel: str = "",
    ) -> None:
        self.question, self.choices, self.on_pick, self.wide = question, choices, on_pick, wide
        self.cancel = cancel or t("staff.cancel")
        self.ids.pager.page = 0
        self.show()
        self.open(animation=False)

    def show(self) -> None:
        box = self.ids.choices
        box.clear_widgets()
        box.cols = 1 if self.wide or len(self.choices) <= 5 else 2
        per_page = self.WIDE_PER_PAGE if self.wide else self.PER_PAGE
        for label, value in self.ids.pager.slice(self.choices, per_page):
            button = StaffButton(text=label, size_hint_x=1)
            button.bind(on_release=lambda b, v=value: self._picked(v))
            box.add_widget(button)

    def _picked(self, value) -> None:
        self.dismiss(animation=False)
        self.on_pick(value)


kv.load(__name__)
