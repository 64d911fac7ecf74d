"""The demo's simulated cards, laid from the keyboard so a newcomer sees ID-card sign-in.

F2–F8 lay a card of each kind on the simulated reader (the real driver reads it over the pty),
F9 lifts it, F10 scans a QR member card on the simulated serial scanner, F11 pulls the reader's
cable or puts it back (the terminal and the log say so at start: console.demo_keys).
"""

from types import SimpleNamespace

from kiosk.identity import tokens

CARDS = {2: "resident", 3: "rare", 4: "hmt", 5: "foreign2017", 6: "foreign2023", 7: "unknown", 8: "expired"}
LIFT, QR_SCAN, CABLE = 9, 10, 11
QR_MEMBER = "DM0002"


def press(devices, function_key: int, settings: SimpleNamespace) -> str | None:
    """Act on F<function_key>; what was done, or None when the key means nothing here."""
    reader, scanner = devices.idcard_sim, devices.qr_sim
    if reader is not None and function_key in CARDS:
        reader.lay(CARDS[function_key])
        return f"card {CARDS[function_key]} laid on the reader"
    if reader is not None and function_key == LIFT:
        reader.lift()
        return "card lifted"
    if reader is not None and function_key == CABLE:
        if reader.port.plugged:
            reader.unplug()
            return "reader unplugged"
        reader.replug()
        return "reader plugged in"
    if scanner is not None and function_key == QR_SCAN:
        scanner.scan(tokens.make(QR_MEMBER, 1, bytes.fromhex(settings.security.card_key)))
        return f"QR card of {QR_MEMBER} scanned over serial"
    return None
