"""Runs each device in its own thread, reconnects it after an unplug, and keeps its health.

A device that is absent or broken never stops the kiosk: its thread retries with a growing pause
(capped, so a re-plugged reader is back within about a second) while the other inputs go on.
Credentials go to `deliver` and health changes to `on_health`, both called from the device's
thread: the app hands them to its UI thread (Kivy's @mainthread).
"""

import logging
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from kiosk.health import Health
from kiosk.identity.credentials import Credential

log = logging.getLogger(__name__)

RETRY_FIRST_S = 0.1
RETRY_MAX_S = 1.0


class DeviceThread:
    """One device, its thread and its health."""

    def __init__(self, device, deliver: Callable[[Credential], None], on_health: Callable[[Health], None]):
        self.device = device
        self.deliver = deliver
        self.on_health = on_health
        self.health = Health(device.name, device.kind, device.port)
        self._lock = threading.Lock()
        self.thread = threading.Thread(target=self._run, name=f"device-{device.name}", daemon=True)
        device.on_fault = self._fault

    def start(self) -> None:
        self.thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self.device.stopping.set()
        self.thread.join(timeout)

    def _run(self) -> None:
        pause = RETRY_FIRST_S
        while not self.device.stopping.is_set():
            if self._connect():
                pause = RETRY_FIRST_S
                self._serve()
            else:
                self.device.wait(pause)
                pause = min(pause * 2, RETRY_MAX_S)
        self.device.close()

    def _connect(self) -> bool:
        try:
            self.device.open()
        except Exception as e:  # absent, busy, no permission, not installed …
            self.device.close()
            if self.health.last_error != str(e):
                log.warning("%s: cannot open %s: %s", self.device.name, self.device.port, e)
                self._update(last_error=str(e))
            return False
        log.info("%s: connected on %s", self.device.name, self.device.port)
        self._update(connected=True, answering=True, since=datetime.now(), last_error="")
        return True

    def _serve(self) -> None:
        device = self.device
        while not device.stopping.is_set():
            try:
                creds = device.poll()
            except Exception as e:
                # Unplugged (SerialException/OSError) or a driver bug: the port is closed and
                # opened afresh either way, so one bad moment never stops the device for good.
                if isinstance(e, OSError):  # serial.SerialException is an OSError
                    log.warning("%s: lost: %s", device.name, e)
                else:
                    log.exception("%s: driver failed", device.name)
                device.close()
                self._update(
                    connected=False, since=datetime.now(), last_error=str(e), disconnects=self.health.disconnects + 1
                )
                return
            if device.answering != self.health.answering:
                self._update(answering=device.answering)
            for cred in creds:
                self._update(last_read=datetime.now(), reads=self.health.reads + 1)
                self.deliver(cred)

    def _fault(self, reason: str) -> None:
        log.warning("%s: %s", self.device.name, reason)
        self._update(faults=self.health.faults + 1, last_error=reason)

    def _update(self, **changes) -> None:
        with self._lock:
            self.health = replace(self.health, **changes)
            health = self.health
        self.on_health(health)


class DeviceManager:
    """All the kiosk's devices."""

    def __init__(
        self, devices: list, deliver: Callable[[Credential], None], on_health: Callable[[Health], None] = lambda h: None
    ):
        self.threads = [DeviceThread(d, deliver, on_health) for d in devices]

    def start(self) -> None:
        for t in self.threads:
            t.start()

    def stop(self) -> None:
        for t in self.threads:
            t.device.stopping.set()
        for t in self.threads:
            t.stop()

    def health(self) -> list[Health]:
        return [t.health for t in self.threads]
