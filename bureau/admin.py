"""The bureau operator's work: register sites and kiosks, rotate and revoke kiosk keys.

The CLI (bureau/__main__.py) prints what these return; the tests call them directly.
"""

import json
import re
import tomllib
from datetime import timedelta
from pathlib import Path

from bureau import prefixes, streams
from bureau.models import Kiosk, Site
from bureau.store import utcnow, write
from contract import signing

SITE_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,31}")
DEFAULT_URL = "http://127.0.0.1:8800"
DEFAULT_GRACE = timedelta(hours=72)


class AdminError(Exception):
    """An operator's request that cannot be carried out (the message says why)."""


def add_site(code: str, name: str, prefix: str | None = None) -> Site:
    """A new site with its member-number prefix: `prefix`, or the next free one."""
    if not SITE_CODE.fullmatch(code):
        raise AdminError(f"site code {code!r}: 1-32 letters, digits, - or _")
    if not name.strip():
        raise AdminError("a site needs a name")
    with write():
        if Site.get_or_none(Site.code == code):
            raise AdminError(f"site {code} already exists")
        site = Site.create(code=code, name=name.strip(), prefix=_free_prefix(prefix))
        streams.publish("sites", site.code, {"code": site.code, "name": site.name})
        return site


def set_prefix(code: str, prefix: str | None = None) -> Site:
    """Give a site made before the bureau issued prefixes its own (`prefix` or the next free one).
    A site's prefix never changes once given: its members' numbers carry it."""
    with write():
        site = find_site(code)
        if site.prefix:
            raise AdminError(f"site {code} has the prefix {site.prefix} already")
        site.prefix = _free_prefix(prefix)
        site.save()
        return site


def _free_prefix(wanted: str | None) -> str:
    """`wanted` if it is a good prefix no other site's clashes with, else AdminError; the next free
    one when none is wanted.  Call inside the write transaction that stores it."""
    taken = [p for (p,) in Site.select(Site.prefix).where(Site.prefix.is_null(False)).tuples()]
    if wanted is None:
        return prefixes.next_free(taken)
    if not prefixes.SITE_PREFIX.fullmatch(wanted):
        raise AdminError(f"prefix {wanted!r}: 1-4 capital letters A-Z")
    other = prefixes.clash(wanted, taken)
    if other is not None:
        raise AdminError(
            f"prefix {wanted} clashes with {other}, a prefix of another site: member numbers would collide"
        )
    return wanted


def sites() -> list[Site]:
    return list(Site.select().order_by(Site.code))


def add_kiosk(site_code: str, name: str = "") -> Kiosk:
    """A new kiosk of the site, numbered <CODE>-K01, -K02 … (the next free number), with a new key."""
    with write():
        site = find_site(site_code)
        taken = [
            re.fullmatch(rf"{re.escape(site.code)}-K(\d+)", k.kiosk_id)
            for k in Kiosk.select(Kiosk.kiosk_id).where(Kiosk.site == site)
        ]
        number = max((int(m.group(1)) for m in taken if m), default=0) + 1
        return Kiosk.create(kiosk_id=f"{site.code}-K{number:02d}", site=site, name=name, key=signing.new_key())


def kiosks() -> list[Kiosk]:
    return list(Kiosk.select(Kiosk, Site).join(Site).order_by(Kiosk.kiosk_id))


def rotate_key(kiosk_id: str, grace: timedelta = DEFAULT_GRACE) -> Kiosk:
    """Give the kiosk a new key; its current key is still accepted for `grace`, so a kiosk that
    has not yet been given the new site file keeps syncing meanwhile."""
    if grace < timedelta(0):
        raise AdminError("the grace period cannot be negative")
    with write():
        kiosk = _kiosk(kiosk_id)
        if kiosk.revoked_at:
            raise AdminError(f"kiosk {kiosk_id} is revoked: add a new kiosk instead")
        kiosk.old_key, kiosk.old_key_until = kiosk.key, utcnow() + grace
        kiosk.key = signing.new_key()
        kiosk.save()
        return kiosk


def revoke(kiosk_id: str) -> Kiosk:
    """Refuse every later request of the kiosk (a stolen or retired machine).  Revoking twice
    keeps the first time."""
    with write():
        kiosk = _kiosk(kiosk_id)
        if not kiosk.revoked_at:
            kiosk.revoked_at = utcnow()
            kiosk.save()
        return kiosk


def member_prefix(kiosk: Kiosk) -> str | None:
    """The prefix the kiosk numbers its newcomers with (None: its site has no prefix yet)."""
    site = kiosk.site
    number = re.fullmatch(rf"{re.escape(site.code)}-K(\d+)", kiosk.kiosk_id)
    if not site.prefix or number is None:
        return None
    return prefixes.of_kiosk(site.prefix, int(number.group(1)))


def site_file(kiosk: Kiosk, url: str = DEFAULT_URL, security: dict[str, str] | None = None) -> str:
    """The kiosk's site file as far as the bureau knows it (config/default.toml): the site, the
    kiosk, its member-number prefix and sync key, and the bureau's `security` keys when given
    (`security_keys`); `yinling-kiosk setup` completes it on the box."""

    def toml(text: str) -> str:
        return json.dumps(text, ensure_ascii=False)  # a JSON string is a TOML basic string

    site = kiosk.site
    prefix = member_prefix(kiosk)
    staff = f"[staff]\nmember_prefix = {toml(prefix)}\n" if prefix else ""
    keys = "".join(f"{name} = {toml(security[name])}\n" for name in SECURITY_KEYS) if security else ""
    return (
        f"[site]\ncode = {toml(site.code)}\nname = {toml(site.name)}\n"
        f"[kiosk]\nid = {toml(kiosk.kiosk_id)}\n{staff}[sync]\nurl = {toml(url)}\nkey = {toml(kiosk.key)}\n"
        + (f"[security]\n{keys}" if keys else "")
    )


SECURITY_KEYS = ("id_hash_key", "card_key")  # the bureau's, the same at every site (docs/design.md §9.6)


def security_keys(path: Path) -> dict[str, str]:
    """The [security] keys of the bureau's key file `path` (TOML, as in a kiosk's site file)."""
    try:
        with path.open("rb") as f:
            table = tomllib.load(f).get("security", {})
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise AdminError(f"cannot read the keys in {path}: {e}") from None
    keys = {}
    for name in SECURITY_KEYS:
        value = table.get(name)
        if not isinstance(value, str) or not re.fullmatch(r"(?:[0-9a-fA-F]{2}){32,}", value):
            raise AdminError(f"{path}: [security] {name} must be at least 32 bytes in hex")
        keys[name] = value
    return keys


def find_site(code: str, error: type[Exception] = AdminError) -> Site:
    """The site with `code`, or `error` saying how to list the sites."""
    site = Site.get_or_none(Site.code == code)
    if site is None:
        raise error(f"unknown site {code!r} (python -m bureau site list)")
    return site


def _kiosk(kiosk_id: str) -> Kiosk:
    kiosk = Kiosk.get_or_none(Kiosk.kiosk_id == kiosk_id)
    if kiosk is None:
        raise AdminError(f"unknown kiosk {kiosk_id!r} (python -m bureau kiosk list)")
    return kiosk
