"""The software's lines: the version running (the installed distribution's, docs/layout), and on
an installed box (/opt/yinling, under $YINLING_ROOT in tests) the release the symlinks point to:
current and previous (what a rollback goes back to)."""

import os
from importlib import metadata
from pathlib import Path

from kiosk.doctor import FAIL, OK, WARN, Line, line
from kiosk.i18n import t

DISTRIBUTION = "yinling-kiosk"


def running() -> str:
    """The version of the installed distribution ("" when run from a checkout not installed)."""
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return ""


def version() -> Line:
    found = running()
    return line("version", OK, t("doctor.version.ok", version=found) if found else t("doctor.version.checkout"))


def installed_root() -> Path:
    return Path(os.environ.get("YINLING_ROOT", "/")) / "opt" / "yinling"


def release(root: Path | None = None) -> list[Line]:
    """The release line, when the kiosk is installed as releases (none in a checkout)."""
    root = root or installed_root()
    if not root.is_dir():
        return []
    current = _release_of(root / "current")
    if current is None:
        return [line("release", FAIL, t("doctor.release.broken", root=root), t("doctor.release.broken_fix"))]
    previous = _release_of(root / "previous") or t("doctor.release.none")
    now = running()
    if now and now != current:  # installed, not yet started (or a rollback just happened)
        return [
            line(
                "release",
                WARN,
                t("doctor.release.restart", current=current, running=now),
                t("doctor.release.restart_fix"),
            )
        ]
    return [line("release", OK, t("doctor.release.ok", current=current, previous=previous))]


def _release_of(link: Path) -> str | None:
    """The version a symlink's release directory is named after, if it is one."""
    try:
        target = link.resolve(strict=True)
    except OSError:
        return None
    return target.name if target.parent.name == "releases" and target.is_dir() else None
