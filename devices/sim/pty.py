"""A pseudo-terminal that stands in for a USB serial device (docs/idcard-reader.md §4.2–§4.3).

The simulator keeps the master side; a driver opens `path` with pyserial exactly as it would open
/dev/ttyUSB0.  With `link`, `path` is a symlink to the pty, like a /dev/serial/by-id/… name, and
unplug()/replug() behave like pulling the cable and putting it back: the old pty is hung up (the
driver's next read fails) and a new one appears under the same link.
"""

import errno
import os
import select
import tty


class VirtualPort:
    def __init__(self, link: str | None = None):
        self.link = link
        self.master: int | None = None
        self._slave: int | None = None
        self.replug()

    @property
    def path(self) -> str:
        return self.link or self.device

    @property
    def plugged(self) -> bool:
        return self.master is not None

    def replug(self) -> None:
        """A new device node; the link, if any, points at it."""
        if self.plugged:
            return
        self.master, self._slave = os.openpty()
        tty.setraw(self._slave)  # no echo, no CR/LF translation: bytes pass as they are
        self.device = os.ttyname(self._slave)
        if self.link:
            tmp = f"{self.link}.new"
            if os.path.lexists(tmp):
                os.unlink(tmp)
            os.symlink(self.device, tmp)
            os.replace(tmp, self.link)  # atomic: a driver never sees the link missing half-way

    def unplug(self) -> None:
        """Hang up: the driver's port fails, and the link goes away as udev removes by-id names."""
        if not self.plugged:
            return
        if self.link and os.path.lexists(self.link):
            os.unlink(self.link)
        master, slave = self.master, self._slave
        self.master = self._slave = None
        for fd in (master, slave):
            if fd is not None:
                os.close(fd)

    def write(self, data: bytes) -> None:
        """Everything in `data`, as the device would send it (a full pty buffer just waits)."""
        view, master = memoryview(data), self._master()
        while view:
            n = os.write(master, view)
            view = view[n:]

    def read(self, timeout: float) -> bytes:
        """What the driver sent, waiting up to `timeout` seconds; b"" when nothing came."""
        master = self._master()
        ready, _, _ = select.select([master], [], [], timeout)
        if not ready:
            return b""
        try:
            return os.read(master, 4096)
        except OSError:
            return b""

    def _master(self) -> int:
        if self.master is None:
            raise OSError(errno.EIO, "the simulated device is unplugged")
        return self.master

    def close(self) -> None:
        self.unplug()
