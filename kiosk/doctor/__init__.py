"""The doctor: one line per check of what a kiosk needs — settings, display, reader, scanner,
receipt printer, database, backups, free space, clock, bureau and its certificate, software —
each ok, warn or fail, with what was found and what to do in plain Chinese.  `yinling-kiosk doctor` prints the
lines (kiosk/cli/doctor.py); staff see them on 「设备与系统检查」 (screens/staff/doctor.py).
No Kivy and no devices here: whoever runs the doctor hands it the devices' health."""

from dataclasses import dataclass

from kiosk.i18n import t

OK, WARN, FAIL = "ok", "warn", "fail"


@dataclass(frozen=True)
class Line:
    check: str  # one of checkup.ORDER: settings, display, idcard, qr, printer, database … release
    state: str  # OK, WARN or FAIL
    detail: str  # what was found
    fix: str = ""  # what to do, for staff ("" when nothing)

    @property
    def title(self) -> str:
        return t(f"doctor.name.{self.check}")

    @property
    def ok(self) -> bool:
        return self.state == OK


def line(check: str, state: str, detail: str, fix: str = "") -> Line:
    return Line(check, state, detail, fix if state != OK else "")


def not_checked(check: str) -> Line:
    """A check that needs the settings, when they did not load."""
    return Line(check, WARN, t("doctor.not_checked"))
