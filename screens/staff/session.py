"""Staff mode at the kiosk: who is signed in, the pages they open, a card read on those pages, and
the log-out after two idle minutes with a 20 s warning (docs/senior-ui.md I-5)."""

import importlib
import logging
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime

from kivy.event import EventDispatcher
from kivy.properties import StringProperty
from kivy.uix.modalview import ModalView

from kiosk.checkin.visit import Senior, Visit
from kiosk.enrolment.applications import Origin
from kiosk.enrolment.eligibility import Applicant
from kiosk.i18n import t
from kiosk.identity.credentials import Credential
from kiosk.staff.audit import Actor
from screens import present_staff
from screens.staff.frame import StaffScreen
from screens.staff.idle import StaffIdlePrompt
from screens.staff.offer import Offer, StaffOfferBar
from screens.support.idle import IdleTimer

log = logging.getLogger(__name__)

# Results that name nobody who could sign in: the staff page says why, fuller than the senior's screen.
CARD_PROBLEMS = ("unknown_card", "invalid_card", "expired_card", "error")


class Pages(Mapping[str, StaffScreen]):
    """The staff pages by name, each imported and built the first time it is asked for, then kept:
    a kiosk serves seniors all day, and the pages staff never open that day cost it nothing (their
    code, rules and widgets took ~30 MB of its memory)."""

    def __init__(self, where: dict[str, str], add: Callable[[StaffScreen], None]):
        self._where = where  # name → "module:Class"
        self._add = add  # puts a new page among the app's screens
        self._built: dict[str, StaffScreen] = {}

    def __getitem__(self, name: str) -> StaffScreen:
        page = self._built.get(name)
        if page is None:
            module, cls = self._where[name].split(":")
            page = getattr(importlib.import_module(module), cls)(name=name)
            self._built[name] = page
            self._add(page)
        return page

    def __contains__(self, name: object) -> bool:
        return name in self._where  # without building it

    def __iter__(self) -> Iterator[str]:
        return iter(self._where)

    def __len__(self) -> int:
        return len(self._where)

    def built(self) -> list[StaffScreen]:
        return list(self._built.values())


class StaffSession(EventDispatcher):
    label = StringProperty("")  # who is signed in, for the staff header

    def __init__(self, app):
        super().__init__()
        self.app = app
        self.screens = Pages({}, lambda _page: None)
        self.actor: Actor | None = None
        self.timer = IdleTimer(app.settings.staff.idle_s, app.settings.staff.idle_warning_s, app.clock())
        self.prompt: StaffIdlePrompt | None = None
        self.bar: StaffOfferBar | None = None
        self.aside_from = ""  # the staff page a senior's result stands in front of
        self.visit: Visit | None = None  # that senior's, while it does
        self.dialogs: list[ModalView] = []  # that page's pop-up, lifted off the window meanwhile

    def build(self, pages: dict[str, str], add: Callable[[StaffScreen], None]) -> None:
        """The staff pages (name → "module:Class"), once the app builds its screens; `add` puts a
        page among them when it is first opened."""
        self.screens = Pages(pages, add)
        self.prompt = StaffIdlePrompt()
        self.bar = StaffOfferBar()

    @property
    def is_admin(self) -> bool:
        return self.actor is not None and self.actor.role == "admin"

    def enter(self) -> None:
        """The 工作人员 button on the home screen: the PIN pad."""
        self.app.forget_senior()
        self.touch()
        self.app.screens.current = self.screens["staff_login"].name

    def login(self, actor: Actor) -> None:
        self.actor = actor
        self.label = t("staff.who", name=actor.name, role=t(f"staff.role.{actor.role}"))
        log.info("staff %s signed in", actor.name)
        self.open("staff_home")

    def open(self, name: str) -> None:
        if self.aside_from:  # staff go on from a senior's result (its offer): that visit is over
            self._leave_result()
        if self.actor is None and name != "staff_login":
            name = "staff_login"
        self.touch()
        self.app.screens.current = self.screens[name].name

    def logout(self) -> None:
        """退出, or two idle minutes: every staff page forgets what it showed, then home."""
        if self.actor:
            log.info("staff %s signed out", self.actor.name)
        self._end_visit()
        self._drop_dialogs()
        self._forget_all()
        self.app.go_home()

    def _forget_all(self) -> None:
        self.actor, self.label = None, ""
        self.prompt.close()
        for screen in self.screens.built():
            screen.forget()

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

    # -- a senior's card read while a staff page is open ---------------------------------------

    def card(self, cred: Credential, screen: StaffScreen) -> None:
        """A card read in staff mode signs its holder in as on the home screen: the queue does not
        stop for staff.  Staff keep the page they were on, and get an offer for the card over the
        result; only where the card is the page's input (a newcomer's ID card on 新学员登记) does
        the page take it instead (docs/design.md §4.9)."""
        visit = self.app.reception.sign_in(cred, datetime.now())
        if self.actor is not None and screen.card(cred, visit):
            self.touch()  # staff at work: the card was theirs
            return
        if visit.result.repeat:
            return  # the same card again: nothing new, the page stays
        self._step_aside(screen)
        self.app.remember(visit, cred)  # for 报名选课 or 代为报名: an ID card's birth date, in memory
        self.app.show(visit, cred.method)
        self.offer(visit, cred)

    def offer(self, visit: Visit, cred: Credential | None = None) -> None:
        """What staff may do for the card just read, over its result (nothing when no staff page
        waits behind it): the page's own action, the senior's record, or registering an ID card."""
        self.visit = visit
        offers: list[Offer] = []
        if self.actor is not None and self.aside_from:
            member_no = visit.senior.member_no if visit.senior else visit.result.member_no
            if member_no:
                page = self.screens[self.aside_from].offer(visit)
                if page:
                    offers.append((page[0], lambda: self._back_and(page[1])))
                offers.append((t("staff.offer.member"), lambda: self._open_member(member_no)))
                if visit.season is not None and visit.senior is not None:
                    offers.append((t("season.proxy"), lambda: self._proxy(visit)))
            elif visit.result.kind == "unknown_card" and cred is not None and cred.method == "idcard":
                offers.append((t("staff.offer.register"), lambda: self._register(cred)))
        self.bar.offer(offers)
        self.bar.follow(self.app.screens.current)

    def come_back(self) -> bool:
        """The senior's visit is over (timed out, 返回首页): back to the staff page it interrupted,
        as it was; a card that named nobody is explained on its message line.  False when no
        staff page waits."""
        name, visit = self.aside_from, self.visit
        if not name:
            return False
        self._end_visit()
        screen = self.screens[name]
        screen.returning = True
        self.app.screens.current = name
        _put_back(self.dialogs)  # the pop-up the page had open, as it was
        self.dialogs = []
        if self.actor is not None and visit is not None and visit.result.kind in CARD_PROBLEMS:
            screen.tell(present_staff.staff_card_problem(visit.result), problem=True)
        return True

    def watch_aside(self, now: float) -> None:
        """While a senior's result stands in front of a staff page: no warning over the senior's
        screen, but two idle minutes still end staff mode (the result stays, then home)."""
        if self.timer.state(now) == "expired":
            log.info("staff %s signed out while a senior's result showed", self.actor.name if self.actor else "-")
            self._end_visit()
            self._drop_dialogs()
            self._forget_all()

    def _step_aside(self, screen: StaffScreen) -> None:
        """The staff page gives way to a senior's result: its pop-up is lifted off the window (kept,
        not dismissed) and the log-out warning closes (its timer runs on)."""
        if not self.aside_from:
            from kivy.core.window import Window  # not at import: configure() sizes the window first

            self.aside_from = screen.name
            self.dialogs = [w for w in Window.children if isinstance(w, ModalView) and w is not self.prompt]
            for dialog in self.dialogs:
                Window.remove_widget(dialog)
        self.prompt.close()

    def _end_visit(self) -> None:
        self.aside_from, self.visit = "", None
        self.bar.offer([])
        self.bar.follow("")

    def _drop_dialogs(self) -> None:
        _put_back(self.dialogs)  # dismiss() expects them on the window
        for dialog in self.dialogs:
            dialog.dismiss(animation=False)
        self.dialogs = []

    def _leave_result(self) -> None:
        """Staff took an offer: the senior's visit ends without going home."""
        self._end_visit()
        self._drop_dialogs()
        self.app.forget_senior()
        self.app.idle.prompt.close()

    def _open_member(self, member_no: str) -> None:
        self.screens["staff_member"].member_no = member_no
        self.open("staff_member")

    def _proxy(self, visit: Visit) -> None:
        """「代为报名」: the PIN again and a reason (screens/staff/proxy.py), for the senior whose card
        was read; the page staff were on waits behind."""
        page, applicant = self.screens["staff_proxy"], self.app.applicant
        if applicant is not None and applicant.member_no != visit.senior.member_no:
            applicant = None
        page.prepare(visit.senior, applicant, self.aside_from)
        self.open("staff_proxy")

    def enrol_for(self, senior: Senior, applicant: Applicant | None, origin: Origin, back: str) -> None:
        """The PIN and the reason given: the senior's course cards, every 报名 made by staff for
        them; when that visit ends (返回首页, idle), back to the page staff were on."""
        self.touch()
        self.aside_from, self.visit = back, None
        self.app.enrol_for(senior, applicant, origin)

    def _register(self, cred: Credential) -> None:
        self.screens["staff_newcomers"].select_latest(cred)
        self.open("staff_newcomers")

    def _back_and(self, action) -> None:
        """The page's own action for the card: back on the page as it was, then the action."""
        self.touch()
        self.app.go_home()  # which comes back to the page
        action()


def _put_back(dialogs: list[ModalView]) -> None:
    from kivy.core.window import Window

    for dialog in dialogs:
        Window.add_widget(dialog)
