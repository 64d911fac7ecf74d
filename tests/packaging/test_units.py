"""The kiosk box's systemd units (packaging/kiosk/systemd/), checked by `systemd-analyze verify`
for real: in a scratch root holding the host's own units (the targets and services ours name)
and stand-ins at the paths of the programs ours run, so a missing or misspelt program, an unknown
directive or a bad value is an error.  (In the chroot, tests/packaging/test_deb.py verifies them
again against the installed programs.)"""

import shutil
import subprocess
from pathlib import Path

import pytest

from tools.checkout import ROOT

UNITS = ROOT / "packaging" / "kiosk" / "systemd"
NAMES = tuple(sorted(p.name for p in UNITS.iterdir()))
PROGRAMS = ("usr/lib/yinling/session", "usr/lib/yinling/yinling-update")
HOST_UNITS = Path("/usr/lib/systemd/system")


@pytest.fixture
def scratch_root(tmp_path) -> Path:
    units = tmp_path / "usr/lib/systemd/system"
    shutil.copytree(HOST_UNITS, units, symlinks=True)
    for name in NAMES:
        shutil.copy(UNITS / name, units / name)
    for program in PROGRAMS:
        (tmp_path / program).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / program).write_text("#!/bin/sh\n", encoding="utf-8")
        (tmp_path / program).chmod(0o755)
    return tmp_path


def verify(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["systemd-analyze", "verify", f"--root={root}", *NAMES], capture_output=True, text=True, timeout=60
    )


def test_every_unit_verifies_without_a_word(scratch_root):
    done = verify(scratch_root)
    assert (done.returncode, done.stdout + done.stderr) == (0, "")


@pytest.mark.parametrize(
    ("break_it", "said"),
    [
        (lambda root: (root / PROGRAMS[0]).unlink(), "/usr/lib/yinling/session is not executable"),
        (lambda root: _edit(root, "WatchdogSec=30", "WatchdogSec=half a minute"), "Failed to parse"),
        (lambda root: _edit(root, "Restart=always", "Restart=always\nRestartt=5"), "Unknown key 'Restartt'"),
    ],
)
def test_the_check_catches_a_broken_unit(scratch_root, break_it, said):
    # Without these failing, the check above would prove nothing.
    break_it(scratch_root)
    done = verify(scratch_root)
    assert said in done.stderr


def _edit(root: Path, old: str, new: str) -> None:
    unit = root / "usr/lib/systemd/system/yinling-kiosk.service"
    unit.write_text(unit.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


def test_the_kiosk_unit_survives_crashes_and_hangs_and_never_gives_up():
    unit = (UNITS / "yinling-kiosk.service").read_text(encoding="utf-8").splitlines()
    for line in (
        "Type=notify",
        "NotifyAccess=all",
        "WatchdogSec=30",
        "Restart=always",
        "StartLimitIntervalSec=0",
        "ExecStartPre=+/usr/lib/yinling/yinling-update boot-check",
        "User=yinling",
        "PAMName=login",
        "TTYPath=/dev/tty7",
        "StandardOutput=journal",
        "ConditionPathExists=/etc/yinling/site.toml",
    ):
        assert line in unit
