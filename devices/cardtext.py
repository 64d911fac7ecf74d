"""The 256-byte text block of a Chinese ID card, for all four card types (docs/idcard-reader.md §1.7–§1.11).

Every field is fixed-width UTF-16LE padded with spaces; the character at bytes 248–249 says
which layout the other 248 bytes follow.  decode() never raises anything but CardTextError, so a
reader driver can hand it whatever came off the wire.
"""

import re
from dataclasses import dataclass, field, fields
from datetime import date
from typing import Any

from kiosk.identity.credentials import FLAGGED, Credential

SIZE = 256
LONG_TERM = "长期"


class CardTextError(ValueError):
    """The block is not a usable card; reason is a short English string for the log."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class IdCard:
    card_type: str = "resident"  # "resident", "hmt" ('J'), "foreign2017" ('I'), "foreign2023" ('Y')
    name: str = field(default="", repr=False)  # 'I': the Chinese name if any, else the English one
    name_en: str = field(default="", repr=False)
    gender: str = ""  # GB/T 2261.1 code
    nation: str = ""  # GB 3304 code, resident cards only
    birth_date: date | None = None
    address: str = field(default="", repr=False)
    id_number: str = field(default="", repr=False)
    issuer: str = ""  # 'I': the 4-character code of the accepting authority
    valid_from: date | None = None
    valid_to: date | None = None
    long_term: bool = False  # valid-to holds 长期
    country: str = ""  # GB/T 2659 3-letter code, 'I' and 'Y'
    pass_number: str = ""  # 'J'
    issue_count: str = ""  # 'J' 签发次数; 'Y' 换证次数
    name_flagged: bool = False  # a name character was replaced by □
    raw: bytes = field(default=b"", repr=False, compare=False)


# Field name -> the byte slices it occupies, in order (the 'Y' English name overflows into a second).
_COMMON = {
    "gender": (30, 32),
    "birth_date": (36, 52),
    "address": (52, 122),
    "id_number": (122, 158),
    "issuer": (158, 188),
    "valid_from": (188, 204),
    "valid_to": (204, 220),
}
LAYOUTS = {
    "resident": {"name": [(0, 30)], "nation": [(32, 36)], **{k: [s] for k, s in _COMMON.items()}},
    "hmt": {
        "name": [(0, 30)],
        **{k: [s] for k, s in _COMMON.items()},
        "pass_number": [(220, 238)],
        "issue_count": [(238, 242)],
    },
    "foreign2017": {
        "name_en": [(0, 120)],
        "gender": [(120, 122)],
        "id_number": [(122, 152)],
        "country": [(152, 158)],
        "name": [(158, 188)],
        "valid_from": [(188, 204)],
        "valid_to": [(204, 220)],
        "birth_date": [(220, 236)],
        "issuer": [(240, 248)],
    },
    "foreign2023": {
        "name": [(0, 30)],
        "gender": [(30, 32)],
        "issue_count": [(32, 36)],
        "birth_date": [(36, 52)],
        "name_en": [(52, 122), (220, 242)],
        "id_number": [(122, 158)],
        "valid_from": [(188, 204)],
        "valid_to": [(204, 220)],
        "country": [(242, 248)],
    },
}
FLAGS = {"hmt": "J", "foreign2017": "I", "foreign2023": "Y"}
_TYPES = {flag: card_type for card_type, flag in FLAGS.items()}
_DATES = ("birth_date", "valid_from", "valid_to")
_NOT_IN_LAYOUT = ("card_type", "long_term", "name_flagged", "raw")
# ASCII only on purpose: a full-width digit is not a digit on a card.
_NUMBER = {
    "resident": re.compile(r"[0-9]{17}[0-9X]"),
    "hmt": re.compile(r"8[123][0-9]{15}[0-9X]"),
    "foreign2023": re.compile(r"9[0-9]{16}[0-9X]"),
    "foreign2017": re.compile(r"[A-Z]{3}[0-9]{12}"),
}


def decode(text: bytes) -> IdCard:
    """The card in a 256-byte text block; CardTextError if it is not a usable card."""
    if not isinstance(text, (bytes, bytearray)) or len(text) != SIZE:
        raise CardTextError("text block is not 256 bytes")
    text = bytes(text)
    card_type = _TYPES.get(text[248:250].decode("utf-16-le", "replace"), "resident")
    layout = LAYOUTS[card_type]
    values: dict[str, Any] = {k: _text(b"".join(text[a:b] for a, b in spans)) for k, spans in layout.items()}
    # Surrogate pairs (Ext-B names) decode to the real character.  Only the name is checked for
    # characters the card could not give us; elsewhere a lone surrogate just becomes U+FFFD.
    name = _text(text[slice(*layout["name"][0])], "surrogatepass")
    if card_type == "foreign2017" and not name:
        name = _text(text[0:120], "surrogatepass")
    values["name"], values["name_flagged"] = _checked_name(name)
    if not _NUMBER[card_type].fullmatch(values["id_number"]):
        raise CardTextError(f"bad {card_type} ID number")
    values["long_term"] = values["valid_to"] == LONG_TERM
    for k in _DATES:
        values[k] = None if k == "valid_to" and values["long_term"] else _date(values[k], k)
    return IdCard(card_type=card_type, raw=text, **values)


def encode(card: IdCard) -> bytes:
    """The 256-byte text block of a card, for the simulator; ValueError if a field does not fit."""
    layout = LAYOUTS.get(card.card_type)
    if layout is None:
        raise ValueError(f"unknown card type {card.card_type!r}")
    absent = [
        f.name for f in fields(card) if f.name not in layout and f.name not in _NOT_IN_LAYOUT and getattr(card, f.name)
    ]
    if absent:
        raise ValueError(f"a {card.card_type} card has no {', '.join(absent)}")
    if card.long_term and card.valid_to:
        raise ValueError("a long-term card has no valid-to date")
    block = bytearray(" ".encode("utf-16-le") * (SIZE // 2))
    for k, spans in layout.items():
        width = sum(b - a for a, b in spans)
        data = _field_bytes(card, k)
        if len(data) > width:
            raise ValueError(f"{k} does not fit in {width} bytes")
        data += b" \x00" * ((width - len(data)) // 2)
        for a, b in spans:
            block[a:b], data = data[: b - a], data[b - a :]
    block[248:250] = FLAGS.get(card.card_type, " ").encode("utf-16-le")
    return bytes(block)


def to_credential(card: IdCard) -> Credential:
    return Credential(
        method="idcard",
        id_number=card.id_number,
        name=card.name,
        valid_from=card.valid_from,
        valid_to=card.valid_to,
        long_term=card.long_term,
        card_type=card.card_type,
        gender=card.gender,
        birth_date=card.birth_date,
        nation=card.nation,
        address=card.address,
        name_flagged=card.name_flagged,
    )


def _text(raw: bytes, errors: str = "replace") -> str:
    return raw.decode("utf-16-le", errors).strip(" \x00")


def _checked_name(name: str) -> tuple[str, bool]:
    """The name with every character the card could not give us replaced by □, and whether any was."""
    checked = "".join(FLAGGED if _unreadable(c) else c for c in name)
    return checked, checked != name


def _unreadable(c: str) -> bool:
    # A lone surrogate, U+FFFD, or a private-use code point (a vendor's own glyph for a rare character).
    cp = ord(c)
    return 0xD800 <= cp <= 0xDFFF or cp == 0xFFFD or 0xE000 <= cp <= 0xF8FF or cp >= 0xF0000


def _date(text: str, name: str) -> date | None:
    if not text:
        return None
    if re.fullmatch(r"[0-9]{8}", text):
        try:
            return date(int(text[:4]), int(text[4:6]), int(text[6:]))
        except ValueError:
            pass
    raise CardTextError(f"bad {name.replace('_', '-')}")


def _field_bytes(card: IdCard, k: str) -> bytes:
    value = getattr(card, k)
    if k == "valid_to" and card.long_term:
        value = LONG_TERM
    elif k in _DATES:
        value = f"{value.year:04d}{value.month:02d}{value.day:02d}" if value else ""
    elif k == "name" and card.card_type == "foreign2017" and value == card.name_en:
        value = ""  # no Chinese name: decode falls back to the English one
    return value.encode("utf-16-le", "surrogatepass")
