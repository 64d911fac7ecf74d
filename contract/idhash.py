"""The id_hash a member is matched by: a slow derivation of the keyed hash of their ID number.

    id_hash = base64url(scrypt(HMAC-SHA256(bureau key, ID number), salt=SALT, n=N, r=R, p=P))

The HMAC key sits on every kiosk's disk, so the HMAC alone guards nothing once a kiosk is taken:
an ID number has few possible values (region × birth date × sequence), and each guess would cost
one HMAC.  scrypt makes each guess cost ~10 ms of CPU and 4 MiB of memory (see docs/design.md §9.1
for what that buys).  The salt is a fixed label, the same at every site: the same person must get
the same id_hash at every kiosk and at the bureau; the per-bureau secret is the HMAC key.

Layered on the HMAC, so a store holding the older plain HMACs (64 hex digits) is upgraded without
the ID numbers: upgraded() on each; both the kiosk's and the bureau's migrations do.
"""

import base64
import hashlib
import re
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor

SALT = b"yinling-kiosk id_hash v2"
# ~10 ms of CPU and 4 MiB a derivation, once a card read: 2^13 doubled what a read added to the screen
# on a busy machine (bench screen), for a search that costs days either way (bench idhash).
N, R, P = 2**12, 8, 1
LENGTH = 43  # characters of a derived id_hash: 32 bytes in unpadded base64url
_LEGACY = re.compile(r"[0-9a-f]{64}")
_MAXMEM = 128 * R * (N + P + 2) + (1 << 20)  # OpenSSL refuses above 32 MB unless told
# hashlib.scrypt releases the GIL: threads derive in parallel on every core.
_WORKERS = 4


def derive(keyed: bytes) -> str:
    """The id_hash of an ID number's HMAC-SHA256 digest (`keyed`)."""
    digest = hashlib.scrypt(keyed, salt=SALT, n=N, r=R, p=P, dklen=32, maxmem=_MAXMEM)
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def derive_all(keyed: Iterable[bytes]) -> list[str]:
    """derive() of each, in order, on all cores: a roster import or a migration of many members."""
    with ThreadPoolExecutor(_WORKERS) as pool:
        return list(pool.map(derive, keyed))


def is_legacy(value: str) -> bool:
    """Whether `value` is the older id_hash, the plain HMAC in hex, that upgraded() turns into one."""
    return _LEGACY.fullmatch(value) is not None


def upgraded(value: str) -> str:
    """An id_hash in the current form: a legacy one derived, a current one as it is."""
    return derive(bytes.fromhex(value)) if is_legacy(value) else value


def upgraded_all(values: list[str]) -> list[str]:
    """upgraded() of each, the legacy ones derived on all cores."""
    legacy = [v for v in values if is_legacy(v)]
    done = dict(zip(legacy, derive_all(bytes.fromhex(v) for v in legacy)))
    return [done.get(v, v) for v in values]
