"""UI scenarios for the staff page 同步状态 (docs/sync-protocol.md §11), run by tests/screens/harness.py: a kiosk
with no bureau set, and one whose bureau is down, then up (立即同步 sends the backlog), then down again."""

import atexit
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from kiosk.i18n import t
from kiosk.store import facts
from kiosk.store.db import write
from kiosk.store.models import Outbox
from tests.bureau.conftest import bureau_env
from tests.screens.scenarios_service import FakeClock, tap
from tests.screens.scenarios_staff import ADMIN, ADMIN_PIN, CLERK, login_steps, on, texts
from tests.waiting import answers

CLERK_PIN = "1357"
WRONG_SITE = "OTHER-9"


def page(app):
    return app.staff.screens["staff_sync"]


def look(app, obs: dict, key: str) -> None:
    """What the page shows now, under obs[key]."""
    screen = page(app)
    ids = screen.body.ids
    obs[key] = {
        "headline": ids.headline.text,
        "explain": ids.explain.text,
        "detail": ids.detail.text,
        "backlog": ids.backlog.text,
        "last_push": ids.last_push.text,
        "bureau": ids.bureau.text,
        "button": ids.now.text,
        "button_disabled": ids.now.disabled,
        "message": screen.message,
        "rejected": ids.rejected.text,
        "state": screen.state,
        "rows": [[row.seq, row.at, row.kind, row.code, row.reason] for row in reversed(ids.rows.children)],
        "backlog_count": screen.status.backlog,
        "pending_in_db": Outbox.select().where(Outbox.state == "pending").count(),
    }


def open_page(app, obs: dict):
    """Staff home: note the tile, tap it."""

    def step():
        tile = app.staff.screens["staff_home"].body.ids.sync
        obs["tile"] = tile.text
        tap(tile)
        return on(app, "staff_sync")

    return step


def first_report(app):
    """The sync thread's first cycle (it starts with the app) has reported."""

    def step():
        return lambda: app.sync_status is not None

    return step


def sign_in(app, settings, member_no: str):
    from tests.screens.harness import result_shown, token, type_scan

    def step():
        app.go_home()
        type_scan(token(settings, member_no))
        return result_shown(app)

    return step


def sync_not_configured(app, settings, obs):
    """No bureau set: the page says so, 立即同步 says why it cannot; staff idle logout still works."""
    clock = FakeClock()

    def fake_time():
        app.clock = clock
        app.staff.timer.touch(clock())

    def tap_button():
        look(app, obs, "shown")
        tap(page(app).body.ids.now)

    def idle():
        look(app, obs, "after_tap")
        obs["screen_after_tap"] = app.screens.current
        clock.advance(settings.staff.idle_s + 1)
        return on(app, "home")

    def after_logout():
        obs["staff"] = app.staff.actor is not None
        obs["left_behind"] = texts(page(app).body.ids.rows)

    return [fake_time] + login_steps(app, ADMIN, ADMIN_PIN) + [open_page(app, obs), tap_button, idle, after_logout]


def sync_story(app, settings, obs):
    """The bureau is not running: a sign-in and a fact of another site wait, and 立即同步 cannot
    reach it.  The bureau starts (a real `python -m bureau serve` on the store the test made next to
    the data dir, at the port of sync.url): 立即同步 sends them all.  Then it stops again."""
    screen = page(app)
    bureau = Bureau(Path(settings.kiosk.data_dir).parent / "bureau.db", settings.sync.url)

    def wrong_site():
        event_id = facts.new_event_id()
        with write():
            now = datetime.now()
            payload = {"member_no": "DM0003", "site": WRONG_SITE, "kind": "lesson", "title": "太极拳"}
            facts.record("signin", event_id, {**payload, "start": now.isoformat(), "at": now.isoformat()}, now)
        obs["wrong_site_event"] = event_id

    def sync_then(key: str, until):
        """Look at the page under key, tap 立即同步, note 正在同步…, wait `until`."""

        def step():
            look(app, obs, key)
            tap(screen.body.ids.now)
            look(app, obs, f"{key}_during")
            return until

        step.__name__ = f"sync_{key}"
        return step

    def start_bureau():
        look(app, obs, "offline")
        bureau.start()
        return bureau.up

    def stop_bureau():
        look(app, obs, "synced")
        bureau.stop()

    def back_home():
        look(app, obs, "stopped")
        tap(screen.ids.back)
        return on(app, "staff_home")

    def tile_after():
        obs["tile_after"] = app.staff.screens["staff_home"].body.ids.sync.text

    def headline_is(key: str):
        return lambda: screen.body.ids.headline.text == t(f"staff_sync.headline.{key}")

    return (
        [first_report(app), sign_in(app, settings, "DM0001"), wrong_site]
        + login_steps(app, CLERK, CLERK_PIN)
        + [
            open_page(app, obs),
            sync_then("before", lambda: not screen.syncing),
            start_bureau,
            sync_then("online", headline_is("synced")),
            stop_bureau,
            sync_then("again", headline_is("offline")),
            back_home,
            tile_after,
        ]
    )


class Bureau:
    """`python -m bureau serve` as a child of the kiosk's process, stopped at its exit at the latest."""

    def __init__(self, store: Path, url: str):
        self.store, self.url, self.process = store, url, None

    def start(self) -> None:
        command = [
            sys.executable,
            "-m",
            "bureau",
            "serve",
            "--db",
            f"sqlite:///{self.store}",
            "--port",
            self.url.rsplit(":", 1)[1],
        ]
        with open(self.store.with_name("server.log"), "ab") as log:
            self.process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, cwd=self.store.parent, env=bureau_env()
            )
        atexit.register(self.stop)

    def up(self) -> bool:
        """Answers /v1/health (asked once a frame until it does: a refused connection is instant)."""
        if self.process.poll() is not None:
            raise RuntimeError(f"the bureau exited with {self.process.returncode}")
        return answers(self.url + "/v1/health")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


SCENARIOS = [sync_not_configured, sync_story]
