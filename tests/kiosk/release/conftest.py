"""Real Ed25519 key pairs (openssl) and small signed bundles of stand-in wheels, built by
tools/release.py: what the updater's checks need, without the minute a real build takes."""

from pathlib import Path

import pytest

from tools import release


@pytest.fixture(scope="module")
def keys(tmp_path_factory) -> dict[str, tuple[Path, Path]]:
    """Two key pairs, (private, public): "ours" is trusted, "theirs" is not."""
    base = tmp_path_factory.mktemp("keys")
    return {name: release.keygen(base / name) for name in ("ours", "theirs")}


@pytest.fixture
def trusted(tmp_path, keys) -> Path:
    """The trusted keys' folder (/usr/share/yinling/keys on a box): our public key."""
    folder = tmp_path / "usr/share/yinling/keys"
    folder.mkdir(parents=True)
    (folder / "release-signing.pem").write_bytes(keys["ours"][1].read_bytes())
    return folder


def make(folder: Path, key: Path, version: str = "0.2.0", arch: str = "amd64") -> Path:
    """A bundle of `version` signed with `key`, holding two stand-in wheels."""
    wheels = []
    for name, body in (
        (f"yinling_kiosk-{version}-py3-none-any.whl", b"project"),
        ("peewee-4.5.3-py3-none-any.whl", b"orm"),
    ):
        (folder / name).write_bytes(body)
        wheels.append(folder / name)
    return release.bundle(version, arch, wheels, key, folder / "out")
