"""Installing a checked bundle: a venv of its own in releases/<version> made by this python3 (Debian's,
3.11) and filled offline from the bundle's wheels alone by Debian's pip; kiosk.db backed up; then
the trial's switch (trial.begin).  A release folder is used only once its .complete mark is
written, last."""

import logging
import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path

from kiosk.release import bundle, database, state, trial, versions
from kiosk.release.bundle import Refused
from kiosk.release.paths import Paths

log = logging.getLogger("yinling-update")
ARCHES = {"x86_64": "amd64", "aarch64": "arm64"}  # platform.machine() -> the bundle's arch
COMPLETE = ".complete"
PIP_WHEELS = Path("/usr/share/python-wheels")  # the system's, not under YINLING_ROOT


def install(paths: Paths, bundle_file: Path, force: bool = False, bytecode: bool = True) -> str:
    """Check and install `bundle_file`, switch to it (a trial when a release runs now): its version.
    Refuses (Refused) a bad bundle, another arch or Python, a version not newer than the current one
    (unless `force`), and any install while a trial is still undecided.  Without `bytecode` the
    install is quicker and each start of the kiosk slower (it cannot write the bytecode itself)."""
    with state.locked(paths.lock):
        trial.settle(paths)
        running = state.load(paths.state).get("trial")
        if running:
            raise Refused(f"the trial of {running['version']} is not over yet (yinling-update status)")
        prepare(paths)
        staging = paths.releases / f".staging-{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        try:
            current = state.pointed(paths.current)
            release = bundle.verify(bundle_file, paths.keys, staging, lambda r: _fits(r, current, force))
            build(paths, release, bytecode)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        backup = None
        if current and paths.database.exists():
            backup = database.backup(paths.database, paths.backups / f"kiosk-before-{release.version}.db")
        trial.begin(paths, release.version, backup)
        return release.version


def prepare(paths: Paths) -> None:
    """The updater's folders; confirmed/ belongs to the data folder's owner (the kiosk writes there)."""
    owner = paths.data.stat()
    for folder, mode, kiosks in (
        (paths.releases, 0o755, False),
        (paths.updates, 0o755, False),
        (paths.backups, 0o700, False),
        (paths.incoming, 0o770, True),  # `yinling-kiosk update FILE` copies into it
        (paths.confirmed, 0o755, True),
    ):
        folder.mkdir(parents=True, exist_ok=True)
        os.chmod(folder, mode)
        if kiosks:
            os.chown(folder, owner.st_uid, owner.st_gid)


def build(paths: Paths, release: bundle.Release, bytecode: bool = True) -> Path:
    """releases/<version>: a venv with the project and its dependencies from the bundle's wheels."""
    folder = paths.releases / release.version
    if (folder / COMPLETE).exists() and (folder / bundle.MANIFEST).read_bytes() == release.manifest:
        return folder  # built before from this very bundle (e.g. the previous release, --force)
    if state.pointed(paths.previous) == release.version:
        state.point(paths.previous, None)  # never a link to a half-built folder
    shutil.rmtree(folder, ignore_errors=True)
    log.info("building release %s in %s", release.version, folder)
    _run([sys.executable, "-m", "venv", "--without-pip", str(folder)])
    _run(
        [str(folder / "bin/python"), str(_pip() / "pip"), "install", "--no-index", "--find-links", str(release.wheels)]
        + ["--no-cache-dir", "--disable-pip-version-check", "--quiet", f"{bundle.NAME}=={release.version}"]
        + ([] if bytecode else ["--no-compile"])
    )
    state.write_atomically(folder / bundle.MANIFEST, release.manifest)
    state.write_atomically(folder / COMPLETE, b"")
    return folder


def _pip() -> Path:
    """Debian's pip wheel (python3-pip-whl, which python3-venv needs), run from the wheel itself: a
    release venv without pip or setuptools of its own, made in half the time ensurepip takes."""
    found = sorted(PIP_WHEELS.glob("pip-*.whl"))
    if not found:
        raise Refused(f"no pip wheel in {PIP_WHEELS}: install python3-venv")
    return found[-1]


def _fits(release: bundle.Release, current: str | None, force: bool) -> None:
    if current and versions.parse(current) == versions.parse(release.version):
        raise Refused(f"{release.version} is the current release already")
    if current and not force and not versions.newer(release.version, current):
        raise Refused(f"{release.version} is not newer than the current {current} (--force installs it)")
    machine = ARCHES.get(platform.machine(), platform.machine())
    if release.arch != machine:
        raise Refused(f"{release.version} is built for {release.arch}, this box is {machine}")
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    if release.python != python:
        raise Refused(f"{release.version} is built for Python {release.python}, this box has {python}")


def _run(command: list[str]) -> None:
    # Offline from the bundle alone, whatever pip settings the box may have.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")} | {"PIP_CONFIG_FILE": os.devnull}
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        raise Refused(f"{' '.join(command[:4])} … failed:\n{done.stderr.strip()[-2000:]}")
