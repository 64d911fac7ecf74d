"""设备与系统检查: every check of kiosk/doctor/, a row each, green when it is in order and red (or
orange for a warning) with what to do in plain Chinese, and 「重新检查」.  The devices are the
running kiosk's own (its device manager's health: their ports stay with it); the slow checks —
kiosk.db read through, the bureau over the network — run on a thread and come back on the clock."""

import threading
from datetime import datetime

from kivy.clock import Clock
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk import printing
from kiosk.doctor import FAIL, OK, WARN, Line, checkup, display
from kiosk.doctor import settings as doctor_settings
from kiosk.i18n import t
from screens import kv
from screens.staff.frame import StaffBody, StaffScreen
from screens.widgets import FlowText

CHECKING = "checking"  # a slow line whose answer has not come back yet
# Each state's colour (a result kind's, screens/theme.STATUS) and glyph: the word and the glyph say
# it too, so colour is never the only sign (T-5).
LOOKS = {
    OK: ("ok", "ok"),
    WARN: ("expired_card", "error"),
    FAIL: ("unknown_card", "invalid_card"),
    CHECKING: ("error", "not_due"),
}


class StaffDoctorScreen(StaffScreen):
    LOOKS = LOOKS
    state = StringProperty(CHECKING)  # the whole page: the worst line, or checking
    checking = BooleanProperty(False)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.lines: list[Line] = []
        self._round = 0  # a thread's answer for an earlier round (the page was left) is dropped

    def refresh(self) -> None:
        self.title = t("doctor.title")
        self.body.ids.pager.page = 0
        self.check()

    def check(self) -> None:
        """The quick lines at once, the slow ones as they come back from their thread."""
        if self.checking:
            return
        from kivy.core.window import Window

        app, now = self.app, datetime.now()
        self._round += 1
        settings = app.settings
        healths = app.device_manager.health() if app.device_manager else []
        healths += [h for h in [printing.health()] if h is not None]  # the receipt printer's thread
        screen = display.on_screen(*map(int, Window.size))
        first = doctor_settings.check(settings, None)
        self.lines = checkup.quick(first, settings, screen, healths, now)
        self.checking = True
        self.show()
        done = self._round

        def slow() -> None:
            found = checkup.slow(settings, now)
            Clock.schedule_once(lambda _dt: self._came_back(done, found))

        threading.Thread(target=slow, name="doctor", daemon=True).start()

    def _came_back(self, done: int, found: list[Line]) -> None:
        if done != self._round:  # staff logged out meanwhile: a later round is its own
            return
        self.checking = False
        self.lines = checkup.ordered(self.lines + found)
        self.show()

    def show(self) -> None:
        ids = self.body.ids
        problems = [line for line in self.lines if not line.ok]
        worst = FAIL if any(line.state == FAIL for line in problems) else WARN if problems else OK
        self.state = CHECKING if self.checking else worst
        if self.checking:
            ids.headline.text = t("doctor.checking")
        else:
            ids.headline.text = t("doctor.problems", count=len(problems)) if problems else t("doctor.all_ok")
        self.show_rows()

    def show_rows(self) -> None:
        """Problems first, each kind in the doctor's order; then what is in order: as many rows a
        page as the room holds, each as tall as its wrapped words."""
        shown = sorted(self.lines, key=lambda line: line.ok)
        if self.checking:
            shown += [Line(check, CHECKING, t("doctor.checking")) for check in checkup.SLOW]
        ids = self.body.ids
        pages = self._paginate(shown, ids.room.width, ids.room.height)
        pager, rows = ids.pager, ids.rows
        pager.pages = len(pages)
        pager.page = min(pager.page, pager.pages - 1)
        rows.clear_widgets()
        for line in pages[pager.page]:
            tone, glyph = LOOKS[line.state]
            rows.add_widget(
                DoctorRow(
                    tone=tone,
                    glyph=glyph,
                    mark=t(f"doctor.{line.state}_mark") if line.state != CHECKING else "",
                    name=line.title,
                    detail=line.detail,
                    fix=t("doctor.fix", fix=line.fix) if line.fix else "",
                )
            )

    def _paginate(self, lines: list[Line], width: float, height: float) -> list[list[Line]]:
        theme = self.app.theme
        words = max(1.0, width - theme.mm(3 * 2 + 11 + 46 + 24 + 4 * 3))  # DoctorRow's other columns
        pages: list[list[Line]] = [[]]
        used = 0.0
        for line in lines:
            tall = max(self._words_height(line, words), theme.mm(14)) + theme.mm(3) + theme.mm(2)
            if pages[-1] and used + tall > height:
                pages.append([])
                used = 0.0
            pages[-1].append(line)
            used += tall
        return pages

    def _words_height(self, line: Line, width: float) -> float:
        probe = FlowText(role="staff_text")
        total = 0.0
        for text in (line.detail, t("doctor.fix", fix=line.fix) if line.fix else ""):
            if text:
                probe.text, probe.text_size = text, (width, None)
                probe.texture_update()
                total += probe.texture_size[1]
        return total

    def forget(self) -> None:
        super().forget()
        self._round += 1
        self.checking = False
        self.lines = []
        self.body.ids.rows.clear_widgets()


class DoctorRow(BoxLayout):
    tone = StringProperty("ok")  # the colour: a key of screens/theme.STATUS
    glyph = StringProperty("ok")  # the icon: a key of screens/widgets.GLYPHS
    mark = StringProperty("")  # 正常, 注意, 有问题: the state in words
    name = StringProperty("")
    detail = StringProperty("")
    fix = StringProperty("")


class DoctorBody(StaffBody):
    pass


StaffDoctorScreen.Body = DoctorBody
kv.load(__name__)
