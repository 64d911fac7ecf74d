"""An ESC/POS thermal receipt printer on a serial port or a USB printer-class device (docs/printer.md).

Raw ESC/POS, no library: python-escpos talks to serial ports and files too, but encodes text
through single-byte code pages, pulls in pyusb, python-barcode and PyYAML, and has no notion of
the GB18030 text Chinese printers print natively.  What is sent for a slip (kiosk/printing/layout.py):

    ESC @            initialise (clears bold, size, alignment left over from anything before)
    FS &             Chinese character mode: two-byte GB codes print as Chinese (the default of
                     most Chinese printers, said anyway; printers without it ignore it)
    ESC a n          alignment, ESC E n bold, GS ! n size (0x11 double width and height: the name;
                     0x01 double height: the title) a line
    text LF          the line in GB18030 (1 or 2 bytes a character)
    GS v 0           a line with a character beyond the two-byte range (王𠮷祥: Ext-B, four bytes
                     in GB18030, in no printer font we know) as a raster image drawn with the
                     kiosk's own fonts (NotoSansCJK, HanaMinB), so the name prints as it is
    GS ( k           the member card as a QR code: model 2, module size, error level M, store, print
    ESC d 4, GS V 1  feed past the cutter and cut (partial: the slip hangs until taken)

Status: on a serial port DLE EOT 1, 2 and 4 (real-time: on/off line; cover open; paper near end
and end), one byte each, before a slip (paper out, cover open or off line: not printed, states.Refused)
and after it.  A USB printer-class device (/dev/usb/lp0) is asked with the LPGETSTATUS ioctl
(its IEEE 1284 status byte: paper empty, selected, error).
"""

import errno
import fcntl
import logging
import os
import struct
from functools import cache

import serial

from kiosk.fonts import FontChain
from kiosk.printing import states
from kiosk.printing.layout import CENTER, Page, Qr, Text

log = logging.getLogger(__name__)

ESC, GS, FS, DLE, LF = b"\x1b", b"\x1d", b"\x1c", b"\x10", b"\n"
INIT = ESC + b"@" + FS + b"&"
FEED_AND_CUT = ESC + b"d\x04" + GS + b"V\x01"
STATUS_TIMEOUT_S = 0.5  # a printer answers DLE EOT within milliseconds
WRITE_MARGIN_S = 5.0  # a slip's write may take its wire time plus this (the printer's buffer full)
LINE_DOTS = 24  # the standard font's height; double size 48
LPGETSTATUS = 0x060B  # <linux/lp.h>
LP_PERRORP, LP_PSELECD, LP_POUTPA = 0x08, 0x10, 0x20
MISSING = "□"  # stands for a character no font of the kiosk draws either


class Printer:
    kind = "printer"

    def __init__(self, name: str, port: str, baud: int = 115200, fonts: FontChain | None = None, bold: str = ""):
        self.name = name
        self.port = port
        self.baud = baud
        self.fonts = fonts  # None: a rare character prints as MISSING
        self.bold = bold or None  # the bold face for bold raster lines

    # -- what the worker calls (kiosk/printing/worker.py) ---------------------------------------

    def look(self) -> str:
        """The printer's state now (states.OK, a trouble, SILENT); OSError when it is absent."""
        with _open(self.port, self.baud) as link:
            return link.status()

    def print_page(self, page: Page) -> str:
        """Prints `page` and returns the state after it; states.Refused when the printer said
        before it that it cannot print, OSError when it is absent or the write failed."""
        data = self.encode(page)
        with _open(self.port, self.baud) as link:
            before = link.status()
            if before in states.STOPS:
                raise states.Refused(before)
            link.write(data)
            return link.status()

    def encode(self, page: Page) -> bytes:
        return INIT + b"".join(self._block(b, page.dots) for b in page.blocks) + FEED_AND_CUT

    # -- bytes ----------------------------------------------------------------------------------

    def _block(self, block: Text | Qr, dots: int) -> bytes:
        if isinstance(block, Qr):
            return ESC + b"a\x01" + qr(block.data.encode("utf-8"), block.module) + ESC + b"a\x00"
        if fits(block.text):
            align = b"\x01" if block.align == CENTER else b"\x00"
            size = b"\x11" if block.big else b"\x01" if block.tall else b"\x00"
            return ESC + b"a" + align + ESC + b"E" + bytes([block.bold]) + GS + b"!" + size + _gb(block.text) + LF
        image = self._raster(block, dots)
        if image is None:
            return self._block(
                Text("".join(ch if fits(ch) else MISSING for ch in block.text), block.align, block.bold, block.big),
                dots,
            )
        return ESC + b"a\x00" + image

    def _raster(self, block: Text, dots: int) -> bytes | None:
        """`block` drawn with the kiosk's fonts as a GS v 0 image `dots` wide, or None when a
        character is in none of them (or there are no fonts)."""
        if self.fonts is None:
            return None
        try:
            if self.fonts.missing(block.text):
                return None
            return _draw(block, dots, self.fonts, self.bold if block.bold else None)
        except Exception:  # an unreadable font: the line prints with MISSING instead
            log.exception("printer: could not draw %r", block.text)
            return None


def fits(text: str) -> bool:
    """Whether a printer's own font prints `text`: every character is one or two bytes in
    GB18030 (ASCII and the GBK repertoire, all printer fonts we know have it); the four-byte part
    (CJK Ext-B and beyond, rare characters of names) is in none."""
    return all(len(_gb(ch)) <= 2 for ch in text)


def _gb(text: str) -> bytes:
    return text.encode("gb18030", errors="replace")


def qr(data: bytes, module: int) -> bytes:
    """GS ( k: QR model 2, `module` dots a module, error correction M, store `data`, print."""

    def fn(body: bytes) -> bytes:
        return GS + b"(k" + struct.pack("<H", len(body)) + body

    return (
        fn(b"\x31\x41\x32\x00")  # fn 165: model 2
        + fn(b"\x31\x43" + bytes([module]))  # fn 167: module size
        + fn(b"\x31\x45\x31")  # fn 169: error correction M (15 %)
        + fn(b"\x31\x50\x30" + data)  # fn 180: store
        + fn(b"\x31\x51\x30")  # fn 181: print
    )


@cache
def _font(path: str, size: int):
    from PIL import ImageFont

    return ImageFont.truetype(path, size)


def _draw(block: Text, dots: int, fonts: FontChain, main: str | None) -> bytes:
    """GS v 0 of `block` in a band `dots` wide and 24 (48 when big or tall) high, black on white
    (a tall line is drawn at the big size: a rare character in a title is rarer still)."""
    from PIL import Image, ImageDraw

    height = LINE_DOTS * (2 if block.big or block.tall else 1)
    size = height - 2
    runs = [(_font(path, size), piece) for path, piece in fonts.runs(block.text, main)]
    width = sum(font.getlength(piece) for font, piece in runs)
    x = max(0.0, (dots - width) / 2) if block.align == CENTER else 0.0
    image = Image.new("1", (dots, height), 1)
    pen = ImageDraw.Draw(image)
    for font, piece in runs:
        pen.text((x, height - 4), piece, font=font, fill=0, anchor="ls")
        x += font.getlength(piece)
    return raster(image.tobytes(), dots // 8, height)


def raster(packed_white: bytes, row_bytes: int, rows: int) -> bytes:
    """GS v 0 (normal density) of a 1-bit image packed as Pillow packs it (a 1 bit is white);
    ESC/POS wants a 1 bit for a printed dot."""
    ink = bytes(b ^ 0xFF for b in packed_white)
    return GS + b"v0\x00" + struct.pack("<HH", row_bytes, rows) + ink


# -- status ---------------------------------------------------------------------------------------


def from_status(printer: int, offline: int, paper: int) -> str:
    """The state from DLE EOT 1, 2 and 4's bytes (the ESC/POS reference's bit tables)."""
    if offline & 0x04:
        return states.COVER_OPEN
    if paper & 0x60 or offline & 0x20:
        return states.PAPER_OUT
    if printer & 0x08 or offline & 0x40:
        return states.OFFLINE
    if paper & 0x0C:
        return states.PAPER_LOW
    return states.OK


def from_lp(status: int) -> str:
    """The state from a USB printer's 1284 status byte (LPGETSTATUS)."""
    if status & LP_POUTPA:
        return states.PAPER_OUT
    if not status & LP_PSELECD or not status & LP_PERRORP:
        return states.OFFLINE
    return states.OK


def _valid(reply: bytes) -> bool:
    """A DLE EOT answer: one byte with bits 1 and 4 set and 0 and 7 clear."""
    return len(reply) == 1 and reply[0] & 0x93 == 0x12


# -- the two ways to a printer ----------------------------------------------------------------------


class _Serial:
    def __init__(self, port: str, baud: int):
        self.baud = baud
        self.serial = serial.Serial(port, baud, timeout=STATUS_TIMEOUT_S, exclusive=True)

    def status(self) -> str:
        found = []
        for n in (1, 2, 4):
            self.serial.reset_input_buffer()
            self.serial.write(DLE + b"\x04" + bytes([n]))
            reply = self.serial.read(1)
            if not _valid(reply):
                return states.SILENT
            found.append(reply[0])
        return from_status(*found)

    def write(self, data: bytes) -> None:
        self.serial.write_timeout = len(data) * 10 / self.baud + WRITE_MARGIN_S
        self.serial.write(data)
        self.serial.flush()

    def close(self) -> None:
        try:
            self.serial.close()
        except (OSError, serial.SerialException):
            pass


class _Lp:
    """A USB printer-class device (usblp): bytes written to the file, status by ioctl.  A plain
    file works too (its status cannot be asked: taken as OK)."""

    def __init__(self, fd: int):
        self.fd = fd
        fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) & ~os.O_NONBLOCK)

    def status(self) -> str:
        try:
            (found,) = struct.unpack("i", fcntl.ioctl(self.fd, LPGETSTATUS, struct.pack("i", 0)))
        except OSError as e:
            if e.errno in (errno.ENOTTY, errno.EINVAL):
                return states.OK
            raise
        return from_lp(found)

    def write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            view = view[os.write(self.fd, view) :]

    def close(self) -> None:
        os.close(self.fd)


class _open:
    """The printer at `port`, serial or USB printer class, for one look or one slip."""

    def __init__(self, port: str, baud: int):
        fd = os.open(port, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        if os.isatty(fd):
            os.close(fd)
            self.link: _Serial | _Lp = _Serial(port, baud)
        else:
            self.link = _Lp(fd)

    def __enter__(self) -> "_Serial | _Lp":
        return self.link

    def __exit__(self, *_exc) -> None:
        self.link.close()
