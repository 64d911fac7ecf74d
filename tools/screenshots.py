"""Screenshots of the real screens: python -m tools.screenshots [OUT_DIR]  (default docs/screenshots)
[--only PREFIX]  (only the staff pages' shots named so, e.g. --only staff_sync)
[--large]  (the seniors' screens in 「大字」 type, display.large_text_scale; staff pages as always)
[--check]  (the layout check after each shot, tools/layoutcheck.py: every violation is printed
            and saved in OUT_DIR/layout.json, and the run fails if there is any)

Runs the real app at 1920 x 1080 on a temporary data dir with the demo data, produces every kind
of result through the real core (a forged token, an unknown member, an expired ID card ...) and
saves home.png, choice.png and result_<kind>.png.  Needs a display: ./dev screenshots runs it
under Xvfb.
"""

import argparse
import csv
import json
import shutil
import sys
import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path

from devices.cardtext import to_credential
from kiosk import demo
from kiosk.checkin.signin import CheckIn
from kiosk.i18n import t
from kiosk.identity import ids, tokens
from kiosk.identity.credentials import Credential
from kiosk.people import members as people
from kiosk.people import newcomers
from kiosk.programme import activities as kiosk_activities
from kiosk.staff.audit import Actor
from kiosk.store import facts
from kiosk.store.db import db, write
from kiosk.store.models import (
    Activity,
    Course,
    Enrollment,
    Lesson,
    Member,
    NewcomerCard,
    Notice,
    Registration,
    Site,
    Staff,
)
from kiosk.sync import state as sync_state
from kiosk.sync.apply import cancel_activity
from tools.checkout import ROOT

# The bureau's pull streams (common spec), for the nightly sync's result.
STREAMS = ("sites", "members", "items", "rules", "settings", "balances")
KINDS = ("ok", "already", "not_due", "not_enrolled", "unknown_card", "invalid_card", "expired_card", "error")
# Shots of a kind in another state: the file's name → the Result kind it shows.
VARIANTS = {"not_registered": "not_enrolled", "unknown_id": "unknown_card", "ok_large": "ok"}
# The seniors' own screens: shot name → (screen, the member whose card is read there; "" = none).
SERVICE_SHOTS = [
    ("points_prompt", ("points", "")),
    ("points", ("points", "DM0001")),
    ("activities_anonymous", ("activities", "")),
    ("activities", ("activities", "DM0001")),
    ("courses", ("courses", "DM0001")),
    ("settings", ("settings", "DM0001")),
    ("points_large", ("points", "DM0004")),
    ("activities_large", ("activities", "DM0004")),
]
# 近期活动 after a tap: the message in its band, and the question before a cancel.
ACTIVITY_SHOTS = ["activities_confirm", "activities_done_large", "activities_confirm_large"]
# 我的积分's 「我的积分能换什么」: the list, the question before a request, the message after it.
CATALOGUE_SHOTS = [
    "points_catalogue",
    "points_redeem_confirm",
    "points_redeemed",
    "points_catalogue_large",
    "points_redeem_confirm_large",
]
# An enrolment season (issue 23): the offer on a result, the course cards, after 报名, the question
# before 取消报名, in 大字, after 报名 with the receipt printer on (the slip printing; the printer out
# of paper), and the category page of a season with more than six courses.
ENROL_SHOTS = [
    "result_enrol_offer",
    "enrol",
    "enrol_done",
    "enrol_withdraw_confirm",
    "enrol_large",
    "enrol_withdraw_confirm_large",
    "enrol_printing",
    "enrol_printer_trouble",
    "enrol_categories",
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.screenshots")
    parser.add_argument("out", nargs="?", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument(
        "--only",
        metavar="PREFIX",
        default="",
        help="save only the staff pages' shots whose names begin so (e.g. staff_sync)",
    )
    parser.add_argument("--large", action="store_true", help="the seniors' screens in 「大字」 type")
    parser.add_argument("--check", action="store_true", help="check the layout of every shot (tools/layoutcheck.py)")
    args = parser.parse_args(argv)
    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="yinling-shots-") as data_dir:
        settings = _start(data_dir)
        from screens.app import KioskApp, configure

        configure(settings)
        app = KioskApp(settings)
        tour = Tour(app, settings, out, args.only, large=args.large, check=args.check)
        app.bind(on_start=lambda _app: tour.start())
        app.run()
    missing = [name for name in tour.names() if not (out / name).is_file()]
    for name in tour.names():
        print(out / name)
    if args.check:
        _report(tour.violations, out / "layout.json")
    if missing or tour.failure or tour.violations:
        why = tour.failure or (f"missing {', '.join(missing)}" if missing else f"{len(tour.violations)} layout faults")
        print(f"failed: {why}", file=sys.stderr)
        return 1
    return 0


def _start(data_dir: str):
    """Settings, logs, database and demo data, exactly as the kiosk starts (kiosk.boot)."""
    from kiosk import boot

    settings = boot.start(argparse.Namespace(config=None, data_dir=data_dir))
    # A player that works with no sound card, or the corner shows 「声音 放不出来」 on every shot.
    settings.voice.player = ["aplay", "-q", "-D", "null"]
    return settings


def shot_names(only: str = "") -> list[str]:
    """The files the tour saves (with `only`, the staff pages' shots named so)."""
    if only:
        return [f"{name}.png" for name, _ in STAFF_SHOTS if name.startswith(only)]
    return (
        ["home.png", "choice.png", "result_already_ask.png", "home_reader_unplugged.png", "home_clock_off.png"]
        + [f"result_{kind}.png" for kind in (*KINDS, *VARIANTS)]
        + [f"{name}.png" for name, _ in SERVICE_SHOTS]
        + [f"{name}.png" for name in ACTIVITY_SHOTS]
        + [f"{name}.png" for name in CATALOGUE_SHOTS]
        + ["idle_prompt.png", "attract.png", "attract_cancelled.png", "service_cancelled_news.png", "night.png"]
        + ["home_notice.png", "attract_notice.png"]
        + [f"{name}.png" for name in ENROL_SHOTS]
        + [f"{name}.png" for name, _ in STAFF_SHOTS]
    )


class Tour:
    """The scripted walk through every screen."""

    def __init__(self, app, settings, out: Path, only: str = "", large: bool = False, check: bool = False):
        self.app, self.settings, self.out, self.only = app, settings, out, only
        self.large, self.check = large, check
        self.violations: list = []  # tools.layoutcheck.Violation, with --check
        self._keep_large = None  # with --large: what sets 「大字」 again whenever the app resets it
        self.key = bytes.fromhex(settings.security.card_key)
        self.failure = ""
        self._cancelled: list[int] = []

    def names(self) -> list[str]:
        return shot_names(self.only)

    def start(self) -> None:
        from tools.script import Script

        # --only: no senior screens; signed in to staff mode, only the wanted staff shots.
        if self.large:
            self._hold_large_type()
        steps = [self._home] if self.only else self._senior_steps()
        steps.append(_just(self._release_large_type))  # staff pages as staff see them
        for name, step in STAFF_SHOTS:
            if name.startswith(self.only) or name in SIGN_IN:
                steps += [_shot_step(name, step, self)] + self._shot(name)
        self.script = Script(steps, done=self.app.stop, state=self._state)  # the Clock holds it only weakly
        self.script.start()

    def _shot(self, name: str) -> list:
        return self._snap(name) if name.startswith(self.only) else []

    def _snap(self, name: str) -> list:
        """The steps saving `name`.png, then (with --check) inspecting what it shows."""
        from tools.script import screenshot

        steps = [screenshot(self.out / f"{name}.png")]
        if self.check:
            steps.append(_just(lambda: self._inspect(name)))
        return steps

    def _inspect(self, name: str) -> None:
        from kivy.core.window import Window

        from tools import layoutcheck

        limits = layoutcheck.floors(self.app.theme.px_per_mm, staff=name.startswith("staff_"))
        self.violations += layoutcheck.inspect(name, list(Window.children), limits)

    def _hold_large_type(self) -> None:
        """「大字」 on every seniors' screen: whenever the app sets the type back (home, a senior
        without the preference), it is set large again before anything is laid out."""
        theme, large = self.app.theme, self.settings.display.large_text_scale

        def keep(_theme, scale: float) -> None:
            if scale != large:
                theme.scale = large

        self._keep_large = keep
        theme.bind(scale=keep)
        theme.scale = large

    def _release_large_type(self) -> None:
        if self._keep_large is not None:
            self.app.theme.unbind(scale=self._keep_large)
            self.app.theme.scale = 1.0

    def _senior_steps(self) -> list:
        steps = [self._home, self._devices_ready, *self._snap("home")]
        for name, arrange, cred in self._cases():
            kind = VARIANTS.get(name, name)
            steps += [
                _just(arrange),
                lambda c=cred, k=kind: self._submit(c(), k),
                *self._snap(f"result_{name}"),
                self._home,
            ]
        steps += [
            _just(self._add_open_activity),
            lambda: self._submit(self._card("DM0019"), "choice"),
            *self._snap("choice"),
            self._pick_first,
            self._home,
            _just(self._forget_reads),
            lambda: self._submit(self._card("DM0019"), "already"),
            *self._snap("result_already_ask"),
            self._home,
            self._unplug_reader,
            *self._snap("home_reader_unplugged"),
            self._clock_off,
            *self._snap("home_clock_off"),
            _just(self._clock_right),
        ]
        for name, (service, member) in SERVICE_SHOTS:
            steps += [
                self._home,
                self._open(service, member, name.endswith("_large")),
                *self._snap(name),
            ]
        steps += [
            self._home,
            self._open("activities", "DM0001", False),
            self._tap_activity(registered=True),
            *self._snap("activities_confirm"),
            self._said_no("activities"),
            self._home,
            self._open("activities", "DM0004", True),
            self._tap_activity(registered=False),
            *self._snap("activities_done_large"),
            self._tap_activity(registered=True),
            *self._snap("activities_confirm_large"),
            self._said_no("activities"),
            self._home,
            self._open("points", "DM0001", False),
            self._catalogue,
            *self._snap("points_catalogue"),
            self._ask_first_offer,
            *self._snap("points_redeem_confirm"),
            self._answer_redeem(True),
            *self._snap("points_redeemed"),
            self._home,
            self._open("points", "DM0004", True),
            self._catalogue,
            *self._snap("points_catalogue_large"),
            self._ask_first_offer,
            *self._snap("points_redeem_confirm_large"),
            self._answer_redeem(False),
            self._idle_prompt,
            *self._snap("idle_prompt"),
            self._attract,
            *self._snap("attract"),
            _just(self._cancel_an_activity),
            self._attract_activities,
            *self._snap("attract_cancelled"),
            self._home,
            self._open("points", "DM0010", False),
            *self._snap("service_cancelled_news"),
            self._home,
            self._night,
            *self._snap("night"),
            _just(self._add_notice),
            self._replug_reader,
            self._home,
            self._devices_ready,
            *self._snap("home_notice"),
            self._attract_notice,
            *self._snap("attract_notice"),
            _just(self._remove_notice),
            self._home,
            _just(lambda: self._season(5)),
            _just(self._forget_reads),
            _just(lambda: self._open_activities(False)),  # no 「还要签到…吗？」 in front of the offer
            lambda: self._submit(self._card("DM0002"), self._result_kind("DM0002")),
            *self._snap("result_enrol_offer"),
            _just(lambda: self._open_activities(True)),
            self._home,
            self._open("enrol", "DM0012", False),
            *self._snap("enrol"),
            self._tap_enrol,
            *self._snap("enrol_done"),
            self._ask_withdraw,
            *self._snap("enrol_withdraw_confirm"),
            self._said_no("enrol"),
            self._home,
            self._open("enrol", "DM0004", True),
            *self._snap("enrol_large"),
            self._tap_enrol,
            self._ask_withdraw,
            *self._snap("enrol_withdraw_confirm_large"),
            self._said_no("enrol"),
            self._home,
            self._printer_on,
            self._open("enrol", "DM0014", False),
            self._tap_enrol,
            *self._snap("enrol_printing"),
            self._home,
            _just(self._paper_out),
            self._open("enrol", "DM0015", False),
            self._tap_enrol_unprinted,
            *self._snap("enrol_printer_trouble"),
            self._home,
            _just(self._printer_off),
            _just(lambda: self._season(8)),
            self._open("enrol", "DM0013", False),
            *self._snap("enrol_categories"),
            self._home,
            _just(self._season_withdrawn),
        ]
        return steps

    def _season(self, courses: int) -> None:
        from kiosk.enrolment import demo as enrol_demo

        enrol_demo.publish(self.settings, datetime.now(), courses)

    @staticmethod
    def _open_activities(on: bool) -> None:
        from kiosk.store.models import Activity

        with write():
            Activity.update(open=on).where(Activity.title == "重阳健步行").execute()

    @staticmethod
    def _season_withdrawn() -> None:
        from kiosk.store.models import Season

        with write():
            Season.delete().execute()

    def _result_kind(self, member_no: str) -> str:
        """What the member's read will say (the tour has signed some in already)."""
        from kiosk.store.models import Member, SignIn

        member = Member.get(Member.member_no == member_no)
        return "already" if SignIn.select().where(SignIn.member == member).exists() else "ok"

    def _tap_enrol(self):
        screen = self.app.services["enrol"]
        self.app.change_application(screen._shown[screen.rows[0]])
        return lambda: "您已报名" in screen.ids.news.text

    def _ask_withdraw(self):
        """「取消报名」 on the course just applied for: the question over the cards."""
        screen = self.app.services["enrol"]
        screen._tapped(screen.rows[0])
        return lambda: screen.confirm.parent is not None

    def _printer_on(self):
        """[printer] on from here, as the demo runs it: its simulator on a pty, the real driver on
        the printing thread (screens/app.py's composition root), the status corner told."""
        from devices.printer import Printer
        from devices.sim.printer import PrinterSim
        from kiosk import printing

        cfg = self.settings.printer
        cfg.enabled = True
        sim = self.app.devices.printer_sim = PrinterSim(str(Path(self.settings.kiosk.data_dir) / "dev" / "printer"))
        self.app.devices.printer = Printer("printer", sim.path, cfg.baud)
        self.app.home.show_health(printing.start(self.app.devices.printer, cfg.width_mm, self.app.show_health).health)
        return lambda: printing.state() == "ok" and printing.health().connected

    def _paper_out(self) -> None:
        self.app.devices.printer_sim.paper = "out"

    def _tap_enrol_unprinted(self):
        """报名 with the printer out of paper since its last look: the slip refused, the screen says so."""
        screen = self.app.services["enrol"]
        self.app.change_application(screen._shown[screen.rows[0]])
        return lambda: t("device.paper_out") in screen.ids.news.text

    def _printer_off(self) -> None:
        from kiosk import printing

        printing.stop()
        self.app.devices.printer_sim.close()
        self.app.devices.printer = self.app.devices.printer_sim = None
        self.settings.printer.enabled = False
        corner = self.app.home.ids.status
        corner.remove_widget(corner.lines.pop("printer"))

    def _cases(self) -> list:
        """(shot name, what to arrange in the database first, the credential to present)."""
        nothing = lambda: None
        return [
            ("ok", nothing, lambda: self._card("DM0001")),
            ("ok_large", lambda: self._large_text("DM0005"), lambda: self._card("DM0005")),  # 大字
            ("already", lambda: self._sign_in_elsewhere("DM0002"), lambda: self._card("DM0002")),
            ("not_enrolled", lambda: self._withdraw("DM0003"), lambda: self._card("DM0003")),
            ("unknown_card", nothing, lambda: tokens.make("DM9999", 1, self.key)),
            ("invalid_card", nothing, lambda: "YL1-DM0001-1-AAAAAAAAAAAAAAAA"),
            ("expired_card", nothing, self._expired_id_card),
            ("error", self._refuse_writes, lambda: self._card("DM0006")),
            ("not_due", self._nothing_due_now, lambda: self._card("DM0008")),
            ("not_registered", self._report_now, lambda: self._card("DM0009")),
            ("unknown_id", nothing, lambda: self._lay("unknown")),
        ]

    # -- steps ----------------------------------------------------------------------------------

    def _state(self) -> str:
        app = self.app
        return f"screen {app.screens.current}, reading {app.reading.showing}, senior {app.senior is not None}"

    def _home(self):
        db.execute_sql("PRAGMA query_only = OFF")  # undoes _refuse_writes
        self.app.go_home()
        return lambda: self.app.screens.current == "home"

    def _devices_ready(self):
        lines = self.app.home.ids.status.lines
        return lambda: len(lines) == 2 and all(line.state == "ok" for line in lines.values())

    def _unplug_reader(self):
        self.app.devices.idcard_sim.unplug()
        line = self.app.home.ids.status.lines["idcard"]
        return lambda: line.state == "absent"

    def _replug_reader(self):
        self.app.devices.idcard_sim.replug()
        line = self.app.home.ids.status.lines["idcard"]
        return lambda: line.state == "ok"

    def _clock_off(self):
        """The bureau finds this kiosk's clock five days fast."""
        from kiosk.sync.status import Status

        self.app.sync_status = Status(True, 0, None, 0, 0, 1, None, "", None, clock_offset_ms=-5 * 86_400_000)
        clock = self.app.home.ids.status.notes["clock"]
        return lambda: clock.parent is not None

    def _clock_right(self) -> None:
        self.app.sync_status = None

    def _lay(self, profile: str) -> None:
        """A card on the simulated reader: the real driver reads it and submits it."""
        self.app.devices.idcard_sim.lay(profile)

    def _submit(self, cred, kind: str):
        if cred is not None:
            self.app.submit(Credential.qr(cred) if isinstance(cred, str) else cred)

        def shown() -> bool:
            if self.app.reading.showing or self.app.screens.current == "home":
                return False
            got = "choice" if self.app.screens.current == "choice" else self.app.result.kind
            if got != kind:
                self.failure = f"wanted {kind}, the core said {got}"
                self.app.stop()
            return True

        return shown

    def _open(self, service: str, member_no: str, large: bool):
        """A home button, then (unless member_no is "") a card read on that screen."""

        def step():
            if large:
                self._large_text(member_no)
            self.app.open_service(service)
            screen = self.app.services[service]
            if not member_no:
                return lambda: self.app.screens.current == service
            self.app.submit(Credential.qr(self._card(member_no)))
            return lambda: screen.senior is not None and not self.app.reading.showing

        return step

    @staticmethod
    def _large_text(member_no: str) -> None:
        with write():
            Member.update(large_text=True).where(Member.member_no == member_no).execute()

    def _idle_prompt(self):
        self.app.open_service("points")
        self.app.submit(Credential.qr(self._card("DM0001")))
        prompt = self.app.idle.prompt
        # As if the senior had stood still for 70 seconds.
        self.app.idle.timer.since -= self.settings.display.idle_s - self.settings.display.idle_warning_s
        return lambda: prompt.showing

    def _attract(self):
        self._open_hours(-1, 1)  # whatever the time of day the tour runs at
        self.app.go_home()
        self.app.idle.timer.since -= self.settings.display.attract_after_s + 1
        return lambda: self.app.screens.current == "attract"

    def _cancel_an_activity(self) -> None:
        """The bureau cancels the next activity DM0010 registered for (registered first if need be),
        as applying its item does: the attract screen marks it, the senior is told at the next read."""
        now = datetime.now()
        first = next(v for v in kiosk_activities.upcoming(now) if not v.open)
        if kiosk_activities.upcoming(now, "DM0010")[0].status != "registered":
            kiosk_activities.sign_up("DM0010", first.id, now, self.settings.kiosk.id, self.settings.site.code)
        with write():
            cancel_activity(Activity.get_by_id(first.id), "报告厅线路检修，本次报告会取消，另行通知")

    def _attract_activities(self):
        """The attract screen turned to its slide of the next activities."""
        from screens.senior.attract import SLIDES  # Kivy's: loaded once the app runs

        attract = self.app.attract
        while attract.slide != SLIDES.index("activities"):
            attract.advance()
        return lambda: self.app.screens.current == "attract"

    def _night(self):
        self._open_hours(1, 2)
        self.app.idle.timer.since -= self.settings.display.attract_after_s + 1
        return lambda: self.app.screens.current == "night"

    def _attract_notice(self):
        """The attract screen at its notice's slide (the one after the fixed slides)."""
        from screens.senior.attract import SLIDES

        self._open_hours(-1, 1)
        self.app.go_home()
        self.app.idle.timer.since -= self.settings.display.attract_after_s + 1
        attract = self.app.screens.get_screen("attract")

        def at_notice() -> bool:
            if self.app.screens.current != "attract":
                return False
            attract._turns = len(SLIDES)
            attract.show()
            return True

        return at_notice

    def _tap_activity(self, registered: bool):
        """The button of the first row signed up for (取消: the question) or not (报名: the message)."""

        def step():
            screen = self.app.services["activities"]
            # Which page holds one depends on the hour (the day's activities still to come come
            # first), and at 「大字」 a page holds fewer: turn until one shows.
            while not (rows := [r for r, view in screen._shown.items() if bool(view.status) == registered]):
                if screen.page + 1 >= screen.pages:
                    raise LookupError(f"no activity {'signed up for' if registered else 'open'} on any page")
                screen.turn(1)
            row = rows[0]
            row.ids.button.dispatch("on_release")
            if registered:
                return lambda: screen.confirm.parent is not None
            return lambda: screen.ids.news.text != ""

        return step

    def _said_no(self, service: str):
        """「不取消了」 on the question over `service`'s list: it closes, nothing changed."""

        def step():
            confirm = self.app.services[service].confirm
            confirm.ids.no.dispatch("on_release")
            return lambda: confirm.parent is None

        return step

    def _catalogue(self):
        """「能换什么」 on 我的积分's page bar."""
        screen = self.app.services["points"]
        screen.ids.bar.ids.extra.dispatch("on_release")
        return lambda: screen.offering and screen._offered

    def _ask_first_offer(self):
        screen = self.app.services["points"]
        next(iter(screen._offered)).ids.button.dispatch("on_release")
        return lambda: screen.confirm.parent is not None

    def _answer_redeem(self, yes: bool):
        def step():
            screen = self.app.services["points"]
            screen.confirm.ids.yes.dispatch("on_release") if yes else screen.confirm.ids.no.dispatch("on_release")
            return lambda: screen.confirm.parent is None and (not yes or screen.ids.news.text != "")

        return step

    def _open_hours(self, from_h: int, until_h: int) -> None:
        now, display = datetime.now(), self.settings.display
        display.open_from = (now + timedelta(hours=from_h)).strftime("%H:%M")
        display.open_until = (now + timedelta(hours=until_h)).strftime("%H:%M")

    # -- arranging the database -----------------------------------------------------------------

    @staticmethod
    def _add_notice() -> None:
        """A 停课 notice from the bureau, as the items stream brings it (kiosk.sync.apply)."""
        now = datetime.now().replace(second=0, microsecond=0)
        with write():
            Notice.create(
                key="tour",
                kind="suspend",
                title="本周三太极拳停课",
                body="因活动室维修，本周三上午的太极拳停课一次，下周照常上课。",
                start=now - timedelta(hours=1),
                end=now + timedelta(days=2),
                spoken_at=now,  # the tour says nothing
            )

    @staticmethod
    def _remove_notice() -> None:
        with write():
            Notice.delete().where(Notice.key == "tour").execute()

    def _card(self, member_no: str) -> str:
        return tokens.make(member_no, 1, self.key)

    def _forget_reads(self) -> None:
        # The next read of the same card comes after the repeat window, as a senior's second try.
        self.app.reception.checkin._recent.clear()

    def _pick_first(self):
        """The senior taps the first option of the choice screen."""
        self.app.choice.buttons[0].dispatch("on_release")
        return lambda: self.app.screens.current == "result" and not self.app.reading.showing

    def _sign_in_elsewhere(self, member_no: str) -> None:
        # Another kiosk signed this member in a few minutes ago.
        CheckIn(self.settings).handle(Credential.qr(self._card(member_no)), datetime.now() - timedelta(minutes=3))

    @staticmethod
    def _refuse_writes() -> None:
        # The database fails the sign-in's write, as a full or broken disk would.
        db.execute_sql("PRAGMA query_only = ON")

    def _withdraw(self, member_no: str) -> None:
        with write():
            Enrollment.update(status="withdrawn").where(
                Enrollment.member == Member.get(Member.member_no == member_no),
                Enrollment.course.in_(demo.always_due_courses(self.settings)),
            ).execute()

    def _expired_id_card(self) -> Credential:
        person = next(m for m in demo.read(self.settings.site.demo_data)["members"] if m["no"] == "DM0005")
        return Credential(
            method="idcard",
            id_number=person["id"],
            name=person["name"],
            valid_from=date(2005, 3, 1),
            valid_to=date(2025, 3, 1),
        )

    def _nothing_due_now(self) -> None:
        """Cancel what is due now, and give the member two activities at other times today."""
        now = datetime.now()
        lo, hi = now - timedelta(hours=1), now + timedelta(hours=1)
        member = Member.get(Member.member_no == "DM0008")
        site = Site.get()
        due = Lesson.select(Lesson.id).where(Lesson.start.between(lo, hi), ~Lesson.cancelled)
        self._cancelled = [lesson.id for lesson in due]
        with write():
            Lesson.update(cancelled=True).where(Lesson.id.in_(self._cancelled)).execute()
            for hours, title, place in (
                (-3, "重阳健步行 集合说明会", "一楼 大厅"),
                (2, "形势报告会：老龄事业新政策解读", "五楼 报告厅"),
            ):
                start = _same_day(now, hours)
                activity = Activity.create(
                    site=site, title=title, kind="report", place=place, start=start, end=start + timedelta(minutes=90)
                )
                Registration.create(member=member, activity=activity)

    @staticmethod
    def _report_now() -> None:
        """With the lessons still cancelled: a registration-only report starting now."""
        start = datetime.now().replace(second=0, microsecond=0)
        with write():
            Activity.create(
                site=Site.get(),
                title="形势报告会：老龄事业新政策解读",
                kind="report",
                place="五楼 报告厅",
                start=start,
                end=start + timedelta(minutes=90),
                capacity=150,
                open=False,
                points=5,
            )

    def _add_open_activity(self):
        """A second thing due now, so the member has to choose."""
        now = datetime.now()
        start = now.replace(second=0, microsecond=0)
        with write():
            Lesson.update(cancelled=False).where(Lesson.id.in_(self._cancelled)).execute()
            Activity.create(
                site=Site.get(),
                title="重阳健步行",
                kind="walk",
                place="滨河公园 东门集合",
                start=start,
                end=start + timedelta(hours=2),
                open=True,
                points=5,
            )


def _staff_login(tour):
    tour.app.staff.enter()
    login = tour.app.staff.screens["staff_login"]
    login.choose(Staff.get(Staff.name == "张老师"))
    for key in "25":  # half the PIN typed
        login.body.ids.pad.press(key)
    return lambda: tour.app.screens.current == "staff_login"


def _staff_home(tour):
    for key in "80":
        tour.app.staff.screens["staff_login"].body.ids.pad.press(key)
    tour.app.staff.screens["staff_login"].enter()
    return lambda: tour.app.screens.current == "staff_home"


def _staff_home_storage_low(tour):
    # A threshold just above what the disk has free: as a disk nearly full (kiosk.upkeep.notice).
    tour.settings.storage.low_free_mb = shutil.disk_usage(tour.settings.kiosk.data_dir).free // 2**20 + 1
    tour.app.staff.open("staff_home")
    tour.app.staff.screens["staff_home"].refresh()  # when it was open already
    return lambda: tour.app.screens.current == "staff_home"


def _staff_open(name: str, arrange=None):
    def step(tour):
        tour.app.staff.open(name)
        if arrange:
            arrange(tour.app.staff.screens[name])
        return lambda: tour.app.screens.current == name

    return step


def _hand_over_oldest(screen) -> None:
    """Staff hand the oldest open request over, as 「领取」 and its question do: the message line
    says it, the list shows it under the open ones."""
    from kiosk.points import redemptions

    screen.show()
    screen.give(redemptions.open_requests(datetime.now().date())[-1])


def _staff_search(screen) -> None:
    for key in "XS":  # 谢素珍 and the others whose initials begin so
        screen.body.ids.pad.press(key)


def _staff_member(member_no: str):
    def step(tour):
        screen = tour.app.staff.screens["staff_member"]
        screen.member_no = member_no
        tour.app.staff.open("staff_member")
        screen.refresh()  # when it was open already, with another member
        return lambda: tour.app.screens.current == "staff_member"

    return step


def _staff_card(member_no: str, large: bool = False):
    """A senior's card read on the search page (as the shot before left it): their result as on
    home, and the staff's offer over it (screens/staff/offer.py)."""

    def step(tour):
        if large:
            tour._large_text(member_no)
        tour.app.staff.open("staff_members")
        _staff_search(tour.app.staff.screens["staff_members"])
        tour.app.submit(Credential.qr(tour._card(member_no)))
        return lambda: (
            tour.app.screens.current == "result" and tour.app.staff.bar.showing and not tour.app.reading.showing
        )

    return step


def _proxy_offer(member_no: str, large: bool = False):
    """During an enrolment season, a senior's card read on the search page: the staff's offer
    gains 「代为报名」."""
    card = _staff_card(member_no, large)

    def step(tour):
        tour._season(5)
        tour._forget_reads()  # read for the shots before
        return card(tour)

    return step


def _proxy_page(tour):
    """「代为报名」 taken: the reason tapped, the PIN half typed."""
    for label, action in tour.app.staff.bar.offers:
        if label == t("season.proxy"):
            action()
    screen = tour.app.staff.screens["staff_proxy"]
    screen.choose("family")
    for key in "25":
        screen.body.ids.pad.press(key)
    return lambda: tour.app.screens.current == "staff_proxy"


def _proxy_enrol(tour):
    """The rest of the PIN, 确定: the senior's course cards, staff applying for them."""
    screen = tour.app.staff.screens["staff_proxy"]
    for key in "80":
        screen.body.ids.pad.press(key)
    screen.enter()
    return lambda: tour.app.screens.current == "enrol"


def _proxy_large(tour):
    """The same for a senior in 「大字」, straight to their course cards."""
    _proxy_page(tour)
    return _proxy_enrol(tour)


def _season_over(step):
    """`step`, once the season the proxy shots opened is withdrawn (the pages after show none)."""

    def run(tour):
        tour._season_withdrawn()
        return step(tour)

    return run


def _staff_newcomer(screen) -> None:
    # The unknown card the senior screens' tour laid on the reader (kept now, for a --only run
    # that had no senior screens), as its read reaches this page.
    cred = to_credential(screen.app.devices.idcard_sim.cards["unknown"].card)
    key = bytes.fromhex(screen.app.settings.security.id_hash_key)
    newcomers.remember(cred, ids.id_hash(cred.id_number, key), datetime.now())
    screen.select_latest(cred)
    for key in "1391234":  # a phone number half typed
        screen.body.ids.pad.press(key)


def _staff_registered(tour):
    screen = tour.app.staff.screens["staff_newcomers"]
    for key in "5678":
        screen.body.ids.pad.press(key)
    screen.register()
    return lambda: bool(screen.registered)


def _staff_exported(screen) -> None:
    screen.export()


def _staff_import_checked(screen) -> None:
    """A roster from Excel with two rows to fix, checked: nothing written, each row named."""
    path = Path(screen.folder) / "学员名单.csv"
    rows = [
        ["姓名", "性别", "出生日期", "手机号", "课程"],
        ["王桂兰", "女", "1948-03-02", "13812340001", "书法（一）班"],
        ["赵德明", "人", "1950/7/1", "1381234", ""],
        ["刘秀英", "女", "19470212", "13812340003", "太极拳（一）班"],
    ]
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows(rows)
    screen._check(path, "members", None)


def _staff_import_renames(screen) -> None:
    """A roster that would change a name read from an ID card, checked: the name is listed and
    the button asks for that too."""
    settings = screen.app.settings
    card = Credential(method="idcard", id_number="31010419520715002X", name="钱秀英", valid_to=date(2040, 1, 1))
    newcomers.remember(card, ids.id_hash(card.id_number, bytes.fromhex(settings.security.id_hash_key)), datetime.now())
    no = people.register(Actor.of(None, settings), NewcomerCard.get().id, datetime.now(), settings).member_no
    path = Path(screen.folder) / "学员名单_更正.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows([["学员编号", "姓名", "手机号"], [no, "钱秀华", "13812340009"]])
    screen._check(path, "members", None)


def _staff_course(tour):
    course = Course.get(Course.name == "国画花鸟班")
    tour.app.staff.screens["staff_course"].open_course(course.id)
    return lambda: tour.app.screens.current == "staff_course"


def _staff_course_roster(screen) -> None:
    screen.show("roster")


def _staff_idle(tour):
    tour.app.staff.timer.since -= tour.settings.staff.idle_s - tour.settings.staff.idle_warning_s + 1
    return lambda: tour.app.staff.prompt.showing


def _sync_page(arrange):
    """The sync page with a bureau set (the tour's kiosk has none) and its state as `arrange`
    leaves it; no worker runs, so nothing moves while the shot is taken."""

    def step(tour):
        tour.settings.sync.url = "https://bureau.example.gov.cn"
        now = datetime.now()
        with write():
            newest = db.execute_sql("SELECT max(seq) FROM outbox").fetchone()[0] or 0
            db.execute_sql("UPDATE outbox SET state = 'acked' WHERE state = 'pending'")
            sync_state.put(
                acked_seq=newest,
                last_error="",
                clock_offset_ms=0,
                last_push_ok=(now - timedelta(minutes=2)).timestamp(),
                last_pull_ok=(now - timedelta(minutes=1)).timestamp(),
                last_nightly_ok=now.replace(hour=2, minute=30, second=4).timestamp(),
                last_nightly_result=json.dumps(dict.fromkeys(STREAMS, "ok")),
            )
            arrange(now)
        screen = tour.app.staff.screens["staff_sync"]
        tour.app.staff.keep_on()  # after the idle warning's shot
        tour.app.staff.open("staff_sync")
        screen.refresh()
        return lambda: tour.app.screens.current == "staff_sync"

    return step


def _sync_offline(now: datetime) -> None:
    """A dozen sign-ins since the network went down an hour ago; the kiosk clock 3 minutes fast."""
    sign_ins = [
        facts.record(
            "signin",
            facts.new_event_id(),
            {"member_no": f"DM{i:04d}", "site": "DEMO-001"},
            now - timedelta(minutes=58 - 4 * i),
        )
        for i in range(1, 13)
    ]
    sync_state.put(
        acked_seq=sign_ins[0] - 1,
        last_push_ok=(now - timedelta(minutes=62)).timestamp(),
        last_pull_ok=(now - timedelta(minutes=61)).timestamp(),
        last_error="ConnectError: [Errno 111] Connection refused",
        last_error_at=now.timestamp(),
        clock_offset_ms=-183_000,
        last_nightly_result=json.dumps({**dict.fromkeys(STREAMS, "ok"), "members": "refetched"}),
    )


def _sync_rejected(now: datetime) -> None:
    """Facts the bureau refused: two of other sites, one it could not read."""
    refused = [
        (
            "signin",
            {"member_no": "DM0003", "site": "DEMO-002"},
            "wrong_site",
            "payload site 'DEMO-002' is not this kiosk's site DEMO-001",
        ),
        ("points", {"member_no": "DM0007", "amount": 2}, "invalid", "schema_v 2 is not 1"),
        (
            "member",
            {"member_no": "DM0012", "site": "DEMO-009"},
            "wrong_site",
            "payload site 'DEMO-009' is not this kiosk's site DEMO-001",
        ),
    ]
    for minutes, (kind, payload, code, reason) in enumerate(refused):
        event_id = facts.new_event_id()
        facts.record(kind, event_id, payload, now - timedelta(minutes=30 - 10 * minutes))
        db.execute_sql(
            "UPDATE outbox SET state = 'rejected', reject_code = ?, reject_reason = ? WHERE event_id = ?",
            (code, reason, event_id),
        )
    newest = db.execute_sql("SELECT max(seq) FROM outbox").fetchone()[0]
    sync_state.put(acked_seq=newest)


def _doctor_page(tour):
    """设备与系统检查 with some lines red: the reader unplugged, the bureau not answering, no backup
    yet (the tour's data dir is new); the shot once the slow checks have come back."""
    tour.settings.sync.url = "https://127.0.0.1:9"  # nothing listens there
    if tour.app.devices.idcard_sim.port.plugged:
        tour.app.devices.idcard_sim.unplug()
    reader = tour.app.device_manager.threads[0]
    screen = tour.app.staff.screens["staff_doctor"]

    def open_when_unplugged() -> bool:
        if reader.health.connected:
            return False
        if tour.app.screens.current != "staff_doctor":
            tour.app.staff.keep_on()
            tour.app.staff.open("staff_doctor")
        return tour.app.screens.current == "staff_doctor" and not screen.checking

    return open_when_unplugged


SIGN_IN = ("staff_login", "staff_home")  # the shots that sign in to staff mode, for --only
STAFF_SHOTS = [
    ("staff_login", _staff_login),
    ("staff_home", _staff_home),
    ("staff_today", _staff_open("staff_today")),
    ("staff_members", _staff_open("staff_members", _staff_search)),
    ("staff_card_result", _staff_card("DM0001")),
    ("staff_card_result_large", _staff_card("DM0002", large=True)),
    ("staff_card_proxy_offer", _proxy_offer("DM0001")),
    ("staff_proxy", _proxy_page),
    ("enrol_proxy", _proxy_enrol),
    ("staff_card_proxy_offer_large", _proxy_offer("DM0002", large=True)),
    ("enrol_proxy_large", _proxy_large),
    ("staff_member", _season_over(_staff_member("DM0001"))),
    ("staff_member_rare_name", _staff_member("DM0019")),  # 龚𪚥: U+2A6A5 from the fallback font (T-7)
    ("staff_newcomers", _staff_open("staff_newcomers", _staff_newcomer)),
    ("staff_newcomer_registered", _staff_registered),
    ("staff_exports", _staff_open("staff_exports", _staff_exported)),
    ("staff_imports", _staff_open("staff_imports")),
    ("staff_imports_checked", _staff_open("staff_imports", _staff_import_checked)),
    ("staff_imports_renames", _staff_open("staff_imports", _staff_import_renames)),
    ("staff_audit", _staff_open("staff_audit")),
    ("staff_redemptions", _staff_open("staff_redemptions", lambda screen: _hand_over_oldest(screen))),
    ("staff_courses", _staff_open("staff_courses")),
    ("staff_course", _staff_course),
    ("staff_course_roster", _staff_open("staff_course", _staff_course_roster)),
    ("staff_idle", _staff_idle),
    ("staff_sync", _sync_page(lambda now: None)),
    ("staff_sync_offline", _sync_page(_sync_offline)),
    ("staff_sync_rejected", _sync_page(_sync_rejected)),
    ("staff_doctor", _doctor_page),
    ("staff_home_storage_low", _staff_home_storage_low),
]


def _report(violations: list, path: Path) -> None:
    """Each violation on a line of the output, and all of them in `path` for the tests."""
    for violation in violations:
        print(violation)
    path.write_text(json.dumps([vars(v) for v in violations], ensure_ascii=False, indent=1), encoding="utf-8")


def _shot_step(name: str, step, tour: "Tour"):
    """The staff shot's step, named after the shot for a timeout's message."""

    def run():
        return step(tour)

    run.__qualname__ = f"the staff shot {name}"
    return run


def _just(action):
    """A step that runs `action` and waits for nothing."""

    def step() -> None:
        action()

    return step


def _same_day(now: datetime, hours: int) -> datetime:
    """now + hours, mirrored to now - hours when that would be another day."""
    start = (now + timedelta(hours=hours)).replace(minute=0, second=0, microsecond=0)
    if start.date() != now.date():
        start = (now - timedelta(hours=hours)).replace(minute=0, second=0, microsecond=0)
    return start


if __name__ == "__main__":
    sys.exit(main())
