"""The pinyin of names, rooms and course names: pypinyin with a lean phrase table.

pypinyin's phrase dictionary (47,000 phrases) took ~45 MB of the kiosk's memory for good.  Only
the phrases that pypinyin would read otherwise character by character change a result: those
9,000 (kiosk/pinyin_phrases.json, made by tools/make_pinyin_phrases.py from the pinned pypinyin)
give every phrase of the dictionary its full reading, in ~2 MB.
"""

import json
import os
from functools import cache
from importlib.resources import files
from types import ModuleType


@cache
def _pypinyin() -> ModuleType:
    # Loaded on first use: 0.2 s, which a command that never reads pinyin would pay.  Without its
    # own phrases, which must be said before its first import.
    os.environ.setdefault("PYPINYIN_NO_PHRASES", "1")
    import pypinyin

    table = json.loads(files("kiosk").joinpath("pinyin_phrases.json").read_text(encoding="utf-8"))
    syllables: dict[str, list[str]] = {}  # one list a syllable, shared by the phrases (pypinyin only reads them)
    phrases = {p: [syllables.setdefault(s, [s]) for s in reading.split()] for p, reading in table.items()}
    pypinyin.load_phrases_dict(phrases)
    return pypinyin


def first_letters(text: str) -> list[str]:
    """The first letter of each syllable of `text` (王建华 → w, j, h); characters without pinyin
    are left out."""
    module = _pypinyin()
    return module.lazy_pinyin(text, style=module.Style.FIRST_LETTER, errors="ignore")


def with_tones(text: str) -> list[str]:
    """Each syllable of `text` with its tone number (wang2, jian4, hua2; the neutral tone 5);
    characters without pinyin as they are."""
    module = _pypinyin()
    return module.lazy_pinyin(text, style=module.Style.TONE3, neutral_tone_with_five=True, errors="default")


def has_phrase(text: str) -> bool:
    """Whether a phrase of the table (two characters or more) is part of `text`: if not, each
    character of `text` reads as it does alone."""
    phrases = _pypinyin().constants.PHRASES_DICT
    return any(text[i:j] in phrases for i in range(len(text)) for j in range(i + 2, len(text) + 1))


def load() -> None:
    """Load pypinyin now, before a moment that must not wait for it (a write transaction)."""
    _pypinyin()
