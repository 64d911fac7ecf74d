"""The kiosk's lean phrase table is the one tools/make_pinyin_phrases.py makes from the pinned
pypinyin: an upgrade of pypinyin without a new table fails here."""

import subprocess
import sys

from tools.checkout import ROOT


def test_the_shipped_phrase_table_is_current():
    done = subprocess.run(
        [sys.executable, "-m", "tools.make_pinyin_phrases", "--check"], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "current" in done.stdout
