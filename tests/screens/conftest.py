"""UI scenarios run the real app in a child process each (Kivy allows one window per process)."""

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tools.checkout import ROOT


def run_harness(
    name: str, folder: Path, kiosk: bool = False, config: Path | None = None, clock: str = ""
) -> tuple[dict, Path]:
    """Run tests/screens/harness.py's scenario `name` on the data dir in `folder` (fresh the first time),
    with the site file `config` if given, and the kiosk's clock started at `clock` ("YYYY-MM-DD hh:mm",
    libfaketime) for a scenario that needs a time of day: (what it observed, the data dir)."""
    if not os.environ.get("DISPLAY"):
        pytest.fail("needs a display: run the tests with ./dev test (it starts Xvfb)")
    data_dir, out = folder / "data", folder / f"{name}.json"
    command = [sys.executable, "-m", "tests.screens.harness", name, str(data_dir), str(out)]
    if clock:  # the clock starts there and runs on
        command = ["faketime", f"{clock}:00", *command]
    command += (["--kiosk"] if kiosk else []) + (["--config", str(config)] if config else [])
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    log = data_dir / "logs" / "kiosk.log"
    detail = (
        f"exit {done.returncode}\n{done.stderr[-4000:]}\n"
        f"{log.read_text(encoding='utf-8')[-4000:] if log.exists() else ''}"
    )
    seen = json.loads(out.read_text(encoding="utf-8")) if out.exists() else {}
    assert done.returncode == 0, f"at step {seen.get('step')}: {detail}"
    return seen, data_dir


def rows(data_dir: Path, sql: str, *args) -> list[tuple]:
    """What the scenario left in its kiosk.db, read with plain sqlite3."""
    with sqlite3.connect(data_dir / "kiosk.db") as db:
        return db.execute(sql, args).fetchall()


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    """scenario(name) -> (observations, data dir) of a scenario that ran to its end, run once for
    all the tests of a module that check it."""
    seen = {}

    def run(name: str):
        if name not in seen:
            obs, data_dir = run_harness(name, tmp_path_factory.mktemp(name))
            assert obs["finished"], obs.get("step")
            seen[name] = obs, data_dir
        return seen[name]

    return run


@pytest.fixture
def run_scenario(tmp_path):
    """run_scenario(name, kiosk=False, clock="") -> (observations, data dir)."""
    return lambda name, kiosk=False, clock="": run_harness(name, tmp_path, kiosk, clock=clock)
