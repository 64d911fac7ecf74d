"""tools/make_voice.py: a voice pack made with espeak-ng, in the format the kiosk plays, and made
again without change."""

import wave

from screens.support import voice
from tools import make_voice


def test_a_pack_is_spoken_into_the_kiosks_format_and_stale_clips_go(tmp_path, capsys):
    (tmp_path / voice.CLIPS_FILE).write_text('ok = "签到成功"\nhello = "您好"\n', encoding="utf-8")
    (tmp_path / "old.wav").write_bytes(b"")
    assert make_voice.main(["make_voice", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.glob("*.wav")) == ["hello.wav", "ok.wav"]
    with wave.open(str(tmp_path / "ok.wav")) as clip:
        assert (clip.getnchannels(), clip.getsampwidth(), clip.getframerate()) == (1, 2, voice.RATE)
        assert clip.getnframes() > voice.RATE // 4  # a quarter of a second of speech at least
    assert "removed old.wav" in capsys.readouterr().out
    before = {p.name: p.read_bytes() for p in tmp_path.glob("*.wav")}
    make_voice.main(["make_voice", str(tmp_path)])
    assert "0 written" in capsys.readouterr().out
    assert {p.name: p.read_bytes() for p in tmp_path.glob("*.wav")} == before
