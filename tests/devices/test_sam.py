"""SAM frames: the byte-exact frames of docs/idcard-reader.md §1.5, and a parser that garbage,
truncation, corruption and interleaving never crash and never fool."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devices import sam

H = bytes.fromhex

# docs/idcard-reader.md §1.5 and §1.4, byte for byte (every XOR re-checked).
COMMANDS = [
    (sam.FIND, "AA AA AA 96 69 00 03 20 01 22"),
    (sam.SELECT, "AA AA AA 96 69 00 03 20 02 21"),
    (sam.READ_BASE, "AA AA AA 96 69 00 03 30 01 32"),
    (sam.SAM_STATUS, "AA AA AA 96 69 00 03 11 FF ED"),
    (sam.RESET, "AA AA AA 96 69 00 03 10 FF EC"),
    (sam.SAM_ID, "AA AA AA 96 69 00 03 12 FF EE"),
    (sam.READ_ADDRESS, "AA AA AA 96 69 00 03 30 03 30"),
    (sam.READ_FINGER, "AA AA AA 96 69 00 03 30 10 23"),
    ((0x60, 0x04), "AA AA AA 96 69 00 03 60 04 67"),
]
REPLIES = [
    ("AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97", sam.FOUND, bytes(4)),
    ("AA AA AA 96 69 00 04 00 00 80 84", sam.NOT_FOUND, b""),
    ("AA AA AA 96 69 00 0C 00 00 90 00 00 00 00 00 00 00 00 9C", sam.OK, bytes(8)),
    ("AA AA AA 96 69 00 04 00 00 81 85", sam.NOT_SELECTED, b""),
    ("AA AA AA 96 69 00 04 00 00 41 45", sam.READ_FAILED, b""),
    ("AA AA AA 96 69 00 04 00 00 90 94", sam.OK, b""),
    ("AA AA AA 96 69 00 04 00 00 60 64", sam.SAM_SELF_TEST_FAILED, b""),
]


@pytest.mark.parametrize("cmd, wire", COMMANDS)
def test_commands_are_byte_exact(cmd, wire):
    assert sam.command(cmd) == H(wire)


def test_the_rf_frame_size_command_with_data_is_byte_exact():
    assert sam.command((sam.SET_RF_MAX, 0xFF), b"\x50") == H("AA AA AA 96 69 00 04 61 FF 50 CA")


@pytest.mark.parametrize("wire, sw3, data", REPLIES)
def test_replies_parse_and_rebuild_byte_exact(wire, sw3, data):
    frames = sam.FrameReader().feed(H(wire))
    assert [f.as_response() for f in frames] == [(sw3, data)]
    assert sam.response(sw3, data) == H(wire)


def test_a_full_read_reply_is_1295_bytes_with_the_published_header():
    reply = sam.response(sam.OK, H("0100 0400") + bytes(256) + bytes(1024))
    assert len(reply) == 1295
    assert reply[:14] == H("AA AA AA 96 69 05 08 00 00 90 01 00 04 00")
    (frame,) = sam.FrameReader().feed(reply)
    assert frame.as_response()[1][4:260] == bytes(256)


def test_commands_parse_back_to_cmd_para_and_data():
    (frame,) = sam.FrameReader().feed(sam.command((0x61, 0xFF), b"\x50"))
    assert frame.as_command() == ((0x61, 0xFF), b"\x50")


def test_a_frame_split_anywhere_comes_out_once():
    wire = H(REPLIES[0][0])
    for cut in range(1, len(wire)):
        reader = sam.FrameReader()
        assert reader.feed(wire[:cut]) == []
        assert [f.as_response() for f in reader.feed(wire[cut:])] == [(sam.FOUND, bytes(4))]


def test_garbage_before_a_frame_is_skipped_and_counted():
    reader = sam.FrameReader()
    frames = reader.feed(b"\x00\xaa\xaa\x13\x37" + sam.response(sam.OK))
    assert [f.as_response() for f in frames] == [(sam.OK, b"")]
    assert reader.skipped == 5


def test_a_bad_checksum_is_dropped_and_the_next_frame_still_found():
    bad = bytearray(sam.response(sam.FOUND, bytes(4)))
    bad[-1] ^= 0xFF
    reader = sam.FrameReader()
    frames = reader.feed(bytes(bad) + sam.response(sam.NOT_FOUND))
    assert [f.as_response() for f in frames] == [(sam.NOT_FOUND, b"")]
    assert reader.bad_checksums == 1


def test_an_impossible_length_is_dropped():
    reader = sam.FrameReader()
    frames = reader.feed(sam.PREAMBLE + b"\xff\xff\x00" + sam.response(sam.OK))
    assert [f.as_response() for f in frames] == [(sam.OK, b"")]
    assert reader.bad_lengths == 1


def test_status_bytes_other_than_00_00_are_not_success():
    (frame,) = sam.FrameReader().feed(sam.frame(b"\x01\x00\x90"))
    assert frame.as_response()[0] == 0


# -- properties ----------------------------------------------------------------------------------

GOOD = st.sampled_from(
    [sam.response(sw, data) for _, sw, data in REPLIES]
    + [sam.response(sam.OK, H("0100 0400") + bytes(range(256)) + bytes(1024))]
)


def chopped(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts})
    return [data[a:b] for a, b in zip([0] + points, points + [len(data)])]


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=3000), st.lists(st.integers(0, 3000), max_size=20))
def test_random_bytes_never_crash_and_any_frame_out_checks(data, cuts):
    reader = sam.FrameReader()
    for piece in chopped(data, cuts):
        for f in reader.feed(piece):
            # Anything that comes out was framed and checksummed: rebuilding it gives a frame.
            assert sam.frame(f.payload[:3], f.payload[3:]) in data or len(f.payload) < 3
    assert reader.pending() <= len(data)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(GOOD, min_size=1, max_size=5),
    st.lists(st.binary(max_size=40), max_size=6),
    st.lists(st.integers(0, 8000), max_size=30),
)
def test_good_frames_survive_garbage_between_them(frames, noise, cuts):
    # Noise without a preamble between frames, the stream chopped at random: every frame is found.
    noise = [n.replace(b"\xaa", b"\x00") for n in noise]
    stream = b"".join(f + (noise[i] if i < len(noise) else b"") for i, f in enumerate(frames))
    reader = sam.FrameReader()
    out = [f for piece in chopped(stream, cuts) for f in reader.feed(piece)]
    assert [sam.frame(f.payload[:3], f.payload[3:]) for f in out] == frames


@settings(max_examples=300, deadline=None)
@given(GOOD, st.integers(min_value=5), st.integers(1, 255))
def test_a_corrupted_byte_after_the_preamble_never_yields_that_frame(frame, at, flip):
    at = 5 + at % (len(frame) - 5)
    bad = bytearray(frame)
    bad[at] ^= flip
    out = sam.FrameReader().feed(bytes(bad))
    assert frame not in [sam.frame(f.payload[:3], f.payload[3:]) for f in out]


@settings(max_examples=200, deadline=None)
@given(GOOD, st.integers(min_value=1))
def test_a_truncated_frame_yields_nothing(frame, keep):
    assert sam.FrameReader().feed(frame[: keep % len(frame)]) == []
