"""Staff mode at the kiosk: who is signed in, the pages they open, a card read on those pages, and
the log-out after two idle minutes with a 20 s warning (docs/senior-ui.md I-5)."""

import logging
from datetime import datetime

from kivy.event import EventDispatcher
from kivy.properties import StringProperty

from kiosk.i18n import t
from kiosk.identity.credentials import Credential
from kiosk.staff.audit import Actor
from screens import present_staff
from screens.staff.frame import StaffScreen
from screens.staff.idle import StaffIdlePrompt
from screens.support.idle import IdleTimer

log = logging.getLogger(__name__)


class StaffSession(EventDispatcher):
    label = StringProperty("")  # who is signed in, for the staff header

    def __init__(self, app):
        super().__init__()
        self.app = app
        self.screens: dict[str, StaffScreen] = {}
        self.actor: Actor | None = None
        self.timer = IdleTimer(app.settings.staff.idle_s, app.settings.staff.idle_warning_s, app.clock())
        self.prompt: StaffIdlePrompt | None = None

    def build(self, screens: list[StaffScreen]) -> None:
        """The staff pages, once the app builds its screens."""
        self.screens = {screen.name: screen for screen in screens}
        self.prompt = StaffIdlePrompt()

    @property
    def is_admin(self) -> bool:
        return self.actor is not None and self.actor.role == "admin"

    def enter(self) -> None:
        """The 工作人员 button on the home screen: the PIN pad."""
        self.app.forget_senior()
        self.touch()
        self.app.screens.current = "staff_login"

    def login(self, actor: Actor) -> None:
        self.actor = actor
        self.label = t("staff.who", name=actor.name, role=t(f"staff.role.{actor.role}"))
        log.info("staff %s signed in", actor.name)
        self.open("staff_home")

    def open(self, name: str) -> None:
        if self.actor is None and name != "staff_login":
            name = "staff_login"
        self.touch()
        self.app.screens.current = name

    def logout(self) -> None:
        """退出, or two idle minutes: every staff page forgets what it showed, then home."""
        if self.actor:
            log.info("staff %s signed out", self.actor.name)
        self.actor, self.label = None, ""
        self.prompt.close()
        for screen in self.screens.values():
            screen.forget()
        self.app.go_home()

    def touch(self) -> None:
        self.timer.touch(self.app.clock())

    def keep_on(self) -> None:
        """「继续操作」 on the log-out warning."""
        self.touch()
        self.prompt.close()

    def watch(self, now: float) -> None:
        state = self.timer.state(now)
        if state == "expired":
            self.logout()
        elif state == "warning":
            self.prompt.ask(self.timer.left(now))
        else:
            self.prompt.close()

    def card(self, cred: Credential, screen: StaffScreen) -> None:
        """A card read in staff mode: the page may want it (enrol by card …); else the member's
        page, or registration for an ID card nobody has."""
        if self.actor is None:
            return
        visit = self.app.reception.identify(cred, datetime.now())
        if screen.card(cred, visit):
            return
        if visit.result is not None:
            if visit.result.kind == "unknown_card" and cred.method == "idcard":
                self.screens["staff_newcomers"].select_latest(cred)
                self.open("staff_newcomers")
            else:
                screen.tell(present_staff.staff_card_problem(visit.result), problem=True)
            return
        self.screens["staff_member"].member_no = visit.senior.member_no
        self.open("staff_member")
