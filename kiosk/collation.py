"""The order people read Chinese lists in: by full pinyin, as a dictionary does (白翠花, 白守信,
蔡翠花, 蔡桂兰, 程福生), not by code point (书法 before 京剧 before 八段锦) nor by initials."""

from functools import lru_cache


@lru_cache(maxsize=8192)
def pinyin_key(text: str) -> tuple:
    """A sort key for `text`: each character's syllable, then its tone (1-5); characters without
    pinyin (letters, digits, a rare character) by themselves, after the syllables of their place;
    `text` last, so that equal readings still sort the same way every time."""
    from pypinyin import Style, lazy_pinyin  # here: loading it takes 0.3 s, which every command would pay

    parts = []
    for syllable in lazy_pinyin(text, style=Style.TONE3, neutral_tone_with_five=True, errors="default"):
        if syllable[-1:].isdigit() and syllable[:-1].isascii() and syllable[:-1].isalpha():
            parts.append((0, syllable[:-1], int(syllable[-1])))
        else:
            parts.append((1, syllable.lower(), 0))
    return (tuple(parts), text)
