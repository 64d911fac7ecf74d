"""A simulated ID-card reader on a pty: the real SAM bytes, cards laid on and lifted off.

Does what docs/idcard-reader.md §5.1 lists: commands 10/11/12 FF, find,
select, read (with and without fingerprint), appended address, 60/61 xx; the two find-while-
present behaviours; SAM fault; slow reads; byte pacing at the baud rate; fragmented writes;
corrupted replies; an answer or silence to a corrupted command; unplug and replug.
"""

import logging
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TextIO

from devices import sam
from devices.sim import profiles
from devices.sim.pty import VirtualPort

log = logging.getLogger(__name__)

SAM_ID = bytes.fromhex("0102030405060708090a0b0c0d0e0f10")


@dataclass
class Behaviour:
    halt_after_read: bool = False  # True: find fails after a read until the card is laid again
    sam_fault: bool = False  # every command answers SW3 0x60
    answer_bad_frames: bool = True  # a corrupted command gets SW3 0x10/0x11 (else silence)
    latency_s: dict = field(default_factory=dict)  # per command name: "find", "select", "read"
    pace_baud: int | None = None  # send replies no faster than this baud (10 bits a byte)
    fragment: int | None = None  # write replies in pieces of this many bytes
    corrupt_next: int = 0  # corrupt the checksum of this many coming replies
    garbage_before: bytes = b""  # bytes sent before each reply (line noise)


class SamSim:
    """The reader: serves commands from its own thread until close()."""

    def __init__(self, link: str | None = None, cards: dict | None = None):
        self.port = VirtualPort(link)
        self.cards = cards if cards is not None else profiles.load()
        self.behaviour = Behaviour()
        self.card: profiles.Profile | None = None
        self._halted = False
        self._gap = False
        self.counts: dict[str, int] = {}
        self.read_sent: tuple[float, float] | None = None  # when the last read reply began and ended
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._closed = False
        self.frames = sam.FrameReader()
        self.thread = threading.Thread(target=self._serve, name="sam-sim", daemon=True)
        self.thread.start()

    @property
    def path(self) -> str:
        return self.port.path

    # -- what a person does ------------------------------------------------------------------

    def lay(self, name: str) -> None:
        """Lay the card of profile `name` on the reader (taking away the one there, if any)."""
        with self._lock:
            self._gap = self.card is not None  # a swap leaves the antenna empty for a moment
            self.card = self.cards[name]
            self._halted = False

    def lift(self) -> None:
        with self._lock:
            self.card = None

    def unplug(self) -> None:
        with self._lock:
            self.port.unplug()
            self.frames.clear()

    def replug(self) -> None:
        with self._changed:
            self.port.replug()
            self._changed.notify_all()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self.port.close()
        self.thread.join(2)

    def wait_for(self, condition, timeout: float = 10.0) -> bool:
        """Block until condition() holds (checked whenever the simulator answers a command)."""
        with self._changed:
            return self._changed.wait_for(condition, timeout)

    # -- serving -----------------------------------------------------------------------------

    def _serve(self) -> None:
        while True:
            with self._lock:
                if self._closed:
                    return
                plugged = self.port.plugged
                data = self.port.read(0.02) if plugged else b""
            if not plugged:
                with self._changed:  # nothing to serve until replug()
                    self._changed.wait_for(lambda: self.port.plugged or self._closed, 0.5)
                continue
            before = (self.frames.bad_checksums, self.frames.bad_lengths)
            frames = self.frames.feed(data) if data else []
            if (self.frames.bad_checksums, self.frames.bad_lengths) != before:
                self._bad_frame(self.frames.bad_checksums != before[0])
            for f in frames:
                self._answer(*f.as_command())

    def _bad_frame(self, checksum: bool) -> None:
        if self.behaviour.answer_bad_frames:
            self._send("bad", sam.response(sam.BAD_CHECKSUM if checksum else sam.BAD_LENGTH))

    def _answer(self, cmd: tuple[int, int], data: bytes) -> None:
        name, reply = self._reply(cmd, data)
        delay = self.behaviour.latency_s.get(name, 0)
        if delay:
            time.sleep(delay)  # the card's RF and the SAM's crypto take time
        self._send(name, reply)

    def _reply(self, cmd: tuple[int, int], data: bytes) -> tuple[str, bytes]:
        with self._lock:
            card, b = self.card if not self._halted else None, self.behaviour
            if b.sam_fault:
                return "fault", sam.response(sam.SAM_SELF_TEST_FAILED)
            if cmd == sam.FIND and self._gap:
                self._gap = False
                return "find", sam.response(sam.NOT_FOUND)
            if cmd == sam.FIND:
                return "find", (sam.response(sam.FOUND, bytes(4)) if card else sam.response(sam.NOT_FOUND))
            if cmd == sam.SELECT:
                return "select", (sam.response(sam.OK, bytes(8)) if card else sam.response(sam.NOT_SELECTED))
            if cmd in (sam.READ_BASE, sam.READ_FINGER):
                if not card:
                    return "read", sam.response(sam.READ_FAILED)
                self._halted = b.halt_after_read
                return "read", sam.response(sam.OK, _read_data(card, cmd == sam.READ_FINGER))
            if cmd == sam.READ_ADDRESS:
                if not card:
                    return "address", sam.response(sam.READ_FAILED)
                if card.extra_address is None:
                    return "address", sam.response(sam.NO_CONTENT)
                return "address", sam.response(sam.OK, _fixed(card.extra_address, 70))
            if cmd in (sam.RESET, sam.SAM_STATUS):
                return "status", sam.response(sam.OK)
            if cmd == sam.SAM_ID:
                return "status", sam.response(sam.OK, SAM_ID)
            if cmd[0] == sam.SET_BAUD and cmd[1] in sam.BAUD_CODES or cmd[0] == sam.SET_RF_MAX:
                return "status", sam.response(sam.OK)
            return "unknown", sam.response(sam.BAD_COMMAND)

    def _send(self, name: str, reply: bytes) -> None:
        b = self.behaviour
        with self._lock:
            if b.corrupt_next:
                b.corrupt_next -= 1
                reply = reply[:-1] + bytes((reply[-1] ^ 0x5A,))
            reply = b.garbage_before + reply
            pieces = _pieces(reply, b.fragment or (64 if b.pace_baud else len(reply)))
        started, sent = time.monotonic(), 0
        try:
            for piece in pieces:
                sent += len(piece)
                if b.pace_baud:
                    # A piece is there once its last byte has crossed the wire: deadlines from the
                    # start, so the pauses do not add up their own errors.
                    time.sleep(max(0.0, started + sent * 10 / b.pace_baud - time.monotonic()))
                with self._lock:
                    if not self.port.plugged:
                        return
                    self.port.write(piece)
        except OSError:
            return  # unplugged mid-reply, as a cable pulled mid-frame
        ended = time.monotonic()
        with self._changed:
            if name == "read":
                self.read_sent = (started, ended)
            self.counts[name] = self.counts.get(name, 0) + 1
            self._changed.notify_all()


def _read_data(card: profiles.Profile, fingerprint: bool) -> bytes:
    text = profiles.text_block(card)
    lengths = [len(text), len(card.photo)] + ([len(card.fingerprint)] if fingerprint else [])
    body = text + card.photo + (card.fingerprint if fingerprint else b"")
    return b"".join(n.to_bytes(2, "big") for n in lengths) + body


def _fixed(text: str, size: int) -> bytes:
    return (text.encode("utf-16-le") + " ".encode("utf-16-le") * size)[:size]


def _pieces(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)] or [b""]


# -- driven by a person or a script ----------------------------------------------------------

SLOW = {"find": 0.08, "select": 0.05, "read": 1.2}
HELP = """commands:
  lay NAME          lay a card on the reader (profiles: see `profiles`)
  lift              take the card away
  unplug / replug   pull the reader's cable / put it back
  fault on|off      SAM self-test failure (SW3 0x60 to everything)
  slow on|off       real-card latencies (read 1.2 s)
  pace on|off       send at 115200 baud, not as fast as the pty goes
  halt on|off       after a read, find fails until the card is laid again
  silent on|off     say nothing to a corrupted command (else SW3 0x10/0x11)
  fragment N|off    write replies in pieces of N bytes
  corrupt N         corrupt the checksum of the next N replies
  garbage HEX|off   line noise before every reply
  wait SECONDS      pause (scripts)
  status            what the simulator is doing
  quit"""


def run_commands(sim: SamSim, lines: Iterable[str], out: TextIO) -> None:
    """Carry out simulator commands, one a line, until `quit` or the end of the lines."""
    for line in lines:
        words = line.split("#", 1)[0].split()
        if not words:
            continue
        if words[0] == "quit":
            return
        try:
            print(_command(sim, words[0], words[1:]), file=out, flush=True)
        except (KeyError, ValueError, IndexError) as e:
            print(f"? {line.strip()}: {e or 'bad argument'}\n{HELP}", file=out, flush=True)


def _command(sim: SamSim, verb: str, args: list[str]) -> str:
    b = sim.behaviour
    flag = {"on": True, "off": False}
    if verb in ("lay", "card"):
        sim.lay(args[0])
        return f"card {args[0]} on the reader"
    if verb == "lift":
        sim.lift()
        return "no card"
    if verb in ("unplug", "replug"):
        getattr(sim, verb)()
        return f"{verb}ged: {sim.path}"
    if verb == "help":
        return HELP
    if verb == "profiles":
        return "  ".join(sim.cards)
    if verb == "fault":
        b.sam_fault = flag[args[0]]
    elif verb == "slow":
        b.latency_s = dict(SLOW) if flag[args[0]] else {}
    elif verb == "pace":
        b.pace_baud = 115200 if flag[args[0]] else None
    elif verb == "halt":
        b.halt_after_read = flag[args[0]]
    elif verb == "silent":
        b.answer_bad_frames = not flag[args[0]]
    elif verb == "fragment":
        b.fragment = None if args[0] == "off" else int(args[0])
    elif verb == "corrupt":
        b.corrupt_next = int(args[0])
    elif verb == "garbage":
        b.garbage_before = b"" if args[0] == "off" else bytes.fromhex(args[0])
    elif verb == "wait":
        time.sleep(float(args[0]))
    elif verb != "status":
        raise KeyError(f"unknown command {verb}")
    card = sim.card.name if sim.card else "none"
    return f"port {sim.path}  card {card}  {b}  served {sim.counts}"
