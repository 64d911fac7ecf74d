"""The kiosk app: screens built once, a card read in, the Visit it makes on screen (docs/design.md §2).

The composition root of the kiosk: it wires the devices (devices/), the core's front desk
(kiosk.checkin.visit.Reception), the sync thread and the screens.  A keyboard-wedge scanner types
into the window itself: Window key events go to devices.wedge, and a completed scan becomes a
Credential.  Device and sync threads hand what they have to the UI thread (@mainthread).  The
idle and night watch is screens/idle.py; staff mode is screens/staff/session.py.
"""

import logging
import threading
import time
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

from kivy.app import App
from kivy.clock import Clock, mainthread
from kivy.config import Config
from kivy.properties import ObjectProperty
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.screenmanager import NoTransition, ScreenManager

from devices import configured
from devices.display import Panel
from devices.manager import DeviceManager
from devices.sim import demo as sim_demo
from devices.wedge import Wedge
from kiosk import demo, logs, memory, notify, printing, timesync
from kiosk.checkin.signin import Result
from kiosk.checkin.visit import Reception, Senior, Visit
from kiosk.enrolment import applications
from kiosk.enrolment import slip as enrol_slip
from kiosk.enrolment.eligibility import Applicant
from kiosk.enrolment.seasons import CourseCard
from kiosk.fonts import cmap
from kiosk.health import Health
from kiosk.i18n import t
from kiosk.identity.credentials import Credential
from kiosk.points import redemptions
from kiosk.points.catalogue import Offer
from kiosk.programme import activities
from kiosk.programme.schedule import Item
from kiosk.release import healthy
from kiosk.staff.refused import Refused
from kiosk.sync import device_facts
from kiosk.sync.status import Status as SyncStatus
from kiosk.sync.worker import SyncWorker
from kiosk.upkeep import Upkeep
from screens import present, present_enrol, present_service, typeface
from screens.idle import CHECK_S, IdleWatch
from screens.live_theme import Theme
from screens.senior.activities import ActivitiesScreen
from screens.senior.attract import AttractScreen
from screens.senior.choice import ChoiceScreen
from screens.senior.courses import CoursesScreen
from screens.senior.enrol import EnrolScreen
from screens.senior.home import HomeScreen
from screens.senior.night import NightScreen
from screens.senior.points import PointsScreen
from screens.senior.preferences import PreferencesScreen
from screens.senior.reading import ReadingOverlay
from screens.senior.result import ResultScreen
from screens.senior.service import ServiceScreen
from screens.staff.frame import StaffScreen
from screens.staff.session import StaffSession
from screens.support import voice
from screens.theme import PAPER, rgba

log = logging.getLogger(__name__)

DEMO_TOP_UP_S = 300
CLOCK_CHECK_S = 60  # whether the clock is synchronised, for the status corner
# The staff pages, each built the first time staff open it (screens/staff/session.py Pages).
STAFF_PAGES = {
    "staff_login": "screens.staff.login:StaffLoginScreen",
    "staff_home": "screens.staff.home:StaffHomeScreen",
    "staff_today": "screens.staff.today:StaffTodayScreen",
    "staff_members": "screens.staff.members:StaffMembersScreen",
    "staff_member": "screens.staff.member:StaffMemberScreen",
    "staff_newcomers": "screens.staff.newcomers:StaffNewcomersScreen",
    "staff_courses": "screens.staff.courses:StaffCoursesScreen",
    "staff_course": "screens.staff.course:StaffCourseScreen",
    "staff_exports": "screens.staff.exports:StaffExportsScreen",
    "staff_imports": "screens.staff.imports:StaffImportsScreen",
    "staff_audit": "screens.staff.audit:StaffAuditScreen",
    "staff_sync": "screens.staff.sync:StaffSyncScreen",
    "staff_doctor": "screens.staff.doctor:StaffDoctorScreen",
    "staff_redemptions": "screens.staff.redemptions:StaffRedemptionsScreen",
    "staff_proxy": "screens.staff.proxy:StaffProxyScreen",
}
ENTER_KEYS = (13, 271)  # Return, keypad Enter
F1 = 282  # Kivy's key code of F1; F2..F12 follow
BACKSPACE = 8
# What each senior screen says when it opens: 近期活动 can be read before a card, the others wait.
OPENING_PHRASES = {
    "points": "points_prompt",
    "activities": "activities",
    "courses": "courses_prompt",
    "settings": "settings_prompt",
    "enrol": "",  # reached from a result, the senior named: the cards speak for themselves
}


def configure(settings: SimpleNamespace) -> None:
    """Kivy's configuration for this kiosk.  Call before anything imports kivy.core.window."""
    memory.keep_large_blocks_apart()  # before the window's driver allocates its first textures
    kiosk = settings.kiosk.kiosk_mode
    Config.set("kivy", "exit_on_escape", "0" if kiosk else "1")  # K-2
    Config.set("graphics", "fullscreen", "auto" if kiosk else "0")  # K-1
    Config.set("graphics", "borderless", "1" if kiosk else "0")
    Config.set("graphics", "show_cursor", "0" if kiosk else "1")
    Config.set("graphics", "resizable", "0")
    Config.set("graphics", "width", str(settings.display.width))
    Config.set("graphics", "height", str(settings.display.height))
    # No multisampling: Kivy's default of 2 samples a pixel doubles every frame buffer (63 MB at
    # 1920×1080 under a software GL driver, for smoother edges on a few rounded corners); the
    # text is smoothed by the font rasteriser all the same.
    Config.set("graphics", "multisamples", "0")
    # One input provider, or a touch panel that X also reports as a pointer taps twice (K-3):
    # the pointer, without the right-click multitouch emulation that leaves dots on screen.
    Config.remove_option("input", "%(name)s")
    Config.set("input", "mouse", "mouse,disable_multitouch")
    if kiosk:  # none of Kivy's debugging modules: F11/F12 rotate and screenshot, Ctrl+E inspects
        for name, _ in Config.items("modules"):
            Config.remove_option("modules", name)
    typeface.register(settings)


class KioskApp(App):
    # The sync thread's latest, for the staff pages; every report is news (an equal one included:
    # it ends 「正在同步…」), hence compared by identity.
    sync_status = ObjectProperty(None, allownone=True, comparator=lambda a, b: a is b)
    staff = ObjectProperty(None)  # the staff session, for the .kv rules

    def __init__(self, settings: SimpleNamespace, **kwargs):
        super().__init__(**kwargs)
        self.settings = settings
        self.use_kivy_settings = not settings.kiosk.kiosk_mode
        self.title = t("screen.title")
        self.theme = Theme(settings.display.px_per_mm)
        self.reception = Reception(settings)
        self.wedge = Wedge.from_settings(settings)
        self.devices = configured.Devices()
        self.device_manager: DeviceManager | None = None
        self._device_states: dict[str, str] = {}
        self._slip_watch: tuple[str, int, int] | None = None  # an enrol message saying its slip prints
        self.sync: SyncWorker | None = None
        self.upkeep = Upkeep(settings)  # backups, free space, old newcomer cards
        self.voice = voice.Voice(settings.voice, on_trouble=self._voice_trouble)
        self.panel = Panel(settings.display.panel_command)  # dark at night (DPMS)
        self.senior: Senior | None = None  # identified, with their own preferences in force
        # The senior's read for an enrolment season: an ID card's birth date, in memory only (§9.1).
        self.applicant: Applicant | None = None
        # 代为报名: staff applying for that senior, with their reason (screens/staff/proxy.py).
        self.proxy: applications.Origin | None = None
        self.clock = time.monotonic  # the idle watches' clock; tests move a fake one
        self.staff = StaffSession(self)

    # -- building ----------------------------------------------------------------------------

    def build(self) -> FloatLayout:
        self.screens = ScreenManager(transition=NoTransition())
        self.home = HomeScreen(self.settings.site.name, self._late, name="home")
        self.result = ResultScreen(name="result")
        self.choice = ChoiceScreen(name="choice")
        self.services = {
            "points": PointsScreen(name="points"),
            "activities": ActivitiesScreen(name="activities"),
            "courses": CoursesScreen(name="courses"),
            "settings": PreferencesScreen(name="settings"),
            "enrol": EnrolScreen(name="enrol"),
        }
        self.attract = AttractScreen(name="attract")
        self.night = NightScreen(name="night")
        self.staff.build(STAFF_PAGES, self.screens.add_widget)
        for screen in (self.home, self.result, self.choice, *self.services.values(), self.attract, self.night):
            self.screens.add_widget(screen)
        self.idle = IdleWatch(self)
        self.reading = ReadingOverlay()
        root = FloatLayout()
        root.add_widget(self.screens)
        root.add_widget(self.staff.bar)  # over a senior's result while staff mode is open
        root.add_widget(self.reading)
        self.screens.bind(current=lambda _sm, current: self.staff.bar.follow(current))
        self.screens.bind(current=self._panel_follows)
        return root

    def on_start(self) -> None:
        from kivy.core.window import Window

        Window.clearcolor = rgba(PAPER)
        if self.settings.kiosk.kiosk_mode:
            Window.bind(on_request_close=self._refuse_close)  # K-2, I-5
        if self.settings.devices.keyboard_wedge.enabled:
            Window.bind(on_textinput=self._on_textinput, on_key_down=self._on_key_down)
        else:
            Window.bind(on_key_down=self._on_demo_key)
        Window.bind(on_flip=self._first_frame)
        # Any touch anywhere is someone at the kiosk; it must still reach the widgets.
        Window.bind(on_touch_down=self._touched)
        Clock.schedule_interval(self.idle.watch, CHECK_S)
        Clock.schedule_interval(self._show_clock, CLOCK_CHECK_S)
        ping = notify.watchdog_interval()
        if ping:  # from the UI thread's clock: a frozen UI stops the pings and systemd restarts it
            Clock.schedule_interval(lambda _dt: notify.watchdog(), ping)
        self._start_devices()
        if self.settings.sync.url:
            self.sync = SyncWorker(self.settings, self._synced)
            self.sync.start()
        self.upkeep.start()
        if self.settings.site.demo_data:
            # A demo left running keeps something due, as it was when it started.
            Clock.schedule_interval(self._top_up_demo, DEMO_TOP_UP_S)

    def _panel_follows(self, _screens, current: str) -> None:
        """The panel is off while the night screen shows, and on as soon as anything else does."""
        if current == "night":
            self.panel.off()
        else:
            self.panel.on()

    def _touched(self, *_args) -> None:
        # A touch on a senior's screen (a result in front of a staff page) is not staff at work.
        self.idle.touch()
        if self.screens.current in self.staff.screens:
            self.staff.touch()

    def _first_frame(self, window) -> None:
        window.unbind(on_flip=self._first_frame)
        log.info("home screen ready")
        healthy.mark(Path(self.settings.kiosk.data_dir))  # migrated, home drawn, devices opened: ends an update's trial
        notify.ready()
        self._greet()
        # The fallbacks' character maps take ~0.15 s each to read: after the first frame, not at a scan.
        threading.Thread(target=self._warm_fonts, name="fonts", daemon=True).start()

    def _greet(self) -> None:
        """Tell the terminal that started the kiosk that it is up, where its log is and what the
        keys do: otherwise a newcomer's first run is a silent terminal and a window."""
        lines = [t("console.ready"), t("console.log", file=logs.log_file(self.settings))]
        if self.devices.idcard_sim or self.devices.qr_sim:
            lines.append(t("console.demo_keys"))
        if self.settings.devices.keyboard_wedge.enabled:
            lines.append(t("console.wedge"))
        if not self.settings.kiosk.kiosk_mode:
            lines.append(t("console.quit"))
        print("\n".join(lines), flush=True)

    @mainthread
    def _voice_trouble(self, failing: bool) -> None:
        """The voice's player failing (logged once by the voice) is a line in the status corner."""
        self.home.ids.status.show_note("voice", t("device.voice_failing") if failing else "")

    @mainthread
    def _synced(self, status: SyncStatus) -> None:
        self.sync_status = status

    def on_sync_status(self, _app, _status: SyncStatus | None) -> None:
        self._show_clock()

    def _show_clock(self, *_args) -> None:
        synchronised = timesync.synchronised(self.settings.clock.synced_flag)
        self.home.ids.status.show_note("clock", present.clock_warning(self.sync_status, synchronised))

    def on_stop(self) -> None:
        if self.sync:
            self.sync.stop()
        self.upkeep.stop()
        if self.device_manager:
            self.device_manager.stop()
        printing.stop()
        self.devices.close_simulators()
        self.voice.close()

    def _top_up_demo(self, _dt: float) -> None:
        demo.ensure_due(self.settings, datetime.now())

    @staticmethod
    def _refuse_close(*_args, **_kwargs) -> bool:
        return True

    # Kivy's own settings panel (F1) changes Kivy's configuration: never at a kiosk.
    def open_settings(self, *largs) -> bool:
        if self.settings.kiosk.kiosk_mode:
            log.warning("Kivy's settings panel refused in kiosk mode")
            return False
        return super().open_settings(*largs)

    def _install_settings_keys(self, window) -> None:
        if not self.settings.kiosk.kiosk_mode:
            super()._install_settings_keys(window)

    def _warm_fonts(self) -> None:
        """Read the fallbacks' character maps before a label with a rare character asks for them
        (the main faces' are read for the first labels)."""
        for path in self.settings.display.fallback_fonts:
            cmap(path)

    # -- keyboard wedge -----------------------------------------------------------------------

    def _on_textinput(self, _window, text: str) -> None:
        self.wedge.key(text, time.monotonic())
        if self._typing_page():
            # Once the key gap passes with no further key, no scanner is typing: a person is.
            Clock.schedule_once(self._typed_by_hand, self.wedge.max_gap + 0.01)

    def _typed_by_hand(self, _dt) -> None:
        page = self._typing_page()
        text = self.wedge.take_typed(time.monotonic()) if page else ""
        if page and text:
            self._touched()
            for char in text:
                page.typed(char)

    def _typing_page(self) -> StaffScreen | None:
        """The page shown, when it takes a USB keyboard's typing (the staff search)."""
        screen = self.screens.current_screen
        return screen if isinstance(screen, StaffScreen) and screen.takes_typing else None

    def _on_key_down(self, _window, key: int, _scancode, _codepoint, _modifiers) -> bool:
        if key in ENTER_KEYS:
            scan = self.wedge.enter(time.monotonic())
            if scan:
                self.submit(Credential.qr(scan))
            return True
        if key == BACKSPACE:
            page = self._typing_page()
            if page and not self.wedge.pending:  # nothing of a scan to correct: the search's last key
                self._touched()
                page.typed("back")
            else:
                self.wedge.backspace(time.monotonic())
            return True
        return self._on_demo_key(_window, key)

    def _on_demo_key(self, _window, key: int, *_args) -> bool:
        if not F1 <= key < F1 + 12:
            return False
        done = sim_demo.press(self.devices, key - F1 + 1, self.settings)
        if done:
            log.info("demo: %s", done)
        return done is not None

    # -- serial devices -----------------------------------------------------------------------

    def _late(self) -> timedelta:
        """How long after its start a lesson can be signed in to, as the settings say now."""
        return timedelta(minutes=self.settings.checkin.window_after_min)

    def _start_devices(self) -> None:
        self.devices = configured.from_settings(self.settings)
        self.device_manager = DeviceManager(self.devices.devices, self._from_device, self.show_health)
        for health in self.device_manager.health():  # the corner lists them in this order
            self.home.show_health(health)
        self.device_manager.start()
        if self.devices.printer is not None:  # its own thread: slips queue there (kiosk/printing)
            self.home.show_health(
                printing.start(self.devices.printer, self.settings.printer.width_mm, self.show_health).health
            )
        if self.devices.idcard_sim or self.devices.qr_sim:
            log.info("%s", t("console.demo_keys"))

    @mainthread
    def _from_device(self, cred: Credential) -> None:
        self.submit(cred)

    @mainthread
    def show_health(self, health: Health) -> None:
        self.home.show_health(health)
        if health.kind == "printer" and self._slip_watch is not None:
            self._slip_outcome(health)
        if self._device_states.get(health.name) != health.state():
            self._device_states[health.name] = health.state()
            try:
                device_facts.record(self.settings, health, datetime.now())
            except Exception:
                log.exception("could not record the state of %s", health.name)

    # -- reads and visits ---------------------------------------------------------------------

    def submit(self, cred: Credential) -> None:
        """A card was read: acknowledge at once, decide once the acknowledgement is on screen.
        On a senior's own screen the card identifies them; anywhere else it signs in, staff mode
        included (screens/staff/session.py: the page stays behind the result).  A card is a senior
        at the kiosk, not staff at work: it keeps the staff's idle timer as it was."""
        self.reading.showing = True
        self.panel.on()  # a card is not X input: X leaves the panel dark for it
        self.idle.touch()
        self.reception.prepare(cred)
        screen = self.screens.current_screen
        if isinstance(screen, StaffScreen):
            _after_next_frame(lambda: self._staff_card(cred, screen))
        elif isinstance(screen, ServiceScreen):
            _after_next_frame(lambda: self._identify(cred, screen))
        else:
            _after_next_frame(lambda: self._sign_in(cred))

    def now(self) -> datetime:
        return datetime.now()

    def _sign_in(self, cred: Credential) -> None:
        visit = self.reception.sign_in(cred, datetime.now())
        self.remember(visit, cred)
        self.show(visit, cred.method)
        if self.staff.aside_from and not visit.result.repeat:  # the next senior, still before a staff page
            self.staff.offer(visit, cred)

    def choose(self, member_no: str, item: Item, method: str) -> None:
        """The senior picked `item` on the choice screen."""
        self.reading.showing = True
        _after_next_frame(lambda: self.show(self.reception.choose(member_no, item, method, datetime.now()), method))

    def sign_in_more(self, already: Result) -> None:
        """「要签到」 after 「您已经签到了」: the other item due is signed in to only now, on the
        senior's word; with several, they pick one."""
        self.idle.touch()
        if len(already.options) == 1:
            self.choose(already.member_no, already.options[0], already.method)
            return
        self.choice.show(replace(already, kind="choose"), already.method)
        self.screens.current = "choice"

    def show(self, visit: Visit, method: str) -> None:
        """Put a Visit's Result on screen and say it; a repeated read changes nothing, not even
        the timer."""
        self.reading.showing = False
        result = visit.result
        if result.repeat:
            return
        self._apply(visit.senior)  # nobody named (an unknown card): nobody's preferences
        news = present_enrol.drawn_news(visit.drawn, self.theme.scale > 1) or present_service.news(
            visit.news, self.theme.scale > 1
        )
        if result.kind == "choose":
            self.choice.show(result, method)
            self.screens.current = "choice"
        else:
            offer = visit.season is not None and visit.senior is not None
            self.result.show(result, self.settings.display.result_timeout_s, news, offer=offer)
            self.screens.current = "result"
        name, numbers = present.phrase(result)
        drawn = present_enrol.drawn_phrase(visit.drawn)
        self.say(name, then=((drawn,) if drawn else ()) + present_service.news_voice(visit.news), **numbers)

    def go_home(self) -> None:
        """Back to the start: no senior, no personal data anywhere, normal type (I-3).  The start
        is the staff page a senior's result stood in front of, when there is one."""
        self.idle.prompt.close()
        self._apply(None)
        self.idle.touch()
        if not self.staff.come_back():
            self.screens.current = "home"

    def forget_senior(self) -> None:
        """Staff mode opens: no senior's preferences stay in force."""
        self._apply(None)

    # -- the seniors' own screens ---------------------------------------------------------------

    def open_service(self, name: str) -> None:
        """A home button: 我的积分, 近期活动, 我的课程 or 大字与声音, waiting for a card."""
        self.idle.touch()
        self.screens.current = name
        self.say(OPENING_PHRASES[name])

    def _identify(self, cred: Credential, screen: ServiceScreen) -> None:
        self.reading.showing = False
        visit = self.reception.identify(cred, datetime.now())
        if visit.result is not None:  # unknown, expired ...: the result screen says why
            self.show(visit, cred.method)
            return
        if self.senior and self.senior.member_no == visit.senior.member_no and screen.senior:
            if cred.method == "idcard":  # the ID card after a QR card: its birth date now counts
                self.remember(visit, cred)
                screen.show()
            return  # the same card again: nothing new
        self._apply(visit.senior)
        self.remember(visit, cred)
        news = present_service.news(visit.news, self.theme.scale > 1)
        try:
            screen.identified(visit.senior, news)
        except Exception:
            log.exception("could not show %s for %s", screen.name, visit.senior.member_no)
            self.show(Visit(Result("error", detail="internal error")), cred.method)
            return
        self._speak_service(screen, present_service.news_voice(visit.news))

    def _apply(self, senior: Senior | None) -> None:
        """The senior's own preferences, from the moment they are identified (docs/design.md §8.3)."""
        if senior is None or self.senior is None or senior.member_no != self.senior.member_no:
            self.proxy = None  # staff applied for that senior only
        self.senior = senior
        if senior is None or (self.applicant is not None and self.applicant.member_no != senior.member_no):
            self.applicant = None
        large = senior is not None and senior.large_text
        self.theme.scale = self.settings.display.large_text_scale if large else 1.0

    def _speak_service(self, screen: ServiceScreen, then: tuple[str, ...]) -> None:
        if screen.name == "points":
            self.say("points_balance", then=then, n=screen.balance)
        elif screen.name == "courses":
            self.say("courses", then=then)
        elif then:
            self.say("promoted")

    def change_activity(self, view: activities.ActivityView) -> None:
        """The one big button of an activity: sign up, join the waitlist, or cancel."""
        self.idle.touch()
        screen = self.services["activities"]
        change = activities.cancel if view.status else activities.sign_up
        try:
            done = change(
                self.senior.member_no, view.id, datetime.now(), self.settings.kiosk.id, self.settings.site.code
            )
        except Exception:
            log.exception("activity %s change failed for %s", view.id, self.senior.member_no)
            screen.show(t("service.failed"))
            self.say("error")
            return
        log.info(
            "activity %s for %s: %s%s",
            view.id,
            self.senior.member_no,
            done.outcome,
            f", {done.promoted} moved up from the waitlist" if done.promoted else "",
        )
        screen.show(present_service.change_message(done))
        self.say(present.change_phrase(done.outcome))

    def redeem(self, offer: Offer) -> None:
        """「确定兑换」 on 我的积分: the request, held until staff hand the item over at the desk."""
        self.idle.touch()
        screen = self.services["points"]
        try:
            done = redemptions.request(
                self.senior.member_no, offer.key, datetime.now(), self.settings.kiosk.id, self.settings.site.code
            )
        except Refused as e:  # spent or gone since the list was drawn: it says why
            screen.show(e.message())
            return
        except Exception:
            log.exception("redemption of %s failed for %s", offer.key, self.senior.member_no)
            screen.show(t("service.failed"))
            self.say("error")
            return
        log.info("redemption of %s requested for %s", offer.key, self.senior.member_no)
        screen.show(t("catalogue.asked", name=done.name, points=done.points))

    # -- an enrolment season (kiosk.enrolment) -------------------------------------------------------

    def remember(self, visit: Visit, cred: Credential) -> None:
        """The read that named the senior, for the season's age ranges (an ID card's birth date)."""
        self.applicant = Applicant.of(visit.senior.member_no, cred) if visit.senior else None

    def open_enrol(self) -> None:
        """「报名选课」 on the result of a card read during an open season."""
        self.idle.touch()
        if self.senior is None or self.applicant is None:
            self.go_home()
            return
        screen = self.services["enrol"]
        self.screens.current = "enrol"
        screen.identified(self.senior)

    def enrol_for(self, senior: Senior, applicant: Applicant | None, origin: applications.Origin) -> None:
        """代为报名: the senior's course cards, opened by staff (their PIN and reason given) for the
        senior whose card was read; every change there carries `origin`."""
        self.idle.prompt.close()
        self._apply(senior)
        self.applicant = applicant or Applicant(senior.member_no)
        self.proxy = origin
        self.idle.touch()
        self.screens.current = "enrol"
        self.services["enrol"].identified(senior)

    def change_application(self, card: CourseCard) -> None:
        """「报名」 or 「取消报名」 on a course card: the application and its fact; after 报名, the slip
        for the printer when printing is on (never waited for).  代为报名: in the staff's name, while
        staff mode lasts (it keeps staff mode alive)."""
        self.idle.touch()
        screen = self.services["enrol"]
        origin = self.proxy or applications.Origin(self.settings.kiosk.id, self.settings.site.code)
        if self.proxy is not None:
            if self.staff.actor is None or self.staff.actor != self.proxy.actor:
                self.go_home()  # staff mode ended meanwhile: nobody vouches for the next tap
                return
            self.staff.touch()
        change = applications.withdraw if card.applied else applications.apply
        try:
            done = change(self.applicant, screen.season_key, card.key, self.now(), origin)
        except Exception:
            log.exception("application for %s failed for %s", card.key, self.senior.member_no)
            screen.show(t("service.failed"))
            self.say("error")
            return
        message = present_enrol.outcome_message(done)
        self._slip_watch = None
        if done.kind == "applied" and enrol_slip.printing_on(self.settings):
            before = printing.health()
            said = self._print_slip(screen.season_key)
            message += "　" + said
            if said == t("season.printing") and before is not None:  # until the printer says how it went
                self._slip_watch = (message, before.reads, before.faults)
        screen.show(message)
        self.say(present_enrol.outcome_phrase(done))

    def _print_slip(self, season_key: str) -> str:
        """Hands the senior's slip to the printer's thread (never waited for); what the screen says
        of it: 正在打印回执 while the printer is fine as last found, else why it will not come out
        and to ask staff (printing.trouble()), or that it could not be printed."""
        queued = False
        try:
            slip = enrol_slip.application_slip(self.senior.member_no, season_key, self.settings, self.now())
            queued = slip is not None and printing.submit(slip)
        except Exception:  # the senior's application stands: only the slip is lost
            log.exception("could not hand the application slip of %s to the printer", self.senior.member_no)
        trouble = printing.trouble()
        if trouble:
            return trouble
        return t("season.printing") if queued else t("season.not_printed")

    def _slip_outcome(self, health: Health) -> None:
        """The printer's word after an enrol message said its slip prints: a slip refused or
        lost since (the paper ran out after the printer's last look, the cable pulled) turns
        「正在打印回执」 into why it did not print and to ask staff, while the message still shows."""
        message, reads, faults = self._slip_watch or ("", 0, 0)
        screen = self.services["enrol"]
        if self.screens.current != "enrol" or screen.ids.news.text != message:
            self._slip_watch = None  # the senior has moved on
        elif health.faults > faults:
            self._slip_watch = None
            said = printing.trouble() or t("season.not_printed")
            screen.ids.news.text = message.removesuffix(t("season.printing")) + said
        elif health.reads > reads:
            self._slip_watch = None  # printed

    def change_preference(self, what: str) -> None:
        """大字 or 声音 turned on or off by the senior, kept on their record."""
        self.idle.touch()
        screen = self.services["settings"]
        turn_on = not getattr(self.senior, what)
        if what == "voice" and not turn_on:
            self.say("voice_off")  # said before it goes quiet
        try:
            senior = self.reception.set_prefs(self.senior, datetime.now(), **{what: turn_on})
        except Exception:
            log.exception("could not keep the preference of %s", self.senior.member_no)
            screen.show(t("service.failed"))
            return
        self._apply(senior)
        screen.senior = senior
        screen.show()
        if what != "voice" or turn_on:
            self.say(f"{what}_{'on' if turn_on else 'off'}")

    def more_time(self) -> None:
        """「继续」 on the idle prompt."""
        self.idle.more_time()

    def say(self, name: str, then: tuple[str, ...] = (), **numbers: int) -> None:
        """Speak a phrase (and then the phrases `then`), unless the voice is off for the kiosk or
        for this senior."""
        if not name or (self.senior is not None and not self.senior.voice):
            return
        self.voice.say(name, then=then, **numbers)

    # -- staff mode ---------------------------------------------------------------------------

    def _staff_card(self, cred: Credential, screen: StaffScreen) -> None:
        self.reading.showing = False
        self.staff.card(cred, screen)


def _after_next_frame(action) -> None:
    # In the tick after the frame now asked for is shown: the acknowledgement is on screen first.
    from kivy.core.window import Window

    def flipped(window) -> None:
        window.unbind(on_flip=flipped)
        Clock.schedule_once(lambda dt: action(), 0)

    Window.bind(on_flip=flipped)
    Window.canvas.ask_update()


def run(settings: SimpleNamespace) -> int:
    """Run the kiosk until it is closed; the exit status for the kiosk program."""
    configure(settings)
    KioskApp(settings).run()
    return 0
