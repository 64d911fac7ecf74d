"""A receipt printer on a pty (docs/printer.md): answers DLE EOT status as a real ESC/POS printer
does, keeps every byte it receives, and turns each cut slip into text, for the demo and the tests.

    python -m devices.sim printer [--link PATH] [--script FILE]

prints the port to give the kiosk ([printer] device), then each slip as it is cut, and takes one
command a line: paper ok|low|out, cover open|shut, offline on|off, unplug, replug, wait S, quit.

With `pace_baud` it takes bytes no faster than a serial line of that speed carries them (the pty
itself has no speed), so a slip's last byte arrives when it would on a real 115200-baud cable.
"""

import sys
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from .pty import VirtualPort

# Arguments after ESC x / GS x / FS x for the commands of fixed length a printer may be sent.
_ESC = {b"@": 0, b"2": 0, b"a": 1, b"E": 1, b"!": 1, b"d": 1, b"J": 1, b"3": 1, b"-": 1, b"M": 1, b"t": 1, b"R": 1}
_GS = {b"!": 1, b"B": 1, b"H": 1, b"f": 1, b"h": 1, b"w": 1, b"L": 2, b"W": 2}
_FS = {b"&": 0, b".": 0, b"!": 1, b"C": 1}
HELP = """commands:
  paper ok|low|out     the roll: fine, near its end, gone
  cover open|shut      the paper cover
  offline on|off       off line for another reason
  unplug | replug      pull the cable / put it back
  wait SECONDS         pause the script
  quit"""


class PrinterSim:
    def __init__(self, link: str | None = None, *, pace_baud: int = 0, slips_dir: str | None = None):
        self.port = VirtualPort(link)
        self.pace_baud = pace_baud
        self.slips_dir = Path(slips_dir) if slips_dir else None
        self.paper = "ok"  # ok, low, out
        self.cover_open = False
        self.offline = False
        self.received = bytearray()
        self.slips: list[str] = []  # each cut slip as text
        self.last_byte_at = 0.0  # time.monotonic() of the last byte received
        self.changed = threading.Condition()  # notified whenever bytes come
        self.on_slip = lambda text: None  # called with each slip's text as it is cut
        self._pending = bytearray()
        self._lines: list[str] = []
        self._line = bytearray()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="printer-sim", daemon=True)
        self._thread.start()

    @property
    def path(self) -> str:
        return self.port.path

    def unplug(self) -> None:
        self.port.unplug()

    def replug(self) -> None:
        self.port.replug()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.port.close()

    def wait_for_slips(self, count: int, timeout: float = 10.0) -> bool:
        """Whether `count` slips were cut within `timeout` seconds."""
        with self.changed:
            return self.changed.wait_for(lambda: len(self.slips) >= count, timeout)

    # -- the printer's side -----------------------------------------------------------------------

    def status(self, n: int) -> int:
        """The answer to DLE EOT n (1 printer, 2 off-line cause, 4 paper sensor)."""
        out = self.paper == "out"
        if n == 1:
            return 0x12 | (0x08 if out or self.cover_open or self.offline else 0)
        if n == 2:
            return 0x12 | (0x04 if self.cover_open else 0) | (0x20 if out else 0) | (0x40 if self.offline else 0)
        if n == 4:
            return 0x12 | (0x0C if self.paper in ("low", "out") else 0) | (0x60 if out else 0)
        return 0x12

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                data = self.port.read(0.05)
            except OSError:  # unplugged
                self._stop.wait(0.05)
                continue
            if not data:
                continue
            if self.pace_baud:
                time.sleep(len(data) * 10 / self.pace_baud)
            with self.changed:
                self.received += data
                self.last_byte_at = time.monotonic()
                self._pending += data
                self._consume()
                self.changed.notify_all()

    def _consume(self) -> None:
        buf = self._pending
        at = 0
        while at < len(buf):
            size = self._command(buf, at)
            if size == 0:
                break  # the rest of a command is still on its way
            at += size
        del buf[:at]

    def _command(self, buf: bytearray, at: int) -> int:
        """Acts on the command or text byte at `at`; its length, 0 when incomplete."""
        head, rest = buf[at], len(buf) - at
        if head == 0x10:  # DLE EOT n: real time, answered at once
            if rest < 3:
                return 0
            if buf[at + 1] == 0x04 and self.port.plugged:
                self.port.write(bytes([self.status(buf[at + 2])]))
            return 3
        if head == 0x0A:
            self._lines.append(self._line.decode("gb18030", errors="replace"))
            self._line.clear()
            return 1
        if head == 0x1B:
            return _fixed(buf, at, _ESC)
        if head == 0x1C:
            return _fixed(buf, at, _FS)
        if head == 0x1D:
            return self._gs(buf, at)
        if head >= 0x20:
            self._line.append(head)
        return 1

    def _gs(self, buf: bytearray, at: int) -> int:
        rest = len(buf) - at
        if rest < 2:
            return 0
        op = bytes(buf[at + 1 : at + 2])
        if op == b"V":
            if rest < 3:
                return 0
            size = 4 if buf[at + 2] in (65, 66) else 3
            if rest >= size:
                self._cut()
                return size
            return 0
        if op == b"(":  # GS ( k pL pH body
            if rest < 5:
                return 0
            size = 5 + buf[at + 3] + 256 * buf[at + 4]
            if rest < size:
                return 0
            body = bytes(buf[at + 5 : at + size])
            if body[:3] == b"\x31\x50\x30":
                self._lines.append(f"[二维码 {body[3:].decode('utf-8', errors='replace')}]")
            return size
        if op == b"v":  # GS v 0 m xL xH yL yH data
            if rest < 8:
                return 0
            width, height = buf[at + 4] + 256 * buf[at + 5], buf[at + 6] + 256 * buf[at + 7]
            size = 8 + width * height
            if rest < size:
                return 0
            self._lines.append(f"[图像 {width * 8}×{height} 点]")
            return size
        return _fixed(buf, at, _GS)

    def _cut(self) -> None:
        while self._lines and not self._lines[-1]:
            self._lines.pop()
        text = "\n".join(self._lines)
        self._lines = []
        self.slips.append(text)
        if self.slips_dir is not None:
            self.slips_dir.mkdir(parents=True, exist_ok=True)
            (self.slips_dir / f"slip-{len(self.slips):04d}.txt").write_text(text + "\n", encoding="utf-8")
        self.on_slip(text)


def _fixed(buf: bytearray, at: int, table: dict[bytes, int]) -> int:
    if len(buf) - at < 2:
        return 0
    size = 2 + table.get(bytes(buf[at + 1 : at + 2]), 1)
    return size if len(buf) - at >= size else 0


def run_commands(sim: PrinterSim, lines: Iterable[str], out: TextIO) -> None:
    for line in lines:
        command, _, arg = line.strip().partition(" ")
        arg = arg.strip()
        if not command or command.startswith("#"):
            continue
        if command in ("quit", "exit"):
            return
        if command == "paper" and arg in ("ok", "low", "out"):
            sim.paper = arg
        elif command == "cover" and arg in ("open", "shut"):
            sim.cover_open = arg == "open"
        elif command == "offline" and arg in ("on", "off"):
            sim.offline = arg == "on"
        elif command == "unplug":
            sim.unplug()
        elif command == "replug":
            sim.replug()
        elif command == "wait":
            time.sleep(float(arg))
        else:
            print(HELP, file=out, flush=True)
            continue
        print(f"{command} {arg}".strip(), file=out, flush=True)


def run(link: str | None, script: str | None) -> int:
    sim = PrinterSim(link)
    sim.on_slip = lambda text: print(f"---- 回执 ----\n{text}\n-------------", flush=True)
    print(f"receipt printer on {sim.path}   (type `help` for commands)", flush=True)
    try:
        if script:
            with open(script, encoding="utf-8") as lines:
                run_commands(sim, lines, sys.stdout)
        else:
            run_commands(sim, sys.stdin, sys.stdout)
    except KeyboardInterrupt:
        return 130
    finally:
        sim.close()
    return 0
