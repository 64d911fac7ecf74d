"""Nobody at the kiosk: a senior's screen left alone asks 「还需要更多时间吗？」 and then goes home
(docs/senior-ui.md I-2); home left alone becomes the attract screen, and outside opening hours the
night screen (I-4).  Staff mode has an idle watch of its own (screens/staff/session.py)."""

from datetime import datetime

from screens.senior.idle_prompt import MoreTimePrompt
from screens.support.idle import IdleTimer, is_open

CHECK_S = 0.25
# Screens where a senior may linger: idle, they ask 「还需要更多时间吗？」 and then go home.
LINGERING = ("points", "activities", "courses", "settings", "choice", "enrol")
RESTING = ("home", "attract", "night")


class IdleWatch:
    """Watches the app's current screen against its idle time, on the app's clock."""

    def __init__(self, app):
        self.app = app
        display = app.settings.display
        self.timer = IdleTimer(display.idle_s, display.idle_warning_s, app.clock())
        self.prompt = MoreTimePrompt()

    def touch(self) -> None:
        """Someone is at the kiosk: a touch, a card, a button."""
        self.timer.touch(self.app.clock())

    def more_time(self) -> None:
        """「继续」 on the prompt."""
        self.touch()
        self.prompt.close()

    def watch(self, _dt: float = 0) -> None:
        app, now = self.app, self.app.clock()
        current = app.screens.current
        if current in app.staff.screens:
            app.staff.watch(now)
            return
        if app.staff.aside_from:  # a senior's result in front of a staff page
            app.staff.watch_aside(now)
        if current in LINGERING:
            self._linger(now)
        elif current in RESTING:
            self._rest(current, self.timer.idle(now))

    def _linger(self, now: float) -> None:
        state = self.timer.state(now)
        if state == "expired":
            self.app.go_home()
        elif state == "warning":
            if not self.prompt.showing:
                self.app.say("more_time")
            self.prompt.ask(self.timer.left(now))
        else:
            self.prompt.close()

    def _rest(self, current: str, idle_s: float) -> None:
        app, display = self.app, self.app.settings.display
        wall = datetime.now()
        closed = display.dim_outside_hours and not is_open(wall, display.open_from, display.open_until)
        if closed and idle_s >= display.attract_after_s:
            app.night.refresh(wall)
            app.screens.current = "night"
        elif current == "night" and not closed:
            app.go_home()
        elif current == "home" and idle_s >= display.attract_after_s:
            app.screens.current = "attract"
