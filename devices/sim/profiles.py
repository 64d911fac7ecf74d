"""The simulator's ID cards, read from cards.toml (docs/idcard-reader.md §5.2)."""

import hashlib
import tomllib
from dataclasses import dataclass, fields
from datetime import date
from importlib.resources import files
from pathlib import Path

from devices.cardtext import LONG_TERM, IdCard, encode

DEFAULT = Path(str(files(__package__).joinpath("cards.toml")))
PHOTO_SIZE = 1024
FINGERPRINT_SIZES = (0, 512, 1024)
EXTRA_ADDRESS_SIZE = 70  # the 30 03 answer, UCS-2 (docs/idcard-reader.md §1.6)
_CARD_KEYS = {f.name for f in fields(IdCard)} - {"long_term", "name_flagged", "raw"}
_DATES = ("birth_date", "valid_from", "valid_to")


@dataclass
class Profile:
    name: str
    card: IdCard
    photo: bytes
    fingerprint: bytes
    extra_address: str | None = None  # None: the reader answers 30 03 with SW3 91
    member: str | None = None  # the demo member whose card this is


def load(path: str | Path = DEFAULT) -> dict[str, Profile]:
    """Every profile in the file by name; ValueError naming the profile for a wrong entry."""
    with open(path, "rb") as f:
        data = tomllib.load(f)
    loaded = {}
    for name, entry in data.items():
        try:
            loaded[name] = _profile(name, dict(entry))
        except ValueError as e:
            raise ValueError(f"card profile {name!r} in {path}: {e}") from None
    return loaded


def text_block(profile: Profile) -> bytes:
    return encode(profile.card)


def _profile(name: str, entry: dict) -> Profile:
    member = entry.pop("member", None)
    extra_address = entry.pop("extra_address", None)
    size = entry.pop("fingerprint", 0)
    unknown = set(entry) - _CARD_KEYS
    if unknown:
        raise ValueError(f"unknown keys {sorted(unknown)}")
    if size not in FINGERPRINT_SIZES:
        raise ValueError(f"fingerprint must be one of {FINGERPRINT_SIZES}")
    if extra_address is not None and len(extra_address.encode("utf-16-le")) > EXTRA_ADDRESS_SIZE:
        raise ValueError(f"extra_address longer than {EXTRA_ADDRESS_SIZE} bytes")
    if entry.get("card_type") == "foreign2017" and not entry.get("name"):
        entry["name"] = entry.get("name_en", "")  # as decode() gives it: no Chinese name
    long_term = entry.get("valid_to") == LONG_TERM
    for k in _DATES:
        entry[k] = None if k == "valid_to" and long_term else _date(entry.get(k))
    card = IdCard(**entry, long_term=long_term)
    encode(card)  # a field too long or foreign to its card type fails here, at loading
    return Profile(
        name, card, _bytes("photo", name, PHOTO_SIZE), _bytes("fingerprint", name, size), extra_address, member
    )


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _bytes(kind: str, name: str, size: int) -> bytes:
    # Opaque to the app (a real photo is licensed WLT data): deterministic, so runs are repeatable.
    return hashlib.shake_256(f"{kind}:{name}".encode()).digest(size)
