"""ID numbers of the four card types (GB 11643, ISO 7064 MOD 11-2), keyed hashing and name masking.

A full ID number is never stored or logged: members are matched by a slow derivation of its HMAC
with the bureau's key (contract.idhash; the same person matches at every site).  Staff see the
last 4 characters only while the card is on the reader: stored beside the hash, they would narrow
a search for the number.
"""

import hashlib
import hmac
import re
from collections.abc import Iterable
from datetime import date

from contract import idhash

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
# ASCII only: \d would also take full-width digits.
_FORMATS = {
    "resident": re.compile(r"[0-9]{17}[0-9X]"),
    "hmt": re.compile(r"8[123][0-9]{15}[0-9X]"),
    "foreign2023": re.compile(r"9[0-9]{16}[0-9X]"),
    "foreign2017": re.compile(r"[A-Z]{3}[0-9]{12}"),
}  # no public check rule: format only


def check_char(first17: str) -> str:
    """The check character for the first 17 digits of an 18-character ID number."""
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS)) % 11]


def normalize(number: str) -> str:
    return number.strip().upper()


def id_problem(number: str, card_type: str = "resident") -> str | None:
    """None for a well-formed number of that card type ("" = resident), else the message key saying
    what is wrong."""
    card_type = card_type or "resident"
    if card_type not in _FORMATS:
        raise ValueError(f"unknown card type {card_type!r}")
    n = normalize(number)
    # isascii: str.upper() turns some non-ASCII letters into ASCII ones (ß → SS).
    if not number.strip().isascii() or not _FORMATS[card_type].fullmatch(n):
        return "card.id_bad_format"
    if card_type == "foreign2017":
        return None
    # 'Y' numbers start with 9 and hold no birth date at this place; resident and 'J' ones do.
    if n[0] != "9" and not _is_date(n[6:14]):
        return "card.id_bad_format"
    if check_char(n[:17]) != n[17]:
        return "card.id_bad_check"
    return None


def _is_date(yyyymmdd: str) -> bool:
    try:
        date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:]))
        return True
    except ValueError:
        return False


def id_hash(number: str, key: bytes) -> str:
    """The id_hash of the normalized ID number (contract.idhash): the only form in which it is kept."""
    return idhash.derive(_keyed(number, key))


def id_hashes(numbers: Iterable[str], key: bytes) -> list[str]:
    """id_hash() of each number, on all cores: a roster import."""
    return idhash.derive_all(_keyed(n, key) for n in numbers)


def _keyed(number: str, key: bytes) -> bytes:
    return hmac.new(key, normalize(number).encode("ascii"), hashlib.sha256).digest()


def last4(number: str) -> str:
    """The last 4 characters, which staff see while the card is on the reader; never stored."""
    return normalize(number)[-4:]


def mask_name(name: str) -> str:
    """王建华 → 王*华, 王华 → 王*, 欧阳建华 → 欧**华: enough for the senior to know it is them."""
    chars = list(name.strip())
    if len(chars) <= 1:
        return "".join(chars)
    if len(chars) == 2:
        return chars[0] + "*"
    return chars[0] + "*" * (len(chars) - 2) + chars[-1]
