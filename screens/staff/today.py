"""Today: every lesson and activity with its live count (signed in / expected), who is missing,
and 「补签」 for a senior who forgot the card, with a reason picked from a list."""

from datetime import datetime

from kivy.properties import BooleanProperty, ObjectProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout

from kiosk.desk import today
from kiosk.i18n import t
from screens import kv, present
from screens.staff.frame import Pick, StaffBody, StaffScreen

ITEMS_PER_PAGE = 6
PEOPLE_PER_PAGE = 6


class StaffTodayScreen(StaffScreen):
    chosen = ObjectProperty(None, allownone=True)  # the DayItem whose roster is shown

    def refresh(self) -> None:
        self.title = t("staff.today.title")
        self.items = today.day(datetime.now())
        if self.chosen is not None:
            self.chosen = next((d for d in self.items if d.item == self.chosen.item), None)
        if self.chosen is None and self.items:
            self.chosen = self.items[0]
        self.show_items()
        self.show_people()

    def resume(self) -> None:
        # A senior just signed in: the counts and who is missing change; the lesson and pages stay.
        self.refresh_keep_message()

    def show_items(self) -> None:
        rows = self.body.ids.item_rows
        rows.clear_widgets()
        for day_item in self.body.ids.item_pager.slice(self.items, ITEMS_PER_PAGE):
            rows.add_widget(
                DayRow(day_item=day_item, chosen=day_item == self.chosen, on_release=lambda r: self.choose(r.day_item))
            )
        if not self.items:
            self.tell(t("staff.today.nothing"))

    def choose(self, day_item) -> None:
        self.chosen = day_item
        self.body.ids.people_pager.page = 0
        self.show_items()
        self.show_people()

    def show_people(self) -> None:
        rows = self.body.ids.people
        rows.clear_widgets()
        chosen = self.chosen
        if chosen is None:
            self.body.ids.roster_title.text = ""
            return
        missing = today.missing(chosen.item)
        self.body.ids.roster_title.text = t("staff.today.missing", title=chosen.item.title, count=len(missing))
        for person in self.body.ids.people_pager.slice(missing, PEOPLE_PER_PAGE):
            row = PersonRow(person=person)
            row.ids.sign.bind(on_release=lambda b, p=person: self.ask_reason(p))
            rows.add_widget(row)

    def ask_reason(self, person) -> None:
        choices = [(t(f"today.reason.{r}"), r) for r in today.REASONS]
        Pick().ask(t("staff.today.why", name=person.name), choices, lambda reason: self.sign_in(person, reason))

    def sign_in(self, person, reason: str) -> None:
        item = self.chosen.item
        if self.attempt(
            lambda: today.manual_sign_in(self.app.staff.actor, person.member_no, item, reason, datetime.now()),
            lambda done: self.tell(t("staff.today.signed", name=person.name, title=item.title, points=done.points)),
        ):
            self.refresh_keep_message()

    def forget(self) -> None:
        super().forget()
        self.chosen = None
        self.items = []
        self.body.ids.item_rows.clear_widgets()
        self.body.ids.people.clear_widgets()
        self.body.ids.roster_title.text = ""


class DayRow(ButtonBehavior, BoxLayout):
    day_item = ObjectProperty(None)
    chosen = BooleanProperty(False)
    span = StringProperty("")
    count = StringProperty("")

    def on_day_item(self, _row, d) -> None:
        self.span = present.span(d.item)
        self.count = (
            t("staff.today.count", signed=d.signed, expected=d.expected)
            if d.expected is not None
            else t("staff.today.count_open", signed=d.signed)
        )


class PersonRow(BoxLayout):
    person = ObjectProperty(None)


class TodayBody(StaffBody):
    pass


StaffTodayScreen.Body = TodayBody
kv.load(__name__)
