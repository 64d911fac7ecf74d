"""UI scenarios run the real app in a child process each (Kivy allows one window per process)."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk import PROJECT_DIR


def run_harness(name: str, folder: Path, kiosk: bool = False) -> tuple[dict, Path]:
    """Run tests/ui/harness.py's scenario `name` on a fresh data dir in `folder`:
    (what it observed, the data dir)."""
    if not os.environ.get("DISPLAY"):
        pytest.fail("needs a display: run the tests with ./dev test (it starts Xvfb)")
    data_dir, out = folder / "data", folder / f"{name}.json"
    command = [sys.executable, "-m", "tests.ui.harness", name, str(data_dir), str(out)]
    done = subprocess.run(command + (["--kiosk"] if kiosk else []), cwd=PROJECT_DIR,
                          capture_output=True, text=True, timeout=120)
    log = data_dir / "logs" / "kiosk.log"
    detail = (f"exit {done.returncode}\n{done.stderr[-4000:]}\n"
              f"{log.read_text(encoding='utf-8')[-4000:] if log.exists() else ''}")
    seen = json.loads(out.read_text(encoding="utf-8")) if out.exists() else {}
    assert done.returncode == 0, f"at step {seen.get('step')}: {detail}"
    return seen, data_dir


@pytest.fixture
def run_scenario(tmp_path):
    """run_scenario(name, kiosk=False) -> (observations, data dir)."""
    return lambda name, kiosk=False: run_harness(name, tmp_path, kiosk)
