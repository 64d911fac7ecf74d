"""A kiosk box in a scratch folder (YINLING_ROOT): the updater run as systemd runs it, with Debian's
python3 and the checkout's kiosk/release only, and the installed release's own yinling-kiosk."""

import os
import subprocess
from pathlib import Path

from tests.waiting import wait_until
from tools.checkout import ROOT


class Box:
    def __init__(self, root: Path, public_key: Path):
        self.root = root
        self.data = root / "var/lib/yinling"
        self.data.mkdir(parents=True)
        keys = root / "usr/share/yinling/keys"
        keys.mkdir(parents=True)
        (keys / public_key.name).write_bytes(public_key.read_bytes())
        self.home = root / "home"
        self.home.mkdir()

    @property
    def current(self) -> Path:
        return self.root / "opt/yinling/current"

    def update(self, *args: object) -> subprocess.CompletedProcess:
        """`yinling-update ARGS`: Debian's python3 (as /usr/lib/yinling/yinling-update runs on a box)
        with nothing but the checkout on its path."""
        return subprocess.run(
            ["/usr/bin/python3", "-m", "kiosk.release", *map(str, args)],
            capture_output=True,
            text=True,
            timeout=300,
            env={"PATH": "/usr/bin:/bin", "YINLING_ROOT": str(self.root), "PYTHONPATH": str(ROOT)},
        )

    def updated(self, *args: object) -> str:
        done = self.update(*args)
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    def kiosk_env(self) -> dict[str, str]:
        # No PYTHONPATH: the release's own code, never the checkout's.
        env = {"PATH": f"{self.current}/bin:/usr/bin:/bin", "HOME": str(self.home), "LANG": "C.UTF-8"}
        return env | {k: os.environ[k] for k in ("DISPLAY", "XAUTHORITY") if k in os.environ}

    def python(self, script: str) -> str:
        """`script` run by the current release's own python, on this box's data folder."""
        done = subprocess.run(
            [str(self.current / "bin/python"), "-c", script, str(self.data)],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=self.home,
            env=self.kiosk_env(),
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    def start(self) -> subprocess.Popen:
        """A start of the kiosk unit: ExecStartPre=+yinling-update boot-check, then the kiosk."""
        self.updated("boot-check")
        log = (self.home / "kiosk.out").open("ab")
        return subprocess.Popen(
            [str(self.current / "bin/yinling-kiosk"), "--data-dir", str(self.data)],
            cwd=self.home,
            env=self.kiosk_env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def run_until_confirmed(self, version: str) -> None:
        """Start the kiosk, see it mark `version` healthy, stop it (as systemd does, SIGTERM)."""
        kiosk = self.start()
        try:
            wait_until(
                lambda: (self.data / "updates/confirmed" / version).exists() or kiosk.poll() is not None,
                90,
                f"{version} to confirm itself",
            )
            assert kiosk.poll() is None, self.output()
        finally:
            kiosk.terminate()
            kiosk.wait(timeout=30)

    def crashes(self) -> int:
        """Start the kiosk, which must end by itself: its exit status."""
        kiosk = self.start()
        try:
            return kiosk.wait(timeout=90)
        finally:
            if kiosk.poll() is None:
                kiosk.kill()

    def output(self) -> str:
        return (self.home / "kiosk.out").read_text(encoding="utf-8", errors="replace")[-4000:]
