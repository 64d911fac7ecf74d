"""Printed slips (回执): what the kiosk prints on an ESC/POS receipt printer when a senior applies for
or is enrolled in courses (docs/printer.md).

slips.py says what a slip holds, as plain data the screens' flows fill in; the driver in
devices/printer.py turns it into ESC/POS bytes (GB18030 text, a QR code) on a serial or USB
printer.  Printing is optional (`[printer]` in the settings) and never blocks a senior: a flow hands
a slip to `submit` and goes on; a missing printer or one out of paper is said on the screen, in the
staff's device corner and by the doctor.
"""

from kiosk.printing.slips import Slip


def submit(slip: Slip) -> None:
    """The printer helper's: prints or queues the slip; never raises"""
