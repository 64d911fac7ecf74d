"""A QR scanner in serial mode, simulated on a pty (docs/idcard-reader.md §5.3).

    python -m devices.sim qr [--link PATH] [--script FILE]

prints the port to give the kiosk, then takes one command a line from the script or stdin:
scan TEXT, scan-gbk TEXT, raw 0d0a41, unplug, replug, wait 0.5, quit (`help` lists them all).
"""

import sys
import time
from collections.abc import Iterable
from typing import TextIO

from .pty import VirtualPort

# Command -> (terminator, encoding) of a scan.
SCANS = {
    "scan": (b"\r", "utf-8"),
    "scan-lf": (b"\n", "utf-8"),
    "scan-crlf": (b"\r\n", "utf-8"),
    "scan-none": (b"", "utf-8"),
    "scan-gbk": (b"\r", "gbk"),
}
HELP = """commands:
  scan TEXT         TEXT in UTF-8, then CR (the usual scanner setting)
  scan-lf TEXT      ... then LF
  scan-crlf TEXT    ... then CR LF
  scan-none TEXT    ... and no terminator (the driver splits on its idle gap)
  scan-gbk TEXT     TEXT in GBK, then CR
  raw HEX           these bytes, e.g. raw 0d0a414243
  unplug | replug   pull the cable / put it back
  wait SECONDS      pause the script
  # ...             a comment
  quit"""


class QrSim:
    """Writes scans to a VirtualPort: a new one (under `link`, if given) or `port`.  With `chunk`,
    each scan trickles out `chunk` bytes at a time, `delay` seconds apart, as a real UART does."""

    def __init__(self, link: str | None = None, *, port: VirtualPort | None = None, chunk: int = 0, delay: float = 0.0):
        self.port = port or VirtualPort(link)
        self.chunk = chunk
        self.delay = delay

    @property
    def path(self) -> str:
        return self.port.path

    def scan(self, text: str, terminator: bytes = b"\r", encoding: str = "utf-8", leading: bytes = b"") -> None:
        self.scan_bytes(leading + text.encode(encoding) + terminator)

    def scan_bytes(self, raw: bytes) -> None:
        if not self.port.plugged:
            raise OSError("the scanner is unplugged")
        step = self.chunk or len(raw) or 1
        for start in range(0, len(raw), step):
            if start and self.delay:
                time.sleep(self.delay)
            self.port.write(raw[start : start + step])

    def unplug(self) -> None:
        self.port.unplug()

    def replug(self) -> None:
        self.port.replug()

    def close(self) -> None:
        self.port.close()


def run_commands(sim: QrSim, lines: Iterable[str], out: TextIO) -> None:
    """Runs commands until `quit` or the end of `lines`; a bad line is reported and skipped."""
    for line in lines:
        line = line.rstrip("\r\n")
        command, _, arg = line.strip().partition(" ")
        if not command or command.startswith("#"):
            continue
        if command in ("quit", "exit"):
            return
        try:
            print(_run(sim, command, arg.strip()), file=out, flush=True)
        except (OSError, ValueError) as e:
            print(f"{command}: {e}", file=out, flush=True)


def _run(sim: QrSim, command: str, arg: str) -> str:
    if command in SCANS:
        terminator, encoding = SCANS[command]
        if not arg:
            raise ValueError("give the text to scan")
        raw = arg.encode(encoding) + terminator
        sim.scan_bytes(raw)
        return f"sent {len(raw)} bytes"
    if command == "raw":
        raw = bytes.fromhex(arg)
        sim.scan_bytes(raw)
        return f"sent {len(raw)} bytes"
    if command == "unplug":
        sim.unplug()
        return "unplugged"
    if command == "replug":
        sim.replug()
        return f"replugged on {sim.path}"
    if command == "wait":
        time.sleep(float(arg))
        return f"waited {float(arg)} s"
    if command == "help":
        return HELP
    return f"unknown command {command!r}\n{HELP}"


def run(link: str | None, script: str | None, stdin: TextIO | None = None, stdout: TextIO | None = None) -> int:
    """The command line: prints the port, then runs the script, or stdin, until quit."""
    stdout = stdout or sys.stdout
    sim = QrSim(link)
    print(f"QR scanner on {sim.path}   (type `help` for commands)", file=stdout, flush=True)
    try:
        if script:
            with open(script, encoding="utf-8") as lines:
                run_commands(sim, lines, stdout)
        else:
            run_commands(sim, stdin or sys.stdin, stdout)
    except KeyboardInterrupt:
        return 130
    finally:
        sim.close()
    return 0
