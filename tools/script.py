"""Scripted runs of the real app, driven frame by frame by Kivy's Clock (screenshots, UI tests).

Each step is a function run on the UI thread.  It may return a condition; the next step waits
until the condition holds, then until `settle` more frames have been drawn.  No sleeps: time is
counted in frames.
"""

import logging
import os
from collections.abc import Callable
from pathlib import Path

from kivy.clock import Clock

log = logging.getLogger(__name__)

Step = Callable[[], Callable[[], bool] | None]


class Script:
    def __init__(
        self,
        steps: list[Step],
        done: Callable[[], None],
        settle: int = 2,
        max_frames: int = 600,
        state: Callable[[], str] | None = None,
    ):
        self.steps = list(steps)
        self.done = done
        self.settle = settle
        self.max_frames = max_frames
        self._until: Callable[[], bool] | None = None
        self._waited = 0
        self._quiet = 0
        self._event = None
        self._step = ""  # the name of the step whose condition is awaited, for the timeout's message
        self._taken, self._last = 0, "none"  # how many steps were taken, and the last one's name
        self._state = state  # what the app shows, for the timeout's message

    def start(self) -> None:
        """Begin with the next frame.  Keep a reference to the Script: Kivy's Clock holds it weakly."""
        self._event = Clock.schedule_interval(self._tick, 0)  # once per frame

    def _tick(self, _dt) -> bool | None:
        if not self._ready():
            return None
        if not self.steps:
            self.done()
            return False  # unschedules
        step = self.steps.pop(0)
        self._taken += 1
        self._step = f"{_name(step)} (step {self._taken}, after {self._last})"
        self._last = _name(step)
        self._until = step()
        self._waited = 0
        self._quiet = self.settle
        return None

    def _ready(self) -> bool:
        if self._until is not None:
            if not self._until():
                self._waited += 1
                if self._waited > self.max_frames:
                    state = f"; {self._state()}" if self._state else ""
                    raise TimeoutError(f"the scripted step {self._step} waited {self.max_frames} frames in vain{state}")
                return False
            self._until = None
        if self._quiet > 0:
            self._quiet -= 1
            return False
        return True


def _name(step: Step) -> str:
    code = getattr(step, "__code__", None)
    return getattr(step, "__qualname__", repr(step)) + (f" line {code.co_firstlineno}" if code else "")


def screenshot(path: str | Path) -> Step:
    """A step saving the next drawn frame as a PNG at `path`."""

    def step() -> Callable[[], bool]:
        from kivy.core.window import Window

        target = Path(path)
        target.unlink(missing_ok=True)

        def grab(window) -> None:
            # Bound handlers run before the window's own on_flip swaps the buffers: the frame
            # is complete in the back buffer that glReadPixels reads.
            window.unbind(on_flip=grab)
            saved = window.screenshot(name=str(target.with_suffix("")) + "-.png")
            os.replace(saved, target)
            log.info("screenshot %s", target)

        Window.bind(on_flip=grab)
        Window.canvas.ask_update()
        return target.exists

    return step
