"""The panel's power: off through DPMS while the night screen shows, on again when a card or a
touch wakes the kiosk (docs/install.md, "Night").  X turns the panel on by itself at a touch; a
card is not X input, so the kiosk must.  No Kivy: the app calls off() and on()."""

import logging
import shlex
import subprocess

log = logging.getLogger(__name__)
TIMEOUT_S = 5.0  # a command that hangs must not hold up the UI thread for long


class Panel:
    """Runs `command` + "off" or "on" (display.panel_command, e.g. "xset dpms force"); "" = a
    box with no way to turn its panel off, where the night screen alone keeps it dark."""

    def __init__(self, command: str):
        self.command = shlex.split(command)
        self.state: str | None = None  # what it was last told: "off", "on", or None (never)
        self._warned = False

    def off(self) -> None:
        self._switch("off")

    def on(self) -> None:
        self._switch("on")

    def _switch(self, state: str) -> None:
        if not self.command or state == self.state:
            return
        self.state = state
        argv = [*self.command, state]
        try:
            done = subprocess.run(argv, capture_output=True, text=True, timeout=TIMEOUT_S)
        except (OSError, subprocess.SubprocessError) as e:
            problem = str(e)
        else:
            # xset exits 0 even when the server has no DPMS: what it writes to stderr tells.
            problem = done.stderr.strip().splitlines()[0] if done.stderr.strip() else ""
            if done.returncode:
                problem = f"exit status {done.returncode}{': ' + problem if problem else ''}"
        if problem and not self._warned:
            self._warned = True  # every night alike: once is enough for whoever reads the log
            log.warning("could not turn the panel %s with %r: %s (not logged again)", state, shlex.join(argv), problem)
