"""Notices on the seniors' screens: the band under the home prompt, and the voice's announcement
of a notice the first time any screen shows it (once per notice: kiosk.programme.notices keeps
spoken_at, so not again after a restart either)."""

from datetime import datetime

from kivy.app import App
from kivy.properties import BooleanProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.programme import notices
from kiosk.programme.notices import NoticeView
from screens import kv, present


def announce(notice: NoticeView, now: datetime) -> None:
    """Say that `notice` is on the screen, unless it has been said before (by this screen, another
    one, or before a restart)."""
    if notices.first_showing(notice, now):
        App.get_running_app().say(notice.phrase)


class NoticeBand(BoxLayout):
    """A notice in force, on a soft yellow band under the prompt: its kind, title and end in heading
    type (above the schedule's).  Its words are on the attract screen's slide: here they would leave
    today's timetable no room.  Built once; empty (no room taken) when there is none."""

    showing = BooleanProperty(False)

    def show(self, notice: NoticeView | None) -> None:
        self.showing = notice is not None
        self.ids.line.text = present.notice_line(notice) if notice else ""


kv.load(__name__)
