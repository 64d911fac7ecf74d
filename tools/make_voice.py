"""Generate the voice pack: one WAV per clip of clips.toml, spoken by espeak-ng's Mandarin voice.

    ./dev voice [PACK_FOLDER]        (python -m tools.make_voice; default: assets/voice/zh_CN)

Needs espeak-ng, which ./dev voice installs; the kiosk itself does not.  Each clip is written as
<name>.wav in the pack's format (mono, 16-bit, screens.support.voice.RATE), silence trimmed, peak normalised.
Running it again changes nothing unless clips.toml or espeak-ng changed: a WAV is rewritten only when
its sound differs, and WAVs no longer listed in clips.toml are removed.
"""

import array
import subprocess
import sys
import tempfile
from pathlib import Path

from screens.support.voice import clip_texts, read_clip, to_wav, trim
from tools.checkout import ROOT

# espeak-ng's plain `cmn` voice reads the pinyin of many characters as English words ("qian one");
# `cmn-latn-pinyin` is the same Mandarin voice reading that pinyin as Mandarin.
ESPEAK = ["espeak-ng", "-v", "cmn-latn-pinyin", "-s", "150"]  # 150 words/min: calmer than the 175 default
PEAK = round(0.9 * 32767)  # every clip equally loud, with headroom


def speak(text: str) -> bytes:
    """`text` spoken by espeak-ng, as a WAV in the pack's format."""
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "clip.wav"
        subprocess.run([*ESPEAK, "-w", str(raw), text], check=True)
        samples = read_clip(raw)
    peak = max(abs(s) for s in samples)
    # Trimmed again after normalising, so that the kiosk's own trim finds nothing more to cut.
    return to_wav(trim(array.array("h", (s * PEAK // peak for s in samples))))


def main(argv: list[str]) -> int:
    pack = Path(argv[1]) if len(argv) > 1 else ROOT / "assets" / "voice" / "zh_CN"
    texts = clip_texts(pack)
    changed = 0
    for name, text in texts.items():
        path = pack / f"{name}.wav"
        wav = speak(text)
        if not path.is_file() or path.read_bytes() != wav:
            path.write_bytes(wav)
            changed += 1
            print(f"wrote {path.name}  {text}")
    for stale in sorted(p for p in pack.glob("*.wav") if p.stem not in texts):
        stale.unlink()
        print(f"removed {stale.name}: not in clips.toml")
    print(f"{len(texts)} clips, {changed} written")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
