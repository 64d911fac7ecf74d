"""Request signing between a kiosk and the bureau (HMAC-SHA256, docs/sync-protocol.md §3).

The kiosk signs every request with its own 256-bit key; the bureau checks the signature, a
timestamp within WINDOW_S of its clock, and a nonce it has not seen.  The key never travels, and
the body's hash is signed, so a request changed on the way is refused.  The bureau imports this
module too: both sides sign the same string.
"""

import hashlib
import hmac
import secrets

WINDOW_S = 300  # how far a request's timestamp may be from the bureau's clock
HEADERS = ("X-Kiosk", "X-Timestamp", "X-Nonce", "X-Signature")


def new_key() -> str:
    """A fresh kiosk key, as the 64 hex digits the kiosk's config holds."""
    return secrets.token_hex(32)


def string_to_sign(method: str, target: str, timestamp: str, nonce: str, body: bytes) -> bytes:
    """METHOD, path with its query, timestamp, nonce and the body's SHA-256, one a line."""
    return "\n".join((method.upper(), target, timestamp, nonce, hashlib.sha256(body).hexdigest())).encode()


def sign(key: str, method: str, target: str, timestamp: int, body: bytes, nonce: str | None = None) -> dict:
    """The headers that sign a request to `target` (path and query, e.g. /v1/pull?stream=members)."""
    nonce = nonce or secrets.token_hex(16)
    text = string_to_sign(method, target, str(timestamp), nonce, body)
    return {
        "X-Timestamp": str(timestamp),
        "X-Nonce": nonce,
        "X-Signature": hmac.new(bytes.fromhex(key), text, hashlib.sha256).hexdigest(),
    }


def verify(key: str, method: str, target: str, headers, body: bytes) -> bool:
    """Whether `headers` carry a valid signature by `key` (the timestamp and nonce are checked
    by the caller, which knows the clock and the nonces seen)."""
    given = headers.get("X-Signature", "")
    if not given.isascii():  # compare_digest takes ASCII text only: another is no signature of ours
        return False
    try:
        text = string_to_sign(method, target, headers["X-Timestamp"], headers["X-Nonce"], body)
        wanted = hmac.new(bytes.fromhex(key), text, hashlib.sha256).hexdigest()
    except (KeyError, ValueError, UnicodeEncodeError):
        return False
    return hmac.compare_digest(wanted, given)
