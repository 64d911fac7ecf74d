"""代为报名: staff apply for a senior who brought a relative's card (docs/design.md §4.8).  Offered
over the result of a card read in staff mode while an enrolment season is open
(screens/staff/session.py); the staff member types their own PIN again on the login's pad (a wrong
one counts toward the lockout, kiosk.staff.access.login) and taps a reason, and the senior's course
cards open (screens/senior/enrol.py) with every 报名 made in their name, with the reason, audited
(kiosk.enrolment.applications.Origin)."""

from datetime import datetime

from kivy.properties import StringProperty

from kiosk.checkin.visit import Senior
from kiosk.enrolment.applications import PROXY_REASONS, Origin
from kiosk.enrolment.eligibility import Applicant
from kiosk.i18n import t
from kiosk.people import members
from kiosk.staff import access
from screens import kv
from screens.staff.frame import StaffButton, StaffLightButton, StaffScreen
from screens.staff.login import PinBody, login_message


class StaffProxyScreen(StaffScreen):
    reason = StringProperty("")  # the reason tapped (PROXY_REASONS), "" before
    who = StringProperty("")  # 谢素珍（DM0001）: staff see whom they apply for

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.senior: Senior | None = None
        self.applicant: Applicant | None = None  # the card's read: an ID card's birth date, in memory only

    def prepare(self, senior: Senior, applicant: Applicant | None, back: str) -> None:
        """The senior whose card was read, and the page staff were on (返回 goes back there)."""
        self.senior, self.applicant = senior, applicant or Applicant(senior.member_no)
        self.who = f"{members.full_name(senior.member_no) or senior.name}（{senior.member_no}）"
        self.back_to = back or "staff_home"
        self.reason = ""

    def refresh(self) -> None:
        self.title = t("season.proxy")
        self.body.ids.pad.value = ""
        if self.senior is None:  # opened without a card read: nothing to do here
            self.tell(t("season.proxy_reason"), problem=True)
        else:
            self.tell(t("season.proxy_pin"))
        self.show_reasons()

    def show_reasons(self) -> None:
        box = self.body.ids.reasons
        box.clear_widgets()
        for key in PROXY_REASONS:
            # The chosen reason solid and ticked, the others outlined (as the login's names).
            label = t(f"season.proxy_reasons.{key}")
            chosen = key == self.reason
            kind = StaffButton if chosen else StaffLightButton
            button = kind(text=f"✓ {label}" if chosen else label, role="staff_title")
            button.bind(on_release=lambda _b, k=key: self.choose(k))
            box.add_widget(button)

    def choose(self, reason: str) -> None:
        self.reason = reason
        self.show_reasons()

    def enter(self) -> None:
        """确定: a reason and the signed-in staff member's own PIN, then the senior's course cards."""
        pin = self.body.ids.pad.value
        self.body.ids.pad.value = ""
        actor = self.app.staff.actor
        if self.senior is None or actor is None or actor.staff_id is None:
            return
        if not self.reason:
            self.tell(t("season.proxy_reason"), problem=True)
            return
        now = datetime.now()
        done = access.login(actor.staff_id, pin, now, self.app.settings, confirm=True)
        if not done.ok:
            self.tell(
                login_message(done, now) if done.locked_until else t("season.proxy_wrong_pin", tries=done.tries_left),
                problem=True,
            )
            return
        origin = Origin(self.app.settings.kiosk.id, self.app.settings.site.code, actor, self.reason)
        senior, applicant, back = self.senior, self.applicant, self.back_to
        self.forget()
        self.app.staff.enrol_for(senior, applicant, origin, back)

    def forget(self) -> None:
        super().forget()
        self.senior, self.applicant, self.who, self.reason = None, None, "", ""
        self.body.ids.pad.value = ""


class ProxyBody(PinBody):
    pass


StaffProxyScreen.Body = ProxyBody
kv.load(__name__)
