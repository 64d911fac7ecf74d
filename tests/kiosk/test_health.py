"""Which cards the kiosk can read now (kiosk.health.ways_in): what the home screen asks for."""

from datetime import datetime

from kiosk.health import Health, ways_in

T = datetime(2026, 12, 6, 9, 0)


def reader(**kw) -> Health:
    return Health("idcard", "idcard", "/dev/ttyUSB0", **kw)


def scanner(**kw) -> Health:
    return Health("qr", "qr", "/dev/input/event3", **kw)


def test_both_working():
    assert ways_in([reader(connected=True, since=T), scanner(connected=True, since=T)]) == {"idcard", "qr"}


def test_a_device_not_tried_yet_counts_as_working():
    assert ways_in([reader(), scanner()]) == {"idcard", "qr"}


def test_a_reader_that_cannot_be_opened_is_missing():
    assert ways_in([reader(last_error="No such file"), scanner(connected=True, since=T)]) == {"qr"}


def test_an_unplugged_reader_is_missing():
    assert ways_in([reader(connected=False, since=T), scanner(connected=True, since=T)]) == {"qr"}


def test_a_reader_that_stopped_answering_is_missing():
    assert ways_in([reader(connected=True, answering=False, since=T), scanner(connected=True)]) == {"qr"}


def test_one_working_scanner_of_two_is_enough():
    second = Health("qr2", "qr", "/dev/ttyUSB1", connected=False, since=T)
    assert ways_in([reader(connected=False, since=T), scanner(connected=True, since=T), second]) == {"qr"}


def test_nothing_works():
    assert ways_in([reader(connected=False, since=T), scanner(last_error="gone")]) == frozenset()
