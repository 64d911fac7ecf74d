"""What a real bureau's `kiosk add` prints for a new kiosk (the bureau CLI on SQLite): the file
`yinling-kiosk setup` reads, for the setup and the package tests."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

from tools.checkout import ROOT

SITE, SITE_NAME = "HD-001", "海淀区老干部活动中心"
SECRET = secrets.token_hex(32)  # the bureau's server secret, which seals its kiosk keys


def bureau(db: Path, *args: str) -> subprocess.CompletedProcess:
    """`python -m bureau --db sqlite:///DB ARGS`, which must succeed."""
    done = subprocess.run(
        [sys.executable, "-m", "bureau", "--db", f"sqlite:///{db}", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "YINLING_BUREAU_SECRET": SECRET},
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done


def bureau_keys(folder: Path) -> Path:
    """The bureau's key file: its [security] keys, the same at every site."""
    keys = folder / "keys.toml"
    keys.write_text(
        f'[security]\nid_hash_key = "{secrets.token_hex(32)}"\ncard_key = "{secrets.token_hex(32)}"\n', encoding="utf-8"
    )
    return keys
