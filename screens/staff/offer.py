"""The staff's offer over a senior's result: a senior's card read in staff mode signs them in as on
the home screen, and this bar, laid over the result screen, offers staff 「打开学员资料」 (or
「登记新学员」, or the page's own action) for that card (screens/staff/session.py)."""

from collections.abc import Callable

from kivy.properties import BooleanProperty, ListProperty
from kivy.uix.boxlayout import BoxLayout

from screens import kv
from screens.staff import frame  # noqa: F401  (registers the widget classes the .kv uses)
from screens.staff.frame import StaffLightButton

Offer = tuple[str, Callable[[], None]]  # what the button says, what a tap does


class StaffOfferBar(BoxLayout):
    """Shown while the result screen is up and there is something to offer; otherwise it takes no
    taps and is not drawn."""

    offers = ListProperty([])
    showing = BooleanProperty(False)

    def offer(self, offers: list[Offer]) -> None:
        self.offers = offers

    def follow(self, current: str) -> None:
        """The app's screen changed to `current`: the bar is only ever over a result."""
        self.showing = current == "result" and bool(self.offers)

    def on_offers(self, *_) -> None:
        buttons = self.ids.buttons
        buttons.clear_widgets()
        for label, action in self.offers:
            button = OfferButton(text=label)
            button.bind(on_release=lambda _b, act=action: act())
            buttons.add_widget(button)

    def on_touch_down(self, touch) -> bool:
        return self.showing and super().on_touch_down(touch)

    def on_touch_move(self, touch) -> bool:
        return self.showing and super().on_touch_move(touch)

    def on_touch_up(self, touch) -> bool:
        return self.showing and super().on_touch_up(touch)


class OfferButton(StaffLightButton):
    """A button on the bar, as wide as its words."""


kv.load(__name__)
