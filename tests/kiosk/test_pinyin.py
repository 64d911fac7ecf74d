"""kiosk/pinyin.py: the lean phrase table reads names, rooms and course names exactly as pypinyin
with its full dictionary does, and is what the kiosk loads.  Each side in a fresh interpreter, so
neither finds pypinyin already loaded the other way."""

import json
import os
import subprocess
import sys

import pytest

from kiosk import config, demo
from tools.checkout import ROOT

FULL = """
import json, sys
from pypinyin import Style, lazy_pinyin
texts = json.load(sys.stdin)
print(json.dumps([[lazy_pinyin(t, style=Style.FIRST_LETTER, errors="ignore"),
                   lazy_pinyin(t, style=Style.TONE3, neutral_tone_with_five=True, errors="default")] for t in texts]))
"""
LEAN = """
import json, sys
from kiosk import pinyin
texts = json.load(sys.stdin)
print(json.dumps([[pinyin.first_letters(t), pinyin.with_tones(t)] for t in texts]))
import pypinyin
print(len(pypinyin.constants.PHRASES_DICT), file=sys.stderr)
"""


def _run(code: str, texts: list[str]) -> tuple[list, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYPINYIN_NO_PHRASES"}
    done = subprocess.run(
        [sys.executable, "-c", code],
        input=json.dumps(texts),
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        check=True,
    )
    return json.loads(done.stdout), done.stderr


@pytest.fixture(scope="module")
def texts() -> list[str]:
    from pypinyin.phrases_dict import phrases_dict

    data = demo.read(config.load().site.demo_data)
    words = [m["name"] for m in data["members"]] + [c["name"] for c in data["courses"]]
    words += [c.get("room", "") for c in data["courses"]]
    # Names and titles in which a phrase decides a reading, and every 20th phrase of the dictionary.
    words += ["李重阳", "张长生", "曾重庆", "单于行", "朝阳区银行", "重阳节健步行", "长乐街道老干部活动中心"]
    return [w for w in words if w] + sorted(phrases_dict)[::20]


def test_the_lean_table_reads_as_the_full_dictionary(texts):
    full, _ = _run(FULL, texts)
    lean, held = _run(LEAN, texts)
    differing = [(t, f, le) for t, f, le in zip(texts, full, lean) if f != le]
    assert differing == []
    assert len(full) == len(texts) > 2_500
    assert 5_000 < int(held) < 12_000  # the lean table, not pypinyin's 47,000 phrases


def test_a_phrase_in_a_name_is_found():
    from kiosk import pinyin

    assert pinyin.has_phrase("李重阳") and not pinyin.has_phrase("王建华")
