"""The checkout the tests, benches and tools run from: its main.py, and the folder the kiosk's commands
run in (its default data/ and exports/ are there)."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAIN = ROOT / "main.py"


def kiosk_command(*args: str) -> list[str]:
    """The command line of `python main.py ARGS` with the tests' Python."""
    return [sys.executable, str(MAIN), *args]
