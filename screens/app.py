"""The kiosk app: screens built once, a card read in, its Result on screen (DESIGN §2).

A keyboard-wedge scanner types into the window itself: Window key events go to devices.wedge,
and a completed scan becomes a Credential for kiosk.checkin.  Other devices will hand their
Credentials to KioskApp.submit from their threads with Clock.schedule_once.
"""
import logging
import threading
import time
from datetime import datetime
from types import SimpleNamespace

from kivy.app import App
from kivy.clock import Clock
from kivy.config import Config
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.screenmanager import NoTransition, ScreenManager

from devices import configured
from devices.manager import DeviceManager, Health
from devices.sim import demo as sim_demo
from devices.wedge import Wedge
from kiosk import demo, device_facts
from kiosk.checkin import CheckIn, Result
from kiosk.credentials import Credential
from kiosk.fonts import FontChain, cmap
from kiosk.i18n import t
from kiosk.schedule import Item
from screens import typeface
from screens.choice import ChoiceScreen
from screens.home import HomeScreen
from screens.reading import ReadingOverlay
from screens.result import ResultScreen
from screens.theme import PAPER, Theme, rgba

log = logging.getLogger(__name__)

DEMO_TOP_UP_S = 300
ENTER_KEYS = (13, 271)        # Return, keypad Enter
F1 = 282                      # Kivy's key code of F1; F2..F12 follow
BACKSPACE = 8


def configure(settings: SimpleNamespace) -> None:
    """Kivy's configuration for this kiosk.  Call before anything imports kivy.core.window."""
    kiosk = settings.kiosk.kiosk_mode
    Config.set("kivy", "exit_on_escape", "0" if kiosk else "1")          # K-2
    Config.set("graphics", "fullscreen", "auto" if kiosk else "0")       # K-1
    Config.set("graphics", "borderless", "1" if kiosk else "0")
    Config.set("graphics", "show_cursor", "0" if kiosk else "1")
    Config.set("graphics", "resizable", "0")
    Config.set("graphics", "width", str(settings.display.width))
    Config.set("graphics", "height", str(settings.display.height))
    # One input provider, or a touch panel that X also reports as a pointer taps twice (K-3):
    # the pointer, without the right-click multitouch emulation that leaves dots on screen.
    Config.remove_option("input", "%(name)s")
    Config.set("input", "mouse", "mouse,disable_multitouch")
    typeface.register(settings)


class KioskApp(App):
    def __init__(self, settings: SimpleNamespace, **kwargs):
        super().__init__(**kwargs)
        self.settings = settings
        self.title = t("screen.title")
        self.theme = Theme(settings.display.px_per_mm)
        self.checkin = CheckIn(settings)
        self.wedge = Wedge.from_settings(settings)
        self._fonts: FontChain | None = None
        self.devices = configured.Devices()
        self.device_manager: DeviceManager | None = None
        self._device_states: dict[str, str] = {}

    # -- building ----------------------------------------------------------------------------

    def build(self) -> FloatLayout:
        self.screens = ScreenManager(transition=NoTransition())
        self.home = HomeScreen(self.settings.site.name, name="home")
        self.result = ResultScreen(name="result")
        self.choice = ChoiceScreen(name="choice")
        for screen in (self.home, self.result, self.choice):
            self.screens.add_widget(screen)
        self.reading = ReadingOverlay()
        root = FloatLayout()
        root.add_widget(self.screens)
        root.add_widget(self.reading)
        return root

    def on_start(self) -> None:
        from kivy.core.window import Window
        Window.clearcolor = rgba(PAPER)
        if self.settings.kiosk.kiosk_mode:
            Window.bind(on_request_close=self._refuse_close)                  # K-2, I-5
        if self.settings.devices.keyboard_wedge.enabled:
            Window.bind(on_textinput=self._on_textinput, on_key_down=self._on_key_down)
        else:
            Window.bind(on_key_down=self._on_demo_key)
        Window.bind(on_flip=self._first_frame)
        self._start_devices()
        if self.settings.site.demo_data:
            # A demo left running keeps something due, as it was when it started.
            Clock.schedule_interval(self._top_up_demo, DEMO_TOP_UP_S)

    def _first_frame(self, window) -> None:
        window.unbind(on_flip=self._first_frame)
        log.info("home screen ready")
        # Reading the fonts' character maps takes ~0.3 s each: not at start-up, not at a scan.
        threading.Thread(target=self._warm_fonts, name="fonts", daemon=True).start()

    def on_stop(self) -> None:
        if self.device_manager:
            self.device_manager.stop()
        self.devices.close_simulators()

    def _top_up_demo(self, _dt: float) -> None:
        demo.ensure_due(self.settings, datetime.now())

    @staticmethod
    def _refuse_close(*_args, **_kwargs) -> bool:
        return True

    @property
    def fonts(self) -> FontChain:
        """The main font and its fallbacks, for names with rare characters."""
        if self._fonts is None:
            display = self.settings.display
            self._fonts = FontChain(display.font, display.fallback_fonts)
        return self._fonts

    def _warm_fonts(self) -> None:
        for path in self.fonts.fonts:
            cmap(path)

    # -- keyboard wedge -----------------------------------------------------------------------

    def _on_textinput(self, _window, text: str) -> None:
        self.wedge.key(text, time.monotonic())

    def _on_key_down(self, _window, key: int, _scancode, _codepoint, _modifiers) -> bool:
        if key in ENTER_KEYS:
            scan = self.wedge.enter(time.monotonic())
            if scan:
                self.submit(Credential.qr(scan))
            return True
        if key == BACKSPACE:
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

    def _start_devices(self) -> None:
        self.devices = configured.from_settings(self.settings)
        self.device_manager = DeviceManager(self.devices.devices, self._from_device, self._from_health)
        for health in self.device_manager.health():   # the corner lists them in this order
            self.home.ids.status.show(health)
        self.device_manager.start()
        if self.devices.idcard_sim or self.devices.qr_sim:
            log.info(sim_demo.HELP)

    def _from_device(self, cred: Credential) -> None:
        # Called in a device's thread: the UI is only touched from Kivy's.
        Clock.schedule_once(lambda dt: self.submit(cred))

    def _from_health(self, health: Health) -> None:
        Clock.schedule_once(lambda dt: self.show_health(health))

    def show_health(self, health: Health) -> None:
        self.home.ids.status.show(health)
        if self._device_states.get(health.name) != health.state():
            self._device_states[health.name] = health.state()
            try:
                device_facts.record(self.settings, health, datetime.now())
            except Exception:
                log.exception("could not record the state of %s", health.name)

    # -- reads and results --------------------------------------------------------------------

    def submit(self, cred: Credential) -> None:
        """A card was read: acknowledge at once, decide once the acknowledgement is on screen."""
        self.reading.showing = True
        _after_next_frame(lambda: self.show(self.checkin.handle(cred, datetime.now()), cred.method))

    def choose(self, member_no: str, item: Item, method: str) -> None:
        """The senior picked `item` on the choice screen."""
        self.reading.showing = True
        _after_next_frame(lambda: self.show(
            self.checkin.choose(member_no, item, method, datetime.now()), method))

    def show(self, result: Result, method: str) -> None:
        """Put a Result on screen; a repeated read changes nothing, not even the timer."""
        self.reading.showing = False
        if result.repeat:
            return
        if result.kind == "choose":
            self.choice.show(result, method)
            self.screens.current = "choice"
        else:
            self.result.show(result, self.settings.display.result_timeout_s)
            self.screens.current = "result"

    def go_home(self) -> None:
        self.screens.current = "home"


def _after_next_frame(action) -> None:
    # A callback scheduled from a callback runs a frame later, so one frame is drawn between.
    Clock.schedule_once(lambda dt: Clock.schedule_once(lambda dt: action(), 0), 0)


def run(settings: SimpleNamespace) -> int:
    """Run the kiosk until it is closed; the exit status for main.py."""
    configure(settings)
    KioskApp(settings).run()
    return 0
