"""The software's lines: the version running (the installed distribution's, docs/layout), and on
an installed box (/opt/yinling, under $YINLING_ROOT in tests) the release the updater's links
point to — current and previous (what a rollback goes back to) — with its trial or rollback."""

from importlib import metadata

from kiosk.doctor import FAIL, OK, WARN, Line, line
from kiosk.i18n import t
from kiosk.release import state
from kiosk.release.paths import Paths, from_env

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


def release(paths: Paths | None = None) -> list[Line]:
    """The release line, when the kiosk is installed as releases (none in a checkout): what the
    updater (kiosk/release/) left — current, previous, a trial, a rollback."""
    paths = paths or from_env()
    if not paths.opt.is_dir():
        return []
    current = state.pointed(paths.current)
    if current is None or not (paths.releases / current).is_dir():
        return [line("release", FAIL, t("doctor.release.broken", root=paths.opt), t("doctor.release.broken_fix"))]
    previous = state.pointed(paths.previous) or t("doctor.release.none")
    try:
        saved = state.load(paths.state)
    except (OSError, ValueError):  # unreadable: what the links say is still true
        saved = {}
    last, trial = saved.get("last") or {}, saved.get("trial")
    if last.get("event") == "rolled back" and last.get("to") == current:
        said = t("doctor.release.rolled_back", version=last.get("version", "?"), current=current)
        return [line("release", WARN, said, t("doctor.release.rolled_back_fix"))]
    now = running()
    if now and now != current:  # installed, not yet started
        said = t("doctor.release.restart", current=current, running=now)
        return [line("release", WARN, said, t("doctor.release.restart_fix"))]
    if trial:
        return [line("release", OK, t("doctor.release.trial", current=current, previous=previous))]
    return [line("release", OK, t("doctor.release.ok", current=current, previous=previous))]
