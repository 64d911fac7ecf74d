"""What a receipt printer can be, as its driver finds it and the kiosk says it (docs/printer.md).

The driver (devices/printer.py) asks the printer with DLE EOT before and after each slip and
answers with one of these; `Refused` is its way of saying the printer cannot print now."""

OK = "ok"
PAPER_LOW = "paper_low"  # prints; the roll is near its end
PAPER_OUT = "paper_out"
COVER_OPEN = "cover_open"
OFFLINE = "offline"  # the printer says it is off line for another reason (an error, the feed button)
SILENT = "silent"  # the port opened, the printer did not answer its status (powered off behind a USB-serial adapter)
ABSENT = "absent"  # no device at the port
OFF = "off"  # printing is not enabled ([printer] enabled = false)

TROUBLES = (PAPER_LOW, PAPER_OUT, COVER_OPEN, OFFLINE)  # what a connected printer says of itself
STOPS = (PAPER_OUT, COVER_OPEN, OFFLINE)  # ... of which these stop a slip from printing


class Refused(Exception):
    """The printer said before a slip that it cannot print it (paper out, cover open, off line)."""

    def __init__(self, state: str):
        super().__init__(state)
        self.state = state
