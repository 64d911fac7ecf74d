"""The display line: the screen the running kiosk draws on, or (on the command line) whether the X
server that $DISPLAY names answers, asked through libX11 as the kiosk's own window does."""

import ctypes
import os

from kiosk.doctor import FAIL, OK, WARN, Line, line
from kiosk.i18n import t


def on_screen(width: int, height: int) -> Line:
    """The kiosk draws: its window's size."""
    return line("display", OK, t("doctor.display.screen", width=width, height=height))


def x_server(kiosk_running: bool = False) -> Line:
    """On the command line: the X server $DISPLAY names answers.  Without one (a technician's ssh
    or console), a kiosk running on this data dir is on its own screen."""
    display = os.environ.get("DISPLAY", "")
    if not display:
        if kiosk_running:
            return line("display", OK, t("doctor.display.kiosk_running"))
        return line("display", WARN, t("doctor.display.none"), t("doctor.display.none_fix"))
    error = _open_error(display)
    if error:
        return line(
            "display", FAIL, t("doctor.display.silent", display=display, error=error), t("doctor.display.silent_fix")
        )
    return line("display", OK, t("doctor.display.answers", display=display))


def _open_error(display: str) -> str:
    """ "" when the X server at `display` accepts a connection, else why not."""
    try:
        x11 = ctypes.CDLL("libX11.so.6")  # as Kivy's SDL2 window loads it
    except OSError as e:
        return str(e)
    x11.XOpenDisplay.restype = ctypes.c_void_p
    x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
    x11.XCloseDisplay.argtypes = [ctypes.c_void_p]
    connection = x11.XOpenDisplay(display.encode())
    if not connection:
        return "XOpenDisplay failed"
    x11.XCloseDisplay(connection)
    return ""
