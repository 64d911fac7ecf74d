"""The kiosk box's Debian package: `./dev package [--arch amd64|arm64] [--key PRIVATE.pem]`.

Builds dist/yinling-kiosk_<version>_<arch>.deb with `dpkg-deb --build --root-owner-group` from
packaging/kiosk/ (maintainer scripts, systemd units, udev rules, the X session), the updater
/usr/lib/yinling/yinling-update (kiosk/release/), the release-signing public key and the first
release bundle, made by tools/release.py and installed by the postinst (docs/install.md).
"""

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
import zipapp
from pathlib import Path

from tools.checkout import ROOT

PACKAGING = ROOT / "packaging" / "kiosk"
ARCHES = ("amd64", "arm64")
DEV_KEY = ROOT / "dist" / "dev-release-key.pem"  # without --key: a development key, never a site's
# (source in packaging/kiosk, where it goes on the box, mode)
FILES = [
    ("systemd/yinling-kiosk.service", "usr/lib/systemd/system/yinling-kiosk.service", 0o644),
    ("systemd/yinling-update.path", "usr/lib/systemd/system/yinling-update.path", 0o644),
    ("systemd/yinling-update.service", "usr/lib/systemd/system/yinling-update.service", 0o644),
    ("systemd/yinling-confirm.path", "usr/lib/systemd/system/yinling-confirm.path", 0o644),
    ("systemd/yinling-confirm.service", "usr/lib/systemd/system/yinling-confirm.service", 0o644),
    ("systemd/yinling-confirm.timer", "usr/lib/systemd/system/yinling-confirm.timer", 0o644),
    ("udev/60-yinling.rules", "usr/lib/udev/rules.d/60-yinling.rules", 0o644),
    ("xorg/50-yinling.conf", "etc/X11/xorg.conf.d/50-yinling.conf", 0o644),
    ("bin/session", "usr/lib/yinling/session", 0o755),
]
# The updater: kiosk/release/ (standard library only) as one file Debian's python3 runs.
UPDATER = ("kiosk/__init__.py", "kiosk/release/*.py")
MAINTAINER_SCRIPTS = ("postinst", "prerm", "postrm")


def version() -> str:
    with (ROOT / "pyproject.toml").open("rb") as f:
        return tomllib.load(f)["project"]["version"]


def host_arch() -> str:
    return subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True, check=True).stdout.strip()


def development_key() -> Path:
    """The checkout's own signing key for development packages, made once (Ed25519)."""
    if not DEV_KEY.exists():
        DEV_KEY.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["openssl", "genpkey", "-algorithm", "ed25519", "-out", str(DEV_KEY)], check=True)
        DEV_KEY.chmod(0o600)
    return DEV_KEY


def public_key(private: Path) -> bytes:
    return subprocess.run(["openssl", "pkey", "-in", str(private), "-pubout"], capture_output=True, check=True).stdout


def release_bundle(release_version: str, arch: str, key: Path, out: Path) -> Path:
    """The first release, built by tools/release.py as `./dev release` builds it."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "tools.release",
            "build",
            "--version",
            release_version,
            "--arch",
            arch,
            "--key",
            str(key),
            "--out",
            str(out),
        ],
        cwd=ROOT,
        check=True,
    )
    return out / f"yinling-kiosk_{release_version}_{arch}.bundle"


def stage(root: Path, arch: str, key: Path, bundle: Path) -> None:
    """The package's tree under `root`, with DEBIAN/."""
    for source, target, mode in FILES:
        _put(PACKAGING / source, root / target, mode)
    updater(root / "usr/lib/yinling/yinling-update")
    keys = root / "usr/share/yinling/keys"
    keys.mkdir(parents=True)
    (keys / "release.pem").write_bytes(public_key(key))
    _put(bundle, root / "usr/share/yinling/release" / bundle.name, 0o644)
    _put(ROOT / "docs" / "install.md", root / "usr/share/doc/yinling-kiosk/install.md", 0o644)
    # The kiosk's command, wherever the current release is.
    (root / "usr/bin").mkdir(parents=True)
    (root / "usr/bin/yinling-kiosk").symlink_to("/opt/yinling/current/bin/yinling-kiosk")
    debian = root / "DEBIAN"
    debian.mkdir()
    for name in MAINTAINER_SCRIPTS:
        _put(PACKAGING / "DEBIAN" / name, debian / name, 0o755)
    _put(PACKAGING / "DEBIAN" / "conffiles", debian / "conffiles", 0o644)
    size_kib = sum(p.stat().st_size for p in root.rglob("*") if p.is_file() and not p.is_symlink()) // 1024 + 1
    control = (PACKAGING / "DEBIAN" / "control.in").read_text(encoding="utf-8")
    control = control.replace("@VERSION@", version()).replace("@ARCH@", arch).replace("@SIZE@", str(size_kib))
    (debian / "control").write_text(control, encoding="utf-8")
    for folder in [root, *(p for p in root.rglob("*") if p.is_dir() and not p.is_symlink())]:
        folder.chmod(0o755)


def updater(target: Path) -> None:
    """/usr/lib/yinling/yinling-update: a zip application of kiosk/release/ for /usr/bin/python3."""
    with tempfile.TemporaryDirectory(prefix="yinling-updater-") as tmp:
        for pattern in UPDATER:
            for source in ROOT.glob(pattern):
                _put(source, Path(tmp) / source.relative_to(ROOT), 0o644)
        # zipapp's own main= would drop the exit status
        (Path(tmp) / "__main__.py").write_text(
            "import sys\n\nfrom kiosk.release.__main__ import main\n\nsys.exit(main())\n", encoding="utf-8"
        )
        target.parent.mkdir(parents=True, exist_ok=True)
        zipapp.create_archive(tmp, target, interpreter="/usr/bin/python3")
    target.chmod(0o755)


def _put(source: Path, target: Path, mode: int) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    target.chmod(mode)


def build(arch: str, key: Path, out: Path, bundle: Path | None = None) -> Path:
    """dist/yinling-kiosk_<version>_<arch>.deb, with `bundle` or a new one of this checkout."""
    out.mkdir(parents=True, exist_ok=True)
    deb = out / f"yinling-kiosk_{version()}_{arch}.deb"
    with tempfile.TemporaryDirectory(prefix="yinling-deb-") as tmp:
        if bundle is None:
            bundle = release_bundle(version(), arch, key, Path(tmp) / "bundle")
        root = Path(tmp) / "root"
        stage(root, arch, key, bundle)
        # The wheels in the bundle are compressed already: gzip is as small as xz here, and fast.
        subprocess.run(
            ["dpkg-deb", "--root-owner-group", "-Zgzip", "--build", str(root), str(deb)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return deb


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="./dev package", description=__doc__.split("\n\n")[0])
    parser.add_argument("--arch", choices=ARCHES, help="default: this machine's")
    parser.add_argument("--key", type=Path, metavar="PRIVATE.pem", help="release-signing key (Ed25519, PEM)")
    parser.add_argument("--bundle", type=Path, metavar="FILE", help="embed this release bundle instead of building one")
    parser.add_argument("--out", type=Path, default=ROOT / "dist", metavar="DIR")
    args = parser.parse_args(argv)
    arch = args.arch or host_arch()
    if arch not in ARCHES:
        parser.error(f"this machine is {arch}: give --arch amd64 or arm64")
    key = args.key
    if key is None:
        key = development_key()
        print(f"no --key: signing with the development key {key} (boxes trust only its public half)")
    started = time.monotonic()
    deb = build(arch, key, args.out, args.bundle)
    print(f"built {deb} ({deb.stat().st_size / 1e6:.1f} MB) in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
