"""What a device read: a QR payload or the fields of an ID card."""

import hashlib
from dataclasses import dataclass, field
from datetime import date

FLAGGED = "□"  # stands in for a name character the card could not give us


@dataclass(frozen=True)
class Credential:
    method: str  # "qr" or "idcard"
    text: str = field(default="", repr=False)  # QR payload
    id_number: str = field(default="", repr=False)  # ID card number: never logged or stored
    name: str = field(default="", repr=False)
    valid_from: date | None = None
    valid_to: date | None = None  # None with long_term: 长期
    long_term: bool = False
    # The rest of an ID card, kept for registering a newcomer (never the photo).
    card_type: str = ""  # "resident", "hmt" ('J'), "foreign2017" ('I'), "foreign2023" ('Y')
    gender: str = ""  # GB/T 2261.1 code: 0, 1, 2 or 9
    birth_date: date | None = None
    nation: str = ""  # GB 3304 code, resident cards only
    address: str = field(default="", repr=False)
    name_flagged: bool = False  # the name holds a character the card could not give us

    @classmethod
    def qr(cls, text: str) -> "Credential":
        return cls(method="qr", text=text)

    def key(self) -> str:
        """What makes two reads 'the same card' for collapsing repeats (hashed: it may be an ID number)."""
        raw = f"{self.method}:{self.text.strip().upper() or self.id_number.strip().upper()}"
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()
