"""The voice: numbers read in Mandarin, phrases assembled from the pack, played by a real player process.

Players in these tests are real processes: aplay on ALSA's null device, and small shell scripts that
report through fifos when they start and wait on a fifo until the test releases them, so that no test
sleeps to synchronise.
"""

import array
import io
import logging
import math
import os
import re
import select
import shlex
import shutil
import stat
import wave
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk import config
from screens.support import voice
from screens.support.numbers_zh import number_text
from screens.support.voice import PAUSE_S, PHRASES, RATE, Pack, Voice, clip_texts, number_clips, phrase
from tools.checkout import ROOT

PACK = ROOT / "assets" / "voice" / "zh_CN"
WAIT_S = 30  # a bound for waiting on the worker; reached only when a test fails
FULL = 32767


# --- Numbers ---------------------------------------------------------------------------------------

KNOWN = {
    0: "零",
    1: "一",
    2: "两",
    3: "三",
    9: "九",
    10: "十",
    11: "十一",
    12: "十二",
    19: "十九",
    20: "二十",
    22: "二十二",
    99: "九十九",
    100: "一百",
    101: "一百零一",
    102: "一百零二",
    105: "一百零五",
    110: "一百一十",
    111: "一百一十一",
    120: "一百二十",
    200: "两百",
    222: "两百二十二",
    999: "九百九十九",
    1000: "一千",
    1001: "一千零一",
    1005: "一千零五",
    1010: "一千零一十",
    1050: "一千零五十",
    1100: "一千一百",
    1200: "一千二百",
    2000: "两千",
    2002: "两千零二",
    2020: "两千零二十",
    9909: "九千九百零九",
    10000: "一万",
    10001: "一万零一",
    10010: "一万零一十",
    10100: "一万零一百",
    11000: "一万一千",
    12000: "一万二千",
    20000: "两万",
    20200: "两万零二百",
    22222: "两万二千二百二十二",
    30303: "三万零三百零三",
    99999: "九万九千九百九十九",
    -1: "负一",
    -2: "负二",
    -12: "负十二",
    -200: "负两百",
    -99999: "负九万九千九百九十九",
}

ZH_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
ZH_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000}


def parse_zh(text: str) -> int:
    """An independent reader of Chinese numerals: each digit times the unit after it, plus the last digit."""
    sign = -1 if text.startswith("负") else 1
    total, digit = 0, None
    for ch in text.removeprefix("负"):
        if ch in ZH_UNITS:
            total += (1 if digit is None else digit) * ZH_UNITS[ch]
            digit = None
        else:
            digit = ZH_DIGITS[ch]
    return sign * (total + (digit or 0))


# Not the shape of a reading (after 负): 一十 at the start, 零 at the end or twice in a row,
# 两 other than first before 百/千/万 or alone, 二 first before 百/千/万.
MALFORMED = re.compile(r"^一十|.零$|零零|.两|两[^百千万]|^二[百千万]")


@pytest.mark.parametrize("n, text", sorted(KNOWN.items()))
def test_known_readings(n, text):
    assert number_text(n) == text


def test_every_number_reads_back_to_itself_and_is_well_formed():
    for n in range(-99_999, 100_000):
        text = number_text(n)
        assert parse_zh(text) == n, text
        assert not MALFORMED.search(text.removeprefix("负")), (n, text)


@given(st.integers(min_value=-99_999, max_value=99_999))
def test_number_clips_say_the_reading_with_clips_of_the_pack(n):
    texts = clip_texts(PACK)
    assert "".join(texts[c] for c in number_clips(n)) == number_text(n)


@pytest.mark.parametrize("n", [100_000, -100_000, 10**9])
def test_numbers_out_of_range_are_refused(n):
    with pytest.raises(ValueError):
        number_text(n)


# --- Phrases ---------------------------------------------------------------------------------------

PHRASE_KEYS = {
    "enrol_needs_id",
    "enrol_refused",
    "enrol_too_many",
    "enrol_won",
    "enrol_waitlisted",
    "enrol_not_won",
    "notice_notice",
    "notice_suspend",
    "notice_move",
    "ok",
    "already",
    "already_ask",
    "not_due",
    "not_enrolled",
    "not_registered",
    "unknown_card",
    "unknown_id",
    "invalid_card",
    "expired_card",
    "error",
    "choose",
    "points_prompt",
    "points_balance",
    "activities",
    "courses_prompt",
    "courses",
    "settings_prompt",
    "signed_up",
    "waitlisted",
    "cancelled",
    "promoted",
    "more_time",
    "goodbye",
    "large_text_on",
    "large_text_off",
    "voice_on",
    "voice_off",
}


def clips_of(parts) -> list[str]:
    return [c for p in parts for c in ([p] if isinstance(p, str) else p)]


def test_the_phrases_are_the_agreed_ones():
    assert set(PHRASES) == PHRASE_KEYS


@pytest.mark.parametrize("name", sorted(PHRASE_KEYS))
def test_every_phrase_resolves_to_clips_in_the_pack(name):
    numbers = {"n": 12_345} if name == "points_balance" else {}
    for clip in clips_of(phrase(name, **numbers)):
        assert (PACK / f"{clip}.wav").is_file(), clip


def test_phrases_say_their_text():
    texts = clip_texts(PACK)

    def said(name, **numbers):
        return "，".join("".join(texts[c] for c in ([p] if isinstance(p, str) else p)) for p in phrase(name, **numbers))

    assert said("ok") == said("ok", gained=0) == said("ok", gained=-3) == "签到成功"
    assert said("ok", gained=2) == "签到成功，积分加，两分"
    assert said("points_balance", n=105) == "您的积分是，一百零五分"
    assert said("points_balance", n=-20) == "您的积分是，负二十分"
    assert said("unknown_card") == "未能识别，请找工作人员"
    assert said("voice_off") == "声音已关闭"
    assert said("already") == "您已经签到了，不用再刷了，请直接过去"
    assert said("already_ask") == "您已经签到了，还有别的可以签到，要签到吗"


def test_phrase_mistakes_are_refused():
    with pytest.raises(KeyError):
        phrase("no_such_phrase")
    with pytest.raises(ValueError, match="n="):
        phrase("points_balance")
    with pytest.raises(ValueError, match="gaind"):
        phrase("ok", gaind=5)
    with pytest.raises(ValueError):
        phrase("points_balance", n=100_000)


# --- The pack and assembly -------------------------------------------------------------------------


def read_wav(source: bytes | Path) -> tuple[wave._wave_params, array.array]:
    with wave.open(io.BytesIO(source) if isinstance(source, bytes) else str(source)) as w:
        return w.getparams(), array.array("h", w.readframes(w.getnframes()))


def tone(hz: float, seconds: float, rate: int, amplitude: float) -> list[float]:
    return [amplitude * math.sin(2 * math.pi * hz * i / rate) for i in range(round(seconds * rate))]


def write_wav(path: Path, values: list[float], rate: int, channels: int = 1, width: int = 2) -> None:
    """`values` (-1..1) as a PCM WAV; a second channel carries them at half the level."""
    top = 2 ** (8 * width - 1) - 1
    frames = bytearray()
    for v in values:
        for level in (v, v / 2)[:channels]:
            frames += (
                bytes([round(128 + 127 * level)])
                if width == 1
                else round(level * top).to_bytes(width, "little", signed=True)
            )
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(width)
        w.setframerate(rate)
        w.writeframes(bytes(frames))


def crossings(samples: array.array) -> int:
    return sum(1 for a, b in zip(samples, samples[1:]) if (a < 0) != (b < 0))


def pause() -> array.array:
    return array.array("h", bytes(2 * round(PAUSE_S * RATE)))


def warnings(caplog, text: str = "") -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING and text in r.getMessage()]


def test_every_clip_of_clips_toml_is_in_the_pack_as_a_trimmed_non_silent_wav():
    texts = clip_texts(PACK)
    assert {p.stem for p in PACK.glob("*.wav")} == set(texts)
    assert sum(p.stat().st_size for p in PACK.glob("*.wav")) < 5_000_000
    for name, text in texts.items():
        assert re.fullmatch(r"[a-z0-9_]+", name)
        path = PACK / f"{name}.wav"
        params, samples = read_wav(path)
        assert (params.nchannels, params.sampwidth, params.framerate, params.comptype) == (1, 2, RATE, "NONE")
        syllables = len(re.findall(r"[\u4e00-\u9fff]", text))
        assert 0.15 * syllables <= len(samples) / RATE <= 0.5 * syllables + 0.3, name
        assert math.sqrt(sum(s * s for s in samples) / len(samples)) > 0.05 * FULL, name
        assert voice.read_clip(path) == samples, f"{name} has silence to trim"


def test_parts_are_said_in_order_with_a_pause_between_them():
    pack = Pack(PACK)
    params, samples = read_wav(pack.assemble(["ok", "points_add", ["num_5", "fen"]]))
    ok, add, five, fen = (pack.clip(n) for n in ("ok", "points_add", "num_5", "fen"))
    assert (params.nchannels, params.sampwidth, params.framerate) == (1, 2, RATE)
    assert samples == ok + pause() + add + pause() + five + fen
    assert len(samples) == len(ok) + len(add) + len(five) + len(fen) + 2 * round(PAUSE_S * RATE)
    assert pack.clip("ok") == read_wav(PACK / "ok.wav")[1]


@pytest.mark.parametrize(
    "rate, channels, width", [(RATE, 1, 2), (44100, 2, 2), (48000, 2, 3), (16000, 1, 4), (11025, 1, 1), (8000, 2, 1)]
)
def test_a_recorded_clip_in_any_pcm_format_replaces_the_generated_one(tmp_path, rate, channels, width):
    write_wav(tmp_path / "ok.wav", tone(440, 1.0, rate, 0.5), rate, channels, width)
    pack = Pack(PACK, tmp_path)
    ok = pack.clip("ok")
    assert abs(len(ok) / RATE - 1.0) < 0.01  # was 1.4 s generated
    level = 0.5 if channels == 1 else 0.375  # stereo is mixed down: (1 + 1/2) / 2
    assert abs(max(ok) / FULL - level) < 0.02
    assert abs(crossings(ok) - 880) < 10  # still 440 Hz
    assert read_wav(pack.assemble(["ok", "already"]))[1] == ok + pause() + Pack(PACK).clip("already")


def test_a_missing_clip_is_skipped_and_logged_once(caplog):
    pack = Pack(PACK)
    with caplog.at_level(logging.WARNING):
        first = pack.assemble(["ok", "no_such_clip", "already"])
        again = pack.assemble(["no_such_clip", "ok", "already"])
        in_number = pack.assemble(["points_is", ["num_1", "no_such_clip", "fen"]])
    assert first == again == pack.assemble(["ok", "already"])
    assert in_number == pack.assemble(["points_is", ["num_1", "fen"]])
    assert len(warnings(caplog, "no_such_clip")) == 1


def test_a_phrase_with_no_clip_left_is_a_soft_chime(caplog):
    pack = Pack(PACK)
    with caplog.at_level(logging.WARNING):
        assert pack.assemble(["gone", ["also_gone"]]) == voice.to_wav(voice.chime())
    assert pack.assemble([], volume=40) == voice.to_wav(voice.scale(voice.chime(), 40))
    assert len(warnings(caplog)) == 2


def amplitude_at(samples: array.array, hz: float) -> float:
    w = 2 * math.pi * hz / RATE
    re_ = sum(s * math.cos(w * i) for i, s in enumerate(samples))
    im = sum(s * math.sin(w * i) for i, s in enumerate(samples))
    return math.hypot(re_, im) / len(samples)


def test_the_chime_is_a_soft_chord_between_500_and_2000_hz():
    chime = voice.chime()
    assert 0.1 * FULL < max(map(abs, chime)) < 0.4 * FULL
    assert chime[0] == chime[-1] == 0  # starts and ends without a click
    chord = min(amplitude_at(chime, 660), amplitude_at(chime, 880))
    for hz in (300, 1500, 2500, 4000, 6000, 9000):
        assert amplitude_at(chime, hz) < chord / 1000, hz


CORRUPT = {
    "empty": b"",
    "not a wav": b"ID3\x04 an mp3 file",
    "cut in the header": (PACK / "ok.wav").read_bytes()[:30],
    "no data": (PACK / "ok.wav").read_bytes()[:44],
    "silent": None,
}


def write_corrupt(path: Path, kind: str) -> None:
    if kind == "silent":
        write_wav(path, [0.0] * RATE, RATE)
    else:
        path.write_bytes(CORRUPT[kind])


@pytest.mark.parametrize("kind", sorted(CORRUPT))
def test_an_unusable_recorded_clip_falls_back_to_the_generated_one(tmp_path, caplog, kind):
    write_corrupt(tmp_path / "ok.wav", kind)
    with caplog.at_level(logging.WARNING):
        assert Pack(PACK, tmp_path).assemble(["ok"]) == Pack(PACK).assemble(["ok"])
    assert len(warnings(caplog, str(tmp_path / "ok.wav"))) == 1


@pytest.mark.parametrize("kind", sorted(CORRUPT))
def test_an_unusable_generated_clip_is_skipped(tmp_path, caplog, kind):
    pack = tmp_path / "pack"
    shutil.copytree(PACK, pack)
    write_corrupt(pack / "ok.wav", kind)
    with caplog.at_level(logging.WARNING):
        assert Pack(pack).assemble(["ok", "already"]) == Pack(PACK).assemble(["already"])
    assert warnings(caplog, str(pack / "ok.wav"))


def test_a_clip_changed_on_disk_is_read_again(tmp_path):
    write_wav(tmp_path / "ok.wav", tone(440, 1.0, RATE, 0.5), RATE)
    pack = Pack(PACK, tmp_path)
    assert len(pack.clip("ok")) == pytest.approx(RATE, abs=RATE // 50)
    write_wav(tmp_path / "ok.wav", tone(440, 2.0, RATE, 0.5), RATE)
    assert len(pack.clip("ok")) == pytest.approx(2 * RATE, abs=RATE // 50)


def test_volume_scales_samples_without_clipping():
    loud = array.array("h", [FULL, -FULL - 1, 1001, -1001, 0])
    assert voice.scale(loud, 100) == loud
    assert voice.scale(loud, 150) == loud
    assert voice.scale(loud, 50) == array.array("h", [16383, -16384, 500, -501, 0])
    assert voice.scale(loud, 0) == array.array("h", bytes(10))
    full = max(map(abs, read_wav(Pack(PACK).assemble(["ok"]))[1]))
    quiet = max(map(abs, read_wav(Pack(PACK).assemble(["ok"], volume=30))[1]))
    assert quiet == pytest.approx(0.3 * full, abs=1)


# --- Playing through a real player process ---------------------------------------------------------


class Player:
    """A real player: a shell script that keeps a copy of its WAV, reports its pid through a fifo
    when it starts, then waits until the test releases it, then runs `then`."""

    def __init__(self, folder: Path, then: str = "exit 0"):
        folder.mkdir()
        self.folder = folder
        for fifo in ("started", "release"):
            os.mkfifo(folder / fifo)
        self._started = os.open(folder / "started", os.O_RDONLY | os.O_NONBLOCK)
        self._keep_open = os.open(folder / "started", os.O_WRONLY)  # the fifo never reports its end
        self._buffer = b""
        script = folder / "player.sh"
        q = shlex.quote
        script.write_text(
            f'#!/bin/sh\ncp "$1" {q(str(folder))}/$$.wav\necho $$ > {q(str(folder / "started"))}\n'
            f"read line < {q(str(folder / 'release'))}\n{then}\n"
        )
        script.chmod(script.stat().st_mode | stat.S_IXUSR)
        self.command = [str(script)]

    def wait_started(self) -> int:
        """The pid of the next player process to start."""
        while b"\n" not in self._buffer:
            ready, _, _ = select.select([self._started], [], [], WAIT_S)
            assert ready, "no player started"
            self._buffer += os.read(self._started, 100)
        line, self._buffer = self._buffer.split(b"\n", 1)
        return int(line)

    def release(self) -> None:
        """Let the waiting player go on (opening the fifo waits for it to be there)."""
        with open(self.folder / "release", "w") as f:
            f.write("go\n")

    def wav(self, pid: int) -> bytes:
        return (self.folder / f"{pid}.wav").read_bytes()

    def close(self) -> None:
        os.close(self._started)
        os.close(self._keep_open)


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


@pytest.fixture
def scratch(tmp_path) -> Path:
    folder = tmp_path / "scratch"
    folder.mkdir()
    return folder


@pytest.fixture
def make_voice(scratch):
    """Voice(settings) from the default [voice] settings with a given player; closed after the test."""
    made = []

    def make(player: list[str], scratch_dir: Path = scratch, hang_s: float = voice.HANG_S, **settings) -> Voice:
        made.append(
            Voice(
                SimpleNamespace(**vars(config.load().voice) | {"player": player} | settings), scratch_dir, hang_s=hang_s
            )
        )
        return made[-1]

    yield make
    for v in made:
        v.close()


@pytest.fixture
def player(tmp_path):
    p = Player(tmp_path / "player")
    yield p
    p.close()


APLAY = ["aplay", "-q", "-D", "null"]


def test_a_phrase_plays_through_aplay(make_voice, scratch, tmp_path, caplog):
    played = tmp_path / "played.wav"
    plain = make_voice(APLAY)
    keeping = make_voice(["sh", "-c", f'aplay -q -D null "$1" && cp "$1" {shlex.quote(str(played))}', "sh"])
    with caplog.at_level(logging.DEBUG, logger="screens.support.voice"):
        plain.say("points_balance", n=10_010)
        keeping.say("ok", gained=3)
        assert plain.wait_idle(WAIT_S) and keeping.wait_idle(WAIT_S)
    assert warnings(caplog) == []
    assert len([r for r in caplog.records if r.getMessage().startswith("voice: said")]) == 2
    assert played.read_bytes() == Pack(PACK).assemble(phrase("ok", gained=3), volume=80)
    assert list(scratch.iterdir()) == []  # the phrase's WAV is removed


def test_a_phrase_then_more_phrases_play_as_one(make_voice, tmp_path):
    # A sign-in with good news: 「签到成功，积分加 2 分」 then 「您候补的活动已经报上名了」, not cut off.
    played = tmp_path / "played.wav"
    keeping = make_voice(["sh", "-c", f'cp "$1" {shlex.quote(str(played))}', "sh"])
    keeping.say("ok", then=("promoted",), gained=2)
    assert keeping.wait_idle(WAIT_S)
    parts = phrase("ok", gained=2) + phrase("promoted")
    assert played.read_bytes() == Pack(PACK).assemble(parts, volume=80)


def test_say_returns_at_once_and_a_new_phrase_cuts_off_the_one_playing(make_voice, player, scratch, caplog):
    v = make_voice(player.command)
    with caplog.at_level(logging.WARNING):
        v.say("ok")  # returns while its player runs
        first = player.wait_started()
        v.say("already")
        second = player.wait_started()
        assert gone(first)
        player.release()
        assert v.wait_idle(WAIT_S)
    assert warnings(caplog) == []  # cutting off is no failure
    assert player.wav(first) == Pack(PACK).assemble(["ok"], volume=80)
    assert player.wav(second) == Pack(PACK).assemble(["already", "go_straight"], volume=80)
    assert list(scratch.iterdir()) == []


def test_close_stops_the_phrase_playing(make_voice, player):
    v = make_voice(player.command)
    v.say("ok")
    pid = player.wait_started()
    v.close()
    assert gone(pid)
    v.say("ok")  # after close: nothing, no error
    assert v.wait_idle(0)


def test_a_failing_player_is_logged_once_until_a_phrase_plays(make_voice, tmp_path, caplog):
    failing = Player(tmp_path / "failing", then="echo 'audio open error: no such device' >&2; exit 1")
    v = make_voice(failing.command)
    with caplog.at_level(logging.WARNING):
        for _ in range(3):
            v.say("ok")
            failing.wait_started()
            failing.release()
            assert v.wait_idle(WAIT_S)
        assert len(warnings(caplog)) == 1
        v.player = APLAY  # the voice works again ...
        v.say("ok")
        assert v.wait_idle(WAIT_S)
        v.player = failing.command  # ... so the next failure is news
        v.say("ok")
        failing.wait_started()
        failing.release()
        assert v.wait_idle(WAIT_S)
    failing.close()
    logged = warnings(caplog)
    assert len(logged) == 2
    assert "exited with 1" in logged[0] and "no such device" in logged[0]


def test_staff_are_told_once_when_the_voice_fails_and_when_it_works_again(make_voice, tmp_path):
    told: list[bool] = []
    v = make_voice([str(tmp_path / "no-such-player")])
    v.on_trouble = told.append
    for _ in range(2):  # two failures, one word of it
        v.say("ok")
        assert v.wait_idle(WAIT_S)
    assert told == [True]
    v.player = APLAY
    for _ in range(2):
        v.say("ok")
        assert v.wait_idle(WAIT_S)
    assert told == [True, False]


def test_a_missing_player_is_logged_once(make_voice, tmp_path, scratch, caplog):
    v = make_voice([str(tmp_path / "no-such-player"), "-q"])
    with caplog.at_level(logging.WARNING):
        for _ in range(2):
            v.say("ok")
            assert v.wait_idle(WAIT_S)
    logged = warnings(caplog)
    assert len(logged) == 1 and "no-such-player" in logged[0]
    assert list(scratch.iterdir()) == []


def test_a_hung_player_is_killed(make_voice, player, scratch, caplog):
    v = make_voice(player.command, hang_s=0.2)  # never released
    with caplog.at_level(logging.WARNING):
        v.say("goodbye")
        pid = player.wait_started()
        assert v.wait_idle(WAIT_S)
    assert gone(pid)
    assert "still running" in warnings(caplog)[0]
    assert list(scratch.iterdir()) == []


def test_a_phrase_that_cannot_be_written_is_logged_and_not_played(make_voice, tmp_path, caplog):
    ran = tmp_path / "ran"
    v = make_voice(["sh", "-c", f"touch {shlex.quote(str(ran))}", "sh"], scratch_dir=tmp_path / "no-such-folder")
    with caplog.at_level(logging.WARNING):
        for _ in range(2):
            v.say("ok")
            assert v.wait_idle(WAIT_S)
    logged = warnings(caplog)
    assert len(logged) == 1 and "cannot write" in logged[0]
    assert not ran.exists()


@pytest.mark.parametrize("settings", [{"enabled": False}, {"volume": 0}])
def test_a_voice_turned_off_runs_nothing(make_voice, tmp_path, settings):
    ran = tmp_path / "ran"
    v = make_voice(["sh", "-c", f"touch {shlex.quote(str(ran))}", "sh"], **settings)
    v.say("ok")
    assert v.wait_idle(WAIT_S)
    assert not ran.exists()


def test_a_phrase_that_cannot_be_said_chimes_and_is_logged(make_voice, tmp_path, caplog):
    played = tmp_path / "played.wav"
    v = make_voice(["sh", "-c", f'cp "$1" {shlex.quote(str(played))}', "sh"])
    with caplog.at_level(logging.WARNING):
        v.say("no_such_phrase")
        assert v.wait_idle(WAIT_S)
    assert played.read_bytes() == voice.to_wav(voice.scale(voice.chime(), 80))
    assert "no_such_phrase" in warnings(caplog)[0]
