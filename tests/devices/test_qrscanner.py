"""Serial QR scanners: the splitter on its own, then the real driver against a simulated scanner
on a pty, with Chinese payloads and unplugging (docs/idcard-reader.md §2.1, §4, §5.3)."""

import io
import os
import threading
import time

import pytest
import serial
from hypothesis import given
from hypothesis import strategies as st

from devices.qrscanner import QrScanner, Splitter
from devices.sim.qr import QrSim, run, run_commands
from kiosk.identity.credentials import Credential

from .conftest import read_card

TOKEN = "YL1-DM0001-1-K3J5QX2M7RT4BW6Y"
GAP = 0.08


def splitter() -> Splitter:
    return Splitter(idle_gap_s=GAP, max_length=64)


# --- the splitter ---------------------------------------------------------------------------


@pytest.mark.parametrize("terminator", [b"\r", b"\n", b"\r\n"])
def test_each_terminator_ends_a_scan(terminator):
    s = splitter()
    assert s.feed(TOKEN.encode() + terminator + b"B2" + terminator, 1.0) == [TOKEN, "B2"]


def test_crlf_split_across_reads_gives_no_extra_scan():
    s = splitter()
    assert s.feed(b"ABC\r", 1.0) == ["ABC"]
    assert s.feed(b"\nDEF\r", 1.01) == ["DEF"]
    assert s.flush(5.0) == []


def test_leading_cr_lf_of_a_payload_are_stripped():
    s = splitter()
    assert s.feed(b"\r\n\rABC\r", 1.0) == ["ABC"]


def test_terminator_alone_and_whitespace_make_no_scan():
    s = splitter()
    assert s.feed(b"\r\n\r \t\x00\r", 1.0) == []
    assert s.feed(b" \x00 ABC \x00\r", 1.0) == ["ABC"]


def test_a_scan_arriving_in_pieces_is_assembled():
    s = splitter()
    assert s.feed(b"YL1-", 1.0) == []
    assert s.feed(b"DM00", 1.01) == []
    assert s.feed(b"01\r", 1.02) == ["YL1-DM0001"]


def test_no_terminator_ends_on_the_idle_gap():
    s = splitter()
    assert s.feed(b"ABC", 10.0) == []
    assert s.flush(10.0 + GAP / 2) == []
    assert s.feed(b"DEF", 10.0 + GAP / 2) == []  # still the same scan
    assert s.flush(10.0 + GAP) == []  # the gap counts from the latest byte
    assert s.flush(10.0 + GAP / 2 + GAP) == ["ABCDEF"]
    assert s.flush(20.0) == []  # given once


def test_bytes_after_a_gap_start_a_new_scan_even_without_flush():
    s = splitter()
    assert s.feed(b"ABC", 10.0) == []
    assert s.feed(b"DEF\r", 10.0 + 2 * GAP) == ["ABC", "DEF"]


def test_idle_gap_zero_waits_for_a_terminator():
    s = Splitter(idle_gap_s=0)
    assert s.feed(b"ABC", 1.0) == []
    assert s.flush(1000.0) == []
    assert s.feed(b"\r", 1001.0) == ["ABC"]


def test_utf8_chinese():
    s = splitter()
    assert s.feed("京A12345中文\r".encode(), 1.0) == ["京A12345中文"]
    assert s.undecodable == 0


def test_gbk_chinese():
    s = splitter()
    assert s.feed("京A12345中文\r".encode("gbk"), 1.0) == ["京A12345中文"]
    assert s.undecodable == 0


def test_undecodable_bytes_are_passed_on_replaced_and_reported():
    faults = []
    s = Splitter(GAP, on_fault=faults.append)
    assert s.feed(b"AB\xff\xfeC\r", 1.0) == ["AB\ufffd\ufffdC"]
    assert s.undecodable == 1
    assert faults == ["scan of 5 bytes is neither UTF-8 nor GBK"]


def test_oversized_input_is_dropped_up_to_its_terminator():
    faults = []
    s = Splitter(GAP, max_length=8, on_fault=faults.append)
    assert s.feed(b"12345678", 1.0) == []  # exactly the limit is kept
    assert s.feed(b"\r", 1.0) == ["12345678"]
    assert s.feed(b"0123456789ABCDEF", 1.0) == []
    assert s.feed(b"GHIJ" * 1000, 1.0) == []
    assert len(s._buf) <= 8  # memory stays bounded while it streams
    assert s.feed(b"tail\rOK\r", 1.0) == ["OK"]  # the end of the garbage is not a scan
    assert s.oversized == 1
    assert len(faults) == 1


def test_oversized_input_without_terminator_recovers_after_the_gap():
    s = Splitter(GAP, max_length=8)
    assert s.feed(b"X" * 100, 1.0) == []
    assert s.flush(1.0 + GAP) == []
    assert s.feed(b"OK\r", 2.0) == ["OK"]
    assert s.oversized == 1


def test_reset_forgets_a_partial_scan():
    s = splitter()
    s.feed(b"HALF", 1.0)
    s.reset()
    assert s.feed(b"WHOLE\r", 1.01) == ["WHOLE"]


def chop(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts})
    edges = [0, *points, len(data)]
    return [data[a:b] for a, b in zip(edges, edges[1:])]


@given(st.binary(max_size=300), st.lists(st.integers(min_value=0), max_size=20), st.integers(min_value=1, max_value=80))
def test_any_byte_stream_gives_clean_nonempty_texts(data, cuts, max_length):
    s = Splitter(GAP, max_length=max_length)
    texts = [t for chunk in chop(data, cuts) for t in s.feed(chunk, 1.0)] + s.flush(1.0 + GAP)
    for text in texts:
        assert isinstance(text, str) and text
        assert text == text.strip() and "\r" not in text and "\n" not in text
        assert text[0] != "\x00" and text[-1] != "\x00"
    # Where the reads break the stream never matters.
    whole = Splitter(GAP, max_length=max_length)
    assert texts == whole.feed(data, 1.0) + whole.flush(1.0 + GAP)


payload = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\r\n"), min_size=1, max_size=40).filter(
    lambda t: not t[0].isspace() and not t[-1].isspace() and "\x00" not in (t[0], t[-1])
)


@given(
    st.lists(st.tuples(payload, st.sampled_from([b"\r", b"\n", b"\r\n"])), max_size=10),
    st.lists(st.integers(min_value=0), max_size=30),
)
def test_terminated_payloads_come_back_exactly_however_chopped(scans, cuts):
    data = b"".join(text.encode("utf-8") + term for text, term in scans)
    s = Splitter(GAP)
    texts = [t for chunk in chop(data, cuts) for t in s.feed(chunk, 1.0)]
    assert texts == [text for text, _ in scans]
    assert s.flush(1.0 + GAP) == []
    assert s.undecodable == s.oversized == 0


# --- the driver on a pty ----------------------------------------------------------------------


@pytest.fixture
def sim(tmp_path):
    sim = QrSim(str(tmp_path / "qr0"))
    yield sim
    sim.close()


def open_scanner(path: str) -> QrScanner:
    scanner = QrScanner("qr", path, 9600, idle_gap_ms=200)  # generous: a loaded CI box
    scanner.open()
    return scanner


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_driver_reads_a_chinese_scan(sim, encoding):
    scanner = open_scanner(sim.path)
    try:
        sim.scan("京A12345中文", encoding=encoding)
        assert read_card(scanner) == [Credential.qr("京A12345中文")]
    finally:
        scanner.close()


def test_driver_reads_trickled_scans_and_a_leading_cr(sim):
    sim = QrSim(port=sim.port, chunk=3, delay=0.002)
    scanner = open_scanner(sim.path)
    try:
        sim.scan(TOKEN, terminator=b"\r\n", leading=b"\r")
        sim.scan("第二张", terminator=b"\n")
        got = []
        deadline = time.monotonic() + 3
        while len(got) < 2 and time.monotonic() < deadline:
            got += scanner.poll()
        assert got == [Credential.qr(TOKEN), Credential.qr("第二张")]
    finally:
        scanner.close()


def test_driver_splits_on_the_idle_gap_without_terminator(sim):
    scanner = open_scanner(sim.path)
    try:
        sim.scan("NO-TERMINATOR", terminator=b"")
        assert read_card(scanner) == [Credential.qr("NO-TERMINATOR")]
    finally:
        scanner.close()


def test_driver_reports_faults(sim):
    scanner = QrScanner("qr", sim.path, 9600, idle_gap_ms=200)
    faults = []
    scanner.on_fault = faults.append  # as the manager does, after construction
    scanner.open()
    try:
        sim.scan_bytes(b"\xff\xfe\r")
        assert read_card(scanner) == [Credential.qr("\ufffd\ufffd")]
        assert faults == ["scan of 2 bytes is neither UTF-8 nor GBK"]
    finally:
        scanner.close()


def test_bytes_sent_before_open_are_not_a_scan(sim):
    sim.scan("STALE")
    scanner = open_scanner(sim.path)
    try:
        sim.scan("FRESH")
        assert read_card(scanner) == [Credential.qr("FRESH")]
    finally:
        scanner.close()


def test_unplug_raises_and_replug_opens_again_on_the_same_link(sim):
    scanner = open_scanner(sim.path)
    sim.unplug()
    with pytest.raises((serial.SerialException, OSError)):
        read_card(scanner)
    scanner.close()
    with pytest.raises((serial.SerialException, OSError)):
        open_scanner(sim.path)  # the by-id link is gone while unplugged
    sim.replug()
    again = open_scanner(sim.path)
    try:
        sim.scan(TOKEN)
        assert read_card(again) == [Credential.qr(TOKEN)]
    finally:
        again.close()


def test_a_second_driver_cannot_share_the_port(sim):
    scanner = open_scanner(sim.path)
    try:
        with pytest.raises(serial.SerialException):
            open_scanner(sim.path)
    finally:
        scanner.close()


# --- the simulator's commands -----------------------------------------------------------------


def read_exactly(port: serial.Serial, n: int, deadline_s: float = 3.0) -> bytes:
    data = b""
    deadline = time.monotonic() + deadline_s
    while len(data) < n and time.monotonic() < deadline:
        data += port.read(n - len(data))
    return data


def test_commands_send_the_right_bytes(sim):
    out = io.StringIO()
    with serial.Serial(sim.path, timeout=0.05) as port:
        run_commands(
            sim,
            [
                "# a comment, then a blank line",
                "",
                "scan AB",
                "scan-lf C D",
                "scan-crlf E",
                "scan-none F",
                "scan-gbk 京",
                "raw 0d0a 41",
                "frobnicate",
                "raw zz",
                "scan",
                "quit",
                "scan NEVER",
            ],
            out,
        )
        expected = b"AB\rC D\nE\r\nF" + "京".encode("gbk") + b"\r" + b"\r\nA"
        assert read_exactly(port, len(expected)) == expected
        assert port.in_waiting == 0  # nothing after quit (writes are synchronous)
    text = out.getvalue()
    assert "unknown command 'frobnicate'" in text and "scan-gbk TEXT" in text
    assert "raw: non-hexadecimal number" in text
    assert "scan: give the text to scan" in text


def test_commands_unplug_and_replug(sim):
    out = io.StringIO()
    run_commands(sim, ["unplug", "scan LOST", "replug"], out)
    assert out.getvalue().splitlines() == ["unplugged", "scan: the scanner is unplugged", f"replugged on {sim.path}"]
    assert os.path.islink(sim.path)


def test_run_drives_a_real_scanner_from_stdin(tmp_path):
    """The command line as `python -m devices.sim qr --link PATH` runs it, in a thread."""
    link = str(tmp_path / "qr-by-id")
    cmd_r, cmd_w = os.pipe()
    out_r, out_w = os.pipe()
    stdin, commands = os.fdopen(cmd_r, encoding="utf-8"), os.fdopen(cmd_w, "w", encoding="utf-8")
    stdout, replies = os.fdopen(out_w, "w", encoding="utf-8"), os.fdopen(out_r, encoding="utf-8")
    result = {}
    thread = threading.Thread(target=lambda: result.update(rc=run(link, None, stdin, stdout)))
    thread.start()

    def say(line: str) -> str:
        commands.write(line + "\n")
        commands.flush()
        return replies.readline().rstrip("\n")

    try:
        assert replies.readline() == f"QR scanner on {link}   (type `help` for commands)\n"
        scanner = open_scanner(link)
        assert say("scan-gbk 京A12345") == "sent 9 bytes"  # 2 + 6 + CR
        assert read_card(scanner) == [Credential.qr("京A12345")]
        assert say("unplug") == "unplugged"
        with pytest.raises((serial.SerialException, OSError)):
            read_card(scanner)
        scanner.close()
        assert say("replug") == f"replugged on {link}"
        scanner = open_scanner(link)
        say("scan YL1-DM0001")
        assert read_card(scanner) == [Credential.qr("YL1-DM0001")]
        scanner.close()
        commands.write("quit\n")
        commands.flush()
        thread.join(5)
        assert result == {"rc": 0}
        assert not os.path.lexists(link)  # the simulator unplugged on the way out
    finally:
        commands.close()
        thread.join(5)
        for f in (stdin, stdout, replies):
            f.close()


def test_run_reads_a_script(tmp_path):
    script = tmp_path / "scans.txt"
    script.write_text("# demo\nscan A1\nbogus\nwait 0\n", encoding="utf-8")
    out = io.StringIO()
    assert run(str(tmp_path / "qr"), str(script), stdout=out) == 0
    lines = out.getvalue().splitlines()
    assert lines[0].startswith(f"QR scanner on {tmp_path / 'qr'} ")
    assert lines[1] == "sent 3 bytes"
    assert lines[2] == "unknown command 'bogus'"
    assert lines[-1] == "waited 0.0 s"


def test_reopening_forgets_a_partial_scan(sim):
    scanner = QrScanner("qr", sim.path, 9600, idle_gap_ms=0)  # no idle gap: HALF would wait
    scanner.open()
    sim.scan("HALF", terminator=b"")
    deadline = time.monotonic() + 3
    while scanner.splitter._buf != b"HALF" and time.monotonic() < deadline:
        assert scanner.poll() == []
    assert scanner.splitter._buf == b"HALF"
    scanner.close()
    scanner.open()
    try:
        sim.scan("WHOLE")
        assert read_card(scanner) == [Credential.qr("WHOLE")]
    finally:
        scanner.close()
