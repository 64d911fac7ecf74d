"""The order people read Chinese lists in: by full pinyin, as a dictionary does (白翠花, 白守信,
蔡翠花, 蔡桂兰, 程福生), not by code point (书法 before 京剧 before 八段锦) nor by initials."""

from functools import lru_cache

from kiosk import pinyin


@lru_cache(maxsize=8192)
def pinyin_key(text: str) -> tuple:
    """A sort key for `text`: each character's syllable, then its tone (1-5); characters without
    pinyin (letters, digits, a rare character) by themselves, after the syllables of their place;
    `text` last, so that equal readings still sort the same way every time."""
    parts = []
    for syllable in pinyin.with_tones(text):
        if syllable[-1:].isdigit() and syllable[:-1].isascii() and syllable[:-1].isalpha():
            parts.append((0, syllable[:-1], int(syllable[-1])))
        else:
            parts.append((1, syllable.lower(), 0))
    return (tuple(parts), text)
