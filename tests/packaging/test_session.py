"""The kiosk's X session script (packaging/kiosk/bin/session), run for real through xinit with
Xvfb in place of Xorg (YINLING_XSERVER) and a stand-in kiosk on PATH that records how it was
started and what the X server's screen saver and DPMS settings are by then."""

import os
import subprocess
from pathlib import Path

from tools.checkout import ROOT

SESSION = ROOT / "packaging" / "kiosk" / "bin" / "session"


def free_display() -> int:
    taken = {p.name for p in Path("/tmp/.X11-unix").glob("X*")} if Path("/tmp/.X11-unix").is_dir() else set()
    return next(n for n in range(140 + os.getpid() % 50, 400) if f"X{n}" not in taken)


def test_the_session_starts_the_kiosk_alone_with_no_screen_saver(tmp_path):
    record = tmp_path / "kiosk-saw"
    stand_in = tmp_path / "bin" / "yinling-kiosk"
    stand_in.parent.mkdir()
    stand_in.write_text(f'#!/bin/sh\necho "args: $*" > {record}\nxset q >> {record}\n', encoding="utf-8")
    stand_in.chmod(0o755)
    display = free_display()
    done = subprocess.run(
        [str(SESSION)],
        env={
            **os.environ,
            "PATH": f"{stand_in.parent}:{os.environ['PATH']}",
            "YINLING_XSERVER": f"/usr/bin/Xvfb :{display} -screen 0 1280x800x24 -nolisten tcp",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    saw = record.read_text(encoding="utf-8")
    assert saw.startswith("args: --config /etc/yinling/site.toml --data-dir /var/lib/yinling\n")
    assert "prefer blanking:  no" in saw and "timeout:  0" in saw  # xset s off s noblank
    # Xvfb has no DPMS extension: the session says so and still starts the kiosk.  On Xorg it sets
    # `xset +dpms dpms 0 0 0` (DPMS on, its own timeouts off), which only a real server can show.
    assert "Server does not have the DPMS Extension" in saw
    assert "this X server has no DPMS" in done.stderr
