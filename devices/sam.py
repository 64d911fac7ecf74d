"""GA/T 467 'SAM' frames of 2nd-generation ID-card readers (docs/idcard-reader.md §1.2–§1.6).

    command  AA AA AA 96 69 | LEN_H LEN_L | CMD PARA [DATA] | CHK
    response AA AA AA 96 69 | LEN_H LEN_L | SW1 SW2 SW3 [DATA] | CHK

LEN counts every byte after itself, CHK included; CHK is the XOR of everything after the preamble.
The same framing carries both directions, so the reader's driver and its simulator share it.
"""

from dataclasses import dataclass

PREAMBLE = b"\xaa\xaa\xaa\x96\x69"
HEADER = len(PREAMBLE) + 2
MAX_LEN = 0x0A00  # the longest reply (read with a 1024-byte fingerprint) is LEN 0x090A

# Commands (CMD, PARA): docs/idcard-reader.md §1.4
RESET = (0x10, 0xFF)
SAM_STATUS = (0x11, 0xFF)
SAM_ID = (0x12, 0xFF)
FIND = (0x20, 0x01)
SELECT = (0x20, 0x02)
READ_BASE = (0x30, 0x01)
READ_ADDRESS = (0x30, 0x03)
READ_FINGER = (0x30, 0x10)
SET_BAUD = 0x60
SET_RF_MAX = 0x61

# SW3 status codes: docs/idcard-reader.md §1.3
OK = 0x90
NO_CONTENT = 0x91
FOUND = 0x9F
BAD_CHECKSUM = 0x10
BAD_LENGTH = 0x11
BAD_COMMAND = 0x21
UNKNOWN_CARD_TYPE = 0x40
READ_FAILED = 0x41
SAM_SELF_TEST_FAILED = 0x60
NOT_FOUND = 0x80
NOT_SELECTED = 0x81
STATUS = {
    0x90: "操作成功",
    0x91: "证/卡中此项无内容",
    0x9F: "寻找证/卡成功",
    0x10: "接收数据校验和错",
    0x11: "接收数据长度错",
    0x21: "接收数据命令错",
    0x23: "越权操作",
    0x24: "无法识别的错误",
    0x31: "证/卡认证 SAM 失败",
    0x32: "SAM 认证证/卡失败",
    0x33: "信息验证错误",
    0x40: "无法识别的卡类型",
    0x41: "读证/卡操作失败",
    0x47: "取随机数失败",
    0x60: "SAM 自检失败",
    0x66: "SAM 未经授权",
    0x80: "寻找证/卡失败",
    0x81: "选取证/卡失败",
}
BAUD_CODES = {0x00: 115200, 0x01: 57600, 0x02: 38400, 0x03: 19200, 0x04: 9600}


def checksum(body: bytes) -> int:
    """XOR of LEN, CMD/SW… and DATA."""
    x = 0
    for b in body:
        x ^= b
    return x


def frame(head: bytes, data: bytes = b"") -> bytes:
    """A whole frame around `head` (CMD PARA, or SW1 SW2 SW3) and its data."""
    n = len(head) + len(data) + 1
    body = bytes((n >> 8, n & 0xFF)) + head + data
    return PREAMBLE + body + bytes((checksum(body),))


def command(cmd: tuple[int, int], data: bytes = b"") -> bytes:
    return frame(bytes(cmd), data)


def response(sw3: int, data: bytes = b"") -> bytes:
    return frame(bytes((0, 0, sw3)), data)


@dataclass(frozen=True)
class Frame:
    """One checked frame: `head` is CMD PARA (2 bytes) or SW1 SW2 SW3 (3 bytes), then `data`."""

    payload: bytes  # everything between LEN and CHK

    def as_command(self) -> tuple[tuple[int, int], bytes]:
        return (self.payload[0], self.payload[1]) if len(self.payload) >= 2 else (0, 0), self.payload[2:]

    def as_response(self) -> tuple[int, bytes]:
        """(SW3, data); SW3 is 0 when SW1 SW2 are not 00 00, which no reader sends."""
        if len(self.payload) < 3 or self.payload[:2] != b"\0\0":
            return 0, self.payload[3:]
        return self.payload[2], self.payload[3:]


class FrameReader:
    """FairLock a byte stream into checked frames.

    It hunts for the preamble, reads LEN, waits for the whole frame, and checks the XOR.  A bad
    checksum or an impossible length drops only the preamble it began at, so a real frame hidden
    in garbage is still found.  Faults are counted for the device's health.
    """

    def __init__(self):
        self._buf = bytearray()
        self.bad_checksums = 0
        self.bad_lengths = 0
        self.skipped = 0  # garbage bytes thrown away while hunting for a preamble

    def feed(self, data: bytes) -> list[Frame]:
        self._buf += data
        frames: list[Frame] = []
        while True:
            start = self._buf.find(PREAMBLE)
            if start < 0:
                # Keep a possible start of a preamble split across reads.
                keep = _partial_preamble(self._buf)
                self.skipped += len(self._buf) - keep
                del self._buf[: len(self._buf) - keep]
                return frames
            self.skipped += start
            del self._buf[:start]
            if len(self._buf) < HEADER:
                return frames
            n = self._buf[5] << 8 | self._buf[6]
            if n < 3 or n > MAX_LEN:
                self.bad_lengths += 1
                del self._buf[:1]
                continue
            if len(self._buf) < HEADER + n:
                return frames
            body = bytes(self._buf[5 : HEADER + n - 1])
            if checksum(body) != self._buf[HEADER + n - 1]:
                self.bad_checksums += 1
                del self._buf[:1]
                continue
            frames.append(Frame(body[2:]))
            del self._buf[: HEADER + n]

    def pending(self) -> int:
        """Bytes held back waiting for the rest of a frame."""
        return len(self._buf)

    def clear(self) -> None:
        self._buf.clear()


def _partial_preamble(buf: bytearray) -> int:
    for keep in range(min(len(PREAMBLE) - 1, len(buf)), 0, -1):
        if buf[-keep:] == PREAMBLE[:keep]:
            return keep
    return 0
