"""Clocks and captured requests (docs/sync-protocol.md §12: F9, F18), on both stores.

F9: kiosk processes whose clocks are wrong (libfaketime: `faketime -f -10y python …`) sign seniors
in and push: the first request is refused as stale, the kiosk takes the bureau's clock from the
reply and the same push goes through on the one retry; every fact from a clock off by over
5 minutes is flagged skewed, and the rules file the attendance under the true business day.
F18: a push captured on the wire and replayed within the window is refused as replayed, after
the window (the bureau's clock moved on with faketime) as stale; a rotated or revoked key is
refused; nothing is stored twice."""

import shutil
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from bureau import admin, rules
from bureau.models import Attendance, Event, Kiosk
from kiosk.store.db import db as kiosk_db
from kiosk.sync.client import Bureau
from kiosk.sync.push import push_all

from .conftest import SITE, Client
from .faults import (
    PASS,
    BureauProcess,
    Fault,
    KioskProcess,
    Proxy,
    check_i1,
    check_i2,
    kiosk_site_file,
    kiosk_state,
    open_kiosk,
    send_raw,
    write_facts,
)
from .test_faults_network import port

FAKETIME = shutil.which("faketime")
# Kiosk clocks: (faketime offset, seconds off: faketime years are 365 days); +2 min is within
# the signature window and the skew flag.
CLOCKS = [("-1h", -3600), ("+6m", 360), ("+1y", 365 * 86400), ("-10y", -10 * 365 * 86400), ("+2m", 120)]
WINDOW_S = 300


@pytest.fixture(scope="module", autouse=True)
def needs_faketime():
    if FAKETIME is None:
        pytest.fail("libfaketime is not installed: apt-get install faketime (./dev test installs it)")


@pytest.fixture(autouse=True)
def no_stale_faketime_files():
    """libfaketime keeps a semaphore and shared memory named by its PID in /dev/shm, and leaves
    them behind when killed (or even on exit).  On a machine whose PIDs wrap (pid_max 32768) a
    later process with that PID then fails at start: "sem_open: File exists".  Those of dead
    processes go before each test."""
    shm = Path("/dev/shm")
    for path in [*shm.glob("faketime_shm_*"), *shm.glob("sem.faketime_sem_*")]:
        pid = path.name.rsplit("_", 1)[1]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            path.unlink(missing_ok=True)


def stale_refusals(log: str, kiosk_id: str) -> int:
    return sum(1 for line in log.splitlines() if "refused: stale_timestamp" in line and f"'{kiosk_id}'" in line)


def test_a_kiosk_with_a_wrong_clock_syncs_after_one_retry_and_its_facts_are_flagged(server, kiosk, tmp_path):
    before = date.today()
    drivers = {}
    for offset, _ in CLOCKS:
        this = admin.add_kiosk(SITE, f"clock {offset}")
        folder = tmp_path / this.kiosk_id
        drivers[offset] = (
            this,
            KioskProcess(kiosk_site_file(folder, this, server.url), folder / "data", prefix=(FAKETIME, "-f", offset)),
        )
        drivers[offset][1].start("--write", "3", "--drain")
    try:
        for _, driver in drivers.values():
            driver.finish()
            assert driver.drained and len(driver.acked) == 9  # 3 members sign in: member, signin, points
    finally:
        for _, driver in drivers.values():  # none left running when one failed
            if driver.process.poll() is None:
                driver.kill()
    after = date.today()
    log = server.log.read_text()
    for offset, seconds in CLOCKS:
        this, driver = drivers[offset]
        check_i1(driver.acked, this.kiosk_id)
        check_i2(this.kiosk_id, driver.data_dir)
        outside = abs(seconds) > WINDOW_S
        # One refusal, then the bureau's clock: the first push went through on its one retry.
        assert stale_refusals(log, this.kiosk_id) == (1 if outside else 0), offset
        if outside:  # it signs with the bureau's clock now
            assert abs(int(kiosk_state(driver.data_dir, "clock_offset_ms")) / 1000 + seconds) < 60
        flags = {e.skewed for e in Event.select(Event.skewed).where(Event.kiosk == this.id)}
        assert flags == {outside}, offset
    rules.catch_up()
    kiosks = [this.id for this, _ in drivers.values()]
    days = {a.business_day for a in Attendance.select().where(Attendance.kiosk.in_(kiosks))}
    assert Attendance.select().where(Attendance.kiosk.in_(kiosks)).count() == 3 * len(CLOCKS)
    assert days <= {before, after}, f"attendance filed under {days}, not the bureau's day {before}"


def test_a_captured_push_replayed_within_or_after_the_window_or_with_an_old_key_is_refused(
    server, kiosk, tmp_path, store_url
):
    proxy = Proxy(port(server.url), lambda line, size: Fault(PASS))  # only to capture the push
    settings = open_kiosk(tmp_path, kiosk, proxy.url)
    bureau = Bureau(settings)
    later = BureauProcess(store_url, tmp_path, prefix=(FAKETIME, "-f", f"+{WINDOW_S + 100}s"))
    try:
        written = write_facts(5, datetime(2026, 11, 21, 12, 0))
        (pushed,) = push_all(bureau, 5)
        assert pushed.inserted == 5
        (captured,) = [r for r in proxy.requests if r.startswith(b"POST /v1/push")]
        status, reply = send_raw(port(server.url), captured)
        assert (status, reply["error"]) == (401, "replayed")
        later.start()  # the same store, its clock 400 s on
        status, reply = send_raw(later.port, captured)
        assert (status, reply["error"]) == (401, "stale_timestamp")
        admin.rotate_key(kiosk.kiosk_id, timedelta(0))  # the key was stolen: a new one, no grace
        status, reply = send_raw(port(server.url), captured)
        assert (status, reply["error"]) == (401, "bad_signature")
        assert bureau.post("/v1/push", b"{}").data["error"] == "bad_signature"  # signed with the old key
        admin.revoke(kiosk.kiosk_id)
        assert bureau.post("/v1/push", b"{}").data["error"] == "bad_signature"  # an old key learns nothing
        with Client(server.url, kiosk.kiosk_id, Kiosk.get_by_id(kiosk.id).key) as current:
            assert current.state().json()["error"] == "revoked"
        assert Event.select().count() == 5 and Kiosk.get_by_id(kiosk.id).acked_seq == 5
        check_i1(written, kiosk.kiosk_id)
        check_i2(kiosk.kiosk_id, settings.kiosk.data_dir)
    finally:
        bureau.close()
        kiosk_db.close()
        proxy.close()
        later.stop()
