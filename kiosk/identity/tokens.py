"""QR member-card tokens: versioned, signed, and free of personal data.

    YL1-<member number>-<card issue>-<signature>      e.g. YL1-DM0001-1-K3J5QX2M7RT4BW6Y

The signature is an HMAC-SHA256 (first 80 bits, base32) with the bureau-wide card key, so a card
works at every site of the bureau and a typed-up or altered card cannot be forged.  Only
characters of the QR alphanumeric set are used, which keeps codes small and easy to type.
Reissuing a card raises the member's issue number, which revokes every older card.
"""

import base64
import hashlib
import hmac
import re

VERSION = "YL1"
_SHAPE = re.compile(r"^YL1-([A-Z0-9]{2,20})-([1-9][0-9]{0,5})-([A-Z2-7]{16})$")  # ASCII only


class TokenError(Exception):
    """The token cannot be trusted; .reason is a message key for staff and the log."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _signature(member_no: str, issue: int, key: bytes) -> str:
    mac = hmac.new(key, f"{VERSION}-{member_no}-{issue}".encode("ascii"), hashlib.sha256).digest()
    return base64.b32encode(mac[:10]).decode("ascii")


def make(member_no: str, issue: int, key: bytes) -> str:
    return f"{VERSION}-{member_no}-{issue}-{_signature(member_no, issue, key)}"


def read(text: str, key: bytes) -> tuple[str, int]:
    """(member number, card issue) from a scanned or typed token, or TokenError."""
    token = text.strip().upper()
    if not token.startswith(VERSION + "-"):
        raise TokenError("card.unknown_prefix")
    m = _SHAPE.match(token)
    if not m:
        raise TokenError("card.malformed")
    member_no, issue, signature = m.group(1), int(m.group(2)), m.group(3)
    if not hmac.compare_digest(signature, _signature(member_no, issue, key)):
        raise TokenError("card.forged")
    return member_no, issue
