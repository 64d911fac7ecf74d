"""UI scenario for the staff page 设备与系统检查, run by tests/screens/harness.py: opened from its
tile with real taps, the slow lines coming back from their thread, the reader pulled out and put
back between taps on 「重新检查」, with a bureau set that does not answer."""

from tests.bureau.conftest import free_port
from tests.screens.scenarios_service import tap
from tests.screens.scenarios_staff import ADMIN, ADMIN_PIN, login_steps, on


def look(app, obs: dict, key: str) -> None:
    screen = app.staff.screens["staff_doctor"]
    ids = screen.body.ids
    obs[key] = {
        "headline": ids.headline.text,
        "state": screen.state,
        "checking": screen.checking,
        "lines": {line.check: [line.state, line.detail, line.fix] for line in screen.lines},
        "rows": [[row.name, row.mark, row.detail, row.fix, row.tone] for row in reversed(ids.rows.children)],
        "pages": ids.pager.pages,
    }


def doctor_page(app, settings, obs):
    screen = app.staff.screens["staff_doctor"]
    reader = app.device_manager.threads[0]
    settings.sync.url = f"http://127.0.0.1:{free_port()}"  # a bureau set, and down

    def reader_is(connected: bool):
        return lambda: reader.health.connected == connected

    def open_page():
        tap(app.staff.screens["staff_home"].body.ids.doctor)
        look(app, obs, "opened")  # the quick lines at once, the slow ones on their way
        return on(app, "staff_doctor")

    def came_back():
        return lambda: not screen.checking

    def again():
        tap(screen.body.ids.again)
        obs.setdefault("checking_after_tap", []).append(screen.checking)
        return came_back()

    def unplug():
        app.devices.idcard_sim.unplug()
        return reader_is(False)

    def replug():
        app.devices.idcard_sim.replug()
        return reader_is(True)

    def log_out():
        app.staff.logout()
        obs["rows_after_logout"] = len(screen.body.ids.rows.children)
        return on(app, "home")

    return [
        *login_steps(app, ADMIN, ADMIN_PIN),
        lambda: reader_is(True),  # the reader's thread has opened it
        open_page,
        came_back,
        lambda: look(app, obs, "checked"),
        unplug,
        again,
        lambda: look(app, obs, "unplugged"),
        replug,
        again,
        lambda: look(app, obs, "replugged"),
        log_out,
    ]


SCENARIOS = [doctor_page]
