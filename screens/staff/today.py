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
PEOPLE_PER_PAGE = 10


class StaffTodayScreen(StaffScreen):
    chosen = ObjectProperty(None, allownone=True)  # the DayItem whose roster is shown
    roster: list = []  # its missing list as read when chosen
    signed_here: dict = {}  # member_no → HH:MM of those signed in by hand since

    def refresh(self) -> None:
        self.title = t("staff.today.title")
        self.items = today.day(datetime.now())
        if self.chosen is not None:
            self.chosen = next((d for d in self.items if d.item == self.chosen.item), None)
        if self.chosen is None and self.items:
            # What is on now or next, not the morning's finished lesson: the list staff want first.
            now = datetime.now()
            self.chosen = next((d for d in self.items if d.item.end > now), self.items[0])
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

    def show_people(self, fresh: bool = True) -> None:
        """The chosen item's missing list, a page of it.  A fresh list is read when an item is
        chosen or the page opens; 补签 and turning pages keep the list read then, so that no row
        moves under the finger: a senior signed in by hand stays in place, marked 已补签."""
        rows = self.body.ids.people
        rows.clear_widgets()
        chosen = self.chosen
        if chosen is None:
            self.body.ids.roster_title.text = ""
            self.roster, self.signed_here = [], {}
            return
        if fresh:
            self.roster, self.signed_here = today.missing(chosen.item), {}
        count = len(self.roster) - len(self.signed_here)
        self.body.ids.roster_title.text = t("staff.today.missing", title=chosen.item.title, count=count)
        for person in self.body.ids.people_pager.slice(self.roster, PEOPLE_PER_PAGE):
            row = PersonRow(person=person, signed_at=self.signed_here.get(person.member_no, ""))
            row.ids.sign.bind(on_release=lambda b, p=person: self.ask_reason(p))
            rows.add_widget(row)

    def ask_reason(self, person) -> None:
        item = self.chosen.item
        choices = [(t(f"today.reason.{r}"), r) for r in today.REASONS]
        question = t("staff.today.why", name=person.name, title=item.title, span=present.span(item))
        Pick().ask(question, choices, lambda reason: self.sign_in(person, item, reason))

    def sign_in(self, person, item, reason: str) -> None:
        self.attempt(
            lambda: today.manual_sign_in(self.app.staff.actor, person.member_no, item, reason, datetime.now()),
            lambda done: self.signed(person, item, done),
        )

    def signed(self, person, item, done) -> None:
        """Say it on the message line, mark the row and update the counts; nothing else moves."""
        self.signed_here[person.member_no] = done.at.strftime("%H:%M")
        self.items = today.day(datetime.now())
        self.chosen = next((d for d in self.items if d.item == item), self.chosen)
        self.show_items()
        self.show_people(fresh=False)
        self.tell(t("staff.today.signed", name=person.name, title=item.title, points=done.points))

    def forget(self) -> None:
        super().forget()
        self.chosen = None
        self.items = []
        self.body.ids.item_rows.clear_widgets()
        self.body.ids.people.clear_widgets()
        self.body.ids.roster_title.text = ""
        self.roster, self.signed_here = [], {}


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
    signed_at = StringProperty("")  # HH:MM when signed in by hand on this page


class TodayBody(StaffBody):
    pass


StaffTodayScreen.Body = TodayBody
kv.load(__name__)
