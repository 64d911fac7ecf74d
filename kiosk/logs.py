"""Logging to <data_dir>/logs/kiosk.log with rotation; ID numbers never reach a log line."""

import logging
import re
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import SimpleNamespace

# 18-character ID numbers (and 15-digit old ones) anywhere in a message, even glued to letters.
_ID_NUMBER = re.compile(r"(?<![0-9])([0-9]{6})[0-9]{8,11}([0-9Xx])(?![0-9])")


def redact(text: str) -> str:
    """Replace anything shaped like an ID number by its region code and stars."""
    return _ID_NUMBER.sub(lambda m: m.group(1) + "*" * (len(m.group(0)) - 6), text)


class RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def setup(settings: SimpleNamespace) -> Path:
    """Send the kiosk's logs (and Kivy's, which go through logging too) to the rotating file."""
    folder = Path(settings.kiosk.data_dir) / "logs"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "kiosk.log"
    handler = RotatingFileHandler(
        path, maxBytes=settings.logging.max_bytes, backupCount=settings.logging.backups, encoding="utf-8"
    )
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "yinling", False)]:
        root.removeHandler(old)
        old.close()
    setattr(handler, "yinling", True)  # noqa: B010  (marks the kiosk's own handler for the next setup)
    root.addHandler(handler)
    root.setLevel(settings.logging.level)
    return path
