"""Kiosk cold start → home screen ready, under Xvfb (docs/design.md §10: ≤ 3 s).

Spawns `python main.py --data-dir DIR` and times from the spawn until a line containing
"home screen ready" appears in DIR/logs/kiosk.log (the app logs it once the home screen's first
frame is drawn), then terminates the process.  The first start is on an empty data dir (it
creates the database and loads the demo data); the next WARM_RUNS reuse that data dir, as a
kiosk does every morning.  Needs a DISPLAY: ./dev bench runs it under xvfb-run.
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import Figure, tenyear
from tools.checkout import ROOT
from tools.pgcluster import stop_process

READY = "home screen ready"
WARM_RUNS = 5
TARGET_S = 3.0
TIMEOUT_S = 60.0
POLL_S = 0.005


def start_time(data_dir: Path, console: Path) -> float:
    """Seconds from spawning the kiosk until it logs that the home screen is ready."""
    log = data_dir / "logs" / "kiosk.log"
    offset = log.stat().st_size if log.exists() else 0  # earlier runs' lines do not count
    with console.open("wb") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "main.py", "--data-dir", str(data_dir)], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT
        )
        try:
            return _wait_ready(proc, log, offset, started, console)
        finally:
            stop_process(proc)


def _wait_ready(proc: subprocess.Popen, log: Path, offset: int, started: float, console: Path) -> float:
    while time.perf_counter() - started < TIMEOUT_S:
        if _logged(log, offset):
            return time.perf_counter() - started
        if proc.poll() is not None:
            raise RuntimeError(f"the kiosk exited with status {proc.returncode} before '{READY}':\n{_tail(console)}")
        time.sleep(POLL_S)
    raise RuntimeError(f"no '{READY}' in {log} after {TIMEOUT_S:g} s:\n{_tail(console)}")


def _logged(log: Path, offset: int) -> bool:
    try:
        with log.open("rb") as f:
            f.seek(offset if f.seek(0, os.SEEK_END) >= offset else 0)  # rotated: start over
            return READY.encode() in f.read()
    except FileNotFoundError:
        return False


def _tail(path: Path, lines: int = 25) -> str:
    return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


def run() -> list[Figure]:
    label = "cold start → home screen ready (Xvfb)"
    if not os.environ.get("DISPLAY"):
        print(f"{label}: not measured, no DISPLAY (run it with ./dev bench, under xvfb-run)")
        return [Figure("cold start", "not measured: no DISPLAY", f"≤ {TARGET_S:g} s", None)]
    root = tenyear.bench_root()
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=root, prefix="coldstart-") as tmp:
        data, console = Path(tmp) / "data", Path(tmp) / "console.txt"
        first = start_time(data, console)
        warm = [start_time(data, console) for _ in range(WARM_RUNS)]
    median, worst = statistics.median(warm), max(warm)
    first_ok, warm_ok = first <= TARGET_S, worst <= TARGET_S
    print(
        f"{label}, warm data dir: median {median:.2f} s  max {worst:.2f} s over {WARM_RUNS} starts"
        f"  [target ≤ {TARGET_S:g} s: {_verdict(warm_ok)}]"
    )
    print(
        f"{label}, first start (empty data dir, loads the demo data): {first:.2f} s"
        f"  [target ≤ {TARGET_S:g} s: {_verdict(first_ok)}]"
    )
    print("  each start: " + ", ".join(f"{s:.2f} s" for s in [first] + warm))
    return [
        Figure(
            "cold start, warm data",
            f"median {median:.2f} s, max {worst:.2f} s ({WARM_RUNS} starts)",
            f"≤ {TARGET_S:g} s",
            warm_ok,
        ),
        Figure("cold start, first (demo load)", f"{first:.2f} s", f"≤ {TARGET_S:g} s", first_ok),
    ]


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"
