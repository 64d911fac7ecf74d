"""How Mandarin reads a number of points aloud, as Chinese characters (0 to 99,999, and negatives).

Conventions, chosen for numbers spoken before the measure word 分:
- 十 alone at the start (12 十二) but 一十 inside (110 一百一十, 10010 一万零一十);
- one 零 for any run of zeros inside the number (1005 一千零五), none at the end (1050 一千零五十);
- 两 for a leading 2 before 百, 千 or 万 (200 两百, 2000 两千, 20000 两万) and for 2 alone (两分),
  二 everywhere else (22 二十二, 1200 一千二百, 102 一百零二);
- a negative balance is 负 followed by the number read as a value, so -2 is 负二.
"""

LIMIT = 99_999
DIGITS = "零一二三四五六七八九"
UNITS = ("", "十", "百", "千", "万")  # by power of ten


def number_text(n: int) -> str:
    """The Mandarin reading of `n` (|n| <= 99,999) in Chinese characters, e.g. 1050 -> 一千零五十."""
    if not -LIMIT <= n <= LIMIT:
        raise ValueError(f"{n} is outside ±{LIMIT:,}")
    if n < 0:
        return "负" + _reading(-n, two_alone="二")
    return _reading(n, two_alone="两")


def _reading(n: int, two_alone: str) -> str:
    if n == 0:
        return "零"
    if n == 2:
        return two_alone
    out: list[str] = []
    zeros = False  # zeros seen since the last digit said: one 零 stands for them all
    for power in range(len(UNITS) - 1, -1, -1):
        digit = n // 10**power % 10
        if digit == 0:
            zeros = bool(out)
            continue
        if zeros:
            out.append("零")
            zeros = False
        out.append(_digit(digit, power, first=not out) + UNITS[power])
    return "".join(out)


def _digit(digit: int, power: int, first: bool) -> str:
    if first and digit == 1 and power == 1:
        return ""  # 十二, not 一十二
    if first and digit == 2 and power >= 2:
        return "两"
    return DIGITS[digit]
