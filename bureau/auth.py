"""Which kiosk sent a request: its HMAC signature (kiosk/signing.py), timestamp and nonce.

The checks run in this order, and the first that fails names the 401:
kiosk known → not revoked → timestamp within WINDOW_S → signature by the current key (or the
old one during a rotation's grace) → nonce not seen before.  Call authenticate() inside a write
transaction of its own: it records the nonce and the kiosk's last_seen, which stay recorded
whatever becomes of the request itself.
"""
import re
import time
from datetime import datetime, timedelta, timezone
from typing import Mapping

from kiosk import signing
from kiosk.signing import WINDOW_S

from bureau.models import Kiosk, Nonce

TIMESTAMP = re.compile(r"-?\d{1,12}")
NONCE = re.compile(r"[0-9a-fA-F]{16,64}")
# A nonce older than twice the window can go: a request reusing it would have to carry its
# original timestamp (the signature covers it), which is then outside the window anyway.
NONCE_KEEP = timedelta(seconds=2 * WINDOW_S)

_last_prune: float | None = None     # time.monotonic() of this process's last pruning


class AuthError(Exception):
    """The request is refused with 401 {"error": code}."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def as_utc(unix_s: float) -> datetime:
    """A unix time as the store keeps times: UTC without a zone."""
    return datetime.fromtimestamp(unix_s, timezone.utc).replace(tzinfo=None)


def signed_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """The signing headers of a request, by their canonical names (headers may be any case)."""
    return {name: headers[name] for name in ("X-Kiosk", *signing.HEADERS) if name in headers}


def authenticate(method: str, target: str, headers: Mapping[str, str], body: bytes, now: float) -> Kiosk:
    """The kiosk that signed this request, or AuthError.  `target` is the path plus "?query",
    `body` the bytes as sent (still compressed), `now` the bureau's unix time."""
    kiosk_id = headers.get("X-Kiosk", "")
    kiosk = Kiosk.get_or_none(Kiosk.kiosk_id == kiosk_id) if kiosk_id else None
    if kiosk is None:
        raise AuthError("unknown_kiosk")
    if kiosk.revoked_at is not None:
        raise AuthError("revoked")
    stamp = headers.get("X-Timestamp", "")
    if not TIMESTAMP.fullmatch(stamp) or abs(int(stamp) - now) > WINDOW_S:
        raise AuthError("stale_timestamp")
    at = as_utc(now)
    keys = [kiosk.key]
    if kiosk.old_key and kiosk.old_key_until and at < kiosk.old_key_until:
        keys.append(kiosk.old_key)
    nonce = headers.get("X-Nonce", "")
    if not NONCE.fullmatch(nonce) or not any(signing.verify(k, method, target, headers, body) for k in keys):
        raise AuthError("bad_signature")
    fresh = (Nonce.insert(kiosk=kiosk, nonce=nonce.lower(), at=at)
             .on_conflict(action="NOTHING", conflict_target=[Nonce.kiosk, Nonce.nonce])
             .as_rowcount().execute())
    if not fresh:
        raise AuthError("replayed")
    Kiosk.update(last_seen=at).where(Kiosk.id == kiosk.id).execute()
    kiosk.last_seen = at
    _prune_nonces(at)
    return kiosk


def _prune_nonces(at: datetime) -> None:
    """Now and then (once a window per process), forget nonces nobody can replay any more."""
    global _last_prune
    if _last_prune is not None and time.monotonic() - _last_prune < WINDOW_S:
        return
    _last_prune = time.monotonic()
    Nonce.delete().where(Nonce.at < at - NONCE_KEEP).execute()
