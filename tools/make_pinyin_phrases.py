"""Writes kiosk/pinyin_phrases.json, the kiosk's lean phrase table (kiosk/pinyin.py), from the
pinned pypinyin: python -m tools.make_pinyin_phrases [--check]

A phrase is kept when, without it, pypinyin would read it otherwise: its reading differs from its
characters' first readings, or a kept phrase inside it would win the segmentation.  Each phrase of
pypinyin's dictionary then reads the same with the lean table as with the full one.  Run it again
after an upgrade of pypinyin; tests/tools/test_make_pinyin_phrases.py checks the file is current.
"""

import argparse
import json
import sys

from tools.checkout import ROOT

TARGET = ROOT / "kiosk" / "pinyin_phrases.json"


def lean_table() -> dict[str, str]:
    from pypinyin import Style, lazy_pinyin
    from pypinyin.constants import PHRASES_DICT
    from pypinyin.phrases_dict import phrases_dict  # the full dictionary, even where the kiosk's lean one is in use
    from pypinyin.seg import mmseg

    full = {phrase: [readings[0] for readings in value] for phrase, value in phrases_dict.items()}
    kept: dict[str, list[str]] = {}
    while True:
        PHRASES_DICT.clear()
        PHRASES_DICT.update({phrase: [[s] for s in kept[phrase]] for phrase in kept})
        mmseg.seg._prefix_set = mmseg.PrefixSet()  # retrain() only adds; the segmenter starts afresh
        mmseg.seg.train(kept)
        differing = {p: r for p, r in full.items() if p not in kept and lazy_pinyin(p, style=Style.TONE) != r}
        if not differing:
            return {phrase: " ".join(readings) for phrase, readings in sorted(kept.items())}
        kept.update(differing)


def render(table: dict[str, str]) -> str:
    lines = [f"{json.dumps(k, ensure_ascii=False)}: {json.dumps(v, ensure_ascii=False)}" for k, v in table.items()]
    return "{\n" + ",\n".join(lines) + "\n}\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only say whether the file is current")
    args = parser.parse_args()
    text = render(lean_table())
    if args.check:
        current = TARGET.is_file() and TARGET.read_text(encoding="utf-8") == text
        print(f"{TARGET.name}: {'current' if current else 'out of date: python -m tools.make_pinyin_phrases'}")
        return 0 if current else 1
    TARGET.write_text(text, encoding="utf-8")
    print(f"{TARGET}: {text.count(chr(10)) - 1} phrases")
    return 0


if __name__ == "__main__":
    sys.exit(main())
