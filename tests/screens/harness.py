"""One UI scenario in a fresh process: python -m tests.screens.harness SCENARIO DATA_DIR OUT.json [--kiosk]
[--config SITE_FILE]

Kivy allows one window per process, so tests/screens/conftest.py runs each scenario here.  It starts
the kiosk as main.py does (settings, logs, database, demo data) on DATA_DIR, runs the REAL
KioskApp, drives it with scripted steps frame by frame, and writes what it observed to OUT.json.
"""

import argparse
import ctypes
import json
import re
import sys
from pathlib import Path

from kiosk import boot
from kiosk.identity import tokens
from screens.app import KioskApp, configure
from tests.screens import (
    scenarios_enrol,
    scenarios_glyphs,
    scenarios_notices,
    scenarios_orgs,
    scenarios_redeem,
    scenarios_service,
    scenarios_staff,
    scenarios_staff_courses,
    scenarios_staff_desk,
    scenarios_staff_doctor,
    scenarios_staff_sync,
    scenarios_survive,
)
from tools.script import Script

MEMBER = "DM0001"  # a demo member with exactly one thing due (the always-due lesson)


def observe_result(app: KioskApp, obs: dict) -> None:
    ids = app.result.ids
    obs.update(
        screen=app.screens.current,
        kind=app.result.kind,
        word=ids.word.text,
        name=plain(ids.name.text),
        name_markup=ids.name.text,
        heading=ids.heading.text,
        figure=ids.figure.text,
    )


def plain(markup: str) -> str:
    """Label markup without its tags."""
    return re.sub(r"\[/?[a-z]+(=[^\]]*)?\]", "", markup).replace("&bl;", "[").replace("&br;", "]").replace("&amp;", "&")


# -- typing on the window's keyboard events, in the order Kivy's SDL2 window sends them -------


def press(key: int, scancode: int, codepoint: str | None, text: str | None = None, modifiers: tuple = ()) -> None:
    from kivy.core.window import Window

    if not Window.dispatch("on_key_down", key, scancode, codepoint, list(modifiers)):
        Window.dispatch("on_keyboard", key, scancode, codepoint, list(modifiers))
    if text:
        Window.dispatch("on_textinput", text)
    Window.dispatch("on_key_up", key, scancode)


def type_scan(text: str) -> None:
    """A keyboard-wedge scanner: every character and Enter within one frame."""
    for ch in text:
        press(ord(ch.lower()), 0, ch.lower(), ch)
    press(13, 40, None)


# -- real key presses through the X server (XTest), for the whole X -> SDL -> Kivy path ------


class XKeyboard:
    def __init__(self):
        self.x11 = ctypes.cdll.LoadLibrary("libX11.so.6")
        self.xtst = ctypes.cdll.LoadLibrary("libXtst.so.6")
        self.x11.XOpenDisplay.restype = ctypes.c_void_p
        self.x11.XStringToKeysym.restype = ctypes.c_ulong
        self.display = ctypes.c_void_p(self.x11.XOpenDisplay(None))

    def _code(self, keysym: str) -> int:
        sym = self.x11.XStringToKeysym(keysym.encode("ascii"))
        return self.x11.XKeysymToKeycode(self.display, ctypes.c_ulong(sym))

    def _tap(self, keysym: str, shift: bool = False) -> None:
        fake = self.xtst.XTestFakeKeyEvent
        if shift:
            fake(self.display, self._code("Shift_L"), True, 0)
        fake(self.display, self._code(keysym), True, 0)
        fake(self.display, self._code(keysym), False, 0)
        if shift:
            fake(self.display, self._code("Shift_L"), False, 0)

    def type_scan(self, text: str) -> None:
        for ch in text:
            self._tap("minus" if ch == "-" else ch, shift=ch.isupper())
        self._tap("Return")
        self.x11.XFlush(self.display)


# -- scenarios: (app, settings, obs) -> steps ---------------------------------------------------


def token(settings, member_no: str = MEMBER) -> str:
    return tokens.make(member_no, 1, bytes.fromhex(settings.security.card_key))


def result_shown(app: KioskApp):
    return lambda: app.screens.current == "result" and not app.reading.showing


def scan(app, settings, obs):
    """A wedge scan of a demo member's card: acknowledgement first, then the result."""
    from kivy.core.window import Window

    frames = obs.setdefault("frames", [])
    Window.bind(on_flip=lambda w: frames.append({"reading": app.reading.showing, "screen": app.screens.current}))

    def scan_card():
        type_scan(token(settings))
        obs["ack_at_once"] = app.reading.showing
        obs["frames_before_scan"] = len(frames)
        return result_shown(app)

    return [scan_card, lambda: observe_result(app, obs)]


def scan_real_keys(app, settings, obs):
    """The same scan as key presses on the X server, through SDL into the window."""
    keyboard = XKeyboard()

    def scan_card():
        keyboard.type_scan(token(settings))
        return result_shown(app)

    return [scan_card, lambda: observe_result(app, obs)]


def repeat(app, settings, obs):
    """A second read of the same card while its result shows changes nothing."""

    def first():
        type_scan(token(settings))
        return result_shown(app)

    def second():
        obs["timer_before"] = id(app.result._timer)
        app.result.ids.heading.text = "SENTINEL"  # a re-render would overwrite it
        type_scan(token(settings))
        return lambda: not app.reading.showing

    def after():
        obs["timer_after"] = id(app.result._timer)
        obs["heading_after"] = app.result.ids.heading.text
        obs["screen"] = app.screens.current

    return [first, second, after]


def escape(app, settings, obs):
    """Escape and a window-close request in kiosk mode."""
    from kivy.config import Config
    from kivy.core.window import Window

    def press_escape():
        obs["config"] = {
            "exit_on_escape": Config.get("kivy", "exit_on_escape"),
            "fullscreen": Config.get("graphics", "fullscreen"),
            "borderless": Config.get("graphics", "borderless"),
            "show_cursor": Config.get("graphics", "show_cursor"),
        }
        press(27, 41, None)
        obs["close_refused"] = bool(Window.dispatch("on_request_close"))

    return [press_escape] + [lambda: None] * 10 + [lambda: obs.update(alive=True)]


def kivy_keys(app, settings, obs):
    """Kivy's own keys as the SDL2 window sends them: F1 (its settings panel), F11 and Shift+F11
    (rotate), F12 (screenshot), Ctrl+E (the inspector), Escape (exit)."""
    from kivy.config import Config
    from kivy.core.window import Window

    def seen() -> dict:
        return {
            "children": [type(w).__name__ for w in Window.children],
            "rotation": Window.rotation,
            "screen": app.screens.current,
            "screenshots": sorted(p.name for p in Path.cwd().glob("screenshot*.png")),
        }

    def keys():
        obs["before"] = seen()
        press(282, 58, None)  # F1
        obs["after_f1"] = seen()  # Escape would close a panel F1 opened
        press(292, 68, None)  # F11
        press(292, 68, None, modifiers=("shift",))
        press(293, 69, None)  # F12
        press(101, 8, "e", modifiers=("ctrl",))
        press(27, 41, None)  # Escape

    def after():
        obs["after"] = seen()
        obs["modules"] = Config.items("modules")
        obs["use_kivy_settings"] = app.use_kivy_settings
        obs["alive"] = True

    return [keys] + [lambda: None] * 10 + [after]


def clock_off(app, settings, obs):
    """Sync finds this kiosk's clock years ahead of the bureau's, then right again."""
    from kiosk.sync.status import Status

    corner = app.home.ids.status

    def status(offset_ms: int) -> Status:
        return Status(True, 0, None, 0, 0, 1, None, "", None, clock_offset_ms=offset_ms)

    def lines() -> list[str]:
        return [w.text for w in reversed(corner.children)]

    def years_ahead():
        obs["before"] = lines()
        app.sync_status = status(-5 * 365 * 86_400_000)

    def set_right():
        obs["ahead"] = lines()
        app.sync_status = status(1_000)

    return [years_ahead, lambda: None, set_right, lambda: None, lambda: obs.update(right=lines())]


def voice_fails(app, settings, obs):
    """The voice's player goes missing, then comes back, while the home screen shows."""
    corner = app.home.ids.status

    def lines() -> list[str]:
        return [w.text for w in reversed(corner.children)]

    def broken():
        obs["before"] = lines()
        app.voice.player = ["/nonexistent/player"]
        app.voice.say("ok")
        return lambda: len(lines()) > len(obs["before"])

    def mended():
        obs["failing"] = lines()
        app.voice.player = settings.voice.player
        app.voice.say("ok")
        return lambda: lines() == obs["before"]

    return [broken, mended, lambda: obs.update(after=lines())]


def add_open_activity(title: str = "重阳健步行") -> None:
    """A second thing due now for every member: an open activity starting this minute."""
    from datetime import datetime, timedelta

    from kiosk.store.db import write
    from kiosk.store.models import Activity, Site

    start = datetime.now().replace(second=0, microsecond=0)
    with write():
        Activity.create(
            site=Site.get(),
            title=title,
            kind="walk",
            place="滨河公园",
            start=start,
            end=start + timedelta(hours=2),
            open=True,
            points=5,
        )


def choice_shown(app: KioskApp):
    return lambda: app.screens.current == "choice" and not app.reading.showing


def choose(app, settings, obs):
    """Two things due: the choice screen, then a finger on the second option."""
    from kivy.tests.common import UnitTestTouch

    def add_activity():
        add_open_activity()
        type_scan(token(settings))
        return choice_shown(app)

    def tap():
        buttons = [b for b in app.choice.buttons if not b.disabled]
        obs["options"] = [b.title for b in buttons]
        x, y = buttons[1].to_window(*buttons[1].center)
        touch = UnitTestTouch(x, y)
        touch.touch_down()
        touch.touch_up()
        return result_shown(app)

    return [add_activity, tap, lambda: observe_result(app, obs)]


def ask_more(app, settings, obs):
    """Signed in to one of two things due, the senior reads the card again (after the repeat
    window): 「您已经签到了」 and a question about the other; the first tap on 「要签到」 alone signs
    it in.  A third read has nothing left to ask."""
    finger = scenarios_service.tap

    def read_again():
        app.reception.checkin._recent.clear()  # the repeat window has passed
        type_scan(token(settings))
        return result_shown(app)

    def first():
        add_open_activity()
        type_scan(token(settings))
        return choice_shown(app)

    def pick_lesson():
        obs["options"] = [b.title for b in app.choice.buttons if not b.disabled]
        finger(app.choice.buttons[0])
        return result_shown(app)

    def asked():
        observe_result(app, obs)
        obs["asked"] = {"kind": app.result.kind, "figure": app.result.ids.figure.text, "asking": app.result.asking}
        obs["yes_visible"] = app.result.ids.yes.opacity == 1 and not app.result.ids.yes.disabled
        obs["no_text"] = app.result.ids.home.text
        obs["signins_before_yes"] = signin_count()
        finger(app.result.ids.yes)
        return lambda: app.result.kind == "ok" and not app.reading.showing

    def signed_other():
        obs["after_yes"] = {"kind": app.result.kind, "heading": app.result.ids.heading.text}
        obs["signins_after_yes"] = signin_count()
        obs["asking_after_yes"] = app.result.asking

    def third():
        obs["third"] = {"kind": app.result.kind, "asking": app.result.asking, "home": app.result.ids.home.text}

    def signin_count() -> int:
        from kiosk.store.models import Member, SignIn

        return SignIn.select().where(SignIn.member == Member.get(Member.member_no == MEMBER)).count()

    return [first, pick_lesson, lambda: None, read_again, asked, signed_other, read_again, third]


def slide_off(app, settings, obs):
    """A finger that slides off 「返回首页」 before lifting does nothing; a tap goes home (F-5)."""
    from kivy.tests.common import UnitTestTouch

    def show_ok():
        type_scan(token(settings))
        return result_shown(app)

    def touch(slide: bool):
        button = app.result.ids.home
        touch = UnitTestTouch(*button.to_window(*button.center))
        touch.touch_down()
        if slide:
            touch.touch_move(*button.to_window(button.x - 200, button.y - 200))
        touch.touch_up()

    def slide():
        touch(slide=True)
        obs["after_slide"] = app.screens.current

    def tap():
        touch(slide=False)
        obs["after_tap"] = app.screens.current

    return [show_ok, slide, tap]


def _id_of(screen, widget) -> str:
    for holder in [screen] + list(screen.walk(restrict=True)):
        for key, value in getattr(holder, "ids", {}).items():
            if value.__self__ is widget:
                return key
    return ""


def demo_top_up(app, settings, obs):
    """A demo left running: its due lesson is gone, the app's periodic top-up brings one back."""
    from kivy.clock import Clock

    from kiosk.store.models import Course, Lesson

    def time_moves_on():
        course = Course.get(Course.name == "智能手机应用（体验课堂）")
        Lesson.delete().where(Lesson.course == course).execute()
        events = [e for e in Clock.get_events() if e.get_callback() == app._top_up_demo]
        obs["top_up_every_s"] = [e.timeout for e in events]
        for event in events:
            event.get_callback()(0)
        type_scan(token(settings))
        return result_shown(app)

    return [time_moves_on, lambda: observe_result(app, obs)]


# -- the demo's simulated devices: the real drivers reading a pty ---------------------------------

F2, F10 = 283, 291  # Kivy key codes


def id_cards(app, settings, obs):
    """F2 lays the demo's ID card; then a card of each other type; then a QR card over serial."""
    cards = obs.setdefault("cards", {})

    def fresh_result(lay):
        def step():
            sim = app.devices.idcard_sim  # started with the app
            before = sim.counts.get("read", 0)
            app.go_home()
            lay()
            return lambda: (
                sim.counts.get("read", 0) > before and app.screens.current == "result" and not app.reading.showing
            )

        return step

    def look(name):
        return lambda: cards.update(
            {name: {"kind": app.result.kind, "word": app.result.ids.word.text, "name": plain(app.result.ids.name.text)}}
        )

    steps = [fresh_result(lambda: press(F2, 59, None)), look("resident")]
    for name in ("hmt", "foreign2017", "foreign2023", "rare", "unknown"):
        steps += [fresh_result(lambda name=name: app.devices.idcard_sim.lay(name)), look(name)]

    def qr_over_serial():
        app.go_home()
        press(F10, 67, None)
        return result_shown(app)

    return steps + [qr_over_serial, look("qr_serial"), lambda: obs.update(signins=_signins())]


def _signins() -> dict:
    from kiosk.store.models import Member, SignIn

    return {m.member_no: m.method for m in SignIn.select(SignIn.method, Member.member_no).join(Member).objects()}


def unplug(app, settings, obs):
    """The reader's cable pulled and put back while the app runs: the corner says so, reads go on."""

    def sim():
        return app.devices.idcard_sim  # started with the app

    def line(device: str = "idcard") -> str:
        corner = app.home.ids.status
        return corner.lines[device].text if device in corner.lines else ""

    def prompt() -> str:
        return app.home.ids.prompt.text

    def pull():
        obs["before"] = line()
        obs["qr_line"] = line("qr")
        obs["prompts"] = [prompt()]
        sim().unplug()
        return lambda: "未连接" in line()

    def pull_scanner_too():
        obs["unplugged"] = line()
        obs["prompts"].append(prompt())
        app.devices.qr_sim.unplug()
        return lambda: "未连接" in line("qr")

    def put_reader_back():
        obs["prompts"].append(prompt())
        sim().replug()
        return lambda: "正常" in line()

    def put_scanner_back():
        obs["prompts"].append(prompt())
        app.devices.qr_sim.replug()
        return lambda: "正常" in line("qr")

    def read():
        obs["replugged"] = line()
        obs["prompts"].append(prompt())
        sim().lay("resident")
        return result_shown(app)

    def facts():
        from kiosk.store.models import Outbox

        obs["device_facts"] = [
            json.loads(o.payload) for o in Outbox.select().where(Outbox.kind == "device").order_by(Outbox.seq)
        ]

    return [
        lambda: lambda: "正常" in line() and "正常" in line("qr"),
        pull,
        pull_scanner_too,
        put_reader_back,
        put_scanner_back,
        read,
        lambda: observe_result(app, obs),
        facts,
    ]


def home_board(app, settings, obs):
    """Six things later today and one begun hours ago: home lists the soonest that fit, no blank
    row, and says how many more come later; fewer rows at 「大字」, and the next one even when the
    status corner grows."""
    from datetime import datetime, timedelta

    from kiosk.programme import schedule
    from kiosk.store.db import write
    from kiosk.store.models import Activity, Site

    def add(title: str, start: datetime, hours: float) -> None:
        with write():
            Activity.create(
                site=Site.get(), title=title, kind="talk", place="一楼", start=start,
                end=start + timedelta(hours=hours), open=True, points=5,
            )  # fmt: skip

    def board() -> dict:
        home = app.home
        home._minute = None
        home.refresh()
        rows = [w for w in home.ids.board.children if hasattr(w, "show")][::-1]
        now = datetime.now()
        return {
            "rows": [r.ids.title.text for r in rows],
            "blank": [r.ids.title.text for r in rows if not r.ids.title.text],
            "more": home.ids.more.text,
            "coming": [i.title for i in schedule.coming_up(schedule.today(now), now, app._late())],
        }

    def fill():
        now = datetime.now().replace(second=0, microsecond=0)
        add("早已开始的讲座", now - timedelta(hours=3), 5)
        for n in range(6):
            add(f"稍后活动{n + 1}", now + timedelta(minutes=5 + 5 * n), 1)

    def normal():
        obs["normal"] = board()
        app.theme.scale = 1.25

    def large():
        obs["large"] = board()
        # A second line in the status corner (the clock far off) takes more room.
        app.home.ids.status.show_note("clock", "本机时钟快了 5 天，请工作人员校准")

    def squeezed():
        obs["squeezed"] = board()
        app.theme.scale = 1.0

    steps = [fill, lambda: None, normal, *[lambda: None] * 3, large, *[lambda: None] * 3, squeezed]
    return steps  # a frame or more to lay out


SCENARIOS = {
    f.__name__: f
    for f in (
        home_board,
        scan,
        scan_real_keys,
        repeat,
        escape,
        kivy_keys,
        clock_off,
        voice_fails,
        choose,
        ask_more,
        slide_off,
        demo_top_up,
        id_cards,
        unplug,
    )
}
for module in (
    scenarios_enrol,
    scenarios_glyphs,
    scenarios_notices,
    scenarios_orgs,
    scenarios_redeem,
    scenarios_service,
    scenarios_staff,
    scenarios_staff_courses,
    scenarios_staff_desk,
    scenarios_staff_doctor,
    scenarios_staff_sync,
    scenarios_survive,
):
    SCENARIOS.update({f.__name__: f for f in module.SCENARIOS})


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("scenario", choices=SCENARIOS)
    parser.add_argument("data_dir")
    parser.add_argument("out")
    parser.add_argument("--kiosk", action="store_true")
    parser.add_argument("--config", help="a site file, as main.py --config takes it")
    args = parser.parse_args()
    settings = boot.start(argparse.Namespace(config=args.config, data_dir=args.data_dir))
    settings.kiosk.kiosk_mode = args.kiosk
    settings.voice.player = ["aplay", "-q", "-D", "null"]  # a real player; no sound card here
    configure(settings)
    app = KioskApp(settings)
    obs = {"finished": False}

    def begin() -> None:
        # The scenario's steps are made once the app is built and running.
        script.steps[0:0] = [_named(step, obs) for step in SCENARIOS[args.scenario](app, settings, obs)]

    script = Script([lambda: None, begin, lambda: obs.update(finished=True)], done=app.stop)
    app.bind(on_start=lambda _app: script.start())
    try:
        app.run()
    finally:  # what was seen, also when a step waited in vain
        Path(args.out).write_text(json.dumps(obs, ensure_ascii=False))
    return 0


def _named(step, obs: dict):
    """The step, noting its name first: a failure report says which step waited in vain."""

    def run():
        obs["step"] = getattr(step, "__name__", "?")
        return step()

    return run


if __name__ == "__main__":
    sys.exit(main())
