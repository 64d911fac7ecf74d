"""The release bundle of the kiosk (docs/update.md): one uncompressed tar, yinling-kiosk_<V>_<arch>.bundle,
holding release.json (every wheel's sha256), its Ed25519 signature and the wheels a box installs
offline — the project's, built from the checkout's tracked files with version V, and every wheel it
needs for that arch and Python 3.11.  The kiosk's updater (kiosk/release/) checks and installs it.

    python -m tools.release build --version V [--arch amd64|arm64] --key PRIVATE.pem --out DIR
    python -m tools.release keygen --out DIR      # release-signing.pem (secret) and release-signing.pub.pem

./dev release … is the first of these.  Every wheel comes from PyPI as a binary (pip download
--only-binary): the kiosk's dependencies all publish wheels for both arches (peewee since 4.x is a
pure-Python wheel), so an arm64 bundle is collected here on amd64 without building anything."""

import argparse
import hashlib
import io
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from tools.checkout import ROOT

NAME = "yinling-kiosk"
PYTHON = "3.11"  # Debian 12's python3, which makes each release's venv on the box
# manylinux tags a Debian 12 box (glibc 2.36) runs; pip 23 takes the tags it is given, no older.
MANYLINUX = ("manylinux2014", "manylinux_2_24", "manylinux_2_28", "manylinux_2_31", "manylinux_2_34", "manylinux_2_36")
MACHINES = {"amd64": "x86_64", "arm64": "aarch64"}
VERSION = re.compile(r"\d+(\.\d+)*")  # what the updater compares: numbers only (kiosk/release/versions.py)


class ReleaseError(Exception):
    """A bundle that could not be built; str() says why."""


def tracked_tree(dest: Path, root: Path = ROOT) -> Path:
    """A copy of the checkout's tracked files in `dest` (what `pip wheel` of a clean clone builds)."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=root, capture_output=True, check=True).stdout
    for name in listed.decode().split("\0"):
        if name and (root / name).is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(root / name, dest / name)
    return dest


def set_version(tree: Path, version: str) -> None:
    """Write `version` into the tree's pyproject.toml ([project] version; the copy, never the checkout)."""
    pyproject = tree / "pyproject.toml"
    text, count = re.subn(
        r'^version = "[^"]*"$', f'version = "{version}"', pyproject.read_text(encoding="utf-8"), count=1, flags=re.M
    )
    if count != 1:
        raise ReleaseError(f"{pyproject}: no version line")
    pyproject.write_text(text, encoding="utf-8")


def project_wheel(version: str, out: Path, tree: Path | None = None) -> Path:
    """The project's wheel at `version`, built from `tree` (default: the checkout's tracked files)."""
    if not VERSION.fullmatch(version):
        raise ReleaseError(f"version {version!r}: numbers and dots only, such as 0.2.0")
    with tempfile.TemporaryDirectory(prefix="yinling-release-") as scratch:
        source = Path(scratch) / "source"
        if tree is None:
            tracked_tree(source)
        else:
            shutil.copytree(tree, source)
        set_version(source, version)
        built = Path(scratch) / "wheel"
        _pip("wheel", "--no-deps", "-q", "-w", str(built), str(source))
        (wheel,) = built.glob("yinling_kiosk-*.whl")
        out.mkdir(parents=True, exist_ok=True)
        return Path(shutil.copy2(wheel, out / wheel.name))


def dependencies(wheel: Path, arch: str, dest: Path) -> list[Path]:
    """Every wheel the project wheel needs on `arch` with Python 3.11, downloaded into `dest`
    (binaries only: a dependency without a wheel for the arch fails the build here, not on a box)."""
    if arch not in MACHINES:
        raise ReleaseError(f"arch {arch!r}: amd64 or arm64")
    platforms = [a for tag in MANYLINUX for a in ("--platform", f"{tag}_{MACHINES[arch]}")]
    with tempfile.TemporaryDirectory(prefix="yinling-deps-") as scratch:
        _pip(
            "download", "-q", "--only-binary=:all:", *platforms, "--python-version", PYTHON,
            "--implementation", "cp", "--abi", "cp" + PYTHON.replace(".", ""), "-d", scratch, str(wheel),
        )  # fmt: skip
        dest.mkdir(parents=True, exist_ok=True)
        return sorted(Path(shutil.copy2(p, dest / p.name)) for p in Path(scratch).glob("*.whl") if p.name != wheel.name)


def bundle(version: str, arch: str, wheels: list[Path], key: Path, out: Path) -> Path:
    """yinling-kiosk_<version>_<arch>.bundle in `out`: release.json, its signature and `wheels`."""
    manifest = {
        "name": NAME,
        "version": version,
        "arch": arch,
        "python": PYTHON,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "files": {f"wheels/{w.name}": _sha256(w) for w in sorted(wheels, key=lambda w: w.name)},
    }
    if len(manifest["files"]) != len(wheels):
        raise ReleaseError("two wheels of one name")
    body = (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode()
    signature = sign(body, key)
    out.mkdir(parents=True, exist_ok=True)
    target = out / f"{NAME}_{version}_{arch}.bundle"
    part = target.with_name(target.name + ".part")
    with tarfile.open(part, "w", format=tarfile.PAX_FORMAT) as tar:
        _add(tar, "release.json", body)
        _add(tar, "release.json.sig", signature)
        for wheel in sorted(wheels, key=lambda w: w.name):
            _add(tar, f"wheels/{wheel.name}", wheel.read_bytes())
    part.rename(target)
    return target


def sign(body: bytes, key: Path) -> bytes:
    """The raw Ed25519 signature of `body` with the private key in PEM file `key` (openssl)."""
    with tempfile.TemporaryDirectory(prefix="yinling-sign-") as scratch:
        data, sig = Path(scratch) / "data", Path(scratch) / "sig"
        data.write_bytes(body)
        done = subprocess.run(
            ["openssl", "pkeyutl", "-sign", "-inkey", str(key), "-rawin", "-in", str(data), "-out", str(sig)],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise ReleaseError(f"openssl could not sign with {key}: {done.stderr.strip()}")
        return sig.read_bytes()


def keygen(out: Path) -> tuple[Path, Path]:
    """A new release-signing key pair in `out`: the private key (mode 0600, keep it off the kiosks
    and the bureau) and the public key the .deb installs into /usr/share/yinling/keys/."""
    out.mkdir(parents=True, exist_ok=True)
    private, public = out / "release-signing.pem", out / "release-signing.pub.pem"
    if private.exists():
        raise ReleaseError(f"{private} exists: a second key would not replace it")
    private.touch(mode=0o600)
    subprocess.run(
        ["openssl", "genpkey", "-algorithm", "ed25519", "-out", str(private)], check=True, capture_output=True
    )
    subprocess.run(
        ["openssl", "pkey", "-in", str(private), "-pubout", "-out", str(public)], check=True, capture_output=True
    )
    return private, public


def build(version: str, arch: str, key: Path, out: Path) -> Path:
    """The whole bundle of the checkout at `version` for `arch`."""
    with tempfile.TemporaryDirectory(prefix="yinling-wheels-") as scratch:
        wheel = project_wheel(version, Path(scratch) / "project")
        deps = dependencies(wheel, arch, Path(scratch) / "deps")
        return bundle(version, arch, [wheel, *deps], key, out)


def _pip(*args: str) -> None:
    done = subprocess.run([sys.executable, "-m", "pip", *args], capture_output=True, text=True, timeout=1200)
    if done.returncode != 0:
        raise ReleaseError(f"pip {args[0]} failed:\n{done.stderr.strip()}")


def _add(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(data), 0o644, int(time.time())
    tar.addfile(info, io.BytesIO(data))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tools/release.py", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    made = commands.add_parser("build", help="build and sign a release bundle")
    made.add_argument("--version", required=True)
    made.add_argument("--arch", choices=sorted(MACHINES), default="amd64")
    made.add_argument("--key", type=Path, required=True, help="the Ed25519 private key (PEM)")
    made.add_argument("--out", type=Path, required=True, help="the folder the bundle goes into")
    pair = commands.add_parser("keygen", help="a new release-signing key pair")
    pair.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    try:
        if args.command == "keygen":
            private, public = keygen(args.out)
            print(f"private key: {private} (keep it secret, off every kiosk)\npublic key:  {public}")
        else:
            started = time.monotonic()
            target = build(args.version, args.arch, args.key, args.out)
            size = target.stat().st_size / 1e6
            print(f"{target}  {size:.1f} MB  built in {time.monotonic() - started:.0f} s")
    except ReleaseError as e:
        print(f"release: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
