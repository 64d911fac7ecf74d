"""Kiosk keys sealed at rest: Kiosk.key and old_key are stored encrypted with the server's secret.

The bureau checks a kiosk's HMAC with the key itself, so the key cannot be hashed; sealed, a copy
of the store (a backup, a dump) is no use for impersonating kiosks without the secret, which
lives outside the store:

    YINLING_BUREAU_SECRET=<64 hex digits>            the secret itself, or
    YINLING_BUREAU_SECRET_FILE=/etc/yinling/secret   a file holding it, readable by its owner only

AES-256-GCM (the `cryptography` package) with a random nonce a value; a sealed value reads
"sealed1:" + base64url(nonce ‖ ciphertext ‖ tag).  A store on PostgreSQL (production) is not
opened without the secret; a SQLite store (the demo, development) without one keeps its keys in
the clear.  With the secret given, open_store seals every key still in the clear (seal_store).
"""

import base64
import os
import re
import stat
from functools import cache
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from peewee import CharField

from bureau.store import StoreError, db, write

ENV, ENV_FILE = "YINLING_BUREAU_SECRET", "YINLING_BUREAU_SECRET_FILE"
PREFIX = "sealed1:"
NONCE_BYTES = 12
_AAD = b"yinling bureau: kiosk key"  # a sealed key opens as nothing else
_HEX64 = re.compile(r"[0-9a-fA-F]{64}")


class SecretError(StoreError):
    """The server secret is missing, malformed, too widely readable, or not this store's."""


@cache
def secret() -> bytes | None:
    """The server secret from the environment (read once a process), or None when none is set."""
    text, source = os.environ.get(ENV, ""), ENV
    path = os.environ.get(ENV_FILE, "")
    if not text and path:
        text, source = _read_file(Path(path)), f"{ENV_FILE} ({path})"
    if not text:
        return None
    if not _HEX64.fullmatch(text.strip()):
        raise SecretError(
            f"{source}: the secret must be 64 hex digits (python3 -c 'import secrets; print(secrets.token_hex(32))')"
        )
    return bytes.fromhex(text.strip())


def _read_file(path: Path) -> str:
    try:
        mode = path.stat().st_mode
        text = path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as e:
        raise SecretError(f"{ENV_FILE}: cannot read {path}: {e}") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise SecretError(f"{ENV_FILE}: {path} is readable by others (mode {stat.filemode(mode)}); chmod 600 it")
    return text


def is_sealed(value: str | None) -> bool:
    return value is not None and value.startswith(PREFIX)


def seal(key: str, with_secret: bytes) -> str:
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(with_secret).encrypt(nonce, key.encode("ascii"), _AAD)
    return PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")


def unseal(value: str, with_secret: bytes) -> str:
    raw = base64.urlsafe_b64decode(value[len(PREFIX) :])
    try:
        return AESGCM(with_secret).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], _AAD).decode("ascii")
    except InvalidTag:
        raise SecretError(f"{ENV} is not the secret this store's kiosk keys were sealed with") from None


class SealedKeyField(CharField):
    """A kiosk key: sealed on the way into the store when there is a secret, opened on the way out."""

    def db_value(self, value):
        key = secret()
        return seal(value, key) if value is not None and key is not None and not is_sealed(value) else value

    def python_value(self, value):
        if not is_sealed(value):
            return value
        key = secret()
        if key is None:
            raise SecretError(f"this store's kiosk keys are sealed: set {ENV} or {ENV_FILE}")
        return unseal(value, key)


def seal_store(production: bool) -> int:
    """Check the secret against the store, and seal the kiosk keys still in the clear (a store
    from before sealing, or one run without a secret so far): how many were sealed.  Refused
    (SecretError) for a production store without a secret, and for sealed keys the secret does
    not open or without one."""
    key = secret()
    if key is None and production:
        raise SecretError(f"{ENV} (or {ENV_FILE}) is not set: a production store keeps its kiosk keys sealed with it")
    rows = db.execute_sql('SELECT "id", "key", "old_key" FROM "kiosk"').fetchall()
    if key is None:
        if any(is_sealed(v) for _, *values in rows for v in values):
            raise SecretError(f"this store's kiosk keys are sealed: set {ENV} or {ENV_FILE}")
        return 0
    clear = []
    for pk, *values in rows:
        for value in values:
            if is_sealed(value):
                unseal(value, key)  # the wrong secret fails here, at start, not at a kiosk's push
        if any(v is not None and not is_sealed(v) for v in values):
            clear.append((*(v if v is None or is_sealed(v) else seal(v, key) for v in values), pk, values[0]))
    if clear:
        # Only where the key is still the one read: another opener may have sealed it meanwhile,
        # or an operator rotated it.
        update = 'UPDATE "kiosk" SET "key" = {p}, "old_key" = {p} WHERE "id" = {p} AND "key" = {p}'
        with write():
            for row in clear:
                db.execute_sql(update.format(p=db.param), row)
    return len(clear)
