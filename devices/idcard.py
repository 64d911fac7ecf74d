"""The 2nd-generation ID-card reader: find → select → read over the SAM serial protocol.

docs/idcard-reader.md §1.  The reader is polled: `20 01` asks whether a card lies on the
antenna, then `20 02` selects it and `30 01` (or `30 10` with fingerprints) reads its 256-byte text
and 1024-byte photo.  A card is read once per placement: after a read the driver waits until a
find fails (the card was lifted, or a reader that halts a read card says so) before it reads again,
so a card left on the reader signs in once.  Readers differ here (docs/idcard-reader.md §1.12), and both behaviours
give the same result.
"""

import logging
import time

from devices import cardtext, sam
from devices.serialdev import SerialDevice
from kiosk.identity.credentials import Credential

log = logging.getLogger(__name__)

FIND_TIMEOUT_S = 0.5  # public drivers use 100-1000 ms (docs/idcard-reader.md §1.12)
READ_TIMEOUT_S = 3.0  # 2-3 s; a read with fingerprints is 2321 bytes
SAM_FAULT_PAUSE_S = 1.0  # a failed SAM answers nothing useful: ask again slowly


class IdCardReader(SerialDevice):
    kind = "idcard"

    def __init__(
        self, name: str, port: str, baud: int = 115200, poll_interval_s: float = 0.2, fingerprint: bool = False
    ):
        super().__init__(name, port, baud)
        self.poll_interval = poll_interval_s
        self.command = sam.READ_FINGER if fingerprint else sam.READ_BASE
        self.frames = sam.FrameReader()
        self._read_done = False
        self.timing: tuple[float, float] | None = None  # (read command sent, card decoded), monotonic

    def opened(self) -> None:
        self.frames = sam.FrameReader()
        self._read_done = False
        status = self.ask(sam.SAM_STATUS, FIND_TIMEOUT_S)
        if status is not None and status[0] != sam.OK:
            self.on_fault(f"SAM status {status[0]:#04x} {sam.STATUS.get(status[0], '')}")

    def poll(self) -> list[Credential]:
        found = self.ask(sam.FIND, FIND_TIMEOUT_S)
        self.answering = found is not None
        if found is None or found[0] != sam.FOUND:
            self._read_done = False  # no card (or no answer): the next card is new
            self._pause(found)
            return []
        if self._read_done:
            self._pause(found)
            return []
        cred = self._read()
        return [cred] if cred else []

    def _read(self) -> Credential | None:
        selected = self.ask(sam.SELECT, FIND_TIMEOUT_S)
        if selected is None or selected[0] != sam.OK:
            return None  # lifted between find and select: try again
        sent = time.monotonic()
        reply = self.ask(self.command, READ_TIMEOUT_S)
        if reply is None or reply[0] != sam.OK:
            self.on_fault("read failed" if reply is None else f"read status {reply[0]:#04x}")
            return None
        text = _text_block(reply[1], self.command == sam.READ_FINGER)
        self._read_done = True  # one read per placement, even if it is unusable
        if text is None:
            self.on_fault(f"read reply of {len(reply[1])} bytes has no 256-byte text")
            return None
        try:
            cred = cardtext.to_credential(cardtext.decode(text))
        except cardtext.CardTextError as e:
            self.on_fault(f"card text unusable: {e}")
            # The senior still gets an answer: an unreadable card, to lay down again or show staff.
            cred = Credential(method="idcard")
        self.timing = (sent, time.monotonic())
        return cred

    def ask(self, cmd: tuple[int, int], timeout: float) -> tuple[int, bytes] | None:
        """Send a command; (SW3, data) of the reply, or None if no good frame came in time."""
        port = self.open_port()
        self.discard_input()  # a late reply to an earlier command is not this one's
        self.frames.clear()
        port.write(sam.command(cmd))
        deadline = time.monotonic() + timeout
        checksums = self.frames.bad_checksums
        while time.monotonic() < deadline:
            chunk = port.read(max(1, port.in_waiting))
            if not chunk:
                continue
            frames = self.frames.feed(chunk)
            if self.frames.bad_checksums != checksums:
                self.on_fault("reply with a bad checksum")
                checksums = self.frames.bad_checksums
            if frames:
                return frames[0].as_response()
        return None

    def _pause(self, reply: tuple[int, bytes] | None) -> None:
        if reply is not None and reply[0] == sam.SAM_SELF_TEST_FAILED:
            self.on_fault("SAM self-test failed (0x60)")
            self.wait(SAM_FAULT_PAUSE_S)
        else:
            self.wait(self.poll_interval)


def _text_block(data: bytes, fingerprint: bool) -> bytes | None:
    """The 256-byte text of a read reply: lengths first (2 or 3 of them, big-endian), then text."""
    heads = 6 if fingerprint else 4
    if len(data) < heads:
        return None
    lengths = [data[i] << 8 | data[i + 1] for i in range(0, heads, 2)]
    if lengths[0] != 256 or len(data) != heads + sum(lengths):
        return None
    return data[heads : heads + 256]
