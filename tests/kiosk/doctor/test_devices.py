"""kiosk/doctor/devices.py: the lines staff see for each state a device's health can be in."""

from datetime import datetime

from kiosk.doctor import devices
from kiosk.health import Health
from kiosk.i18n import t

PORT = "/dev/serial/by-id/usb-Reader-if00"
SCANNER = "/dev/serial/by-id/usb-Scanner-if00"


def configured(settings, wedge: bool = False):
    settings.devices.idcard.port, settings.devices.qr_serial.port = PORT, SCANNER
    settings.devices.keyboard_wedge.enabled = wedge
    return settings


def test_a_reader_and_a_scanner_answering(settings):
    read = datetime(2026, 12, 6, 9, 5)
    found = devices.lines(
        configured(settings),
        [Health("idcard", "idcard", PORT, connected=True, last_read=read), Health("qr", "qr", SCANNER, connected=True)],
    )
    assert [(x.check, x.state) for x in found] == [("idcard", "ok"), ("qr", "ok")]
    assert found[0].detail == t("doctor.device.ok_read", port=PORT, time="12-06 09:05")


def test_no_reader_on_the_port_fails_with_what_to_do(settings):
    gone = Health("idcard", "idcard", PORT, since=datetime.now(), last_error="[Errno 2] No such file or directory")
    reader, scanner = devices.lines(configured(settings, wedge=True), [gone])
    assert (reader.state, reader.fix) == ("fail", t("doctor.device.absent_fix"))
    assert PORT in reader.detail and "No such file" in reader.detail
    assert (scanner.state, scanner.detail) == ("ok", t("doctor.device.wedge"))


def test_a_silent_reader_and_one_in_use(settings):
    silent = Health("idcard", "idcard", PORT, connected=True, answering=False, faults=2)
    (reader, _) = devices.lines(configured(settings), [silent, Health("qr", "qr", SCANNER, in_use=True)])[:2]
    assert reader.state == "fail" and reader.fix == t("doctor.device.silent_fix") and "2 次故障" in reader.detail
    in_use = devices.lines(configured(settings), [Health("idcard", "idcard", PORT, in_use=True)])[0]
    assert in_use.state == "ok" and in_use.detail == t("doctor.device.in_use", port=PORT)


def test_nothing_configured(settings):
    settings.devices.idcard.port = settings.devices.qr_serial.port = ""
    settings.devices.keyboard_wedge.enabled = False
    reader, scanner = devices.lines(settings, [])
    assert (reader.state, scanner.state) == ("warn", "fail")
