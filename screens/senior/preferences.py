"""大字与声音: a senior turns larger type and the voice on or off for themselves; the choice is
kept on their member record and applied whenever their card is read (docs/design.md §8.3)."""

from kivy.app import App

from kiosk.i18n import t
from screens import kv
from screens.senior.service import ServiceScreen


def state_word(what: str, on: bool) -> str:
    """大字：开"""
    return t("settings.state", what=t(f"settings.{what}"), state=t("settings.on" if on else "settings.off"))


class PreferencesScreen(ServiceScreen):
    def show(self, news: str = "") -> None:
        self.ids.large_text.text = state_word("large_text", self.senior.large_text)
        self.ids.voice.text = state_word("voice", self.senior.voice)
        self.frame(news)

    def toggle(self, what: str) -> None:
        if self.senior is not None:
            App.get_running_app().change_preference(what)

    def forget(self) -> None:
        super().forget()
        self.ids.large_text.text = ""
        self.ids.voice.text = ""


kv.load(__name__)
