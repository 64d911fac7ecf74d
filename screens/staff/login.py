"""Staff sign in: tap your name, type your PIN on the pad (keys ≥ 15 mm, docs/senior-ui.md I-5)."""

from datetime import datetime

from kivy.properties import NumericProperty, StringProperty

from kiosk.i18n import t
from kiosk.staff import access
from kiosk.staff.audit import Actor
from screens import kv
from screens.staff.frame import StaffBody, StaffButton, StaffLightButton, StaffScreen

PER_PAGE = 6


class StaffLoginScreen(StaffScreen):
    chosen = NumericProperty(0)  # the Staff id whose name was tapped
    chosen_name = StringProperty("")

    def refresh(self) -> None:
        self.title = t("staff.login.title")
        self.back_to = ""
        self.chosen, self.chosen_name = 0, ""
        self.body.ids.pad.value = ""
        self.tell(t("staff.login.pick"))
        self.show_names()

    def show_names(self) -> None:
        site = self.app.settings.site.code
        people = self.body.ids.pager.slice(access.list_staff(site), PER_PAGE)
        box = self.body.ids.names
        box.clear_widgets()
        for person in people:
            # The chosen name solid and ticked, the others outlined: staff see whose PIN they type.
            chosen = person.id == self.chosen
            kind = StaffButton if chosen else StaffLightButton
            button = kind(text=f"✓ {person.name}" if chosen else person.name, role="staff_title")
            button.bind(on_release=lambda b, p=person: self.choose(p))
            box.add_widget(button)
        if not people:
            self.tell(t("staff.login.nobody"), problem=True)

    def choose(self, person) -> None:
        self.chosen, self.chosen_name = person.id, person.name
        self.body.ids.pad.value = ""
        self.tell(t("staff.login.pin", name=person.name))
        self.show_names()

    def enter(self) -> None:
        pin = self.body.ids.pad.value
        self.body.ids.pad.value = ""
        if not self.chosen:
            self.tell(t("staff.login.pick"), problem=True)
            return
        now = datetime.now()
        done = access.login(self.chosen, pin, now, self.app.settings)
        if done.ok:
            self.app.staff.login(Actor.of(done.staff, self.app.settings))
        else:
            self.tell(login_message(done, now), problem=True)

    def forget(self) -> None:
        super().forget()
        self.chosen, self.chosen_name = 0, ""
        self.body.ids.pad.value = ""


def login_message(done: access.Login, now: datetime) -> str:
    if done.locked_until:
        minutes = max(1, -(-int((done.locked_until - now).total_seconds()) // 60))
        return t("staff.login.locked", minutes=minutes, until=done.locked_until.strftime("%H:%M"))
    return t("staff.login.wrong", tries=done.tries_left)


class PinBody(StaffBody):
    """A page with the PIN pad at its right (its rule in login.kv: ids dots, pad, ok; 确定 calls the
    screen's enter()); a subclass's rule lays out the left, and `prompt` is what the empty display
    asks for."""

    prompt = StringProperty("")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        column = self.ids.pin_column  # the base rule's children come first: the pad goes right
        self.remove_widget(column)
        self.add_widget(column, index=0)


class LoginBody(PinBody):
    pass


StaffLoginScreen.Body = LoginBody
kv.load(__name__)
