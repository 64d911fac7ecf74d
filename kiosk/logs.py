"""Logging to <data_dir>/logs/kiosk.log with rotation; ID numbers never reach a log line; a full
disk costs log lines, never the kiosk (or a traceback on stderr for every line).  Under systemd
the same lines go to stderr too, compact, which the journal keeps (journalctl -u yinling-kiosk)."""

import logging
import os
import re
import sys
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import SimpleNamespace

from kiosk.i18n import t

# 18-character ID numbers (and 15-digit old ones) anywhere in a message, even glued to letters.
_ID_NUMBER = re.compile(r"(?<![0-9])([0-9]{6})[0-9]{8,11}([0-9Xx])(?![0-9])")


def redact(text: str) -> str:
    """Replace anything shaped like an ID number by its region code and stars."""
    return _ID_NUMBER.sub(lambda m: m.group(1) + "*" * (len(m.group(0)) - 6), text)


class RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class KioskLogHandler(RotatingFileHandler):
    """The rotating file, and what it does when the disk cannot take a line: it drops the line,
    says so on stderr once (not a traceback a line), opens the file again at the next line and,
    once that works, writes how many lines were lost."""

    lost = 0  # lines dropped since the file could last be written
    _failed = False

    def emit(self, record: logging.LogRecord) -> None:
        if self.lost:
            note = logging.makeLogRecord({"name": __name__, "levelno": logging.WARNING, "levelname": "WARNING"})
            note.msg = f"{self.lost} log lines were lost: the disk was full or could not be written"
            if not self._written(note):
                self.lost += 1
                return
            self.lost = 0
        if not self._written(record):
            self.lost += 1

    def _written(self, record: logging.LogRecord) -> bool:
        self._failed = False
        super().emit(record)
        return not self._failed

    def handleError(self, record: logging.LogRecord) -> None:
        error = sys.exc_info()[1]
        if not isinstance(error, OSError):
            super().handleError(record)
            return
        if not self.lost:
            print(t("logs.unwritable", file=self.baseFilename, error=error.strerror or error), file=sys.stderr)
        self._failed = True
        stream, self.stream = self.stream, None  # opened again for the next line
        try:
            if stream:
                stream.close()
        except OSError:
            pass  # what it held is lost; the file descriptor is closed all the same


class UnusedInputProbe(logging.Filter):
    """Kivy tries every Linux input provider when imported and logs an ERROR and a traceback for
    each it cannot load (MTDev without libmtdev.so.1).  The kiosk reads touches through the pointer
    provider only (screens.app), so such a record becomes one INFO line naming the cause."""

    def filter(self, record: logging.LogRecord) -> bool:
        said = record.getMessage()
        if not (said.startswith("Input: ") and "is not supported" in said):
            return True
        cause = record.exc_info[1] if record.exc_info else None
        record.msg, record.args = f"{said} ({cause}): not used, the kiosk reads touches as the pointer", ()
        record.levelno, record.levelname = logging.INFO, "INFO"
        record.exc_info = record.exc_text = None
        return logging.getLogger().isEnabledFor(logging.INFO)


_INPUT_PROBE = UnusedInputProbe()
# Libraries whose INFO lines are chatter to whoever reads the log: fontTools writes ~100 lines
# per card sheet as it subsets the fonts.
QUIET = ("fontTools",)


class JournalFormatter(RedactingFormatter):
    """A line for the journal: it stamps the time itself, and reads a leading <N> as the line's
    priority (sd-daemon(3)) when stderr is its stream."""

    PRIORITY = {logging.DEBUG: 7, logging.INFO: 6, logging.WARNING: 4, logging.ERROR: 3, logging.CRITICAL: 2}

    def __init__(self, prefixed: bool):
        super().__init__("%(levelname)s %(name)s: %(message)s")
        self.prefixed = prefixed

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        if not self.prefixed:
            return line
        level = self.PRIORITY.get(record.levelno, 6 if record.levelno < logging.WARNING else 3)
        return "\n".join(f"<{level}>{part}" for part in line.split("\n"))  # a traceback: each line so


def journal_stream() -> str:
    """ "journal" when stderr is the journal's stream ($JOURNAL_STREAM names its device and inode),
    "systemd" when systemd runs us with stderr elsewhere ($INVOCATION_ID), else ""."""
    stream = os.environ.get("JOURNAL_STREAM", "")
    if stream:
        try:
            st = os.fstat(sys.stderr.fileno())
            if stream == f"{st.st_dev}:{st.st_ino}":
                return "journal"
        except (OSError, ValueError, AttributeError):  # stderr closed or not a real file
            pass
    return "systemd" if stream or os.environ.get("INVOCATION_ID") else ""


def log_file(settings: SimpleNamespace) -> Path:
    """The kiosk's log file."""
    return Path(settings.kiosk.data_dir) / "logs" / "kiosk.log"


def setup(settings: SimpleNamespace) -> Path:
    """Send the kiosk's logs (and Kivy's, which go through logging too) to the rotating file."""
    path = log_file(settings)
    folder = path.parent
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    handler = KioskLogHandler(
        path, maxBytes=settings.logging.max_bytes, backupCount=settings.logging.backups, encoding="utf-8"
    )
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    # The level on each handler as well: importing Kivy sets the root logger's level to NOTSET, after
    # which every SQL statement peewee logs at DEBUG was formatted, redacted and written (bench/soak.py).
    handler.setLevel(settings.logging.level)
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "yinling", False)]:
        root.removeHandler(old)
        old.close()
    setattr(handler, "yinling", True)  # noqa: B010  (marks the kiosk's own handlers for the next setup)
    root.addHandler(handler)
    under = journal_stream()
    if under:
        journal = logging.StreamHandler(sys.stderr)
        journal.setFormatter(JournalFormatter(prefixed=under == "journal"))
        journal.setLevel(settings.logging.level)
        setattr(journal, "yinling", True)  # noqa: B010
        root.addHandler(journal)
    root.setLevel(settings.logging.level)
    for name in QUIET:
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))
    logging.getLogger("kivy").addFilter(_INPUT_PROBE)  # before screens import Kivy
    return path
