"""Find a senior: pinyin initials (王建华 → WJH), member number, or the last 4 digits of a
phone, typed on big keys or a USB keyboard — or simply a card laid on the reader."""

from kivy.properties import ObjectProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout

from kiosk.i18n import t
from kiosk.people import search
from screens import kv
from screens.staff.frame import StaffBody, StaffScreen

KEYS = [*"ABCDEFGHIJKLMNOPQRSTUVWXYZ", *"1234567890", "clear", "back"]
PER_PAGE = 10


class StaffMembersScreen(StaffScreen):
    takes_typing = True

    def refresh(self) -> None:
        self.title = t("staff.members.title")
        self.body.ids.pad.value = ""
        self.tell(t("staff.members.how"))
        self.show_hits()

    def show_hits(self) -> None:
        query = self.body.ids.pad.value
        hits = search.find(query, limit=50) if query else []
        rows = self.body.ids.hits
        rows.clear_widgets()
        for hit in self.body.ids.pager.slice(hits, PER_PAGE):
            rows.add_widget(HitRow(hit=hit, on_release=lambda r: self.open_member(r.hit.member.member_no)))
        self.body.ids.count.text = t("staff.members.found", count=len(hits)) if query else ""

    def typed(self, key: str) -> None:
        key = key if key == "back" else key.upper()
        if key in KEYS:
            self.body.ids.pad.press(key)

    def open_member(self, member_no: str) -> None:
        self.app.staff.screens["staff_member"].member_no = member_no
        self.app.staff.open("staff_member")

    def forget(self) -> None:
        super().forget()
        self.body.ids.pad.value = ""
        self.body.ids.hits.clear_widgets()
        self.body.ids.count.text = ""


class HitRow(ButtonBehavior, BoxLayout):
    hit = ObjectProperty(None)


class MembersBody(StaffBody):
    keys = KEYS


StaffMembersScreen.Body = MembersBody
kv.load(__name__)
