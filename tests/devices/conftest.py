"""Fixtures for the device tests: simulators on real ptys, and the demo site for end-to-end reads."""

import time
from datetime import datetime

import pytest

from devices.idcard import IdCardReader
from devices.sim.idcard import SamSim
from kiosk import config, demo
from kiosk.store.db import open_db

# A Wednesday evening: only the demo's always-due lesson is due, as ensure_due places it.
NOW = datetime(2025, 3, 12, 20, 10)


@pytest.fixture
def sim(tmp_path):
    """A simulated ID-card reader on a pty, reached through a by-id style link."""
    s = SamSim(str(tmp_path / "usb-Reader_SAM-if00"))
    yield s
    s.close()


@pytest.fixture
def reader(sim):
    """The real driver, open on the simulator's link, polling without pauses."""
    r = IdCardReader("idcard", sim.path, 115200, poll_interval_s=0)
    faults: list[str] = []
    r.on_fault = faults.append
    r.faults = faults
    r.open()
    yield r
    r.close()


def read_card(reader, timeout: float = 10.0) -> list:
    """Poll until the driver yields something, or the deadline passes; what it yielded.
    poll() itself waits for bytes (about 0.05 s), so this never spins."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        creds = reader.poll()
        if creds:
            return creds
    return []


@pytest.fixture
def demo_site(tmp_path):
    """The demo settings and database, with the always-due lesson due at NOW."""
    settings = config.load(None, tmp_path / "data")
    database = open_db(settings.kiosk.data_dir)
    demo.load_if_empty(settings, NOW)
    demo.ensure_due(settings, NOW)
    yield settings
    database.close()
