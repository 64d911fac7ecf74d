"""The ID-card driver against the simulator over a real pty, and on to check-in and a SignIn row."""

import threading
import time

import pytest
import serial
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from devices import cardtext, idcard, sam
from devices.idcard import IdCardReader
from devices.manager import DeviceManager
from devices.sim import profiles
from devices.sim.pty import VirtualPort
from kiosk.checkin.signin import CheckIn
from kiosk.identity import ids
from kiosk.store.db import db
from kiosk.store.models import Member, NewcomerCard, SignIn

from .conftest import NOW, read_card

PROFILES = profiles.load()
MEMBER_CARDS = [name for name, p in PROFILES.items() if p.member and name != "expired"]


def expected(name: str):
    return cardtext.to_credential(cardtext.decode(profiles.text_block(PROFILES[name])))


@pytest.mark.parametrize("name", list(PROFILES))
def test_every_profile_reads_as_its_card(sim, reader, name):
    sim.lay(name)
    assert read_card(reader) == [expected(name)]


@pytest.mark.parametrize("name", MEMBER_CARDS)
def test_each_card_type_signs_in_end_to_end(sim, reader, demo_site, name):
    sim.lay(name)
    (cred,) = read_card(reader)
    result = CheckIn(demo_site).handle(cred, NOW)
    member = Member.get(Member.member_no == PROFILES[name].member)
    assert (result.kind, result.member_no) == ("ok", member.member_no)
    # (the demo's history holds earlier sign-ins; only this read's is at NOW)
    assert SignIn.select().where(SignIn.member == member, SignIn.method == "idcard", SignIn.at == NOW).count() == 1


def test_the_card_types_cover_the_four_kinds():
    kinds = {expected(n).card_type for n in MEMBER_CARDS}
    assert kinds == {"resident", "hmt", "foreign2017", "foreign2023"}


def test_an_unregistered_card_is_kept_for_staff_without_its_number(sim, reader, demo_site):
    sim.lay("unknown")
    (cred,) = read_card(reader)
    result = CheckIn(demo_site).handle(cred, NOW)
    assert (result.kind, result.method) == ("unknown_card", "idcard")
    (kept,) = NewcomerCard.select()
    card = PROFILES["unknown"].card
    id_key = bytes.fromhex(demo_site.security.id_hash_key)
    assert (kept.id_hash, kept.name, kept.nation, kept.gender) == (
        ids.id_hash(card.id_number, id_key),
        card.name,
        card.nation,
        card.gender,
    )
    # Neither the number nor the card's address is kept (docs/design.md §9.1).
    db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")  # the row is in kiosk.db itself
    db_file = open(demo_site.kiosk.data_dir + "/kiosk.db", "rb").read()
    assert card.name.encode() in db_file
    assert card.id_number.encode() not in db_file and card.address.encode() not in db_file


def test_a_name_the_card_could_not_give_is_flagged_for_staff(sim, reader, demo_site):
    sim.lay("pua")
    (cred,) = read_card(reader)
    assert cred.name_flagged
    CheckIn(demo_site).handle(cred, NOW)
    assert NewcomerCard.get().name_flagged


@pytest.mark.parametrize("name, kind", [("expired", "expired_card"), ("bad_check", "invalid_card")])
def test_expired_and_bad_cards_do_not_sign_in(sim, reader, demo_site, name, kind):
    sim.lay(name)
    (cred,) = read_card(reader)
    assert CheckIn(demo_site).handle(cred, NOW).kind == kind
    assert SignIn.select().where(SignIn.at == NOW).count() == 0


@pytest.mark.parametrize("halt", [False, True], ids=["find-keeps-9F", "halt-after-read"])
def test_a_card_left_for_a_minute_is_read_once(sim, reader, halt):
    # A minute of polls at the real 100 ms rate is 600 finds.
    sim.behaviour.halt_after_read = halt
    sim.lay("resident")
    creds = []
    while sim.counts.get("find", 0) < 600:
        creds += reader.poll()
    assert creds == [expected("resident")]
    assert sim.counts["read"] == 1


def test_lifting_and_laying_again_is_a_new_read(sim, reader):
    sim.lay("resident")
    assert read_card(reader)
    sim.lift()
    assert reader.poll() == []
    sim.lay("resident")
    assert read_card(reader) == [expected("resident")]


def test_laying_another_card_in_its_place_reads_it(sim, reader):
    sim.lay("resident")
    read_card(reader)
    sim.lay("hmt")
    assert read_card(reader) == [expected("hmt")]


def test_fingerprint_reads_give_the_same_card(sim):
    r = IdCardReader("idcard", sim.path, 115200, poll_interval_s=0, fingerprint=True)
    r.open()
    try:
        for name in ("longterm", "resident"):  # 1024 and 0 bytes of fingerprint
            sim.lay(name)
            assert read_card(r) == [expected(name)]
    finally:
        r.close()


@pytest.mark.parametrize(
    "knob, value", [("fragment", 7), ("fragment", 1), ("garbage_before", b"\x00\xaa\x13"), ("pace_baud", 115200)]
)
def test_awkward_wires_still_give_the_card(sim, reader, knob, value):
    setattr(sim.behaviour, knob, value)
    sim.lay("rare")
    assert read_card(reader) == [expected("rare")]


def test_corrupted_replies_are_faults_not_cards(sim, reader):
    sim.behaviour.corrupt_next = 3  # the find, select and read replies
    sim.lay("resident")
    creds = read_card(reader)
    assert creds == [expected("resident")]  # read once the line is clean again
    assert any("checksum" in f for f in reader.faults)


def test_a_sam_fault_reads_nothing_and_is_reported_until_it_clears(sim, reader):
    sim.behaviour.sam_fault = True
    sim.lay("resident")
    idcard.SAM_FAULT_PAUSE_S, pause = 0, idcard.SAM_FAULT_PAUSE_S
    try:
        assert all(reader.poll() == [] for _ in range(5))
        assert any("0x60" in f for f in reader.faults)
        sim.behaviour.sam_fault = False
        assert read_card(reader) == [expected("resident")]
    finally:
        idcard.SAM_FAULT_PAUSE_S = pause


def test_the_port_is_locked_against_a_second_kiosk(sim, reader):
    with pytest.raises(serial.SerialException):
        IdCardReader("other", sim.path).open()


def test_unplugging_surfaces_as_an_oserror(sim, reader):
    sim.unplug()
    with pytest.raises(OSError):
        for _ in range(100):
            reader.poll()


def test_the_manager_reconnects_after_replug_and_reads_again(sim):
    cards, states, changed = [], [], threading.Condition()

    def deliver(cred):
        with changed:
            cards.append(cred)
            changed.notify_all()

    def health(h):
        with changed:
            states.append(h)
            changed.notify_all()

    manager = DeviceManager([IdCardReader("idcard", sim.path, poll_interval_s=0.01)], deliver, health)
    manager.start()
    try:

        def wait(cond):
            with changed:
                assert changed.wait_for(cond, 10)

        wait(lambda: states and states[-1].connected)
        sim.unplug()
        wait(lambda: not states[-1].connected)
        assert manager.health()[0].disconnects == 1 and manager.health()[0].state() == "absent"
        sim.replug()
        wait(lambda: states[-1].connected)
        sim.lay("foreign2023")
        wait(lambda: cards)
        assert cards == [expected("foreign2023")]
        assert manager.health()[0].reads == 1 and manager.health()[0].last_read is not None
    finally:
        manager.stop()


def test_an_absent_reader_does_not_stop_the_manager(tmp_path):
    states, changed = [], threading.Condition()

    def health(h):
        with changed:
            states.append(h)
            changed.notify_all()

    manager = DeviceManager([IdCardReader("idcard", str(tmp_path / "no-such-port"))], print, health)
    manager.start()
    with changed:
        assert changed.wait_for(lambda: states and states[-1].last_error, 10)
    manager.stop()
    assert not manager.health()[0].connected
    assert not manager.threads[0].thread.is_alive()


# -- the simulator's other commands ----------------------------------------------------------------


@pytest.mark.parametrize(
    "cmd, sw3, size",
    [
        (sam.SAM_ID, sam.OK, 16),
        (sam.RESET, sam.OK, 0),
        ((0x60, 0x04), sam.OK, 0),
        ((0x61, 0xFF), sam.OK, 0),
        ((0x77, 0x01), sam.BAD_COMMAND, 0),
    ],
)
def test_the_simulator_answers_the_command_set(sim, reader, cmd, sw3, size):
    sw, data = reader.ask(cmd, 2)
    assert (sw, len(data)) == (sw3, size)


def test_appended_address_with_and_without_content(sim, reader):
    with_extra = next(n for n, p in PROFILES.items() if p.extra_address)
    sim.lay(with_extra)
    sw, data = reader.ask(sam.READ_ADDRESS, 2)
    assert sw == sam.OK and data.decode("utf-16-le").strip() == PROFILES[with_extra].extra_address
    sim.lay(next(n for n, p in PROFILES.items() if p.extra_address is None))
    assert reader.ask(sam.READ_ADDRESS, 2)[0] == sam.NO_CONTENT


@pytest.mark.parametrize("answer", [True, False])
def test_a_corrupted_command_gets_an_error_or_silence(sim, reader, answer):
    sim.behaviour.answer_bad_frames = answer
    bad = bytearray(sam.command(sam.FIND))
    bad[-1] ^= 1
    # The bad command, then a good one: what comes back before the good one's reply tells.
    reader.serial.write(bytes(bad) + sam.command(sam.SAM_STATUS))
    replies = []
    deadline = time.monotonic() + 5
    while sam.OK not in replies and time.monotonic() < deadline:
        replies += [f.as_response()[0] for f in reader.frames.feed(reader.serial.read(64))]
    assert replies == ([sam.BAD_CHECKSUM, sam.OK] if answer else [sam.OK])


# -- properties: random bytes from the "reader" never crash the driver or make a card -------------


@hsettings(max_examples=40, deadline=None)
@given(st.lists(st.binary(max_size=400), min_size=1, max_size=8))
def test_random_replies_never_crash_and_never_make_a_card(tmp_path_factory, replies):
    port = VirtualPort()
    r = IdCardReader("idcard", port.path, poll_interval_s=0)
    r.on_fault = lambda reason: None
    idcard.FIND_TIMEOUT_S, idcard.READ_TIMEOUT_S, saved = 0.05, 0.05, (idcard.FIND_TIMEOUT_S, idcard.READ_TIMEOUT_S)
    try:
        r.open()
        for reply in replies:
            port.write(reply)
            assert all(c.id_number == "" for c in r.poll())
    finally:
        idcard.FIND_TIMEOUT_S, idcard.READ_TIMEOUT_S = saved
        r.close()
        port.close()


@hsettings(max_examples=300, deadline=None)
@given(st.binary(max_size=1400), st.booleans())
def test_random_read_payloads_never_raise(data, fingerprint):
    text = idcard._text_block(data, fingerprint)
    if text is not None:
        try:
            cardtext.decode(text)
        except cardtext.CardTextError:
            pass
