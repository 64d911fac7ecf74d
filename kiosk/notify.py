"""systemd's notify protocol (sd_notify(3)) with the standard library: a datagram to the AF_UNIX
socket named by $NOTIFY_SOCKET ("@…" is in the abstract namespace).  The kiosk says READY=1 when
its home screen is first drawn and WATCHDOG=1 from the UI thread's clock, so that a frozen UI is
restarted, not only a dead process (packaging: Type=notify, NotifyAccess=all, WatchdogSec=30).

Without $NOTIFY_SOCKET (a terminal, the tests, the demo) every call does nothing.  $WATCHDOG_PID,
when set, names the process the watchdog watches: systemd sets it to the unit's main process,
which under the X session is xinit, the kiosk's ancestor, and NotifyAccess=all takes the kiosk's
pings for it.  A $WATCHDOG_PID that is neither this process nor an ancestor was inherited from
somewhere else: then the watchdog is not ours and no pings are sent."""

import logging
import os
import socket

log = logging.getLogger(__name__)

_failed: set[str] = set()  # messages whose sending failed, logged once each


def _address() -> str | None:
    name = os.environ.get("NOTIFY_SOCKET", "")
    if not name:
        return None
    return "\0" + name[1:] if name.startswith("@") else name


def send(message: str) -> bool:
    """Send `message` ("READY=1", "WATCHDOG=1", "STATUS=…"); True when it went.  Never raises: a
    supervisor that went away must not stop the kiosk, nor one that reads late block the UI thread
    (its queue full, a datagram is dropped: the next ping comes soon)."""
    address = _address()
    if address is None:
        return False
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC | socket.SOCK_NONBLOCK) as s:
            s.connect(address)
            s.sendall(message.encode())
    except OSError as e:
        kind = message.split("=", 1)[0]
        if kind not in _failed:
            _failed.add(kind)
            log.warning("could not notify systemd (%s): %s", kind, e)
        return False
    _failed.discard(message.split("=", 1)[0])
    return True


def ready() -> bool:
    return send("READY=1")


def watchdog() -> bool:
    return send("WATCHDOG=1")


def status(text: str) -> bool:
    """A line `systemctl status` shows for the unit."""
    return send("STATUS=" + text.replace("\n", " "))


def watchdog_interval() -> float | None:
    """How often to ping, in seconds (half of $WATCHDOG_USEC, as sd_watchdog_enabled(3) advises);
    None when no watchdog watches this process."""
    if _address() is None:
        return None
    try:
        usec = int(os.environ.get("WATCHDOG_USEC", ""))
    except ValueError:
        return None
    pid = os.environ.get("WATCHDOG_PID", "")
    if usec <= 0 or (pid and not _ours(pid)):
        return None
    return usec / 2 / 1_000_000


def _ours(pid: str) -> bool:
    """Whether `pid` is this process or one it descends from (read from /proc)."""
    here = os.getpid()
    while here > 1:
        if str(here) == pid:
            return True
        try:
            with open(f"/proc/{here}/stat", encoding="ascii", errors="replace") as f:
                here = int(f.read().rsplit(")", 1)[1].split()[1])  # the field after the command's name
        except (OSError, ValueError, IndexError):
            return False
    return False
