"""新学员登记: the ID cards read at the kiosk that matched nobody, newest first; one of them opens a
form filled from the card, where staff add a phone number on the keypad and register the holder.
Everything else comes from the card, so nothing needs Chinese typing (docs/senior-ui.md I-5)."""

from datetime import datetime

from kivy.properties import BooleanProperty, ObjectProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout

from kiosk.i18n import t
from kiosk.identity.gbcodes import nation_name
from kiosk.identity.ids import last4 as id_last4
from kiosk.people import members
from kiosk.people.newcomers import Newcomer
from screens import kv
from screens.staff.frame import FieldRow, StaffBody, StaffButton, StaffLightButton, StaffScreen
from screens.staff.member import print_card

PER_PAGE = 7
PHONE_KEYS = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "clear", "0", "back"]


class StaffNewcomersScreen(StaffScreen):
    chosen = ObjectProperty(None, allownone=True)  # the Newcomer whose form is shown
    confirmed = BooleanProperty(False)  # staff compared a flagged name with the card
    registered = StringProperty("")  # member_no of the newcomer just registered
    # The chosen card's last 4, only while the card itself was just read: never stored (design.md §9.1).
    card_last4 = StringProperty("")

    def refresh(self) -> None:
        self.title = t("staff.newcomers.title")
        self.registered, self.member = "", None
        self.load()
        self.start_form()

    def select_latest(self, cred) -> None:
        """An unknown ID card was just read in staff mode: show its form (it is the newest), with
        the last 4 of the number read from the card."""
        self.body.ids.pager.page = 0
        self.load()
        self.choose(self.waiting[0] if self.waiting else None, id_last4(cred.id_number))

    def card(self, cred, visit) -> bool:
        """A newcomer's ID card laid on the reader while this page is open: their form."""
        if visit.result is not None and visit.result.kind == "unknown_card" and cred.method == "idcard":
            self.select_latest(cred)
            return True
        return False

    def load(self) -> None:
        """The waiting cards; the one chosen stays chosen while it is still waiting."""
        self.waiting = members.waiting(datetime.now())
        if self.chosen is not None:
            self.chosen = next((c for c in self.waiting if c.id == self.chosen.id), None)
        self.show_list()

    def show_list(self) -> None:
        rows = self.body.ids.rows
        rows.clear_widgets()
        for card in self.body.ids.pager.slice(self.waiting, PER_PAGE):
            rows.add_widget(
                NewcomerRow(
                    card=card, when=_when(card.at), chosen=card == self.chosen, on_release=lambda r: self.choose(r.card)
                )
            )
        self.body.ids.count.text = (
            t("staff.newcomers.waiting", count=len(self.waiting)) if self.waiting else t("staff.newcomers.waiting_none")
        )

    def choose(self, card: Newcomer | None, last4: str = "") -> None:
        self.chosen, self.registered, self.member, self.card_last4 = card, "", None, last4
        self.show_list()
        self.start_form()

    def start_form(self) -> None:
        """The chosen card's form with no phone typed and the name not yet compared."""
        self.confirmed = False
        self.body.ids.pad.value = ""
        self.show_form()
        if self.registered:
            return
        if self.chosen is not None:
            self.tell(t("staff.newcomers.check"))
        elif self.waiting:
            self.tell(t("staff.newcomers.how"))
        else:
            self.tell(t("staff.newcomers.none"))

    def show_form(self) -> None:
        ids = self.body.ids
        ids.fields.clear_widgets()
        ids.actions.clear_widgets()
        card = self.chosen
        ids.flag.text = ""
        ids.confirm.opacity, ids.confirm.disabled = 0, True
        ids.phone_box.opacity, ids.phone_box.disabled = (1, False) if card is not None else (0, True)
        if self.registered:
            ids.heading.text = t("staff.newcomers.done", name=self.member.name, no=self.registered)
            for label, value in _member_fields(self.member):
                ids.fields.add_widget(FieldRow(label=t(f"staff.newcomers.field.{label}"), value=value))
            for key, action in (("print", self.ask_print), ("enrol", self.enrol), ("next", self.next_one)):
                button = (StaffButton if key != "next" else StaffLightButton)(text=t(f"staff.newcomers.{key}"))
                button.bind(on_release=lambda b, a=action: a())
                ids.actions.add_widget(button)
            return
        if card is None:
            ids.heading.text = ""
            return
        ids.heading.text = t("staff.newcomers.form", name=card.name)
        for label, value in _fields(card, self.card_last4):
            ids.fields.add_widget(FieldRow(label=t(f"staff.newcomers.field.{label}"), value=value))
        if card.name_flagged:
            ids.flag.text = t("staff.newcomers.flagged_ok" if self.confirmed else "staff.newcomers.flagged")
            ids.confirm.opacity, ids.confirm.disabled = 1, False
            ids.confirm.text = t("staff.newcomers.unconfirm" if self.confirmed else "staff.newcomers.confirm")
        register = StaffButton(text=t("staff.newcomers.register"))
        register.bind(on_release=lambda b: self.register())
        ids.actions.add_widget(register)

    def toggle_confirmed(self) -> None:
        self.confirmed = not self.confirmed
        self.show_form()

    # -- the tasks ----------------------------------------------------------------------------

    def register(self) -> None:
        card, phone = self.chosen, self.body.ids.pad.value
        self.attempt(
            lambda: members.register(
                self.app.staff.actor,
                card.id,
                datetime.now(),
                self.app.settings,
                phone=phone,
                name_confirmed=self.confirmed,
            ),
            self._registered,
        )

    def _registered(self, member) -> None:
        self.chosen, self.member, self.registered = None, member, member.member_no
        self.load()
        self.start_form()
        self.tell(t("staff.newcomers.registered", name=member.name, no=member.member_no))

    def ask_print(self) -> None:
        print_card(self, self.registered)

    def enrol(self) -> None:
        """The newcomer's page, with its course picker open: 选课 is the next step, not one more tap."""
        page = self.app.staff.screens["staff_member"]
        page.member_no = self.registered
        self.app.staff.open("staff_member")
        page.ask_enrol()

    def next_one(self) -> None:
        self.choose(None)

    def forget(self) -> None:
        super().forget()
        self.chosen, self.member, self.registered, self.confirmed = None, None, "", False
        self.waiting = []
        ids = self.body.ids
        ids.pad.value = ""
        for box in (ids.rows, ids.fields, ids.actions):
            box.clear_widgets()
        ids.heading.text = ids.flag.text = ids.count.text = ""


def _fields(card: Newcomer, last4: str) -> list[tuple[str, str]]:
    """(label key, value) of what the card says, as staff compare it with the card in hand; the
    ID number's last 4 only when the card was just read (`last4`)."""
    valid = (
        t("staff.newcomers.long_term")
        if card.long_term
        else t("staff.newcomers.valid_to", day=card.valid_to.isoformat())
        if card.valid_to
        else "-"
    )
    return [
        ("name", card.name),
        ("gender", t(f"staff.newcomers.gender.{card.gender}") if card.gender in ("1", "2") else "-"),
        ("nation", nation_name(card.nation) or card.nation or "-"),
        *([("id_last4", last4)] if last4 else []),
        ("card_type", t(f"staff.newcomers.card_type.{card.card_type}")),
        ("valid", valid),
    ]


def _member_fields(member) -> list[tuple[str, str]]:
    """What was registered: never the full ID number, nor the full phone."""
    return [
        ("member_no", member.member_no),
        ("name", member.name),
        ("gender", member.gender or "-"),
        ("phone_last4", member.phone_last4 or t("staff.newcomers.no_phone")),
        ("joined", member.joined.isoformat()),
    ]


def _when(at: datetime) -> str:
    if at.date() == datetime.now().date():
        return t("staff.newcomers.today", time=f"{at:%H:%M}")
    return f"{at:%m-%d %H:%M}"


def phone_text(digits: str) -> str:
    """138 1234 5678, as people read a mobile number out."""
    return " ".join(part for part in (digits[:3], digits[3:7], digits[7:]) if part)


class NewcomerRow(ButtonBehavior, BoxLayout):
    card = ObjectProperty(None)
    when = StringProperty("")
    chosen = BooleanProperty(False)


class NewcomersBody(StaffBody):
    phone_keys = PHONE_KEYS
    phone_text = staticmethod(phone_text)


StaffNewcomersScreen.Body = NewcomersBody
kv.load(__name__)
