"""Finding a senior for staff: by pinyin initials (王建华 → wjh), member number, or the last 4
digits of a phone number, typed on a keypad of letters and digits: no Chinese typing."""
from pypinyin import Style, lazy_pinyin


def initials(name: str) -> str:
    """The lower-case pinyin initials of a name; characters without pinyin are left out."""
    letters = lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore")
    return "".join(x[0] for x in letters if x and x[0].isascii() and x[0].isalpha()).lower()
