"""The checkout the tests, benches and tools run from: its main.py, and a run of the kiosk's
program as an operator runs it from there."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAIN = ROOT / "main.py"


def run_kiosk(*args: object, stdin: str | None = None) -> subprocess.CompletedProcess:
    """`python main.py ARGS` in a process of its own, in the checkout, with no terminal (getpass
    reads standard input): what it printed and its exit status."""
    return subprocess.run(
        [sys.executable, str(MAIN), *map(str, args)],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        start_new_session=True,
    )
