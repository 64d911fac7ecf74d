"""A release bundle checked before anything of it is used: an uncompressed tar of release.json, its
Ed25519 signature by a trusted key (openssl, against /usr/share/yinling/keys/*.pem) and the wheels
release.json lists with their sha256.  Every member is a plain file named release.json,
release.json.sig or wheels/<name>.whl — no links, folders, absolute paths or "..": nothing can be
written anywhere but the staging folder, and only by this code, never by tarfile's extract."""

import hashlib
import json
import re
import subprocess
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kiosk.release import versions

NAME = "yinling-kiosk"
MANIFEST, SIGNATURE = "release.json", "release.json.sig"
_WHEEL = re.compile(r"wheels/[A-Za-z0-9_.+-]+\.whl")
_SMALL = 1 << 20  # release.json and its signature are far smaller; a bigger one is not ours


class Refused(Exception):
    """A bundle that must not be installed; str() says why, for the log and the operator."""


@dataclass(frozen=True)
class Release:
    version: str
    arch: str
    python: str
    manifest: bytes  # release.json's exact bytes, as signed
    wheels: Path  # the folder its checked wheels were written to


def verify(bundle: Path, keys: Path, staging: Path, fits: Callable[[Release], None] = lambda _: None) -> Release:
    """Check `bundle` against the trusted public keys in folder `keys` and write its wheels, each
    checked against release.json, into `staging`/wheels.  `fits` may refuse the signed release
    before its wheels are written (another arch, an older version).  Raises Refused."""
    try:
        tar = tarfile.open(bundle, "r:")
    except (OSError, tarfile.TarError) as e:
        raise Refused(f"{bundle}: not a release bundle ({e})") from e
    with tar:
        members = _members(tar)
        for required in (MANIFEST, SIGNATURE):
            if required not in members:
                raise Refused(f"{bundle}: no {required}")
        manifest, signature = (_read_small(tar, members[n]) for n in (MANIFEST, SIGNATURE))
        signer = trusted_signer(manifest, signature, keys)
        if signer is None:
            raise Refused(f"{bundle}: release.json is not signed by a trusted key in {keys}")
        release = _release(manifest, staging / "wheels")
        fits(release)
        files = json.loads(manifest)["files"]
        extra = sorted(set(members) - {MANIFEST, SIGNATURE} - set(files))
        missing = sorted(set(files) - set(members))
        if extra or missing:
            raise Refused(f"{bundle}: members not as release.json lists them (extra {extra}, missing {missing})")
        release.wheels.mkdir(parents=True, exist_ok=True)
        for name, digest in files.items():
            _extract_checked(tar, members[name], staging / name, digest)
    return release


def trusted_signer(body: bytes, signature: bytes, keys: Path) -> Path | None:
    """The first key in folder `keys` (*.pem) whose Ed25519 signature `signature` of `body` is."""
    with tempfile.TemporaryDirectory(prefix="yinling-verify-") as scratch:
        data, sig = Path(scratch) / "data", Path(scratch) / "sig"
        data.write_bytes(body)
        sig.write_bytes(signature)
        for key in sorted(keys.glob("*.pem")):
            done = subprocess.run(
                [
                    "openssl",
                    "pkeyutl",
                    "-verify",
                    "-pubin",
                    "-inkey",
                    str(key),
                    "-rawin",
                    "-in",
                    str(data),
                    "-sigfile",
                    str(sig),
                ],
                capture_output=True,
            )
            if done.returncode == 0:
                return key
    return None


def _members(tar: tarfile.TarFile) -> dict[str, tarfile.TarInfo]:
    members: dict[str, tarfile.TarInfo] = {}
    for member in tar.getmembers():
        name = member.name
        if not member.isreg():
            raise Refused(f"{name}: not a plain file (a link, folder or device) — refused")
        if (name not in (MANIFEST, SIGNATURE) and not _WHEEL.fullmatch(name)) or ".." in name.split("/"):
            raise Refused(f"{name}: not a member a release bundle has — refused")
        if name in members:
            raise Refused(f"{name}: twice in the bundle — refused")
        members[name] = member
    return members


def _read_small(tar: tarfile.TarFile, member: tarfile.TarInfo) -> bytes:
    if member.size > _SMALL:
        raise Refused(f"{member.name}: {member.size} bytes, too big")
    f = tar.extractfile(member)
    assert f is not None  # a plain file, checked in _members
    return f.read()


def _release(manifest: bytes, wheels: Path) -> Release:
    try:
        fields = json.loads(manifest)
        version, arch, python, files = (fields[k] for k in ("version", "arch", "python", "files"))
        versions.parse(version)
    except (ValueError, KeyError, TypeError) as e:
        raise Refused(f"release.json: {e}") from e
    if fields.get("name") != NAME:
        raise Refused(f"release.json: not a {NAME} release ({fields.get('name')!r})")
    if not isinstance(files, dict) or not all(_WHEEL.fullmatch(str(n)) for n in files):
        raise Refused("release.json: its files are not wheels/<name>.whl")
    return Release(version, arch, python, manifest, wheels)


def _extract_checked(tar: tarfile.TarFile, member: tarfile.TarInfo, target: Path, digest: str) -> None:
    source = tar.extractfile(member)
    assert source is not None
    sha = hashlib.sha256()
    with source, target.open("wb") as out:
        for block in iter(lambda: source.read(1 << 20), b""):
            sha.update(block)
            out.write(block)
    if sha.hexdigest() != digest:
        target.unlink()
        raise Refused(f"{member.name}: its sha256 is not the one release.json gives — the bundle was changed")
