"""Salted scrypt hashes of secrets people type: staff PINs (kiosk.staff.access) and the bureau staff's
passwords (bureau.users).  Stored as "scrypt$n$r$p$<salt hex>$<hash hex>", so the cost can be
raised later without making the stored hashes unreadable: each is checked at its own cost, and
cost() tells a caller when one is due to be made again at a higher one."""

import hashlib
import hmac
import os

# ~50 ms a hash on a kiosk: slow to guess a password from a stolen store.  A 4-digit PIN has too few
# values for any hash to protect it; the kiosk's lockout and its disk do (kiosk/staff/access.py).
N, R, P = 2**14, 8, 1
SALT_BYTES, KEY_BYTES = 16, 32


def make(secret: str, n: int = N) -> str:
    """The stored form of `secret`, with a fresh random salt, at cost `n` (a power of 2)."""
    salt = os.urandom(SALT_BYTES)
    key = _scrypt(secret, salt, n, R, P, KEY_BYTES)
    return f"scrypt${n}${R}${P}${salt.hex()}${key.hex()}"


def cost(stored: str) -> int:
    """The n a stored hash was made with; 0 for a malformed one."""
    parts = stored.split("$")
    return int(parts[1]) if len(parts) == 6 and parts[0] == "scrypt" and parts[1].isdigit() else 0


def check(secret: str, stored: str) -> bool:
    """Whether `secret` is the one `stored` was made from; a malformed `stored` matches nothing."""
    try:
        scheme, *costs, salt_hex, key_hex = stored.split("$")
        n, r, p = (int(c) for c in costs)
        salt, key = bytes.fromhex(salt_hex), bytes.fromhex(key_hex)
    except ValueError:
        return False
    if scheme != "scrypt" or not key:
        return False
    return hmac.compare_digest(_scrypt(secret, salt, n, r, p, len(key)), key)


def _scrypt(secret: str, salt: bytes, n: int, r: int, p: int, dklen: int) -> bytes:
    maxmem = 128 * r * (n + p + 2) + (1 << 20)  # OpenSSL refuses above 32 MB unless told
    return hashlib.scrypt(secret.encode(), salt=salt, n=n, r=r, p=p, dklen=dklen, maxmem=maxmem)
