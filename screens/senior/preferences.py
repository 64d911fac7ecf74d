"""大字与声音: a senior chooses 普通字 or 大字 and 声音开 or 关 for themselves; the choice is kept
on their member record and applied whenever their card is read (docs/design.md §8.3).

Each is a pair of choices with the chosen one filled, ticked and named in words below, never a
toggle whose label could be read as the state or as the action (issue 19, #24); the type
changes at once, so the preview line shows the size chosen."""

from kivy.app import App

from kiosk.i18n import t
from screens import kv
from screens.senior.service import ServiceScreen


def chosen_words(large_text: bool, voice: bool) -> str:
    """现在是：大字，声音开"""
    size = t("settings.large_text" if large_text else "settings.normal_text")
    return t("settings.chosen", size=size, voice=t("settings.voice_on" if voice else "settings.voice_off"))


class PreferencesScreen(ServiceScreen):
    def show(self, news: str = "") -> None:
        senior = self.senior
        self.ids.normal_text.chosen, self.ids.large_text.chosen = not senior.large_text, senior.large_text
        self.ids.voice_on.chosen, self.ids.voice_off.chosen = senior.voice, not senior.voice
        self.ids.now.text = chosen_words(senior.large_text, senior.voice)
        self.frame(news)

    def choose(self, what: str, on: bool) -> None:
        """A tap on one choice of a pair: only the other one changes anything."""
        if self.senior is not None and getattr(self.senior, what) != on:
            App.get_running_app().change_preference(what)

    def forget(self) -> None:
        super().forget()
        for choice in ("normal_text", "large_text", "voice_on", "voice_off"):
            self.ids[choice].chosen = False
        self.ids.now.text = ""


kv.load(__name__)
