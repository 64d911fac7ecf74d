"""A long day (issue 20 part 7): the real app under Xvfb signs in thousands of cards, and stays lean.

The real kiosk app in a child process (Kivy allows one window a process) on a fresh demo data dir
(200 members), registered at a real bureau (`python -m bureau serve` on loopback, SQLite store).
Cards follow one another at an accelerated pace, each sign-in ended by a tap on 「返回首页」 as a
senior would: ID cards laid on the simulated reader (the real driver reads them over the pty),
QR cards scanned by the simulated serial scanner and typed by the keyboard wedge into the window.
Between sign-ins seniors open 我的积分, 近期活动, 我的课程 and 大字与声音 and show their card
there; now and then staff log in with the PIN, look at 今日签到 and log out.  The sync thread
pushes as it does on a site and pulls every ten seconds.  Each time every member has signed in
once, the bench calls off what was due and starts a new lesson of the always-due course, so
reads are real sign-ins, not 「已经签到了」.

Figures: RSS at the home screen after start (≤ 250 MB) and its growth over the run (≤ 10 %),
sampled at the home screen every so many sign-ins; open file descriptors and threads (constant);
growth, fds and threads counted from the end of the warm-up: every screen and kind of read seen,
and the first backup made (five minutes after start on a fresh box); card → result drawn p95 of
the first and last 1,000 sign-ins, measured as bench/screen.py does (end no worse than start);
run time, sign-ins/s, the outbox at the end, and the bureau's fact count against the kiosk's.

    python -m bench soak [--cards N] [--minutes M]   (parent: prints the figures; M: stop early)
    python -m bench.soak DIR OUT --cards N --minutes M   (child: runs the app, writes the samples)
"""

import argparse
import json
import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from bench import Figure, percentile
from tools.checkout import ROOT

CARDS = 10_000
RSS_TARGET_MB = 250.0
GROWTH_TARGET = 0.10
WINDOW = 1_000  # sign-ins at the start and at the end whose p95 are compared
SAMPLES = 40  # RSS samples at the home screen over the run
SERVICE_EVERY = 8  # a senior opens one of their own screens after every so many sign-ins
STAFF_EVERY = 500  # staff log in, look at today's sign-ins and log out ...
STAFF_AT = 10  # ... first after this many sign-ins (a short run sees them too)
WAIT_S = 20.0  # for a frame the bench waits on; longer is a hang
SERVICES = ("points", "activities", "courses", "settings")
# The kiosk's site file beside what the bureau printed: no repeat window (the same senior comes
# back each round), fast polling, open at any hour, a real player into ALSA's null device, and the
# sync accelerated (a push a second or so after facts, a pull every ten seconds).
OVERLAY = """
[checkin]
repeat_window_s = 0
[display]
dim_outside_hours = false
[voice]
player = ["aplay", "-q", "-D", "null"]
[devices.idcard]
poll_interval_ms = 20
[devices.keyboard_wedge]
accept_typed = false
"""
SYNC = "push_delay_s = 1.0\npull_every_s = 10\n"


def run(cards: int = CARDS, minutes: float = 0) -> list[Figure]:
    if not os.environ.get("DISPLAY"):
        print("soak: not measured, no DISPLAY (run it with ./dev bench soak, under xvfb-run)")
        return [Figure("soak", "not measured: no DISPLAY", f"RSS ≤ {RSS_TARGET_MB:g} MB", None)]
    from bench.sync import serving

    with tempfile.TemporaryDirectory(prefix="yinling-bench-soak-") as tmp:
        folder = Path(tmp)
        store_url = f"sqlite:///{folder / 'bureau.db'}"
        site_file = folder / "site.toml"
        printed = register(store_url)
        out = folder / "soak.json"
        with serving(store_url, folder) as bureau:
            printed = printed.replace("http://127.0.0.1:8800", bureau.url).replace("[sync]\n", "[sync]\n" + SYNC)
            site_file.write_text(printed + OVERLAY, encoding="utf-8")
            try:
                command = ["-m", "bench.soak", tmp, str(out), "--cards", str(cards), "--minutes", str(minutes)]
                subprocess.run(
                    [sys.executable, *command],
                    cwd=ROOT,
                    check=True,
                    timeout=120 + (minutes * 60 if minutes else cards * 5),
                    env=dict(os.environ, KIVY_NO_CONSOLELOG="1"),
                )
            except subprocess.SubprocessError:
                kept = Path(tempfile.gettempdir()) / "yinling-bench-soak-failed.log"
                shutil.copyfile(folder / "data" / "logs" / "kiosk.log", kept)
                print(f"soak: the kiosk's log is kept in {kept}")
                raise
        with sqlite3.connect(folder / "bureau.db") as bureau_db:
            at_bureau = bureau_db.execute("SELECT count(*) FROM event").fetchone()[0]
        return figures(json.loads(out.read_text()), at_bureau)


def register(store_url: str) -> str:
    """The demo site and a kiosk of it at the bureau; the site file lines `bureau kiosk add` prints."""
    from bureau import admin
    from bureau.schema import open_store
    from bureau.store import close_store

    open_store(store_url)
    try:
        admin.add_site("DEMO-001", "示范区老干部活动中心", prefix="DM")
        kiosk = admin.add_kiosk("DEMO-001", "soak")
        return admin.site_file(kiosk, "http://127.0.0.1:8800")
    finally:
        close_store()


def figures(m: dict, at_bureau: int) -> list[Figure]:
    signins = m["signins"]
    n = len(signins)
    window = min(WINDOW, max(1, n // 2))
    first = [s["ms"] for s in signins[:window]]
    last = [s["ms"] for s in signins[-window:]]
    p95_first, p95_last = percentile(first, 95), percentile(last, 95)
    kinds: dict[str, int] = {}
    for s in signins:
        kinds[s["kind"]] = kinds.get(s["kind"], 0) + 1
    methods: dict[str, int] = {}
    for s in signins:
        methods[s["method"]] = methods.get(s["method"], 0) + 1
    series = m["home"]  # [sign-ins so far, RSS kB, fds, threads, tasks]
    start_mb, end_mb = series[0][1] / 1024, series[-1][1] / 1024
    warm = series[m["warm"]]
    warm_mb = warm[1] / 1024
    growth = (end_mb - warm_mb) / warm_mb
    peak_mb = max(s[1] for s in series) / 1024
    # Constant from the end of the warm-up, when every screen, kind of read and daily job has been
    # seen once (the first backup: SQLite keeps its connection's file open for the next one):
    # its connections and font files (listed) open on first use and stay.
    fds = (series[0][2], warm[2], series[-1][2])
    threads = (series[0][3], warm[3], series[-1][3])
    tasks = (series[0][4], warm[4], series[-1][4])
    rate = n / m["seconds"]
    print(
        f"soak: {n:,} sign-ins in {m['seconds']:.0f} s ({rate:.1f}/s), {m['services']:,} seniors' screens, "
        f"{m['staff']} staff visits, {m['rounds']} lessons; reads by "
        + ", ".join(f"{k} {v:,}" for k, v in sorted(methods.items()))
        + "; results "
        + ", ".join(f"{k} {v:,}" for k, v in sorted(kinds.items()))
    )
    print(
        "soak: home-screen samples (sign-ins: RSS MB / fds / threads): "
        + "  ".join(f"{s[0]}: {s[1] / 1024:.0f}/{s[2]}/{s[3]}" for s in series)
    )
    print(
        f"soak: RSS at home after start {start_mb:.1f} MB ({series[0][5] / 1024:.0f} MB anonymous, "
        f"{series[0][6] / 1024:.0f} MB of mapped files: libraries, the GL driver's among them), "
        f"after {warm[0]:,} sign-ins {warm_mb:.1f} MB, "
        f"at the end {end_mb:.1f} MB (peak {peak_mb:.1f} MB): growth {growth:+.1%} since then, "
        f"{(end_mb - start_mb) / start_mb:+.1%} since start"
    )
    print(
        f"soak: fds {fds[0]}, {fds[1]} → {fds[2]}, threads {threads[0]}, {threads[1]} → {threads[2]} "
        f"(tasks {tasks[0]}, {tasks[1]} → {tasks[2]}; start, after warm-up → end); "
        f"p95 card → result drawn, first {len(first):,} {p95_first:.1f} ms, last {len(last):,} {p95_last:.1f} ms "
        f"(p50 {percentile(first, 50):.1f} / {percentile(last, 50):.1f} ms)"
    )
    for s in signins:
        if s["kind"] != "ok":
            print(f"soak: not signed in: {s['member']} by {s['method']}: {s['kind']} ({s['detail']})")
    for stage, files in m["opened"].items():
        print(f"soak: opened during the {stage} and still open: {', '.join(files) or 'nothing'}")
    print(
        f"soak: outbox at the end {m['outbox_pending']} pending of {m['outbox']:,} facts; "
        f"the bureau holds {at_bureau:,}"
    )
    ok_share = kinds.get("ok", 0) / n
    return [
        Figure(
            "soak: RSS at home after start", f"{start_mb:.1f} MB", f"≤ {RSS_TARGET_MB:g} MB", start_mb <= RSS_TARGET_MB
        ),
        Figure(
            "soak: RSS growth over the run",
            f"{growth:+.1%} ({warm_mb:.0f} → {end_mb:.0f} MB, {warm[0]:,} → {series[-1][0]:,} sign-ins)",
            f"≤ {GROWTH_TARGET:.0%}",
            growth <= GROWTH_TARGET,
        ),
        Figure(
            "soak: open fds start, warm → end",
            f"{fds[0]}, {fds[1]} → {fds[2]}",
            "constant after warm-up",
            fds[2] <= fds[1],
        ),
        Figure(
            "soak: threads start, warm → end",
            f"{threads[0]}, {threads[1]} → {threads[2]} (tasks {tasks[0]}, {tasks[1]} → {tasks[2]})",
            "constant after warm-up",
            threads[2] <= threads[1] and tasks[2] <= tasks[1],
        ),
        Figure(
            "soak: sign-in p95 first → last",
            f"{p95_first:.1f} → {p95_last:.1f} ms ({len(first):,} each)",
            "end ≤ start",
            # Wall-clock on a shared machine: within 10 % (or 5 ms) counts as no worse.
            p95_last <= max(p95_first * 1.1, p95_first + 5),
        ),
        Figure(
            "soak: sign-ins",
            f"{n:,} in {m['seconds']:.0f} s, {rate:.1f}/s; {ok_share:.0%} signed in",
            "≥ 90 % signed in",
            ok_share >= 0.9,
        ),
        Figure(
            "soak: outbox at the end, bureau facts",
            f"{m['outbox_pending']} pending; bureau {at_bureau:,} = kiosk {m['outbox']:,}",
            "0 pending, equal",
            m["outbox_pending"] == 0 and at_bureau == m["outbox"],
        ),
    ]


# --- the child: the kiosk app and the senior at it -------------------------------------------------


def home_sample(done: int) -> list[int]:
    """[sign-ins so far, VmRSS kB, open fds, Python threads, kernel tasks, RssAnon kB, RssFile kB]
    of this process."""
    status = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
    rss, anon, mapped = (int(status[k].split()[0]) for k in ("VmRSS", "RssAnon", "RssFile"))
    tasks = len(os.listdir("/proc/self/task"))
    return [done, rss, len(os.listdir("/proc/self/fd")), threading.active_count(), tasks, anon, mapped]


def _new(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """What is open in `after` that was not in `before` (numbers in names as N)."""
    return sorted(re.sub(r"\d+", "N", v) for k, v in after.items() if before.get(k) != v)


def open_files() -> dict[str, str]:
    """What each open file descriptor of this process is (a path, socket:[…], pipe:[…] …)."""
    found = {}
    for fd in os.listdir("/proc/self/fd"):
        try:
            found[fd] = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            pass  # closed meanwhile (the listing's own)
    return found


def member_cards(demo_file: str) -> dict:
    """An ID card for each demo member: the simulator's own card where the member's is not a
    resident's (DM0011's is a foreign permanent resident's), else a resident card made from the
    demo (the simulator's own resident cards include an expired one)."""
    from dataclasses import replace

    from devices.cardtext import IdCard
    from devices.sim import profiles
    from devices.sim.profiles import PHOTO_SIZE, Profile
    from kiosk import demo

    own = {p.member: p for p in profiles.load().values() if p.member and p.card.card_type != "resident"}
    cards = {}
    for m in demo.read(demo_file)["members"]:
        number = m["id"]
        if m["no"] in own:
            cards[m["no"]] = replace(own[m["no"]], name=m["no"])
            continue
        card = IdCard(
            name=m["name"],
            gender="2" if m["gender"] == "女" else "1",
            nation="01",
            birth_date=date(int(number[6:10]), int(number[10:12]), int(number[12:14])),
            address="示范区和平街8号",
            id_number=number,
            issuer="示范区公安分局",
            valid_from=date(2016, 5, 1),
            long_term=True,
        )
        cards[m["no"]] = Profile(m["no"], card, bytes(PHOTO_SIZE), b"", None, m["no"])
    return cards


def new_lesson(settings, now: datetime) -> None:
    """Call off whatever is due now and start a lesson of the always-due course: every member
    has exactly one thing to sign in to again, standing alone (a sitting of its own)."""
    from kiosk import demo
    from kiosk.store.db import write
    from kiosk.store.models import Activity, Lesson

    course = demo.always_due_courses(settings)[0]
    lo = now - timedelta(minutes=settings.checkin.window_after_min + 1)
    hi = now + timedelta(minutes=settings.checkin.window_before_min + 1)
    ended = now - timedelta(seconds=1)
    with write():
        Lesson.update(cancelled=True).where(Lesson.start.between(lo, hi), ~Lesson.cancelled).execute()
        Lesson.update(end=ended).where(Lesson.course == course, Lesson.start < ended, Lesson.end >= ended).execute()
        Activity.update(cancelled=True).where(Activity.start.between(lo, hi), ~Activity.cancelled).execute()
        Lesson.create(course=course, start=now, end=now + timedelta(hours=2), room="", cancelled=False)


class Senior:
    """The bench's people at the kiosk: they act on the UI thread and wait for the frame drawn."""

    def __init__(self, app, settings, cards: int, minutes: float = 0):
        from kiosk import demo

        self.app, self.settings, self.cards = app, settings, cards
        self.seconds = minutes * 60 or float("inf")  # the day ends early after this long
        self.key = bytes.fromhex(settings.security.card_key)
        self.members = [m["no"] for m in demo.read(settings.site.demo_data)["members"]]
        self.rng = random.Random(20)
        self.signins: list[dict] = []
        self.home: list[list[int]] = []
        self.services = self.staff = self.rounds = 0
        self.files: dict[str, str] = {}
        self.files_warm: dict[str, str] = {}
        self.warm = 0  # the home sample that ends the warm-up
        self._drawn = threading.Event()
        self._armed: dict = {}

    # -- plumbing ----------------------------------------------------------------------------

    def on_ui(self, action) -> object:
        """Run `action` on the UI thread and wait for it; what it returned."""
        from kivy.clock import Clock

        done, box = threading.Event(), []

        def call(_dt):
            try:
                box.append(action())
            except BaseException as e:
                box.append(e)
            done.set()

        Clock.schedule_once(call)
        if not done.wait(WAIT_S):
            raise RuntimeError("the UI thread did not run a call within 20 s")
        if isinstance(box[0], BaseException):
            raise box[0]
        return box[0]

    def next_frame(self, action) -> None:
        """Do `action` on the UI thread and wait until a frame after it is drawn."""
        from kivy.core.window import Window

        drawn = threading.Event()

        def flipped(window):
            window.unbind(on_flip=flipped)
            drawn.set()

        def both():
            action()
            Window.bind(on_flip=flipped)
            Window.canvas.ask_update()  # Kivy draws only what changed: an action may change nothing

        self.on_ui(both)
        if not drawn.wait(WAIT_S):
            raise RuntimeError("no frame drawn within 20 s")

    def watch(self) -> None:
        """Time each result: from the card's last byte (or key) to the frame drawn after show()."""
        from kivy.core.window import Window

        shown = self.app.show

        def show(visit, method):
            shown(visit, method)
            if self._armed and not self._armed.get("kind"):
                self._armed["kind"] = visit.result.kind
                self._armed["detail"] = visit.result.detail
                Window.bind(on_flip=flipped)

        def flipped(window):
            window.unbind(on_flip=flipped)
            self._armed["drawn"] = time.monotonic()
            self._drawn.set()

        self.app.show = show

    # -- what people do ----------------------------------------------------------------------

    def sign_in(self, member_no: str, method: str) -> None:
        sim_id, sim_qr = self.app.devices.idcard_sim, self.app.devices.qr_sim
        self._drawn.clear()
        self._armed = {"method": method}
        if method == "idcard":
            sim_id.lay(member_no)
        elif method == "qr_serial":
            sim_qr.scan(self.token(member_no))
            self._armed["sent"] = time.monotonic()
        else:
            self.on_ui(lambda: self.type_card(member_no))
        if not self._drawn.wait(WAIT_S):
            raise RuntimeError(f"no result drawn within 20 s for {member_no} by {method}")
        if method == "idcard":
            self._armed["sent"] = sim_id.read_sent[1]  # the reply's last byte left the reader
            self.lift()
        armed = self._armed
        self._armed = {}
        self.signins.append(
            {"ms": round((armed["drawn"] - armed["sent"]) * 1000, 2), "kind": armed["kind"], "method": method}
        )
        if armed["kind"] != "ok":
            self.signins[-1].update(member=member_no, detail=armed["detail"])
        self.next_frame(self.app.go_home)  # 「返回首页」

    def lift(self) -> None:
        """Take the card off the reader, and wait until the driver has seen it gone (two polls):
        a card laid before then would look like the same card, still there."""
        sim = self.app.devices.idcard_sim
        polls = sim.counts.get("find", 0)
        sim.lift()
        if not sim.wait_for(lambda: sim.counts.get("find", 0) >= polls + 2, WAIT_S):
            raise RuntimeError("the ID-card driver stopped polling")

    def type_card(self, member_no: str) -> None:
        """A USB scanner in keyboard mode: the card's characters and Enter, into the window."""
        from kivy.core.window import Window

        for char in self.token(member_no):
            Window.dispatch("on_textinput", char)
        self._armed["sent"] = time.monotonic()
        Window.dispatch("on_key_down", 13, 36, None, [])

    def token(self, member_no: str) -> str:
        from kiosk.identity import tokens

        return tokens.make(member_no, 1, self.key)

    def service(self, name: str, member_no: str) -> None:
        """A home button, the screen drawn, the senior's card read there, their data drawn, home."""
        screen = self.app.services[name]
        self.next_frame(lambda: self.app.open_service(name))
        sim_qr = self.app.devices.qr_sim
        if self.rng.random() < 0.5:
            sim_qr.scan(self.token(member_no))
        else:
            self.app.devices.idcard_sim.lay(member_no)
        deadline = time.monotonic() + WAIT_S
        while not (screen.senior is not None and screen.senior.member_no == member_no):
            if time.monotonic() > deadline:
                result = self.app.result.ids
                shown = self.app.screens.current, screen.senior, result.word.text, result.heading.text
                raise RuntimeError(f"{name} did not take {member_no}'s card within 20 s; on screen {shown}")
            time.sleep(0.005)
        self.lift()
        if screen.pages > 1:
            self.next_frame(lambda: screen.turn(1))  # 下一页
        self.next_frame(self.app.go_home)
        self.services += 1

    def staff_visit(self) -> None:
        """工作人员, a name, the PIN, 今日签到, 退出."""
        from kiosk.staff import access

        self.next_frame(self.app.staff.enter)
        login = self.app.staff.screens["staff_login"]  # built by enter(), on the UI thread
        person = access.by_name(self.settings.site.code, "张老师")

        def pin():
            login.choose(person)
            login.body.ids.pad.value = "2580"
            login.enter()

        self.next_frame(pin)
        if self.app.staff.actor is None:
            raise RuntimeError("staff login failed")
        self.next_frame(lambda: self.app.staff.open("staff_today"))
        self.next_frame(self.app.staff.logout)
        self.staff += 1

    # -- the day -----------------------------------------------------------------------------

    def day(self) -> float:
        from kiosk.store import backups

        every = max(1, self.cards // SAMPLES)
        self.next_frame(lambda: None)
        self.home.append(home_sample(0))
        folder = Path(self.settings.backup.folder)
        self.files = open_files()
        order: list[str] = []
        started = time.monotonic()
        for i in range(self.cards):
            if not order:
                self.on_ui(lambda: new_lesson(self.settings, datetime.now()))
                self.rounds += 1
                order = self.rng.sample(self.members, len(self.members))
            member_no = order.pop()
            self.sign_in(member_no, ("idcard", "idcard", "qr_serial", "qr_serial", "wedge")[i % 5])
            if i % SERVICE_EVERY == SERVICE_EVERY - 1:
                self.service(SERVICES[(i // SERVICE_EVERY) % len(SERVICES)], self.rng.choice(self.members))
            if i % STAFF_EVERY == STAFF_AT:
                self.staff_visit()
            last = i + 1 == self.cards or time.monotonic() - started > self.seconds
            if (i + 1) % every == 0 or last:
                self.next_frame(lambda: None)
                self.home.append(home_sample(i + 1))
                if not self.warm and (backups.listed(folder) or last):
                    # Warmed up: every screen and kind of read seen, and the first backup made (a
                    # fresh box makes one five minutes after start).
                    self.warm, self.files_warm = len(self.home) - 1, open_files()
                rss_mb = self.home[-1][1] / 1024
                print(f"soak: {i + 1:,} sign-ins, RSS {rss_mb:.0f} MB", file=sys.__stderr__, flush=True)
            if last:
                break
        return time.monotonic() - started


def drain(db_path: Path, sync) -> tuple[int, int]:
    """Ask the sync thread to sync now until no fact waits (or a minute passed); (pending, all)."""
    deadline = time.monotonic() + 60
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as c:
        while True:
            pending, total = c.execute("SELECT sum(state = 'pending'), count(*) FROM outbox").fetchone()
            if not pending or time.monotonic() > deadline:
                return pending or 0, total
            sync.sync_now()
            time.sleep(0.2)


def kiosk_packages_only() -> list[str]:
    """Refuse to import what a kiosk box does not have; what is refused.  This venv also holds the
    bureau's and the tests' packages, which a box, installing the project's own dependencies only
    (docs/update.md), has not: psycopg2, which peewee imports when it finds it, or click, which
    httpx does; they would weigh on the kiosk's memory here and not there."""
    from importlib import metadata

    def name(requirement: str) -> str:
        return re.sub(r"[-_.]+", "-", re.match(r"[A-Za-z0-9._-]+", requirement).group()).lower()  # type: ignore[union-attr]

    kiosk, todo = set(), ["yinling-kiosk"]
    while todo:
        dist = name(todo.pop())
        if dist in kiosk:
            continue
        kiosk.add(dist)
        try:
            todo += [r for r in metadata.requires(dist) or [] if "extra ==" not in r]
        except metadata.PackageNotFoundError:
            pass  # required on another Python or system only (a marker's)
    refused = sorted(
        m for m, dists in metadata.packages_distributions().items() if not {name(d) for d in dists} & kiosk
    )

    class Refuse:
        @staticmethod
        def find_spec(fullname, path=None, target=None):
            if fullname.partition(".")[0] in refused:
                raise ModuleNotFoundError(f"not on a kiosk box: {fullname}", name=fullname)
            return None

    sys.meta_path.insert(0, Refuse())
    return refused


def child(folder: str, out: str, cards: int, minutes: float) -> int:
    kiosk_packages_only()
    from kiosk import boot

    data_dir = Path(folder) / "data"
    settings = boot.start(argparse.Namespace(config=str(Path(folder) / "site.toml"), data_dir=str(data_dir)))
    from kivy.clock import Clock

    from screens.app import KioskApp, configure

    configure(settings)
    app = KioskApp(settings)
    senior = Senior(app, settings, cards, minutes)
    failure: list[str] = []

    def drive():
        try:
            app.devices.idcard_sim.cards.update(member_cards(settings.site.demo_data))
            senior.watch()
            seconds = senior.day()
            now_open = open_files()
            opened = {
                "warm-up": _new(senior.files, senior.files_warm),
                "run": _new(senior.files_warm, now_open),
            }
            pending, total = drain(data_dir / "kiosk.db", app.sync)
            result = {
                "signins": senior.signins,
                "home": senior.home,
                "warm": senior.warm,
                "seconds": seconds,
                "services": senior.services,
                "staff": senior.staff,
                "rounds": senior.rounds,
                "outbox_pending": pending,
                "outbox": total,
                "opened": opened,
            }
            Path(out).write_text(json.dumps(result))
        except Exception as e:
            failure.append(repr(e))
        Clock.schedule_once(lambda dt: app.stop())

    def started(_app) -> None:
        # Bound callbacks run before the app's own on_start, which starts the devices and sync.
        Clock.schedule_once(lambda dt: threading.Thread(target=drive, name="soak", daemon=True).start(), 1)

    app.bind(on_start=started)
    app.run()
    if failure:
        print(f"bench.soak: {failure[0]}", file=sys.__stderr__)  # Kivy took sys.stderr over
    return 1 if failure else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("folder")
    parser.add_argument("out")
    parser.add_argument("--cards", type=int, default=CARDS)
    parser.add_argument("--minutes", type=float, default=0)
    args = parser.parse_args()
    sys.exit(child(args.folder, args.out, args.cards, args.minutes))
