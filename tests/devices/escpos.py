"""An ESC/POS reader for the tests, written from the ESC/POS command reference (Epson's "ESC/POS
Command Reference" tables), not from devices/printer.py: it reads what a printer would receive
and says what the paper would show — lines of text with their alignment, emphasis and size,
raster images, QR codes, cuts — and which status the host asked for.

It is strict where the product could go wrong: a command it does not know, a truncated command,
a byte sequence that is not GB18030, or a QR code printed before one was stored fails the test
with ValueError, instead of being skipped.
"""

from dataclasses import dataclass, field

NUL, LF, DLE, ESC, FS, GS = 0x00, 0x0A, 0x10, 0x1B, 0x1C, 0x1D


@dataclass
class Line:
    text: str
    align: str  # left, center, right
    bold: bool
    width: int  # character width multiplier, 1 or 2
    height: int  # character height multiplier


@dataclass
class Image:
    """A GS v 0 raster image: `rows` of `width_bytes` bytes, a 1 bit a printed dot."""

    width_bytes: int
    height: int
    data: bytes

    @property
    def width(self) -> int:
        return self.width_bytes * 8

    def dot(self, x: int, y: int) -> bool:
        return bool(self.data[y * self.width_bytes + x // 8] & (0x80 >> (x % 8)))

    def inked_columns(self) -> list[int]:
        return [x for x in range(self.width) if any(self.dot(x, y) for y in range(self.height))]


@dataclass
class QrCode:
    data: bytes
    model: int
    module: int
    level: str  # L, M, Q, H


@dataclass
class Receipt:
    """What came out between two cuts (or before the first)."""

    items: list = field(default_factory=list)  # Line, Image and QrCode in paper order
    cut: str = ""  # "full" or "partial" when the receipt was cut
    feed_lines: int = 0

    def lines(self) -> list[str]:
        return [x.text for x in self.items if isinstance(x, Line)]

    def qr_payloads(self) -> list[bytes]:
        return [x.data for x in self.items if isinstance(x, QrCode)]


@dataclass
class Stream:
    receipts: list[Receipt]
    status_asked: list[int]  # DLE EOT n, in order
    initialised: int  # ESC @ count
    kanji_mode: bool  # FS & was the last of FS & / FS .


_ALIGN = {0: "left", 48: "left", 1: "center", 49: "center", 2: "right", 50: "right"}
_LEVEL = {48: "L", 49: "M", 50: "Q", 51: "H"}


class _Reader:
    def __init__(self, data: bytes):
        self.data = data
        self.at = 0
        self.stream = Stream([Receipt()], [], 0, False)
        self.pending_text = bytearray()
        self._reset_modes()
        self.qr_model, self.qr_module, self.qr_level = 2, 3, "L"
        self.qr_stored: bytes | None = None

    def _reset_modes(self) -> None:
        self.align, self.bold, self.width, self.height = "left", False, 1, 1

    # -- bytes ----------------------------------------------------------------------------------

    def take(self, n: int) -> bytes:
        if self.at + n > len(self.data):
            raise ValueError(f"command truncated at byte {self.at}")
        chunk = self.data[self.at : self.at + n]
        self.at += n
        return chunk

    def byte(self) -> int:
        return self.take(1)[0]

    @property
    def receipt(self) -> Receipt:
        return self.stream.receipts[-1]

    # -- the walk -------------------------------------------------------------------------------

    def read(self) -> Stream:
        while self.at < len(self.data):
            b = self.byte()
            if b == LF:
                self.print_line()
            elif b == ESC:
                self.esc(self.byte())
            elif b == GS:
                self.gs(self.byte())
            elif b == FS:
                self.fs(self.byte())
            elif b == DLE:
                self.dle(self.byte())
            elif b < 0x20:
                raise ValueError(f"unexpected control byte {b:#04x} at {self.at - 1}")
            else:
                self.text_byte(b)
        if self.pending_text:
            raise ValueError(f"text never ended by LF: {self.pending_text!r}")
        if not self.receipt.items and not self.receipt.cut:
            self.stream.receipts.pop()
        return self.stream

    def text_byte(self, first: int) -> None:
        """A character: one byte below 0x80, else GB18030's two (81–FE, 40–FE but 7F) or four
        (81–FE, 30–39, 81–FE, 30–39) bytes."""
        if first < 0x80:
            self.pending_text.append(first)
            return
        if not 0x81 <= first <= 0xFE:
            raise ValueError(f"byte {first:#04x} cannot start a GB18030 character")
        second = self.byte()
        if 0x40 <= second <= 0xFE and second != 0x7F:
            self.pending_text += bytes([first, second])
        elif 0x30 <= second <= 0x39:
            third, fourth = self.take(2)
            if not (0x81 <= third <= 0xFE and 0x30 <= fourth <= 0x39):
                raise ValueError("broken four-byte GB18030 character")
            self.pending_text += bytes([first, second, third, fourth])
        else:
            raise ValueError(f"broken GB18030 character {first:#04x} {second:#04x}")

    def print_line(self) -> None:
        text = bytes(self.pending_text).decode("gb18030")  # strict: raises on a bad sequence
        self.pending_text.clear()
        self.receipt.items.append(Line(text, self.align, self.bold, self.width, self.height))

    def esc(self, op: int) -> None:
        c = chr(op)
        if c == "@":
            self.stream.initialised += 1
            self._reset_modes()
        elif c == "a":
            self.align = _ALIGN[self.byte()]
        elif c == "E":
            self.bold = bool(self.byte() & 1)
        elif c == "!":  # print mode for single-byte characters: bold bit 3, tall bit 4, wide bit 5
            n = self.byte()
            self.bold, self.height, self.width = bool(n & 0x08), 2 if n & 0x10 else 1, 2 if n & 0x20 else 1
        elif c == "d":
            self.receipt.feed_lines += self.byte()
        elif c in "J3-M":
            self.byte()
        elif c == "2":
            pass
        else:
            raise ValueError(f"unknown command ESC {c!r}")

    def gs(self, op: int) -> None:
        c = chr(op)
        if c == "!":  # bits 4-6 width - 1, bits 0-2 height - 1
            n = self.byte()
            self.width, self.height = (n >> 4 & 7) + 1, (n & 7) + 1
        elif c == "V":
            m = self.byte()
            if m in (65, 66):
                self.receipt.feed_lines += self.byte()
            self.receipt.cut = "full" if m in (0, 48, 65) else "partial"
            self.stream.receipts.append(Receipt())
        elif c == "v":
            if self.take(1) != b"0":
                raise ValueError("GS v must be GS v 0")
            self.byte()  # m: density
            xl, xh, yl, yh = self.take(4)
            width, height = xl + 256 * xh, yl + 256 * yh
            self.receipt.items.append(Image(width, height, self.take(width * height)))
        elif c == "(":
            self.gs_paren(self.byte())
        else:
            raise ValueError(f"unknown command GS {c!r}")

    def gs_paren(self, fn_class: int) -> None:
        if chr(fn_class) != "k":
            raise ValueError(f"unknown command GS ( {chr(fn_class)!r}")
        pl, ph = self.take(2)
        body = self.take(pl + 256 * ph)
        cn, fn, args = body[0], body[1], body[2:]
        if cn != 49:
            raise ValueError(f"GS ( k for symbol {cn} (49 is QR)")
        if fn == 65:
            self.qr_model = args[0] - 48
        elif fn == 67:
            self.qr_module = args[0]
        elif fn == 69:
            self.qr_level = _LEVEL[args[0]]
        elif fn == 80:
            self.qr_stored = bytes(args[1:])
        elif fn == 81:
            if self.qr_stored is None:
                raise ValueError("QR printed before any data was stored")
            self.receipt.items.append(QrCode(self.qr_stored, self.qr_model, self.qr_module, self.qr_level))
        else:
            raise ValueError(f"GS ( k function {fn}")

    def fs(self, op: int) -> None:
        c = chr(op)
        if c == "&":
            self.stream.kanji_mode = True
        elif c == ".":
            self.stream.kanji_mode = False
        elif c == "!":
            self.byte()
        else:
            raise ValueError(f"unknown command FS {c!r}")

    def dle(self, op: int) -> None:
        if op != 0x04:
            raise ValueError(f"unknown command DLE {op:#04x}")
        n = self.byte()
        if n not in (1, 2, 3, 4):
            raise ValueError(f"DLE EOT {n}")
        self.stream.status_asked.append(n)


def parse(data: bytes) -> Stream:
    return _Reader(data).read()
